"""The files of a site's own folders (docs_dir, the theme's custom_dir) that MkDocs copies as
they are and a browser opens as documents of the site: an HTML file gets a policy that runs no
script; an SVG or XML file that could run code fails the build (website/csp.py judges both).
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files

from kam_review.website.csp import active_content, protect_static

# Copied as they are, these open as documents of the site: HTML gets a policy, the others
# are checked (a compressed SVG cannot be, and is refused).
_HTML_SUFFIXES = (".html", ".htm")
_CHECKED_SUFFIXES = (".svg", ".svgz", ".xml", ".xhtml", ".xht", ".xsl", ".xslt", ".mml")


def guard_copied_files(files: Files, config: MkDocsConfig) -> None:
    """The files of the site's own folders (docs_dir, the theme's custom_dir) that MkDocs
    copies as they are and a browser opens as documents: an HTML file gets a policy that
    runs no script; an SVG or XML file that could run code is refused, each one named."""
    folders = [Path(config.docs_dir), *([Path(config.theme.custom_dir)]
                                        if config.theme.custom_dir else [])]
    refused = []
    for file in files:
        if file.generated_by is not None or file.abs_src_path is None or not any(
                Path(file.abs_src_path).is_relative_to(folder) for folder in folders):
            continue
        suffix = Path(file.src_uri).suffix.lower()
        if suffix not in _HTML_SUFFIXES + _CHECKED_SUFFIXES:
            continue
        if suffix == ".svgz":
            refused.append(f"{file.src_uri}: it holds compressed SVG, which cannot be checked")
            continue
        try:
            text = file.content_bytes.decode("utf-8-sig")
        except UnicodeDecodeError:
            refused.append(f"{file.src_uri}: it is not UTF-8 text, so it cannot be checked")
            continue
        found = None if suffix in _HTML_SUFFIXES else active_content(text)
        if found is not None:
            refused.append(f"{file.src_uri}: it holds {found}")
        elif suffix in _HTML_SUFFIXES:
            file.content_string = protect_static(text)
    if refused:
        raise PluginError("kam-review: refusing to publish files that could run code in the "
                          "browser (remove them, or take out what runs):\n  "
                          + "\n  ".join(refused))
