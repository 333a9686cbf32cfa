"""The log records of work done ahead of MkDocs (a page converted, a page's theme rendered),
captured and none shown: work that logged anything is left to MkDocs, which logs it again
where its own logger counts it (a warning under `strict`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Captured(logging.Handler):
    """Every log record of the work, from INFO up."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_logs() -> Iterator[Captured]:
    """The records logged meanwhile, kept from the root and MkDocs' loggers' handlers."""
    captured = Captured()
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    kept = [(logger, logger.handlers[:], logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.handlers = [captured]
    try:
        yield captured
    finally:
        for logger, handlers, propagate in kept:
            logger.handlers, logger.propagate = handlers, propagate
