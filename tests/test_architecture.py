"""The package's layers, read from every module's imports: each layer imports only those below it, no circle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mspdocs"

# Bottom to top; the README's "Architecture" section states the same order.
LAYERS = [
    {"errors"},
    {"workspace"},
    {"render"},
    {"evidence"},
    {"library"},
    {"delivery"},
    {"qbr"},
    {"batch", "audit"},
    {"cli", "__main__"},
]


def rank(module: str) -> int:
    """The layer of `mspdocs.<part>...`."""
    part = module.split(".")[1]
    for index, layer in enumerate(LAYERS):
        if part in layer:
            return index
    raise AssertionError(f"{module} belongs to no layer: add its package to LAYERS and the README")


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """Every module of the package that `name` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            # `from . import wordml` names a module, not an attribute.
            found |= {f"{target}.{alias.name}" for alias in node.names}
    known = modules()
    return {t for t in found if t in known and t != name}


ALL = modules()
LIBRARY = [name for name in ALL if name != "mspdocs" and rank(name) < rank("mspdocs.cli")]


@pytest.mark.parametrize("name", [n for n in ALL if n != "mspdocs"])
def test_imports_run_down_the_layers(name):
    upward = [target for target in imports_of(name, ALL[name])
              if target != "mspdocs" and rank(target) > rank(name)]
    assert upward == [], f"{name} imports a layer above it: {upward}"


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        for target in imports_of(current, ALL[current]):
            if target not in seen and target != "mspdocs":
                seen.add(target)
                todo.append(target)
    return seen


def test_no_module_imports_itself_through_a_circle():
    circles = sorted(name for name in ALL if name != "mspdocs" and name in reachable(name))
    assert circles == []


@pytest.mark.parametrize("name", LIBRARY)
def test_the_library_never_imports_click(name):
    tree = ast.parse(ALL[name].read_text(encoding="utf-8"))
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {(node.module or "").split(".")[0] for node in ast.walk(tree)
              if isinstance(node, ast.ImportFrom) and not node.level}
    assert "click" not in names


def test_every_module_says_what_it_owns_in_one_line():
    for name, path in ALL.items():
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        assert doc, f"{name} has no docstring"
        assert len(doc.splitlines()[0]) <= 120, f"{name}: the first docstring line is long"


def test_the_top_level_holds_a_handful_of_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 5, top
