"""The theme of a share of the account pages rendered in a forked process, while MkDocs builds
the other pages.

Once every page is converted, MkDocs builds the pages one after the other on one core: each
page's context, every plugin's page_context, the theme's templates (Jinja: half of a page's
build) and post_page, then the file. What a page's template renders depends only on the page
and the navigation, which are complete once every page is read (on_env). So at on_env a
child process is forked, which renders the pages of its share in the site's order as
MkDocs' _build_page renders them (the context, every plugin's page_context, the template)
and sends each output down a pipe. MkDocs still builds every page in this process, in
order: every plugin sees every page (the search index, post_page) and MkDocs writes the file.
For a page of the share, only the template MkDocs asks the environment for is one that
gives the child's output instead of rendering.

The child renders a page only where this process would render the same: the handlers of the
events that could keep state a template reads (SEEN_EVENTS) must be Material's search
plugin's, kam-review's and its page handing's, and the pages are handed over late
(page_handing.py). A page the child could not render (an exception, or anything logged,
which only this process's logger counts under `strict`) is rendered here, as is every page
once the child is gone or silent for long; where no process can be forked, every page is.
Not under `mkdocs serve` (it runs threads a fork would copy half-way), nor in `kam serve`'s
builds (its own plugin keeps every page's search entries: another plugin seeing the pages'
context). A Ctrl-C in the middle of a build ends the child with the build (SIGINT, or the
pipe closed under it).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Sequence
from contextlib import suppress
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import Any

from jinja2 import Environment
from mkdocs.commands.build import get_context
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from kam_review.website.captured_logs import captured_logs
from kam_review.website.page_handing import only_ours
from kam_review.website.pages.common import ACCOUNTS_DIR

# Of every SHARE_OF pages of the share's kind, all but the first are the child's. The child
# renders a page in about 3.3 ms; this process builds one in 3.9 ms, or 1.9 ms when only the
# output comes from the child (1,000 accounts): two in three keeps both cores about as busy.
SHARE_OF = 3
# From this many account pages, a share of them is rendered in a child process.
PARALLEL_FROM = 40
# How long the child may send nothing before it is taken as stuck and ended.
SILENCE_SECONDS = 60.0
# The pipe's capacity, so that the child can render a few pages ahead (Linux; else as is).
PIPE_BYTES = 1 << 20
# The events whose handlers could keep state a page's template reads while the pages are
# built (each page's context and post_page, the theme's own templates in between) or change
# the environment: where any is another plugin's, the child could not render as MkDocs.
SEEN_EVENTS = ("env", "page_context", "post_page", "pre_template", "template_context",
               "post_template")
# A message of the child: the page's path, NUL, and either of these (RENDERED: its output).
RENDERED, NOT_RENDERED = "1", "0"


class ThemeShare:
    """The child rendering a share of the pages, and what gives its outputs to MkDocs."""

    def __init__(self, config: MkDocsConfig, env: Environment, pages: Sequence[Page]) -> None:
        self._config, self._env, self._pages = config, env, pages
        self._share = {id(page) for page in pages}
        self._child: int | None = None
        self._outputs: Connection | None = None
        self._given: set[int] = set()
        self._get_template = env.get_template

    def start(self, nav: Navigation, doc_files: Sequence[File]) -> bool:
        """Fork the child, and have the environment give its outputs from now on; False
        (nothing started) where no process can be forked now (a limit on processes, or on
        memory)."""
        outputs, sending = Pipe(duplex=False)
        _widen(sending)
        try:
            pid = os.fork()
        except OSError:
            outputs.close()
            sending.close()
            return False
        if pid == 0:  # the child: never returns
            outputs.close()
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 1
            try:
                _render_share(self._config, self._env, nav, doc_files, self._pages, sending)
                code = 0
            finally:
                os._exit(code)
        sending.close()
        self._child, self._outputs = pid, outputs
        # An attribute of the instance: MkDocs' _build_page asks env.get_template for the
        # page's template, while a template's own extends and includes go on as before.
        self._env.get_template = self._template  # type: ignore[method-assign,assignment]
        return True

    def _template(self, name: Any, parent: str | None = None,
                  globals: dict[str, Any] | None = None) -> Any:
        page = self._config._current_page
        if (parent is not None or page is None or id(page) not in self._share
                or id(page) in self._given or name != _template_of(page)):
            return self._get_template(name, parent, globals)
        self._given.add(id(page))
        output = self._received(page)
        if output is None:
            return self._get_template(name, parent, globals)
        return _Rendered(output)

    def _received(self, page: Page) -> str | None:
        """The child's output for the page (None: render it here), which the child sends in
        the order MkDocs builds the pages."""
        if self._outputs is None:
            return None
        try:
            # A page takes milliseconds: a child silent for long is stuck (a lock some thread
            # held when it forked), and the build does not wait for it.
            if not self._outputs.poll(SILENCE_SECONDS):
                raise TimeoutError("the child renders no more")
            message = self._outputs.recv_bytes().decode("utf-8", "surrogatepass")
        except (EOFError, OSError):  # TimeoutError is an OSError
            self.close()  # the child is gone: the rest is rendered here
            return None
        uri, _, output = message.partition("\0")
        if uri != page.file.src_uri:
            self.close()
            return None
        return output[1:] if output.startswith(RENDERED) else None

    def close(self) -> None:
        """The child ended (killed if it has not ended yet) and waited for; the environment as
        it was."""
        vars(self._env).pop("get_template", None)
        if self._outputs is not None:
            self._outputs.close()
            self._outputs = None
        if self._child is not None:
            with suppress(ProcessLookupError):  # ended already
                os.kill(self._child, signal.SIGKILL)
            with suppress(ChildProcessError):  # waited for already (SIGCHLD ignored)
                os.waitpid(self._child, 0)
            self._child = None


def _widen(sending: Connection) -> None:
    """The pipe made as big as Linux lets it, so that the child renders a few pages ahead
    (elsewhere, or refused: the pipe as it is)."""
    import fcntl  # where processes fork: not on every system

    command = getattr(fcntl, "F_SETPIPE_SZ", None)
    if command is not None:
        with suppress(OSError):
            fcntl.fcntl(sending.fileno(), command, PIPE_BYTES)


def _template_of(page: Page) -> str:
    """The template MkDocs builds the page with (a page's `template:` overrides the theme's)."""
    return str(page.meta.get("template", "main.html"))


class _Rendered:
    """A template that gives a page's output as the child rendered it."""

    def __init__(self, output: str) -> None:
        self._output = output

    def render(self, *args: Any, **kwargs: Any) -> str:
        return self._output


