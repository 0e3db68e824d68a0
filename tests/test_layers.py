"""The layers show in the imports: read the import graph of ``src/basewatch`` and fail on an
upward import, a private name taken from another package, or a shell (CLI, web) reaching past
the API."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src" / "basewatch"

# lowest first; a module may import only from its own layer or below
LAYERS = [
    {"errors", "geo", "ids", "_version", "links", "workers"},
    {"schema", "config", "airfields", "charts"},
    {"store"},
    {"readers", "simulator", "news", "identity", "watches", "export", "alerts", "words", "lake"},
    {"stages", "base_report"},
    {"fuse", "spark"},
    {"update", "live"},
    {"api", "browse"},  # browse: queries one thing at a time, re-exported by the API
    {"__init__", "demo"},
    {"cli", "web", "__main__"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}
SHELLS = {"cli", "web"}
SHELL_MAY_USE = {"api", "errors", "cli", "web", "demo"}


def _top(module: str) -> str:
    """The room a dotted module path inside basewatch lives in."""
    return module.split(".")[0] if module else "__init__"


def _imports(path: Path):
    """(target room, names imported, line) for every import of basewatch code in a file."""
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("basewatch"):
                target = node.module.removeprefix("basewatch").lstrip(".")
            else:
                continue
            names = [a.name for a in node.names]
            if not target:  # "from .. import api": each name is a room
                for n in names:
                    yield n, [], node.lineno
            else:
                yield target, names, node.lineno
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("basewatch."):
                    yield a.name.removeprefix("basewatch."), [], node.lineno


def _files():
    return sorted(p for p in ROOT.rglob("*.py") if "data" not in p.relative_to(ROOT).parts)


def test_no_upward_import():
    bad = []
    for path in _files():
        here = _top(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for target, _names, line in _imports(path):
            there = _top(target)
            if here in RANK and there in RANK and RANK[there] > RANK[here]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {target} (up)")
    assert not bad, "\n".join(bad)


def test_every_room_has_a_layer():
    rooms = {_top(".".join(p.relative_to(ROOT).with_suffix("").parts)) for p in _files()}
    assert rooms <= set(RANK), rooms - set(RANK)


def test_no_private_name_crosses_packages():
    bad = []
    for path in _files():
        here = _top(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for target, names, line in _imports(path):
            if _top(target) == here:
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            private += [p for p in target.split(".") if p.startswith("_") and p != "__init__"]
            if private:
                bad.append(f"{path.relative_to(ROOT)}:{line} takes {private} from {target}")
    assert not bad, "\n".join(bad)


def test_shells_use_only_the_api():
    bad = []
    for path in _files():
        here = _top(".".join(path.relative_to(ROOT).with_suffix("").parts))
        if here not in SHELLS:
            continue
        for target, _names, line in _imports(path):
            if _top(target) not in SHELL_MAY_USE:
                bad.append(f"{path.relative_to(ROOT)}:{line} reaches past the API: {target}")
    assert not bad, "\n".join(bad)


def test_no_module_patches_its_class():
    """No subpackage shares a name with an API function (the clash ``_callable`` papered over)."""
    import basewatch

    for name in basewatch.__all__:
        assert not (ROOT / name).is_dir(), f"subpackage {name}/ shadows bw.{name}"
        assert not (ROOT / f"{name}.py").exists(), f"module {name}.py shadows bw.{name}"
        assert callable(getattr(basewatch, name)) or name.isupper() or name.startswith("__")
