"""House rules that a reviewer would otherwise check by hand: ruff (incl. no print() in the library,
scapy/matplotlib imported only where allowed), mypy --strict, and tests mirroring the source tree."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff not installed (pip install '.[test]')")
def test_ruff():
    out = subprocess.run(["ruff", "check", "sniffprint", "tests", "tools", "benchmarks", "notebooks"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]


def test_mypy_strict():
    pytest.importorskip("mypy", reason="mypy not installed (pip install '.[test]')")
    out = subprocess.run([sys.executable, "-m", "mypy", "sniffprint"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]


# Modules whose behaviour is tested through another module's test file, with where.
TESTED_ELSEWHERE = {
    "dissectors/base.py": "the contract: every dissector's tests and tests/engine/test_flows.py",
    "dissectors/events.py": "the dissectors' vocabulary: every dissector's tests",
    "dissectors/hostnames.py": "the name services' base: tests/dissectors/test_nbns.py, tests/dissectors/test_llmnr.py",
    "content/extract/base.py": "the extractor contract: every extractor's tests, mypy checks EXTRACTORS",
    "anomalies.py": "tests/engine/test_flows.py, tests/test_pipeline_fuzz.py (bounded sinks)",
    "errors.py": "error types only: raised and caught in every layer's tests",
    "model.py": "enums and keys: tests/test_records.py",
    "options.py": "tests/cli/test_flags.py, tests/cli/test_console.py (validation, exit 2)",
    "_version.py": "tests/cli/test_flags.py (--version)",
    "__main__.py": "tests/cli/test_verify.py (python -m sniffprint), tests/test_entry.py",
    "engine/recorder.py": "tests/e2e/test_live_e2e.py (live --write-pcap)",
    "evidence/redact.py": "tests/test_leak.py, tests/cli/test_scan.py (--reveal)",
    "evidence/stage.py": "tests/test_leak.py (pii counts, text status)",
    "findings/codes.py": "tests/findings/test_rules.py",
    "findings/printers.py": "tests/findings/test_rules.py (printer verdicts)",
    "findings/policy.py": "tests/findings/test_verdict.py (policy parsing and effects)",
    "sources/pcapwriter.py": "tests/evidence/test_pcapslice.py",
    "api/pipeline.py": "the composition root: tests/test_pipeline_fuzz.py, tests/test_leak.py (redaction), "
                       "tests/cli/, tests/findings/test_rules.py, goldens",
    "api/sinks.py": "ReportSink: tests/api/test_analysis.py; the evidence folder's sink: tests/evidence/test_folder.py",
    "outputs/base.py": "the writer interface: every output's tests",
    "dissectors/http/sink.py": "the framing's callback protocol: tests/dissectors/http/test_framing.py",
    "outputs/jsonl.py": "tests/cli/test_scan.py (the JSON contract), goldens",
    "outputs/junit.py": "tests/findings/test_verdict.py",
    "outputs/table.py": "tests/cli/test_scan.py, goldens",
}


def test_tests_mirror_the_source_tree():
    """tests/<pkg>/test_X.py for sniffprint/<pkg>/X.py (mitmproxy's filename rule), or a named exception."""
    src_root = ROOT / "sniffprint"
    missing, stale = [], []
    for src in sorted(src_root.rglob("*.py")):
        rel = src.relative_to(src_root).as_posix()
        if src.name == "__init__.py" or src.name.startswith("_") and src.name != "__main__.py":
            continue
        test = ROOT / "tests" / src.parent.relative_to(src_root) / f"test_{src.name}"
        if rel in TESTED_ELSEWHERE:
            if test.exists():
                stale.append(rel)  # it has its own tests now: drop the exception
            continue
        if not test.exists():
            missing.append(rel)
    assert missing == [] and stale == []


def test_library_imports_scapy_and_matplotlib_only_where_allowed():
    allowed = {"scapy": {"sources/live.py"}, "matplotlib": {"plots/__init__.py", "plots/_base.py", "plots/fleet.py"}}
    for path in (ROOT / "sniffprint").rglob("*.py"):
        rel = path.relative_to(ROOT / "sniffprint").as_posix()
        text = path.read_text()
        for mod, where in allowed.items():
            if (f"import {mod}" in text or f"from {mod}" in text) and rel not in where:
                pytest.fail(f"{rel} imports {mod}")


IMPORT_TO_DIST = {"click": "click", "scapy": "scapy", "pandas": "pandas", "matplotlib": "matplotlib",
                  "numpy": "numpy", "cryptography": "cryptography", "tomli": "tomli", "pyarrow": "pyarrow",
                  "distributed": "dask"}  # dask[distributed] brings the distributed package
# optional extras the library itself imports (each behind a one-line message when missing)
RUNTIME_EXTRAS = ("parquet", "dask")


def test_runtime_dependencies_are_exactly_what_the_library_imports():
    import ast

    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")

    stdlib = set(sys.stdlib_module_names) | {"tomllib"}  # tomllib is stdlib from 3.11
    imported = set()
    for path in (ROOT / "sniffprint").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - stdlib - {"sniffprint"}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + [d for e in RUNTIME_EXTRAS for d in project["optional-dependencies"][e]]
    names = {d.split(";")[0].split(">")[0].split("=")[0].split("<")[0].split("[")[0].strip() for d in declared}
    assert {IMPORT_TO_DIST.get(m, m) for m in third_party} == names
