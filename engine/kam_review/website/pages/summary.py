"""The executive summary at the top of an account page: the plan's `summary`, the account
manager's few lines on where the account stands, or a note that it is missing. It sits under
the page's title without a heading of its own, so that the page's first lines (and its
search entry) are the summary and the figures at a glance."""

from __future__ import annotations

import html

from kam_review.i18n import _
from kam_review.output.markdown_text import safe_markdown_html
from kam_review.source.model import Account


def _label() -> str:
    return f'<p class="kam-summary-label">{_("Executive summary")}</p>'


def summary_section(account: Account) -> list[str]:
    summary = account.plan.summary if account.plan else None
    if summary is None or not summary.strip():
        return [_label(), '<p class="kam-summary-missing">' + _(
            "<strong>Missing.</strong> The account plan has no summary: the few lines in which "
            "the account manager says where the account stands, what we want from it and what "
            "stands in the way (write it as <code>summary</code> under <code>plan</code> in the "
            "account file).") + "</p>", ""]
    # The summary is Markdown by design: rendered, then sanitised.
    # The words of the button that shows a long summary whole (kam-review.js), in the page's
    # language.
    more, less = (html.escape(_(words), quote=True)
                  for words in ("Show the whole summary", "Show less"))
    return [_label(), f'<div class="kam-plan-summary" data-more="{more}" data-less="{less}">',
            safe_markdown_html(summary), "</div>", ""]
