"""No import runs upward: each module imports only its own layer and the layers below it.

The layers, bottom to top, are the data flow of docs/architecture.md; a layer is named by the
top-level module or package, and every module of a package (``cli/``, ``api/``, ``records/``...)
is in its package's layer. Imports inside
``if TYPE_CHECKING:`` blocks are annotations only and are not counted; function-local imports are
counted (they run). A test, not a convention: a new module in a new package must be given a layer.
"""
from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LAYERS: list[tuple[str, ...]] = [
    ("_version", "errors", "model", "records", "options", "anomalies"),  # core vocabulary
    ("sources", "content"),  # frames in; document languages and text (bytes in, results out)
    ("dissectors",),  # protocols: bytes in, events out (sans-IO)
    ("engine",),  # decode, flows, reassembly, jobs: wires frames to dissectors
    ("evidence",),  # proof without re-leaking: pii, masking, redaction, thumbnails, folder
    ("findings",),  # codes, rules, printers, policy, verdict
    ("report",),  # typed records -> JSON and frames
    ("outputs", "plots"),  # renderings of a report
    ("api", "parallel", "migration"),  # the composition root (api/), its share of the work among processes,
    # the migration over many runs (diff, fleet audit)
    ("cli", "__init__", "__main__", "_entry"),  # the faces (cli/: the group, one module per command)
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}
PKG = ROOT / "sniffprint"


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else "__init__"
    if top not in RANK:
        raise AssertionError(f"sniffprint.{top} has no layer in tests/test_layers.py")
    return RANK[top]


def _module_name(path: Path) -> tuple[str, bool]:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    is_pkg = parts[-1] == "__init__"
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts), is_pkg


def _imports(path: Path) -> list[tuple[int, str]]:
    mod, is_pkg = _module_name(path)
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            base = mod.split(".") if is_pkg else mod.split(".")[:-1]
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "sniffprint":  # from . import x: the names are the modules
                out += [(node.lineno, f"sniffprint.{a.name}") for a in node.names]
            elif target.startswith("sniffprint"):
                out.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("sniffprint")]
    return out


def test_no_import_runs_upward():
    upward = []
    for path in sorted(PKG.rglob("*.py")):
        mod, _ = _module_name(path)
        mine = _layer(mod)
        for line, target in _imports(path):
            if _layer(target) > mine:
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {target}")
    assert upward == []


def test_every_package_has_a_layer():
    for path in PKG.iterdir():
        if path.is_dir() and (path / "__init__.py").exists() or path.suffix == ".py":
            _layer(f"sniffprint.{path.stem}")
