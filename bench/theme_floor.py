"""The theme floor: MkDocs hooks that build a site whose pages are already finished HTML.

The floor of a site build is what MkDocs and the theme must do whatever makes the pages:
collect the files, build the navigation, render every page through the theme's Jinja
templates, write the pages, the sitemap, the search index and the theme's assets. It is
measured by building the same pages (pre-written by `kam build`, same docs folder, same
mkdocs.yml without the kam-review plugin) with these hooks, in two modes chosen by the
variable KAM_BENCH_FLOOR:

- `record:FOLDER` (in a build of the site with the plugin; untimed): every page's finished
  content (the HTML the theme wraps, footer included), table of contents, title and anchor
  ids are written to FOLDER/pages/<page>.json, and the built search index to FOLDER.
- `replay:FOLDER` (the timed floor build): Page.render takes the recorded page instead of
  converting Markdown (no Python-Markdown at all); the search plugin stays on, so the theme
  renders the same search box, but indexes nothing, and the recorded index is written in
  place of its own. The pages get their Content-Security-Policy as the plugin gives them
  (a few regular expressions over the written page), so that the floor writes the same
  bytes as the site.

What is left is the theme render plus the writes: no review, no Markdown, no HTML parsing
for search. The benchmark compares the floor's output with the site it recorded, file by
file ("same as the site").
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, get_toc

from kam_review.website.csp import protect

VARIABLE = "KAM_BENCH_FLOOR"
MODE, _, _FOLDER = os.environ.get(VARIABLE, "").partition(":")
FOLDER = Path(_FOLDER)
INDEX = "search/search_index.json"


def _stored(src_uri: str) -> Path:
    return FOLDER / "pages" / f"{src_uri}.json"


def _tokens(links: list[AnchorLink]) -> list[dict[str, Any]]:
    return [{"level": link.level, "id": link.id, "name": link.title,
             "children": _tokens(link.children)} for link in links]


_render = Page.render


def _recorded_render(page: Page, config: MkDocsConfig, files: Files) -> None:
    """The page as recorded; a page that was not recorded is converted as usual."""
    stored = _stored(page.file.src_uri)
    if not stored.is_file():
        _render(page, config, files)
        return
    data = json.loads(stored.read_text(encoding="utf-8"))
    page.content = data["content"]
    page.toc = get_toc(data["toc"])
    page._title_from_render = data["title"]
    page.present_anchor_ids = set(data["anchors"])


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if MODE == "replay":
        Page.render = _recorded_render  # type: ignore[method-assign, assignment]
    return config


def on_env(env: Environment, /, *, config: MkDocsConfig, files: Files) -> Environment:
    if MODE == "replay":
        # As the kam-review plugin does (plugin.py): titles are escaped once.
        env.filters["striptags"] = lambda value: escape(Markup(str(value)).striptags())
        for plugin in config.plugins.values():
            index = getattr(plugin, "search_index", None)
            if index is not None:
                index.add_entry_from_context = lambda page: None
    return env


@event_priority(-100)
def on_post_page(output: str, /, *, page: Page, config: MkDocsConfig) -> str:
    if MODE == "record":
        stored = _stored(page.file.src_uri)
        stored.parent.mkdir(parents=True, exist_ok=True)
        stored.write_text(json.dumps({
            "content": page.content, "toc": _tokens(list(page.toc)),
            "title": page._title_from_render, "anchors": sorted(page.present_anchor_ids or ()),
        }, ensure_ascii=False), encoding="utf-8")
        return output
    if MODE == "replay":
        return protect(output, page.content or "")
    return output


def on_post_template(output_content: str, /, *, template_name: str,
                     config: MkDocsConfig) -> str:
    if MODE == "replay" and template_name.endswith(".html"):
        return protect(output_content)
    return output_content


@event_priority(-100)
def on_post_build(*, config: MkDocsConfig) -> None:
    built = Path(config.site_dir) / INDEX
    if MODE == "record":
        shutil.copyfile(built, FOLDER / "search_index.json")
    elif MODE == "replay":
        shutil.copyfile(FOLDER / "search_index.json", built)
