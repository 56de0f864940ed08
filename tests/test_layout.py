"""The package's layout holds: stages import only the shared modules and earlier stages, and no
module grows past what a reader can hold (docs/architecture.md, "The folders and what each may import")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pipeline"
SHARED = {"model", "settings", "errors", "i18n", "net", "paths", "aio"}
STAGES = ["text", "speech", "sound", "publish"]
MAX_LINES = 420
"""About 400 lines: past that a module holds more than one job."""


def rank(module: str) -> int:
    """0 for the shared vocabulary, 1–4 for the stages in data-flow order, 5 for the commands on top."""
    parts = module.split(".")
    if parts[0] != "pipeline":
        raise ValueError(module)
    if len(parts) == 1:
        return 0  # the package itself: its names load lazily, only __version__ is read from it
    if parts[1] in SHARED:
        return 0
    if parts[1] in STAGES:
        return 1 + STAGES.index(parts[1])
    return 5


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path, name: str) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of ours in `path`, module `name`, at any depth (late
    imports count)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "pipeline":
                continue
            if not node.module:  # "from . import x": x may be a module of that package
                for alias in node.names:
                    candidate = f"{target}.{alias.name}"
                    is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists() or (
                        PACKAGE.parent / candidate.replace(".", "/")
                    ).is_dir()
                    found.append((node.lineno, candidate if is_module else target))
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "pipeline"]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def backwards(path: Path, name: str) -> list[str]:
    return [f"line {line}: {name} imports {target}" for line, target in imports(path, name) if rank(target) > rank(name)]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path: Path) -> None:
    found = backwards(path, module_name(path))
    assert not found, "an import runs against the data flow:\n" + "\n".join(found)


def test_every_stage_says_what_it_takes_and_gives() -> None:
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Takes" in doc and "gives" in doc, f"pipeline/{stage}/__init__.py must say what the stage takes and gives"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines: split it by job"


def test_the_checker_sees_a_backward_import(tmp_path: Path) -> None:
    """The rule itself: relative and late imports are resolved, and one against the flow is caught."""
    module = tmp_path / "fake.py"
    module.write_text("from ..model import Script\nfrom . import clean\n\ndef f():\n    from ..publish.write import write_render\n", encoding="utf-8")
    assert [t for _, t in imports(module, "pipeline.text.fake")] == ["pipeline.model", "pipeline.text.clean", "pipeline.publish.write"]
    assert backwards(module, "pipeline.text.fake") == ["line 5: pipeline.text.fake imports pipeline.publish.write"]
    assert backwards(module, "pipeline.render") == []
