"""A second process that converts pages for `kam serve`'s rebuilds, so that the pages an edit
changed are converted on both cores.

Converting the big portfolio pages an edit changes (the overview, the risk register, the
changes) is most of a rebuild, and a rebuild has only a handful of pages: too few for
fast_pages' pool of workers, which a fork per rebuild would cost its copy-on-write faults
every time. The helper is forked once, after each full build, when the files, the pages and
the search index are those the rebuilds convert against. A rebuild offers it the first page
that changed as soon as that page is made (the overview: converted while the rebuild makes
the other pages); then, converting the largest page left itself, it keeps the helper with a
page at work and the next one waiting, and gets the helper's pages back as the same plain
data (fast_pages.convert).
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
from queue import SimpleQueue
from threading import Thread
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from kam_review.website import fast_pages
from kam_review.website.fast_pages import Converted
from kam_review.website.search_words import keep_whole

# How long to wait for the helper's answer before looking whether it is still there.
_PATIENCE = 1.0
# Pages the helper holds at most: one at work, one waiting (sent while the rebuild converts).
_AHEAD = 2


class PageHelper:
    """The helper of one full build (see the module); close() ends it."""

    def __init__(self, config: MkDocsConfig, files: Files, index: Any) -> None:
        context = get_context("fork")
        # One pipe each way: the helper reads its pages on a thread of its own, so that a
        # page sent while it converts another waits in its hands, not in the sender's.
        their_requests, self._requests = context.Pipe(duplex=False)
        self._answers, their_answers = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve, args=(their_requests, their_answers, (self._requests, self._answers),
                                 config, files, index),
            daemon=True, name="kam-serve page helper")
        self._process.start()
        their_requests.close()
        their_answers.close()
        self._files = files
        self._alive = True
        self._names: dict[str, None] = {}  # the names not sent yet, in order
        self._given: list[str] = []  # the pages sent, whose answers are still to come
        self.converted = 0  # pages the helper converted (read by the tests)

    def begin(self, names: list[str]) -> None:
        """A rebuild begins: `names` are those the search keeps whole from now on (sent with
        the next page, with any not sent yet: jieba keeps every name it was told, here as in
        the rebuild's process); answers the last rebuild did not take are dropped."""
        self._names.update(dict.fromkeys(names))
        while self._given:
            self._given.pop(0)
            self._receive()

    def offer(self, uri: str, markdown: str) -> None:
        """A page just made: the first that changed goes to the helper at once, so that it is
        converted while the rebuild makes the others."""
        file = self._files.get_file_from_path(uri)
        if (not self._given and file is not None and file.is_documentation_page()
                and file.content_string != markdown and self._send(uri, markdown)):
            self._given.append(uri)

    def share(self, uris: Sequence[str]) -> list[Converted | None]:
        """Each page of `uris` (the largest first) converted as fast_pages.convert converts
        it: the largest left here, the next one sent to the helper (which keeps one page at
        work and one waiting), and so on. Called where fast_pages converts (its build set)."""
        left = [uri for uri in uris if uri not in self._given]
        done: dict[str, Converted | None] = {}
        while left:
            uri = left.pop(0)
            while len(self._given) < _AHEAD and self._give(left):
                pass
            done[uri] = fast_pages.convert([uri])[0]
            while self._given and self._answers.poll():
                self._take(done, uris)
        while self._given:
            self._take(done, uris)
        return [done[uri] for uri in uris]

    def close(self) -> None:
        """End the helper (it ends by itself when the pipe closes, or with this process)."""
        self._alive = False
        self._requests.close()
        self._answers.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()

    def _give(self, left: list[str]) -> bool:
        """Whether the next page of `left` went to the helper (and off `left`)."""
        if not left:
            return False
        file = self._files.get_file_from_path(left[0])
        if file is None or not self._send(left[0], file.content_string):
            return False
        self._given.append(left.pop(0))
        return True

    def _send(self, uri: str, markdown: str) -> bool:
        """Whether the page went to the helper."""
        if not self._alive:
            return False
        request = {"uri": uri, "markdown": markdown, "names": list(self._names)}
        try:
            self._requests.send_bytes(json.dumps(request, ensure_ascii=False).encode(
                "utf-8", "surrogatepass"))
        except OSError:
            self._alive = False
            return False
        self._names = {}
        return True

    def _take(self, done: dict[str, Converted | None], uris: Sequence[str]) -> None:
        """The helper's next answer, in `done`: its page, or the page converted here when
        the helper failed (an answer to a page this rebuild does not convert is dropped)."""
        uri = self._given.pop(0)
        answer = self._receive()
        if uri not in uris:
            return
        if answer is None:
            done[uri] = fast_pages.convert([uri])[0]
        else:
            self.converted += 1
            done[uri] = answer[0]

    def _receive(self) -> list[Converted | None] | None:
        """The helper's next answer: [the page], or None when it failed."""
        try:
            while not self._answers.poll(_PATIENCE):
                if not self._process.is_alive():
                    raise EOFError("the page helper ended")
            answer = json.loads(self._answers.recv_bytes().decode("utf-8", "surrogatepass"))
        except (EOFError, OSError, ValueError):
            self._alive = False
            return None
        return answer if isinstance(answer, list) and len(answer) == 1 else None


def _serve(requests: Connection, answers: Connection, askers: tuple[Connection, Connection],
           config: MkDocsConfig, files: Files, index: Any) -> None:
    """The helper: each page asked for, converted, until the pipe closes. A page it could
    not convert is answered with null (the asker converts it)."""
    # The asker's ends came with the fork: closed here, so that the pipe ends (and with it
    # the helper) when the asker's process does, however it ends.
    for end in askers:
        end.close()
    # Ctrl+C and kam serve's own SIGTERM handling are the asker's: the helper ends with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    fast_pages.converting(config, files, index)
    waiting: SimpleQueue[bytes | None] = SimpleQueue()
    Thread(target=_read, args=(requests, waiting), daemon=True).start()
    while (raw := waiting.get()) is not None:
        try:
            request = json.loads(raw.decode("utf-8", "surrogatepass"))
            keep_whole(request["names"])
            file = files.get_file_from_path(request["uri"])
            if file is None:
                raise LookupError(request["uri"])
            file.content_string = request["markdown"]
            answer: Any = fast_pages.convert([request["uri"]])
        except Exception:  # whatever it is, the asker converts the page itself
            answer = None
        try:
            answers.send_bytes(json.dumps(answer, ensure_ascii=False).encode("utf-8",
                                                                              "surrogatepass"))
        except OSError:
            return  # the asker is gone (kam serve stopped while the page was converted)


def _read(requests: Connection, waiting: SimpleQueue[bytes | None]) -> None:
    """The helper's reading thread: each page sent, as it comes; None once the pipe ends."""
    while True:
        try:
            waiting.put(requests.recv_bytes())
        except (EOFError, OSError):
            waiting.put(None)
            return
