"""The package's folders are its pipeline: every import goes down the floors, never up.

source -> rulebook -> review -> output -> website -> cli and its commands, with the shared
helpers (errors, text safety, formatting, paths, resources, progress) underneath all of them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "engine" / "kam_review"
# The floor of each top-level name inside kam_review: lower floors never import higher ones.
FLOORS = {"source": 1, "rulebook": 2, "review": 3, "output": 4, "website": 5,
          "cli": 6, "team_cli": 6, "commands": 6, "crash": 6, "__main__": 6}
UNDERNEATH = 0


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _floor(module: str) -> int:
    parts = module.split(".")
    return FLOORS.get(parts[1], UNDERNEATH) if len(parts) > 1 else UNDERNEATH


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module path imports, with its line: at the top and inside functions alike."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports"
            found.append((node.lineno, node.module))
            # `from kam_review.output import charts` imports the module kam_review.output.charts
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                      if (PACKAGE.parent / f"{node.module}.{alias.name}".replace(".", "/")
                          ).with_suffix(".py").is_file()]
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_the_pipeline(path: Path) -> None:
    here = _floor(_module(path))
    upward = [f"line {line}: {name}" for line, name in _imports(path)
              if name.startswith("kam_review.") and _floor(name) > here]
    assert upward == [], f"{_module(path)} imports from a later stage: {upward}"


def test_only_the_adapter_imports_durable_rules() -> None:
    importers = {_module(path) for path in MODULES
                 for _, name in _imports(path) if name.split(".")[0] == "durable"}
    assert importers == {"kam_review.rulebook.engine"}


def test_only_the_adapter_imports_its_compiler() -> None:
    """engine_compile.py knows the shapes durable-rules needs: it stays behind the adapter."""
    importers = {_module(path) for path in MODULES for _, name in _imports(path)
                 if name == "kam_review.rulebook.engine_compile"}
    assert importers == {"kam_review.rulebook.engine"}


# A module longer than this does more than one job: split it along its concerns.
MAX_LINES = 330


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _too_long(path: Path, shown: str) -> str | None:
    """Why the module is too long, or None."""
    if _lines(path) <= MAX_LINES:
        return None
    return f"{shown} has {_lines(path)} lines, more than {MAX_LINES}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_too_long(path: Path) -> None:
    assert _too_long(path, path.relative_to(PACKAGE).as_posix()) is None


def test_the_length_check_at_its_boundary(tmp_path: Path) -> None:
    module = tmp_path / "long.py"
    module.write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert _too_long(module, "output/long.py") is None
    module.write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    assert _too_long(module, "output/long.py") == "output/long.py has 331 lines, more than 330"
    # No module is allowed more, the loader included.
    assert _too_long(module, "source/accounts.py") == (
        "source/accounts.py has 331 lines, more than 330")


def test_the_floors_cover_every_folder() -> None:
    folders = {path.name for path in PACKAGE.iterdir()
               if path.is_dir() and (path / "__init__.py").is_file()}
    assert folders == {"source", "rulebook", "review", "output", "website", "commands"}


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """The check itself: an import of the site from the loader would be reported."""
    module = tmp_path / "probe.py"
    module.write_text('"""Probe."""\nfrom kam_review.website.plugin import KamReviewPlugin\n',
                      encoding="utf-8")
    assert _floor("kam_review.source.accounts") < _floor(_imports(module)[0][1])
