"""The portfolio's pages emitted once in `kam serve`'s own process after a full build, so that
what emitting keeps between pages (table rows by their Markdown, page_blocks.py; resolved
links, kept_links.py) is at hand for the first edit: the full build converted them in worker
processes, whose keeping ends with them. Nothing of a page is changed or written."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.utils import meta

from kam_review.source.fast_yaml import fast_enabled
from kam_review.website.page_html import emit, permalinks
from kam_review.website.pages.common import ACCOUNTS_DIR


def warm(config: MkDocsConfig, files: Files, generated: Iterable[str]) -> None:
    """Emit the generated pages among `generated` that are not an account's."""
    permalink = permalinks(config)
    if permalink is None or not fast_enabled():
        return
    kept = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # the build itself said whatever there was to say
    try:
        for uri in generated:
            file = files.get_file_from_path(uri)
            if (file is None or not file.is_documentation_page()
                    or uri.startswith(f"{ACCOUNTS_DIR}/")):
                continue
            emit(meta.get_data(file.content_string)[0], file, files, config, permalink)
    finally:
        logging.disable(kept)
