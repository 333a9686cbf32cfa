"""A rules folder's passed lint, remembered: `kam check` refuses rules with a lint error
(rule_lint.refuse_lint_errors), and loading and linting them costs a warm run more than
reading its cached reviews. Once they pass, a sealed entry in the run's cache says so, keyed
by what decides the verdict: the bytes of every file load_rulebook reads (the folder's rule
files, thresholds and funnel, and the thresholds file given), their names, and kam-review's
code. A run that finds the entry loads the rulebook only if a file needs reviewing.
"""

from __future__ import annotations

from collections.abc import Callable

from kam_review.rulebook.loading import Rulebook, load_rulebook
from kam_review.rulebook.rule_files import RuleFiles
from kam_review.rulebook.rule_lint import refuse_lint_errors
from kam_review.source.cache import AccountCache, digest_key

# The entry's row: no file's name as shown starts with this character.
LINT_ROW = "\x1flint passed"
_PASSED = "passed"


def lint_key(files: RuleFiles) -> bytes | None:
    """What the lint's verdict depends on, hashed; None when it cannot be known without
    loading (a folder that is missing or holds an entry refused, an unreadable file)."""
    if files.refused or not files.found:
        return None
    digest = files.digest([], unreadable=None)
    return None if digest is None else digest_key(digest)


def checked_rulebook(files: RuleFiles, cache: AccountCache | None
                     ) -> Rulebook | Callable[[], Rulebook]:
    """refuse_lint_errors, or, when the cache holds this folder's passed lint, what loads the
    rulebook when it is needed (the lint is not run again)."""
    folder, overrides = files.folder, files.overrides
    key = lint_key(files) if cache is not None else None
    if cache is None or key is None:
        return refuse_lint_errors(folder, overrides)
    if cache.get_text(LINT_ROW, key) == _PASSED:
        return lambda: load_rulebook(folder, overrides)
    rulebook = refuse_lint_errors(folder, overrides)
    cache.put(LINT_ROW, key, _PASSED)
    cache.flush()
    return rulebook
