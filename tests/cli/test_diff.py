"""cli/diff.py: ``sniffprint diff BEFORE... -- AFTER...`` on the bundled migration captures (real
CUPS, socat and ipptool traffic): the move is reported, the port still open is named with its
evidence, and every exit code of the contract (0, 1, 2, 3, 4) is reached."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from sniffprint.cli import main
from tests.cli.conftest import KEYED, records
from tests.conftest import PCAPS, ROOT

BEFORE = str(PCAPS / "migration-before.pcap")  # raw 9100, LPD and IPP in clear
AFTER = str(PCAPS / "migration-after.pcap")  # IPPS and TLS 9100; one workstation still on 9100
ELSEWHERE = str(PCAPS / "raw9100-ipv6.pcap")  # another printer (fd77::20): nothing in common
PRINTER = "10.77.0.20"


def _diff(*args: str) -> object:
    return CliRunner().invoke(main, ["diff", *args], env=KEYED)


@pytest.fixture(scope="module")
def forward() -> list[dict]:
    r = CliRunner().invoke(main, ["diff", "--format", "json", BEFORE, "--", AFTER], env=KEYED)
    assert r.exit_code == 0, r.stderr
    return records(r.stdout)


def test_the_migration_is_reported_and_exits_0(forward):
    *changes, summary = forward
    assert summary["type"] == "diff" and summary["result"] == "better" and summary["exit_code"] == 0
    assert summary["printers_compared"] == 1 and summary["worse"] == 0
    rows = {(c["scope"], c["client"], c["protocol"]): c for c in changes}
    assert all(c["type"] == "change" for c in changes)
    # the printer moved off IPP in clear to IPPS and TLS 9100; LPD no longer carries jobs
    assert rows[("printer-protocol", None, "ipp")]["change"] == "moved"
    assert rows[("printer-protocol", None, "ipps")]["change"] == "new"
    assert rows[("printer-protocol", None, "raw-tls")]["direction"] == "better"
    assert rows[("printer-protocol", None, "lpd")]["change"] == "reduced"
    # ... but 9100 still answers in clear (a workstation still prints there), with its evidence flows
    raw = rows[("printer-protocol", None, "raw9100")]
    assert raw["after"] == "exposed" and raw["change"] == "unchanged" and raw["uids"]
    head = rows[("printer", None, None)]
    assert "cleartext still enabled on 9100" in head["detail"]
    # per workstation: ws moved, ws2 did not
    assert rows[("client", "10.77.0.10", None)]["after"] == "protected"
    assert rows[("client", "10.77.0.10", None)]["direction"] == "better"
    assert rows[("client", "10.77.0.11", None)]["after"] == "exposed"
    assert rows[("client-protocol", "10.77.0.11", "raw9100")]["change"] == "unchanged"
    assert any("still in clear: raw9100 on 10.77.0.20" in r for r in summary["reasons"])


def test_the_table_names_the_move_and_the_open_port():
    r = _diff(BEFORE, "--", AFTER)
    assert r.exit_code == 0, r.stderr
    out = r.stdout
    assert out.startswith("printers:\n") and "\nworkstations:\n" in out
    assert "moved off ipp to ipps, raw-tls" in out
    assert "cleartext still enabled on 9100/515/80" in out
    assert "result: BETTER" in out
    assert r.stderr.startswith("sniffprint diff: BETTER --")  # the result line on stderr, not a terminal


def test_reversed_order_is_worse_and_exits_1():
    r = _diff("--format", "json", AFTER, "--", BEFORE)
    assert r.exit_code == 1, r.stderr
    *changes, summary = records(r.stdout)
    assert summary["result"] == "worse" and summary["exit_code"] == 1 and summary["worse"] > 0
    worse = {(c["scope"], c["client"], c["protocol"]) for c in changes if c["direction"] == "worse"}
    assert ("printer-protocol", None, "ipp") in worse  # a cleartext path appeared
    assert ("client-protocol", "10.77.0.10", "ipps") in worse  # a protected path regressed to clear
    assert _diff("--exit-zero", "-q", AFTER, "--", BEFORE).exit_code == 0


def test_no_printer_in_common_exits_3():
    r = _diff("--format", "json", BEFORE, "--", ELSEWHERE)
    assert r.exit_code == 3, r.stderr
    summary = records(r.stdout)[-1]
    assert summary["result"] == "incomparable" and summary["printers_compared"] == 0
    assert "no printer is in both sets" in r.stderr
    assert _diff("--exit-zero", BEFORE, "--", ELSEWHERE).exit_code == 3  # --exit-zero hides only 1


def test_saved_reports_compare_like_their_captures(tmp_path, forward):
    saved = tmp_path / "before.jsonl"
    pq = tmp_path / "after-pq"
    runner = CliRunner()
    assert runner.invoke(main, ["scan", "-q", "--format", "json", "-o", str(saved), BEFORE], env=KEYED).exit_code == 0
    r = runner.invoke(main, ["scan", "-q", "--format", "parquet", "-o", str(pq), AFTER], env=KEYED)
    if r.exit_code != 0 and "pyarrow" in r.stderr:
        pytest.skip("pyarrow is not installed (pip install '.[parquet]')")
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(main, ["diff", "--format", "json", str(saved), "--", str(pq)], env=KEYED)
    assert r.exit_code == 0, r.stderr
    got = records(r.stdout)
    strip = [{k: v for k, v in c.items() if k not in ("before", "after")} if c["type"] == "diff" else c
             for c in got]
    want = [{k: v for k, v in c.items() if k not in ("before", "after")} if c["type"] == "diff" else c
            for c in forward]
    assert strip == want  # the same rows and result, names included (the same site key)


@pytest.mark.parametrize(("args", "message"), [
    ([BEFORE, AFTER], "separate the two sets with --"),
    ([BEFORE, "--"], "nothing after --"),
    (["--", AFTER], "nothing before --"),
    (["--format", "csv", BEFORE, "--", AFTER], "Invalid value for '--format'"),
])
def test_usage_errors_exit_2(args, message):
    r = _diff(*args)
    assert r.exit_code == 2 and message in r.stderr


def test_unreadable_inputs_are_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "notes.jsonl"
    bad.write_text('{"type": "printer", "server_ip": 3}\n')
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    for path, words in ((tmp_path / "missing.pcap", "no such file"), (bad, "not a sniffprint JSON record"),
                        (text, "notes.txt")):
        r = _diff(BEFORE, "--", str(path))
        lines = r.stderr.strip().splitlines()
        assert r.exit_code == 2 and len(lines) == 1 and words in lines[0], r.stderr
        assert "Traceback" not in r.stderr


def test_a_bug_is_exit_4(monkeypatch):
    from sniffprint import migration

    def boom(*a: object, **kw: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(migration, "diff", boom)
    r = _diff(BEFORE, "--", AFTER)
    assert r.exit_code == 4 and "internal error" in r.stderr and "simulated bug" in r.stderr


def test_html_is_one_page_with_both_sections(tmp_path):
    out = tmp_path / "diff.html"
    r = _diff("--format", "html", "-o", str(out), BEFORE, "--", AFTER)
    assert r.exit_code == 0, r.stderr
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "default-src 'none'" in page
    assert 'id="diff-printers"' in page and 'id="diff-workstations"' in page and "BETTER" in page


def test_the_real_entry_point():
    env = {"SNIFFPRINT_HASH_KEY": "cli-tests", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-m", "sniffprint", "diff", "--format", "json", BEFORE, "--", AFTER],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout.splitlines()[-1])
    assert summary["result"] == "better"
    r = subprocess.run([sys.executable, "-m", "sniffprint", "diff", "-q", AFTER, "--", BEFORE],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert r.returncode == 1 and r.stderr == "" and "result: WORSE" in r.stdout
