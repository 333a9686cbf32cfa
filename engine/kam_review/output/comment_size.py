"""Keeping a Markdown summary within the size of a pull-request comment.

GitHub refuses a comment over 65,536 characters, and a CI step that posts one then fails
with nothing posted at all. A summary that would be longer is cut at a line, any open
`<details>` block is closed, and a note says how much was left out and where to see it."""

from __future__ import annotations

from collections.abc import Sequence

from kam_review.wording import noun_form

# Under GitHub's limit, with room for what a CI step may add around the summary.
COMMENT_LIMIT = 65_000

_NOTE = ("*The summary is cut here: {left} of its {total} lines {verb} left out to stay within "
         "the size of a pull-request comment. The text or JSON output has everything.*")


def fit_comment(lines: Sequence[str], limit: int = COMMENT_LIMIT) -> str:
    """The lines joined as Markdown, cut to at most `limit` characters."""
    text = "\n".join(lines)
    if len(text) <= limit:
        return text
    # Room for the closing tag and the note (its numbers have at most as many digits as
    # the line count).
    reserve = len("\n\n</details>\n\n") + len(_NOTE) + 2 * len(str(len(lines))) + 1
    kept: list[str] = []
    size, open_blocks = 0, 0
    for line in lines:
        if size + len(line) + 1 > limit - reserve:
            break
        kept.append(line)
        size += len(line) + 1
        open_blocks += line.startswith("<details>") - line.startswith("</details>")
    closing = ["", "</details>"] if open_blocks else []
    left = len(lines) - len(kept)
    note = _NOTE.format(left=left, total=len(lines), verb=noun_form(str(left), "is|are"))
    return "\n".join([*kept, *closing, "", note, ""])
