"""The finished HTML of the pages converted ahead of MkDocs, kept on disk until MkDocs builds
each page, instead of every page's HTML in memory at once.

MkDocs reads every page (and runs on_page_content) before it builds the first one, so HTML
handed over then is held for the whole build: gigabytes at 10,000 accounts. The store keeps
it in one unnamed temporary file (private to this process and those it forks, gone when it
is closed), written as pages are converted and read back one page at a time; where no
temporary file can be made, the HTML stays in memory as before.
"""

from __future__ import annotations

import os
import tempfile
from typing import IO

# Where a page's HTML is: (offset, length in bytes) in the file, or the HTML itself.
Stored = tuple[int, int] | str


class PageStore:
    """Pages' HTML by handle; `close` ends it (see the module)."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None
        try:
            # Open as long as the store is: closed by close, or when the store is dropped.
            self._file = tempfile.TemporaryFile()  # noqa: SIM115
        except OSError:
            self._file = None
        self._end = 0

    def put(self, html: str) -> Stored:
        """Keep a page's HTML; the handle that gets it back."""
        if self._file is None:
            return html
        data = html.encode("utf-8", "surrogatepass")
        try:
            self._file.seek(self._end)
            self._file.write(data)
            self._file.flush()  # get reads the file itself (pread), not this object's buffer
        except OSError:
            return html  # a full disk: this page stays in memory
        start, self._end = self._end, self._end + len(data)
        return start, len(data)

    def get(self, stored: Stored) -> str:
        """The HTML kept under a handle."""
        if isinstance(stored, str):
            return stored
        assert self._file is not None, "a handle to the file is only given while it is open"
        start, length = stored
        if hasattr(os, "pread"):
            # At its own offset (not seek and read): a forked process reading pages from the
            # same open file (theme_share.py) shares the file's position with this one.
            data = os.pread(self._file.fileno(), length, start)
        else:  # no pread, no fork: this process alone reads the file
            self._file.seek(start)
            data = self._file.read(length)
        return data.decode("utf-8", "surrogatepass")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
