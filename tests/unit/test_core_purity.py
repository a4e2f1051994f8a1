"""bot/core/ stays pure: no Discord, no scheduler, no database driver, no asyncio machinery."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "bot" / "core"
FORBIDDEN = frozenset({"discord", "apscheduler", "aiosqlite", "asyncio"})


def _imported_roots(tree: ast.AST) -> list[tuple[int, str]]:
    """Return (line, top-level package) for every absolute import anywhere in the module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _core_modules() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_the_walk_sees_the_core() -> None:
    """The walk below finds the core's modules, so an empty glob cannot pass it vacuously."""
    names = {path.name for path in _core_modules()}
    assert {"timers.py", "session.py", "cases.py"} <= names


@pytest.mark.parametrize("path", _core_modules(), ids=lambda path: str(path.relative_to(CORE)))
def test_a_core_module_imports_no_runtime_adapter(path: Path) -> None:
    """Each module of bot/core/ (and its subpackages) imports none of the runtime's packages."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = [f"line {line}: {root}" for line, root in _imported_roots(tree) if root in FORBIDDEN]
    assert bad == [], f"{path.relative_to(CORE.parent.parent)} imports {', '.join(bad)}"


def test_the_check_catches_every_form_of_import() -> None:
    """`import x`, `import x.y`, `from x.y import z` and an import inside a function all count."""
    source = (
        "import asyncio\n"
        "import discord.ext\n"
        "from apscheduler.triggers.date import DateTrigger\n"
        "def f():\n"
        "    import aiosqlite\n"
        "from . import sibling\n"
    )
    roots = [root for _, root in _imported_roots(ast.parse(source))]
    assert roots == ["asyncio", "discord", "apscheduler", "aiosqlite"]
