"""What the plan does about a warning, for the risk register: the open action that answers
it, with its owner and due date, or that nothing is planned."""

from __future__ import annotations

from kam_review.i18n import _
from kam_review.output.markdown_text import esc
from kam_review.review.actions import planned_for
from kam_review.review.results import AccountResult, Finding, Result
from kam_review.website.pages.actions import due_text


def planned_cell(finding: Finding, item: AccountResult, result: Result) -> str:
    """The open action of the plan that answers the finding, with its owner and due date;
    for a warning nothing answers, "nothing planned" (an action's own finding is answered
    by the action). The meeting reads who does what about each risk."""
    planned = planned_for(finding, item, result.rulebook.rule(finding.rule).on, result.as_of)
    answer, done = planned.open, planned.done
    if answer is not None:
        return _("{what} ({owner}, due {due})").format(
            what=esc(answer.action.what), owner=esc(answer.action.owner),
            due=due_text(answer))
    if not planned.wanted:
        return ""
    if done is not None:
        return _("*nothing open*; done: {what} ({owner})").format(
            what=esc(done.action.what), owner=esc(done.action.owner))
    return _("*nothing planned*")
