"""Reporting an unexpected error: one line for the terminal, the traceback in a log file.

A CI log should show that kam-review broke (exit 3), not a traceback that scrolls the
reason out of sight; whoever fixes it gets the whole traceback from the file named."""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import traceback

from kam_review import __version__
from kam_review.text_safety import terminal_text

# The exception's own text is cut to this many characters on the terminal; the log has it all.
_SHOWN = 300


def crash_report(error: BaseException) -> str:
    """Write the traceback of `error` to a new log file and return the line to show."""
    # Escaped in the log too: it is read with cat and less.
    detail = terminal_text("".join(traceback.format_exception(error)), multiline=True)
    command = terminal_text(shlex.join(sys.argv))
    try:
        handle, path = tempfile.mkstemp(prefix="kam-crash-", suffix=".log")
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"kam-review {__version__}\ncommand: {command}\n\n{detail}")
        where = f"the traceback is in {path}"
    except OSError as problem:
        where = f"the traceback could not be written: {problem}"
    message = terminal_text(" ".join(str(error).split()))  # it may quote a file
    if len(message) > _SHOWN:
        message = message[:_SHOWN - 3] + "..."
    return f"kam: internal error: {type(error).__name__}: {message}; {where}"
