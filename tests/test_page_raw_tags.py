"""Tags reads a page's tags in one scan: the same tags, and the same refusals, as reading them
one at a time with tag_at from each `<` on."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from kam_review.website.page_inline import Unsupported
from kam_review.website.page_raw import Tag, Tags, tag_at

PIECES = ["<div class=\"a\" markdown>", "</div>", "<br/>", "<br />", "< b", "<1", "a < b",
          "<!-- x -->", "<?x?>", "</ div>", "</p >", "<a href='x'>", "<A HREF=\"y\">",
          "<span title=\"<i>\">", "text", "\n", "\n\n", "&amp;", "<", ">",
          "<svg viewBox=\"0 0 1 1\">", "</svg>",
          "<td\n  class=\"x\">", "<x-y>", "</x-y>", "<p", "/>", "'", "\""]


def _one_at_a_time(text: str) -> list[Tag]:
    tags: list[Tag] = []
    position = text.find("<")
    while position >= 0:
        if text[position + 1:position + 2].isascii() and (
                text[position + 1:position + 2].isalpha() or text[position + 1:position + 2]
                in ("/", "!", "?")):
            tag = tag_at(text, position)
            if tag is None:
                raise Unsupported("a < that is no tag")
            tags.append(tag)
            position = tag.end
        else:
            position += 1
        position = text.find("<", position)
    return tags


def _read(read: Callable[[str], list[Tag]], text: str) -> list[Tag] | str:
    try:
        return read(text)
    except Unsupported:
        return "unsupported"


@pytest.mark.parametrize("seed", range(40))
def test_one_scan_reads_what_tag_at_reads(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        expected = _read(_one_at_a_time, text)
        found = _read(lambda t: Tags(t).tags, text)
        assert found == expected, text


def test_positions_follow_the_tags() -> None:
    tags = Tags("a <b>x</b> < c <br/>")
    assert tags.starts == [tag.start for tag in tags.tags] == [2, 6, 15]
    assert [(t.name, t.closing, t.empty) for t in tags.tags] == [
        ("b", False, False), ("b", True, False), ("br", False, True)]


def test_a_lone_tag_opener_is_refused() -> None:
    with pytest.raises(Unsupported):
        Tags("text <!-- a comment -->")
