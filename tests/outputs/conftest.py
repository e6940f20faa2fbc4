"""Shared by the HTML report's tests: the report of every bundled capture, made once."""
from __future__ import annotations

import pytest

from sniffprint import analyze
from tests.conftest import PCAPS

BUNDLED = sorted(str(p) for p in PCAPS.glob("*.pcap*"))


@pytest.fixture(scope="session")
def bundled_report():
    return analyze(BUNDLED)
