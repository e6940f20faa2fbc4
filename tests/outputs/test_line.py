"""outputs/line.py: one line per finding, and the printers' verdicts at the end."""
from __future__ import annotations

from click.testing import CliRunner

from sniffprint.cli import main
from tests.conftest import PCAPS


def test_one_line_per_finding():
    r = CliRunner().invoke(main, ["scan", "--format", "line", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert sum(" SP101 " in x for x in lines) == 3 and lines[-1] == "printer 10.77.0.20: exposed"
    assert all(len(x.split()) >= 5 for x in lines if " SP" in x)
