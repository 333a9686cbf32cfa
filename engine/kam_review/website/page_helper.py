"""A second process that converts pages for `kam serve`'s rebuilds, so that the pages an edit
changed are converted on both cores.

Converting the big portfolio pages an edit changes (the overview, the risk register, the
changes) is most of a rebuild, and a rebuild has only a handful of pages: too few for
fast_pages' pool of workers, which a fork per rebuild would cost its copy-on-write faults
every time. The helper is forked once, after each full build, when the files, the pages and
the search index are those the rebuilds convert against. A rebuild offers it the first page
that changed as soon as that page is made (the overview: converted while the rebuild makes
the other pages), then sends it one page at a time, the largest first, while converting the
others itself, and gets the helper's pages back as the same plain data (fast_pages.convert).
What a rebuild changes that a conversion reads goes with the page: its Markdown, and the
names the search keeps whole (search_words.py). Should the helper fail (gone, or its answer
unreadable), its page is converted here, as it would have been without it.
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
        self._process = context.Process(target=_serve,
                                        args=(theirs, self._conn, config, files, index),
                                        daemon=True, name="kam-serve page helper")
        self._process.start()
        theirs.close()
        self._files = files
        self._alive = True
        self._names: dict[str, None] = {}  # the names not sent yet, in order
        self._pending: str | None = None  # the page offered, until share takes its answer
        self.converted = 0  # pages the helper converted (read by the tests)

    def begin(self, names: list[str]) -> None:
        """A rebuild begins: `names` are those the search keeps whole from now on (sent with
        the next page, with any not sent yet: jieba keeps every name it was told, here as in
        the rebuild's process); an answer the last rebuild did not take is dropped."""
        self._names.update(dict.fromkeys(names))
        if self._pending is not None:
            self._pending = None
            self._receive()

    def offer(self, uri: str, markdown: str) -> None:
        """A page just made: the first that changed goes to the helper at once, so that it is
        converted while the rebuild makes the others."""
        file = self._files.get_file_from_path(uri)
        if (self._pending is None and file is not None and file.is_documentation_page()
                and file.content_string != markdown and self._send(uri, markdown)):
            self._pending = uri

    def share(self, uris: Sequence[str]) -> list[Converted | None]:
        """Each page of `uris` (the largest first) converted as fast_pages.convert converts
        it: the one offered, else the first, by the helper, the next here, and the helper
        given the next one left whenever it is done. Called where fast_pages converts (its
        build set)."""
        left = list(uris)
        done: dict[str, Converted | None] = {}
        sent, self._pending = self._pending, None
        if sent is not None and sent not in left:
            self._receive()  # a page the rebuild does not convert after all
            sent = None
        if sent is not None:
            left.remove(sent)
        else:
            sent = self._give(left)
        while left:
            uri = left.pop(0)
            done[uri] = fast_pages.convert([uri])[0]
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
        if not left:
            return None
        file = self._files.get_file_from_path(left[0])
        if file is None or not self._send(left[0], file.content_string):
            return None
        return left.pop(0)

    def _send(self, uri: str, markdown: str) -> bool:
        """Whether the page went to the helper."""
        if not self._alive:
            return False
        request = {"uri": uri, "markdown": markdown, "names": list(self._names)}
        try:
            self._conn.send_bytes(json.dumps(request, ensure_ascii=False).encode(
                "utf-8", "surrogatepass"))
        except OSError:
            self._alive = False
            return False
        self._names = {}
        return True

    def _answer(self, uri: str) -> Converted | None:
        """The helper's page, or the page converted here when the helper fails."""
        answer = self._receive()
        if answer is None:
            return fast_pages.convert([uri])[0]
        self.converted += 1
        return answer[0]

    def _receive(self) -> list[Converted | None] | None:
        """The helper's answer to the page it has: [the page], or None when it failed."""
        try:
            while not self._conn.poll(_PATIENCE):
                if not self._process.is_alive():
                    raise EOFError("the page helper ended")
            answer = json.loads(self._conn.recv_bytes().decode("utf-8", "surrogatepass"))
        except (EOFError, OSError, ValueError):
            self._alive = False
            return None
        return answer if isinstance(answer, list) and len(answer) == 1 else None


def _serve(conn: Connection, askers: Connection, config: MkDocsConfig, files: Files,
           index: Any) -> None:
    """The helper: each page asked for, converted, until the pipe closes. A page it could
    not convert is answered with null (the asker converts it)."""
    # The asker's end came with the fork: closed here, so that the pipe ends (and with it
    # the helper) when the asker's process does, however it ends.
    askers.close()
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
            if file is None:
                raise LookupError(request["uri"])
            file.content_string = request["markdown"]
            answer: Any = fast_pages.convert([request["uri"]])
        except Exception:  # whatever it is, the asker converts the page itself
            answer = None
        try:
            conn.send_bytes(json.dumps(answer, ensure_ascii=False).encode("utf-8",
                                                                           "surrogatepass"))
        except OSError:
            return  # the asker is gone (kam serve stopped while the page was converted)
