"""Names the site's search finds whole. Material's search plugin segments Chinese text into
words with jieba (when it is installed, as the `zh` extra installs it) at build time, while
the browser searches the query as typed: a name jieba does not know (罗志远) is cut in two
(罗 / 志远) and the query 罗志远 then finds nothing. The account, contact and owner names of
the review are told to jieba as words before the pages are indexed."""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable
from typing import Any

from kam_review.review.results import Result

# Han characters: only names with them are segmented at all.
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def review_names(result: Result) -> list[str]:
    """Every account, owner and contact name of the review, each once, in order."""
    names: dict[str, None] = {}
    for item in result.accounts:
        account = item.account
        names.update(dict.fromkeys([account.name, account.owner,
                                    *(contact.name for contact in account.contacts)]))
    return list(names)


def keep_whole(names: Iterable[str]) -> int:
    """Tell jieba each name with Han characters is one word; how many were told (0 when
    jieba is not installed: the search then splits Chinese on punctuation only)."""
    han = [name for name in names if _HAN.search(name)]
    jieba = _quiet_jieba() if han else None
    if jieba is None:
        return 0
    for name in han:
        jieba.add_word(name)
    return len(han)


def load_segmenter() -> None:
    """Load jieba's dictionary now, if jieba is installed, quietly. Every site has
    Chinese words to index (the seeds' terms on the rules and funnel pages), and each
    process that indexes a page would otherwise load the dictionary itself (about a second
    of CPU): loaded once before the page converters fork, it is theirs already."""
    jieba = _quiet_jieba()
    if jieba is not None:
        jieba.initialize()


def _quiet_jieba() -> Any:
    """jieba, if installed, told to keep its progress to itself: its own handler would
    print four lines into a quiet build the first time it loads (as adding a word does)."""
    try:
        jieba: Any = importlib.import_module("jieba")
    except ImportError:
        return None
    jieba.setLogLevel(logging.WARNING)
    return jieba
