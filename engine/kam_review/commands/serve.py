"""`kam serve`: the site built once with MkDocs, served on localhost, and rebuilt as its files
change: an edited account file rebuilds its account and the portfolio's pages only, anything
else the whole site (website/incremental.py); the open page reloads itself after each build
(website/live_server.py).

The process keeps the review and MkDocs' state between builds, which `mkdocs serve` cannot:
it makes new plugins and renders every page on every change. The built files go to a
temporary folder, never the release site's, and are removed when the command stops.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from kam_review.commands import common
from kam_review.errors import KamError

if TYPE_CHECKING:
    from kam_review.website.incremental import LiveSite

# How often the watched files are looked at.
POLL_SECONDS = 0.5

Stamps = dict[Path, tuple[int, int]]


def stamps(paths: Iterable[Path]) -> Stamps:
    """Every file under `paths` (files or folders) with its modification time and size."""
    found: Stamps = {}
    for path in paths:
        if path.is_file():
            found[path] = _stamp(path)
            continue
        for folder, dirs, names in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in names:
                file = Path(folder) / name
                try:
                    found[file] = _stamp(file)
                except OSError:
                    continue  # gone since it was listed
    return found


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size


def changed(before: Stamps, after: Stamps) -> set[Path]:
    """The files added, removed or changed between two looks."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def _address(dev_addr: str) -> tuple[str, int]:
    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit():
        raise KamError(f"--dev-addr {dev_addr}: expected HOST:PORT, e.g. 127.0.0.1:8000")
    with socket.socket() as probe:  # refused here, not in the server's process
        try:
            probe.bind((host, int(port)))
        except OSError as error:
            raise KamError(f"cannot serve on {dev_addr}: {error.strerror or error}") from None
    return host, int(port)


def _options(accounts: Path | None, rules: Path | None, thresholds: Path | None,
             as_of: date | None, currency: str | None) -> dict[str, Any]:
    """The plugin's options the command line overrides (paths as absolute: the plugin reads
    them relative to mkdocs.yml's folder)."""
    options: dict[str, Any] = {}
    for name, path in (("accounts", accounts), ("rules", rules), ("thresholds", thresholds)):
        if path is not None:
            options[name] = str(path.absolute())
    if as_of is not None:
        options["as_of"] = as_of.isoformat()
    if currency is not None:
        options["currency"] = currency
    return options


def serve(config_file: Path, dev_addr: str, accounts: Path | None = None,
          rules: Path | None = None, thresholds: Path | None = None,
          as_of: date | None = None, currency: str | None = None,
          lang: str | None = None) -> None:
    from kam_review.website.incremental import LiveSite
    from kam_review.website.live_server import serve as http_serve
    from kam_review.website.live_server import write_build

    host, port = _address(dev_addr)
    _show_build_log()
    work = Path(tempfile.mkdtemp(prefix="kam-serve-"))
    builds = work / "build"
    site = LiveSite(config_file, work / "site",
                    _options(accounts, rules, thresholds, as_of, currency), lang)
    server = None
    # Stopped by a signal, the command still stops its server and removes its folder.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        site.build()
        number = 1
        write_build(builds, number)
        server = multiprocessing.get_context("spawn").Process(
            target=http_serve, args=(str(work / "site"), str(builds), host, port), daemon=True)
        server.start()
        common.echo(f"Serving the review on http://{host}:{port}/ (Ctrl+C stops)\n")
        watched = site.watched()
        seen = stamps(watched)
        while True:
            time.sleep(POLL_SECONDS)
            now = stamps(watched)
            edited = changed(seen, now)
            if not edited:
                continue
            seen = now
            number += _rebuilt(site, edited)
            write_build(builds, number)
            watched = site.watched() if site.built else watched
    except KeyboardInterrupt:
        pass
    finally:
        site.close()
        if server is not None:
            server.terminate()
            server.join(5)
        shutil.rmtree(work, ignore_errors=True)


def _rebuilt(site: LiveSite, edited: set[Path]) -> int:
    """Rebuild after an edit and say how it went; 1 when the site changed (the open page
    reloads), else 0."""
    shown = ", ".join(sorted(str(path) for path in edited)[:3])
    try:
        seconds = site.rebuild(edited)
    except (SystemExit, Exception) as error:  # the author fixes the file and saves again
        if _only_warned(error):
            click.echo(f"kam serve: rebuilt after {shown} with warnings (above), which a "
                       f"strict build refuses ({error}); the site shows them: fix the file "
                       "and save again", err=True)
            return 1
        click.echo(f"kam serve: the rebuild failed ({error}); the pages it wrote before it "
                   "stopped are served as they are, the open page is not reloaded, and the "
                   "next change builds the site whole", err=True)
        return 0
    click.echo(f"kam serve: rebuilt in {seconds:.2f} s after {shown}", err=True)
    return 1


def _only_warned(error: BaseException) -> bool:
    """Whether a build refused only its warnings under `strict: true`: MkDocs (and the
    incremental rebuild) say so once every page is written, so the site is whole."""
    from mkdocs.exceptions import Abort

    text = str(error)
    return isinstance(error, Abort) and text.startswith("Aborted with ") and \
        text.endswith(" in strict mode!")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _show_build_log() -> None:
    """MkDocs' messages (and kam-review's inside it) on stderr, as `mkdocs serve` shows
    them."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
