"""MkDocs' link resolver, with the links it resolved cleanly kept for the pages written next.

The overview and the other portfolio pages link to every account, tens of thousands of links
at 1,000 accounts, and `kam serve` writes them again after every edit; resolving a link is
most of writing a page's HTML then. A link is resolved by MkDocs' own resolver the first time
a page has it; it is kept when that is all there was to it (an external link, or a target
among the documentation files that is not excluded: nothing logged), and then only for the
same files and configuration (a full build makes new ones). A kept link to an anchor is
recorded on the page again, as the resolver records it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from markdown.util import AMP_SUBSTITUTE
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import _RelativePathTreeprocessor

# (page's source path, page's URL, link) -> (the link resolved, its target file and anchor
# where the resolver records one).
_KEPT: dict[tuple[str, str, str], tuple[str, File | None, str]] = {}
# The files (and how many) and the configuration the kept links were resolved against.
_FOR: list[Any] = [None, None, 0]
_KEPT_MOST = 1 << 18


class KeptLinks(_RelativePathTreeprocessor):
    """The resolver of one page, taking links kept from earlier pages (see the module)."""

    def __init__(self, file: File, files: Files, config: MkDocsConfig) -> None:
        super().__init__(file, files, config)
        count = 0 if files is None else len(files)  # None: a page without links (tests)
        if (_FOR[0] is not files or _FOR[1] is not config or _FOR[2] != count
                or len(_KEPT) >= _KEPT_MOST):
            _KEPT.clear()
            _FOR[:] = [files, config, count]

    def path_to_url(self, url: str) -> str:
        file: File | None = self.file
        if file is None:  # a page of no site (the emitter's tests)
            return str(super().path_to_url(url))
        key = (file.src_uri, file.url, url)
        kept = _KEPT.get(key)
        if kept is None:
            resolved: str = super().path_to_url(url)
            kept = self._clean(url, resolved)
            if kept is None:
                return resolved
            _KEPT[key] = kept
        resolved, target, anchor = kept
        if target is not None:
            self.links_to_anchors.setdefault(target, {}).setdefault(anchor, url)
        return resolved

    def _clean(self, url: str, resolved: str) -> tuple[str, File | None, str] | None:
        """What to keep of a link the resolver resolved without a word, else None."""
        scheme, netloc, path, _query, anchor = urlsplit(url)
        if scheme or netloc:
            return resolved, None, ""
        if not path or url.startswith(("/", "\\")) or AMP_SUBSTITUTE in url:
            return None
        first = next(self._possible_target_uris(self.file, unquote(path),
                                                self.config.use_directory_urls))
        target = self.files.get_file_from_path(first)
        if target is None or target.inclusion.is_excluded():  # type: ignore[no-untyped-call]
            return None
        return resolved, target if anchor else None, anchor
