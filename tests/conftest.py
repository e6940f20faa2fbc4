from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "pcaps-real"
PCAPS = ROOT / "pcaps"
sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def _private_config_home(tmp_path_factory, monkeypatch):
    """Tests never write into the real ~/.config: the site hash key (evidence.sitekey) of a test
    run lives in a temporary XDG_CONFIG_HOME, and no SNIFFPRINT_HASH_KEY of the caller leaks in."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("SNIFFPRINT_HASH_KEY", raising=False)
