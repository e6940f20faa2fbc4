"""parallel.py: --jobs N gives the records of one process (order and run time aside)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from sniffprint.parallel import choose_jobs, owner
from sniffprint.sources import SourceSpec
from tests.conftest import PCAPS

CAPTURES = sorted(str(p) for p in PCAPS.iterdir() if p.suffix in (".pcap", ".pcapng"))


def _records(args: list[str]) -> tuple[int, list[str]]:
    r = CliRunner().invoke(main, ["verify", "--format", "json", *args])
    out = []
    for line in r.stdout.splitlines():
        rec = json.loads(line)
        if rec["type"] == "summary":
            rec.pop("elapsed_s")
        out.append(json.dumps(rec, sort_keys=True))
    return r.exit_code, sorted(out)


@pytest.mark.parametrize("jobs", [2, 3])
def test_every_bundled_capture_at_once_gives_the_same_records(jobs):
    one = _records(["--jobs", "1", *CAPTURES])
    many = _records(["--jobs", str(jobs), *CAPTURES])
    assert many == one and len(one[1]) > 100


def test_the_flow_owner_is_the_same_in_both_directions():
    a, b = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    for n in (2, 3, 8):
        assert owner((a, b, 40000, 9100), n) == owner((b, a, 9100, 40000), n)


def test_one_process_where_workers_cannot_share_the_input(tmp_path):
    cap = SourceSpec.parse(CAPTURES[0])
    assert choose_jobs(None, [cap], evidence=False) == (1, None)  # small: not worth the workers
    assert choose_jobs(4, [cap], evidence=False) == (4, None)
    assert choose_jobs(4, [SourceSpec.parse("-")], evidence=False)[0] == 1
    jobs, note = choose_jobs(4, [cap], evidence=True)
    assert jobs == 1 and note and "evidence" in note


def test_a_failing_worker_is_an_internal_error_never_a_silent_loss(monkeypatch):
    from sniffprint.engine import table

    def boom(self, ts, seg):  # noqa: ANN001
        raise SystemExit("worker killed")  # not an exception the per-frame guard catches

    monkeypatch.setattr(table.FlowTable, "process", boom)
    r = CliRunner().invoke(main, ["verify", "--jobs", "2", str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 4 and "worker" in r.stderr