def _render_share(config: MkDocsConfig, env: Environment, nav: Navigation,
                  doc_files: Sequence[File], pages: Sequence[Page], sending: Connection) -> None:
    """In the child: each page's output (or why not) sent in order."""
    for page in pages:
        output = _render(config, env, nav, doc_files, page)
        marked = NOT_RENDERED if output is None else RENDERED + output
        sending.send_bytes(f"{page.file.src_uri}\0{marked}".encode("utf-8", "surrogatepass"))
        page.content = None  # not needed again here: the child's memory stays small
    sending.close()


def _render(config: MkDocsConfig, env: Environment, nav: Navigation,
            doc_files: Sequence[File], page: Page) -> str | None:
    """What MkDocs' _build_page renders for the page; None if rendering it logged anything or
    failed (it is then rendered by MkDocs itself)."""
    config._current_page = page
    page.active = True
    try:
        with captured_logs() as captured:
            context = get_context(nav, doc_files, config, page)
            template = env.get_template(_template_of(page))
            context = config.plugins.on_page_context(context, page=page, config=config,
                                                     nav=nav)
            output: str = template.render(context)
        return None if captured.records else output
    except Exception:  # any failure is MkDocs' own to report, in its own build
        return None
    finally:
        page.active = False
        config._current_page = None


def shared(config: MkDocsConfig, env: Environment, files: Files, nav: Navigation,
           generated: Sequence[str], owner: object, workers: int) -> ThemeShare | None:
    """A started share of the generated account pages, where one pays and the child renders
    what MkDocs would (see the module); `owner`: the site's kam-review plugin."""
    if workers < 2 or not only_ours(config, owner, SEEN_EVENTS):
        return None
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
    wanted = {uri for uri in generated if uri.startswith(f"{ACCOUNTS_DIR}/")}
    accounts = [file.page for file in doc_files
                if file.src_uri in wanted and file.page is not None]
    if len(accounts) < PARALLEL_FROM:
        return None
    pages = [page for i, page in enumerate(accounts) if i % SHARE_OF]
    share = ThemeShare(config, env, pages)
    return share if share.start(nav, doc_files) else None
