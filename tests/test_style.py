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
    out = subprocess.run(["ruff", "check", "sniffprint", "tests", "tools", "benchmarks"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]


def test_mypy_strict():
    pytest.importorskip("mypy", reason="mypy not installed (pip install '.[test]')")
    out = subprocess.run([sys.executable, "-m", "mypy", "sniffprint"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-4000:]


def test_dissectors_and_classifiers_have_tests():
    """tests/dissectors/test_X.py for sniffprint/dissectors/X.py (mitmproxy's filename rule)."""
    missing = []
    for pkg in ("dissectors", "content/classify"):
        for src in (ROOT / "sniffprint" / pkg).glob("*.py"):
            if src.name.startswith("_") or src.name in ("base.py", "events.py"):
                continue  # the contract and its vocabulary: exercised by every dissector's tests
            if not (ROOT / "tests" / pkg / f"test_{src.name}").exists():
                missing.append(f"{pkg}/{src.name}")
    assert missing == []


def test_library_imports_scapy_and_matplotlib_only_where_allowed():
    allowed = {"scapy": {"sources/live.py"}, "matplotlib": {"plots.py"}}
    for path in (ROOT / "sniffprint").rglob("*.py"):
        rel = path.relative_to(ROOT / "sniffprint").as_posix()
        text = path.read_text()
        for mod, where in allowed.items():
            if (f"import {mod}" in text or f"from {mod}" in text) and rel not in where:
                pytest.fail(f"{rel} imports {mod}")
