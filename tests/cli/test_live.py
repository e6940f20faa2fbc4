"""cli/live.py: a missing interface or no capture privilege is exit 2 with one line."""
from __future__ import annotations

from click.testing import CliRunner

from sniffprint.cli import main


def test_live_missing_interface_exits_2():
    r = CliRunner().invoke(main, ["live", "-i", "does-not-exist0", "--duration", "1"])
    assert r.exit_code == 2 and "does-not-exist0" in r.stderr


def test_live_without_capture_privilege_exits_2_with_one_line(monkeypatch):
    import scapy.arch.linux as linux

    class Denied:
        def __init__(self, *a, **k):
            raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(linux, "L2ListenSocket", Denied)
    from sniffprint.evidence.sitekey import resolve

    resolve()  # a site that has its hash key already (the first run's notice is another line)
    r = CliRunner().invoke(main, ["live", "-i", "lo", "--duration", "1"])
    assert r.exit_code == 2 and "CAP_NET_RAW" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
