"""The placeholder texts of the account template (output/account-template.yaml, which
`kam new` and `kam init` write): a file that still holds one was never filled in there, and
the review must not present "Your Name" as an account's owner without saying so."""

from __future__ import annotations

from kam_review.source.model import Account

# Each of them stands in the template; tests/test_template_texts.py holds the two together.
TEMPLATE_TEXTS = frozenset({
    "Your Name", "Your Team", "First Contact", "Title",
    "What we want from this account, and how we will get it.",
})


def template_fields(account: Account) -> list[str]:
    """The fields of the account that still hold a placeholder of the template, as a
    reader finds them in the file: owner, contacts[0].name, plan.actions[0].owner."""
    found = [name for name, value in (("owner", account.owner), ("team", account.team))
             if value in TEMPLATE_TEXTS]
    for i, contact in enumerate(account.contacts):
        found += [f"contacts[{i}].{name}" for name, value in (("name", contact.name),
                                                              ("title", contact.title))
                  if value in TEMPLATE_TEXTS]
    plan = account.plan
    if plan is not None:
        if plan.summary is not None and plan.summary.strip() in TEMPLATE_TEXTS:
            found.append("plan.summary")
        found += [f"plan.actions[{i}].owner" for i, action in enumerate(plan.actions)
                  if action.owner in TEMPLATE_TEXTS]
    return found
