"""The HTTP side of `kam serve`: the built site served on the author's machine, and the page
reloaded in the browser once the site is rebuilt.

It runs in a process of its own (spawned, so that the building process keeps one thread and
may fork its workers), serving the site folder as it is on disk. Every HTML page it serves
gets one more script, /.kam-serve/reload.js, named with the build the page came from; the
script asks /.kam-serve/wait, which answers once another build is done (the builder writes
its number to a file), and reloads the page then. The script is a file of the site's own
origin, so the pages' Content-Security-Policy (script-src 'self') lets it run and fetch;
the built files themselves stay exactly what a clean build writes.
"""

from __future__ import annotations

import os
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

PREFIX = "/.kam-serve/"
# How long a wait for the next build is held open before the browser asks again.
HOLD_SECONDS = 25.0
CHECK_SECONDS = 0.1

RELOAD_SCRIPT = """\
// kam serve: reload this page when the site has been rebuilt (served by kam serve only).
(function () {
  "use strict";
  var seen = new URL(document.currentScript.src).searchParams.get("build") || "";
  function wait() {
    fetch("/.kam-serve/wait?since=" + encodeURIComponent(seen), {cache: "no-store"})
      .then(function (response) { return response.text(); })
      .then(function (build) {
        if (build !== seen) { window.location.reload(); } else { wait(); }
      }, function () { window.setTimeout(wait, 1000); });
  }
  wait();
}());
"""


def read_build(path: Path) -> str:
    """The number of the last build the builder finished ("" before the first)."""
    try:
        return path.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def write_build(path: Path, number: int) -> None:
    """Tell the server a build is done (replaced whole: the server never reads half)."""
    part = path.with_name(path.name + ".part")
    part.write_text(str(number), encoding="ascii")
    os.replace(part, path)


def with_reload(html: bytes, build: str) -> bytes:
    """The page with the reload script, before its last </body> (else at its end)."""
    tag = f'<script src="{PREFIX}reload.js?build={build}"></script>'.encode("ascii")
    end = html.rfind(b"</body>")
    return html + tag if end < 0 else html[:end] + tag + html[end:]


class _Handler(SimpleHTTPRequestHandler):
    builds: Path  # the file the builder writes each build's number to

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == PREFIX + "reload.js":
            self._send(200, RELOAD_SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8")
        elif url.path == PREFIX + "wait":
            self._send(200, self._next_build(parse_qs(url.query).get("since", [""])[0])
                       .encode("ascii"), "text/plain; charset=utf-8")
        elif not self._page(url.path):
            super().do_GET()

    def _next_build(self, seen: str) -> str:
        deadline = time.monotonic() + HOLD_SECONDS
        build = read_build(self.builds)
        while build == seen and time.monotonic() < deadline:
            time.sleep(CHECK_SECONDS)
            build = read_build(self.builds)
        return build

    def _page(self, path: str) -> bool:
        """Serve an HTML page (or the site's 404 page) with the reload script; False for
        anything else, which http.server serves as it is."""
        local = Path(self.translate_path(path))
        if local.is_dir():
            if not path.endswith("/"):
                return False  # http.server redirects to the folder's URL
            local = local / "index.html"
        status = 200
        if not local.exists():
            local, status = Path(self.directory) / "404.html", 404
        if local.suffix != ".html" or not local.is_file():
            return False
        self._send(status, with_reload(local.read_bytes(), read_build(self.builds)),
                   "text/html; charset=utf-8")
        return True

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would bury the build's own messages


def serve(site_dir: str, builds: str, host: str, port: int) -> None:
    """Serve the folder until the process is stopped, or the builder's process is gone."""
    threading.Thread(target=_stop_with, args=(os.getppid(),), daemon=True).start()
    handler = type("Handler", (_Handler,), {"builds": Path(builds)})
    with ThreadingHTTPServer((host, port), partial(handler, directory=site_dir)) as server:
        server.daemon_threads = True
        server.serve_forever()


def _stop_with(parent: int) -> None:
    """Exit once the building process is gone (killed: it had no time to stop this one)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
