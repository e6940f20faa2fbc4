from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "pcaps-real"
PCAPS = ROOT / "pcaps"
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session", autouse=True)
def _private_config_home_for_the_session(tmp_path_factory):
    """Tests never write into the real ~/.config: module- and session-scoped fixtures that run the
    CLI (set up before any function-scoped fixture) find the site hash key (evidence.sitekey) in a
    temporary XDG_CONFIG_HOME too, and no SNIFFPRINT_HASH_KEY of the caller leaks in."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config-session")))
        mp.delenv("SNIFFPRINT_HASH_KEY", raising=False)
        yield


@pytest.fixture(autouse=True)
def _private_config_home(tmp_path_factory, monkeypatch):
    """Each test starts as a site's first run: its own temporary XDG_CONFIG_HOME, no key yet."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    monkeypatch.delenv("SNIFFPRINT_HASH_KEY", raising=False)
