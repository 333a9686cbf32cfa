"""A second process that converts pages for `kam serve`'s rebuilds, so that the pages an edit
changed are converted on both cores.

Converting the big portfolio pages an edit changes (the overview, the risk register, the
changes) is most of a rebuild, and a rebuild has only a handful of pages: too few for
fast_pages' pool of workers, which a fork per rebuild would cost its copy-on-write faults
every time. The helper is forked once, after each full build, when the files, the pages and
the search index are those the rebuilds convert against; a rebuild sends it one page at a
time, the largest first, converts the others itself meanwhile, and gets the helper's pages
back as the same plain data (fast_pages.convert). What a rebuild changes that a conversion
reads goes with the page: its Markdown, and the names the search keeps whole
(search_words.py). Should the helper fail (gone, or its answer unreadable), its page is
converted here, as it would have been without it.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Sequence
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from kam_review.website import fast_pages
from kam_review.website.fast_pages import Converted
from kam_review.website.search_words import keep_whole

# How long to wait for the helper's answer before looking whether it is still there.
_PATIENCE = 1.0


class PageHelper:
    """The helper of one full build (see the module); close() ends it."""

    def __init__(self, config: MkDocsConfig, files: Files, index: Any) -> None:
        context = get_context("fork")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, config, files, index),
                                        daemon=True, name="kam-serve page helper")
        self._process.start()
        theirs.close()
        self._files = files
        self._alive = True
        self._names: list[str] = []
        self.converted = 0  # pages the helper converted (read by the tests)

    def keep_whole(self, names: list[str]) -> None:
        """Names the search keeps whole from now on (sent with the next page)."""
        self._names = names

    def share(self, uris: Sequence[str]) -> list[Converted | None]:
        """Each page of `uris` (the largest first) converted as fast_pages.convert converts
        it: the first by the helper, the next here, and the helper given the next one left
        whenever it is done. Called where fast_pages converts (its build set)."""
        convert = fast_pages.convert
        left = list(uris)
        done: dict[str, Converted | None] = {}
        sent = self._give(left)
        while left:
            uri = left.pop(0)
            done[uri] = convert([uri])[0]
            if sent is not None and self._conn.poll():
                done[sent] = self._answer(sent)
                sent = self._give(left)
        if sent is not None:
            done[sent] = self._answer(sent)
        return [done[uri] for uri in uris]

    def close(self) -> None:
        """End the helper (it ends by itself when the pipe closes, or with this process)."""
        self._alive = False
        self._conn.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _give(self, left: list[str]) -> str | None:
        """The next page of `left` given to the helper (and taken off `left`); None when there
        is none, or no helper to give it to."""
        if not self._alive or not left:
            return None
        uri = left[0]
        file = self._files.get_file_from_path(uri)
        request = {"uri": uri, "markdown": None if file is None else file.content_string,
                   "names": self._names}
        try:
            self._conn.send_bytes(json.dumps(request, ensure_ascii=False).encode(
                "utf-8", "surrogatepass"))
        except OSError:
            self._alive = False
            return None
        self._names = []
        return left.pop(0)

    def _answer(self, uri: str) -> Converted | None:
        """The helper's page, or the page converted here when the helper fails."""
        try:
            while not self._conn.poll(_PATIENCE):
                if not self._process.is_alive():
                    raise EOFError("the page helper ended")
            answer = json.loads(self._conn.recv_bytes().decode("utf-8", "surrogatepass"))
        except (EOFError, OSError, ValueError):
            self._alive = False
            answer = None
        if not isinstance(answer, list) or len(answer) != 1:
            return fast_pages.convert([uri])[0]
        self.converted += 1
        page: Converted | None = answer[0]
        return page


def _serve(conn: Connection, config: MkDocsConfig, files: Files, index: Any) -> None:
    """The helper: each page asked for, converted, until the pipe closes. A page it could
    not convert is answered with null (the asker converts it)."""
    # Ctrl+C and kam serve's own SIGTERM handling are the asker's: the helper ends with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    fast_pages.converting(config, files, index)
    while True:
        try:
            request = json.loads(conn.recv_bytes().decode("utf-8", "surrogatepass"))
        except (EOFError, OSError):
            return
        try:
            keep_whole(request["names"])
            file = files.get_file_from_path(request["uri"])
            if file is None or request["markdown"] is None:
                raise LookupError(request["uri"])
            file.content_string = request["markdown"]
            answer: Any = fast_pages.convert([request["uri"]])
        except Exception:  # whatever it is, the asker converts the page itself
            answer = None
        conn.send_bytes(json.dumps(answer, ensure_ascii=False).encode("utf-8",
                                                                       "surrogatepass"))
