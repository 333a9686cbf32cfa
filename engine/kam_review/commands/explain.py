"""`kam explain`: why one account got its class, focus and findings; or what one rule
checks, and where it fired."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from kam_review.commands import common
from kam_review.errors import KamError
from kam_review.i18n import locale_name
from kam_review.locale_format import LocaleFormat
from kam_review.output.rule_text import rule_text
from kam_review.review.evaluate import review
from kam_review.review.explain import explain_text


def explain(account_id: str, as_of: date, accounts: Path, rules: Path | None,
            thresholds: Path | None, currency: str | None = None) -> None:
    # An account file (acme.yaml) names its account: a file is named after its account's
    # id. A path with a folder (accounts/acme.yaml) names the folder too.
    if account_id.endswith((".yaml", ".yml")):
        named = Path(account_id)
        account_id = named.stem
        if len(named.parts) > 1:
            accounts = named.parent
    result = review(accounts, common.rules_folder(rules), as_of, thresholds,
                    formats=LocaleFormat(locale_name(), currency))
    known = [a.account.id for a in result.accounts]
    rule = result.rulebook.find(account_id)
    if account_id not in known and rule is not None:
        common.echo(rule_text(rule, result))
    elif account_id not in known:
        errors = [str(e) for e in result.errors if Path(e.file).stem == account_id]
        detail = "\n".join(errors) or f"known accounts: {', '.join(known)}"
        raise KamError(f"no valid account '{account_id}'\n{detail}")
    else:
        common.echo(explain_text(result.account(account_id), result))
    # The account asked about is explained, and the run still says what else is broken.
    common.show_errors(result.errors)
    if result.errors:
        sys.exit(common.EXIT_INVALID_INPUT)
