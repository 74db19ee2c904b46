"""The tree shows the pipeline: package faces, module sizes and the README's module map."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import batchocr

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "batchocr"
MAX_LINES = 400


def packages() -> list[str]:
    found = ["batchocr"]
    for info in pkgutil.walk_packages([str(PACKAGE)], "batchocr."):
        if info.ispkg:
            found.append(info.name)
    return found


def children(name: str) -> set[str]:
    path = Path(importlib.import_module(name).__file__ or "").parent
    return {info.name for info in pkgutil.iter_modules([str(path)])}


@pytest.mark.parametrize("name", packages())
def test_every_package_face_lists_its_modules(name: str) -> None:
    """Each package's ``__all__`` names every module of it (and, for a face that re-exports,
    every name resolves): a new module cannot hide from the map."""
    package = importlib.import_module(name)
    exported = set(package.__all__)
    assert children(name) <= exported | {"__main__"}
    for symbol in exported - children(name):
        assert hasattr(package, symbol), f"{name}.__all__ names {symbol}, which is not there"


def test_every_module_name_in_every_all_resolves() -> None:
    """An ``__all__`` that names a missing function would break ``import *`` and the docs."""
    for info in pkgutil.walk_packages([str(PACKAGE)], "batchocr."):
        if info.name.endswith("__main__"):  # importing it runs the command
            continue
        module = importlib.import_module(info.name)
        for symbol in getattr(module, "__all__", ()):
            if not hasattr(module, symbol):
                importlib.import_module(f"{info.name}.{symbol}")  # a package listing a module


def test_no_product_module_is_over_400_lines() -> None:
    """Modules stay one responsibility each: at most 400 lines."""
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in PACKAGE.rglob("*.py")
    }
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_the_readme_module_map_names_every_module() -> None:
    """The README's Development tree lists each module of ``batchocr/`` (and nothing gone)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## Development", 1)[1].split("```")[1]
    listed = set(re.findall(r"\b(\w+\.py)\b", tree))
    faces = ("__init__.py", "__main__.py")
    modules = {p.name for p in PACKAGE.rglob("*.py") if p.name not in faces}
    synth = {p.name for p in (ROOT / "synth").glob("*.py")}
    assert modules - listed == set()
    assert listed - modules - synth == set()


def test_no_module_imports_a_higher_stage() -> None:
    """Dependencies point one way: the bottom modules (records, errors, codes, exit codes)
    import only each other, and nothing imports ``cli``."""
    bottom = {"models", "errors", "codes", "exits", "records"}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "__main__":  # ``python -m batchocr`` is the command line itself
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {
            (node.level, node.module or "")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
        }
        targets = {m for level, m in imported if level} | {
            m.removeprefix("batchocr.") for level, m in imported if not level and
            m.startswith("batchocr.")
        }  # fmt: skip
        assert "cli" not in targets, rel
        if rel.parts[0] in bottom:
            assert targets <= bottom | {""}, (rel, targets)


LOCAL_STAGES = ["vocabulary", "validate", "image", "template", "labelled"]  # lowest first


def test_the_local_engine_s_stages_import_only_lower_ones() -> None:
    """The offline engine's sub-packages are stages (its ``__init__`` draws them): a module
    imports its own stage and the ones below it, never one above (the top modules,
    ``recognizer``, ``pool`` and ``readings``, may import any)."""
    local = PACKAGE / "recognize" / "local"
    rank = {stage: i for i, stage in enumerate(LOCAL_STAGES)}
    upward = []
    for stage in LOCAL_STAGES:
        for path in (local / stage).glob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                    target = node.module.split(".")[0]
                    if rank.get(target, -1) > rank[stage] or target not in rank:
                        upward.append(f"{stage}/{path.name} imports {target}")
    assert upward == []


def test_the_version_is_exported() -> None:
    """``batchocr.__version__`` is the package's face for its version."""
    assert re.fullmatch(r"\d+\.\d+\.\d+", batchocr.__version__)
