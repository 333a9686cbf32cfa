"""The translation keys of the code: every text literal handed to `_()`, `words()` or
`ngettext()` in the package (the gettext catalogues' msgids), read from the source's syntax
trees; the test of the catalogues and the build of the Chinese site use them."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "engine" / "kam_review"
_CALLS = {"_", "words", "ngettext"}


def code_keys(package: Path = PACKAGE) -> dict[str, str]:
    """Each literal key with the first place it is used (module:line)."""
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in _CALLS):
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                    found.setdefault(arg.value, f"{path.relative_to(package)}:{node.lineno}")
    return found
