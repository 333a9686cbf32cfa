"""What makes the rule catalogue a reference for rule authors: each threshold with its value,
where the value comes from and the rules that read it; each rule's tests (rules/tests, run by
`kam rules test`); and a pointer to the guide on writing a rule."""

from __future__ import annotations

from dataclasses import replace

from kam_review.i18n import _
from kam_review.output.markdown_text import esc, esc_code, table
from kam_review.review.rule_cases import read_cases
from kam_review.review.rule_impact import folder_digest
from kam_review.rulebook.fact_words import doc_names, threshold_words
from kam_review.rulebook.loading import Rulebook
from kam_review.rulebook.thresholds import READ_BY_THE_FACTS, THRESHOLDS_FILE, Threshold
from kam_review.website.pages.common import rule_title_link
from kam_review.wording import counted

# The guide every site gets (site/docs, added by the plugin where a site has none).
OWN_RULES_GUIDE = "own-rules.md"
GUIDE = ("Each rule's condition is written in words below, with the thresholds it reads; "
         f"[Writing your own rule]({OWN_RULES_GUIDE}) walks through adding one, testing it "
         "with `kam rules test` and previewing what it changes with `kam rules impact`.")


def thresholds_table(rulebook: Rulebook) -> str:
    """Every threshold: its label, value and default in its unit, where its value comes
    from, its meaning, the rules that read it, and its name."""
    readers: dict[str, list[str]] = {}
    for rule in rulebook.rules:
        for name in rule.thresholds:
            readers.setdefault(name, []).append(rule_title_link(rule))
    return table(["Threshold", "Set to", "Default", "Source", "Meaning", "Read by", "Name"], [
        [esc(t.shown_label), threshold_words(t), threshold_words(replace(t, value=t.default)),
         _source(t), esc_code(doc_names(t.doc)),
         _(", ").join(readers.get(t.name, [])) or (_("the facts") if t.name in READ_BY_THE_FACTS
                                                    else _("no rule")),
         f"`{t.name}`"]
        for t in sorted(rulebook.thresholds.values(), key=lambda t: t.name)])


def _source(threshold: Threshold) -> str:
    where = _("{file}, line {line}").format(file=f"`{THRESHOLDS_FILE}`", line=threshold.line)
    if threshold.value != threshold.default:
        return _("the portfolio's override (default in {where})").format(where=where)
    return where


# The counts of RuleTests by rules folder, with the folder's files they come from (their
# folder_digest).
_COUNTED: dict[str, tuple[bytes, dict[str, int], dict[str, int]]] = {}


class RuleTests:
    """How many firing and silent cases the rules folder's tests hold for each rule."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.fires: dict[str, int] = {}
        self.silent: dict[str, int] = {}
        # Read again only when a file of the rules folder changed (a case may name an account
        # file there): `kam serve` writes this page after every edit of an account, and
        # reading the cases is most of it.
        files = folder_digest(rulebook.folder)
        kept = _COUNTED.get(str(rulebook.folder))
        if kept is not None and kept[0] == files:
            self.fires, self.silent = dict(kept[1]), dict(kept[2])
            return
        self._count(rulebook)
        _COUNTED[str(rulebook.folder)] = (files, dict(self.fires), dict(self.silent))

    def _count(self, rulebook: Rulebook) -> None:
        cases, _ = read_cases(rulebook.folder)
        for case in cases:
            for rule_id in {*case.fires, *case.messages}:
                self.fires[rule_id] = self.fires.get(rule_id, 0) + 1
            for rule_id in case.silent:
                self.silent[rule_id] = self.silent.get(rule_id, 0) + 1

    def line(self, rule_id: str) -> str:
        fires, silent = self.fires.get(rule_id, 0), self.silent.get(rule_id, 0)
        if not fires and not silent:
            return _("*Tests:* none (`kam rules test --require-coverage` lists it as untested)")
        lacking = "" if fires and silent else (
            _(" (no silent case yet)") if fires else _(" (no firing case yet)"))
        return _("*Tests:* {fires} where it fires, {silent} where it stays silent{lacking}"
                 ).format(fires=counted(fires, 'case'), silent=silent, lacking=lacking)
