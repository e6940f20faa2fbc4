"""cli/console.py: one-line errors with the right exit status (2 bad input, 4 a bug), and -v."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.cli.conftest import KEYED
from tests.conftest import PCAPS


@pytest.mark.parametrize("content", [None, b"", b"not a capture\n" * 20, bytes(range(256)) * 16])
def test_unreadable_input_exits_2_with_one_line(tmp_path, content):
    p = tmp_path / "x.pcap"
    if content is not None:
        p.write_bytes(content)
    r = CliRunner().invoke(main, ["scan", str(p)])
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_directory_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["scan", str(tmp_path)])
    assert r.exit_code == 2


def test_internal_error_exits_4(capture, monkeypatch):
    from sniffprint import api

    def boom(self):  # noqa: ANN001
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(api.Pipeline, "_finish", boom)
    r = CliRunner().invoke(main, ["scan", str(capture)])
    assert r.exit_code == 4 and "internal error" in r.stderr


def test_verbose_says_what_was_read():
    cap = str(PCAPS / "lpd-cups.pcap")
    r = CliRunner().invoke(main, ["scan", "-v", "--format", "json", cap], env=KEYED)
    assert r.exit_code == 0
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"sniffprint: {cap}: pcap, 68 packets, ") and "2026-11-25 19:07:14 UTC" in lines[0]
    assert lines[-1].startswith("sniffprint: 68 packets, 3 TCP flows, 0 anomalies in ") and "packets/s" in lines[-1]
