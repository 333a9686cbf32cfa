"""What a printed account page leaves out, so that it fits one sheet (two at most).

On paper an account page keeps what the review meeting reads: the header, the findings with
their figures and actions, the key figures and the plan with its goals. The long parts a
reader looks up on screen (the reasoning behind the class, the quarter-by-quarter table, the
buying team and its advice, the funnel checklists, rules not evaluated) are marked
screen-only; kam-review.css hides them in print.
"""

from __future__ import annotations

# Separate lines of a page, so that a section is marked without rewriting it: the blank
# lines around them keep Markdown inside (md_in_html) and the page's blocks apart.
SCREEN_ONLY = '\n<div class="kam-screen-only" markdown>\n'
END_SCREEN_ONLY = "\n</div>\n"


def screen_only(lines: list[str]) -> list[str]:
    """Lines of a page shown on screen and left out in print; nothing when there are none."""
    return [SCREEN_ONLY, *lines, END_SCREEN_ONLY] if lines else []
