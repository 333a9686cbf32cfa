"""The block Markdown of the generated pages as the tree Python-Markdown builds of it.

The page generators write blocks of a few kinds, one after the other with blank lines:
ATX headings (`## Plan {#account-plan}`), pipe tables (markdown_text.table), tight bullet
lists (nested by four spaces), paragraphs (the last line may be `{: .class }`), raw HTML
blocks and `markdown` containers (`<div class="..." markdown>`, printing.SCREEN_ONLY) whose
content is Markdown again (md_in_html), and indented code blocks (the rule catalogue's
conditions). `blocks` builds the tree Python-Markdown would
(before its tree processors run); anything else raises Unsupported.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from xml.etree.ElementTree import Element

from kam_review.website.page_inline import (
    BLOCK_TAGS,
    RAW,
    Unsupported,
    attach,
    code_escape,
    inline_html,
)
from kam_review.website.page_raw import Tags, off_element, raw_block, tag_at

# Tags whose `markdown` attribute makes their content Markdown blocks (not span-level).
_SPAN_TAGS = frozenset(("address", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "legend",
                        "li", "p", "summary", "td", "th"))
_HEADING = re.compile(r"(#{1,6})(.*?)#*$")
_HEADING_ID = re.compile(r"(.*?) +\{#([A-Za-z0-9_-]+)\}$")
_CLASSES = re.compile(r"\{: *((?:\.[A-Za-z0-9_-]+ *)+)\}$")
_SEPARATOR = re.compile(r"\|(?:---\|)+")
_ITEM = re.compile(r"( *)- (.*)")
_INDENT = "    "
_TAG_LIKE = re.compile(r"<[a-zA-Z/!?]")
# What starts another block, or would make Python-Markdown read a paragraph otherwise
# (a setext underline, a rule, a quote, a list, a code block).
_NOT_TEXT = re.compile(r"[#|>=\-+_{ ]|\*(?=\s|\*\*)|\d+[.)]|```|~~~")
# Table rows written already, by their Markdown (a row's HTML is its text's alone): `kam
# serve` converts the portfolio's pages again after each edit, and few of their rows change.
_ROWS: dict[str, tuple[int, str]] = {}
_ROWS_KEPT = 1 << 17


def blocks(tags: Tags, parent: Element, container: bool, begin: int = 0,
           end: int | None = None) -> None:
    """Markdown text (a page, or a container's content: from begin to end) as children of
    parent."""
    lines = tags.text[begin:end].split("\n")
    index = 0
    # Where each line starts in the page, for the raw HTML parsers.
    starts = [begin]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    while index < len(lines):
        line = lines[index]
        if not line.strip(" "):  # blank to Python-Markdown: spaces only
            index += 1
        elif line.startswith("<") and _block_tag(line):
            index = _html(tags, starts, index, parent, container)
        elif line.startswith("#"):
            parent.append(_heading(line))
            index += 1
        elif line.startswith("|"):
            index = _table(lines, index, parent)
        elif line.startswith("- "):
            index = _list(lines, index, parent)
        elif line.startswith(_INDENT) and index and not lines[index - 1].strip(" "):
            index = _code(lines, index, parent)
        elif _NOT_TEXT.match(line):
            raise Unsupported(f"a block starting {line[:3]!r}")
        else:
            index = _paragraph(lines, index, parent)


def _block_tag(line: str) -> bool:
    tag = tag_at(line, 0)
    return tag is not None and not tag.closing and tag.name in BLOCK_TAGS


def _line_after(starts: list[int], end: int) -> int:
    """The index of the line after the one that holds position end."""
    return bisect_right(starts, end)


def _html(tags: Tags, starts: list[int], index: int, parent: Element, container: bool) -> int:
    text, at = tags.text, starts[index]
    tag = tag_at(text, at)
    assert tag is not None
    attrs = tag.attrs
    if "markdown" in attrs:
        if tag.name in _SPAN_TAGS or attrs["markdown"] not in ("1", "markdown"):
            raise Unsupported("a span-level markdown container")
        if text[tag.end:starts[index + 1] - 1].strip(" "):
            raise Unsupported("text after a container's tag")
        end = raw_block(tags, at)
        close = text.rfind("\n", 0, end) + 1
        if text[close:end].strip() != f"</{tag.name}>":
            raise Unsupported("a container's end tag not on its own line")
        del attrs["markdown"]
        element = Element(tag.name, attrs)
        blocks(tags, element, True, starts[index + 1], close)
        parent.append(element)
    elif container:
        element, end = off_element(tags, at)
        parent.append(element)
    else:
        end = raw_block(tags, at)
        raw = Element(RAW)
        raw.text = text[at:end]
        parent.append(raw)
    return _line_after(starts, end)


def _heading(line: str) -> Element:
    match = _HEADING.fullmatch(line)
    if match is None:
        raise Unsupported("a heading")
    text = match.group(2).strip()
    with_id = _HEADING_ID.fullmatch(text)
    element = Element(f"h{len(match.group(1))}")
    if with_id:
        text = with_id.group(1)
        element.set("id", with_id.group(2))
    if "{" in text or not text:
        raise Unsupported("a heading's attributes")
    attach(element, text)
    return element


def _chunk(lines: list[str], index: int) -> list[str]:
    """The lines from index to the next blank line."""
    end = index
    while end < len(lines) and lines[end].strip(" "):
        end += 1
    return lines[index:end]


def _table(lines: list[str], index: int, parent: Element) -> int:
    rows = _chunk(lines, index)
    if len(rows) < 3 or not _SEPARATOR.fullmatch(rows[1]):
        raise Unsupported("a table")
    head = _cells(rows[0])
    if rows[1].count("|") - 1 != len(head):
        raise Unsupported("a table's separator")
    # Written at once: the table's rows as Python-Markdown's prettifier leaves them.
    out = ["\n<thead>\n<tr>\n"]
    out += [f"<th>{inline_html(cell) if cell else ''}</th>\n" for cell in head]
    out.append("</tr>\n</thead>\n<tbody>\n")
    for row in rows[2:]:
        width, written = _ROWS.get(row) or _row(row)
        if width != len(head):
            raise Unsupported("a row of another width")
        out.append(written)
    out.append("</tbody>\n")
    table = Element("table")
    table.text = "".join(out)
    parent.append(table)
    return index + len(rows)


def _row(row: str) -> tuple[int, str]:
    """A table row's width and HTML, kept by its Markdown."""
    cells = _cells(row)
    written = "".join(["<tr>\n", *[f"<td>{inline_html(cell) if cell else ''}</td>\n"
                                    for cell in cells], "</tr>\n"])
    if len(_ROWS) >= _ROWS_KEPT:
        _ROWS.clear()
    _ROWS[row] = (len(cells), written)
    return _ROWS[row]


def _cells(row: str) -> list[str]:
    if not (row.startswith("| ") and row.endswith(" |")):
        raise Unsupported("a table row")
    cells = [cell.strip(" ") for cell in row[2:-2].split(" | ")]
    if any(cell.count("`") % 2 or "|" in cell for cell in cells):
        raise Unsupported("a pipe in a cell")
    return cells


def _list(lines: list[str], index: int, parent: Element) -> int:
    chunk = _chunk(lines, index)
    after = index + len(chunk)
    following = next((line for line in lines[after:] if line.strip(" ")), "")
    if following.startswith((" ", "-")):
        raise Unsupported("a loose list")
    parent.append(_items(chunk, 0))
    return after


def _items(chunk: list[str], indent: int) -> Element:
    """Bullet items at this indent, each with the items indented under it."""
    ul = Element("ul")
    item: Element | None = None
    nested: list[str] = []
    for line in [*chunk, None]:
        match = None if line is None else _ITEM.fullmatch(line)
        if line is not None and (match is None or len(match.group(1)) % 4):
            raise Unsupported("a list line")
        depth = -1 if match is None else len(match.group(1))
        if depth > indent:
            if item is None or (not nested and depth != indent + 4):
                raise Unsupported("a list's indent")
            nested.append(str(line))
            continue
        if item is not None and nested:
            item.append(_items(nested, indent + 4))
            nested = []
        if match is None:
            break
        body = match.group(2)
        if not body.strip() or _NOT_TEXT.match(body) or _block_tag(body):
            raise Unsupported("a list item's text")
        item = Element("li")
        attach(item, body)
        ul.append(item)
    return ul


def _code(lines: list[str], index: int, parent: Element) -> int:
    """An indented code block (the rule catalogue's conditions), as Python-Markdown's
    CodeBlockProcessor makes one: only one ended by blank lines and then text or the end, so
    that no later block joins it (the blank lines it keeps, its prettifier strips), and not
    after a list, whose item it would continue."""
    end = index
    while end < len(lines) and lines[end].startswith(_INDENT) and lines[end].strip(" "):
        end += 1
    after = end
    while after < len(lines) and not lines[after].strip(" "):
        after += 1
    if (after == end < len(lines)) or (after < len(lines) and lines[after].startswith(" ")):
        raise Unsupported("a code block's end")
    if len(parent) and parent[-1].tag in ("ul", "ol"):
        raise Unsupported("an indented block after a list")
    text = "\n".join(line[len(_INDENT):] for line in lines[index:end]).rstrip()
    if _TAG_LIKE.search(text):
        raise Unsupported("a tag in a code block")  # md_in_html would read it first
    code = Element("code")
    code.text = code_escape(text) + "\n"
    pre = Element("pre")
    pre.append(code)
    parent.append(pre)
    return end


def _paragraph(lines: list[str], index: int, parent: Element) -> int:
    chunk = _chunk(lines, index)
    end = 1
    while end < len(chunk) and not (chunk[end].startswith("<") and _block_tag(chunk[end])):
        if _NOT_TEXT.match(chunk[end]) and not (
                end == len(chunk) - 1 and _CLASSES.fullmatch(chunk[end])):
            raise Unsupported("a paragraph's line")
        end += 1
    text = chunk[:end]
    if not "\n".join(text).strip():
        return index + end  # whitespace to Python: no paragraph
    element = Element("p")
    classes = _CLASSES.fullmatch(text[-1])
    if classes is not None:
        element.set("class", " ".join(c[1:] for c in classes.group(1).split()))
        text = text[:-1]
        if not text:
            raise Unsupported("attributes without a paragraph")
    attach(element, "\n".join(text).lstrip())
    parent.append(element)
    return index + end
