"""outputs/parquet.py: one file per table with the frames' dtypes, read back by read_report into
the same records and frames; a clear one-line exit 2 when pyarrow is missing."""
from __future__ import annotations

import sys

import pandas as pd
import pytest
from click.testing import CliRunner

import sniffprint
from sniffprint.cli import main
from sniffprint.errors import CaptureError, OptionsError
from sniffprint.report import TABLES, Report, to_json
from tests.conftest import PCAPS

pytest.importorskip("pyarrow", reason="pyarrow not installed (pip install '.[parquet]')")

from sniffprint.outputs.parquet import read_parquet, write_parquet  # noqa: E402


@pytest.fixture(scope="module")
def report():
    return sniffprint.analyze(sorted(str(p) for p in PCAPS.glob("*.pcap*")))


def _same(a: Report, b: Report) -> None:
    for table in TABLES:
        pd.testing.assert_frame_equal(a.frame(table), b.frame(table), obj=table)
        assert a.records(table) == b.records(table), table
        assert [to_json(r) for r in a.records(table)] == [to_json(r) for r in b.records(table)], table


def test_round_trip_gives_identical_records_and_frames(report, tmp_path):
    paths = write_parquet(report, tmp_path / "run")
    assert sorted(p.name for p in paths) == sorted(f"{t}.parquet" for t in TABLES)
    back = sniffprint.read_report(tmp_path / "run")
    _same(report, back)
    assert back.stats.verdict == report.stats.verdict and back.stats.reasons == report.stats.reasons
    assert any(f.evidence is not None and f.evidence.pii_counts for f in back.findings)


def test_files_hold_the_frames_for_any_parquet_reader(report, tmp_path):
    write_parquet(report, tmp_path)
    for table in ("findings", "jobs", "anomalies", "summary"):
        df = pd.read_parquet(tmp_path / f"{table}.parquet")
        frame = report.frame(table)
        if table == "findings":
            assert "evidence" in df.columns  # the whole evidence, beside its flattened columns
            df = df.drop(columns=["evidence"])
        if table == "findings":  # every category declared, even those unused (pyarrow keeps the dictionary)
            pd.testing.assert_frame_equal(df, frame)
        elif frame.empty:  # Parquet keeps no dictionary without data: read_report restores it
            assert list(df.columns) == list(frame.columns) and df.empty
        else:
            assert list(df.columns) == list(frame.columns)
            plain = [c for c in frame.columns if str(frame[c].dtype) != "object"]
            pd.testing.assert_frame_equal(df[plain], frame[plain])
    flows = pd.read_parquet(tmp_path / "flows.parquet")
    assert str(flows["service"].dtype) == "category"
    assert list(flows["service"].cat.categories) == list(report.flows_frame()["service"].cat.categories)


def test_empty_report_round_trips(tmp_path):
    write_parquet(Report(), tmp_path)
    _same(Report(), read_parquet(tmp_path))


def test_cli_parquet_needs_a_folder_and_writes_it(tmp_path):
    cap = str(PCAPS / "lpd-cups.pcap")
    r = CliRunner().invoke(main, ["scan", "--format", "parquet", cap])
    assert r.exit_code == 2 and "give -o DIR" in r.stderr
    r = CliRunner().invoke(main, ["verify", "--format", "parquet", "-o", str(tmp_path / "out"), cap])
    assert r.exit_code == 1, r.stderr  # exposed, and the tables written
    back = sniffprint.read_report(tmp_path / "out")
    assert back.stats.verdict == "exposed" and back.stats.exit_code == 1
    assert len(back.findings) == 4 and len(back.flows) == 3


def test_missing_pyarrow_is_one_line_and_exit_2(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    r = CliRunner().invoke(main, ["scan", "--format", "parquet", "-o", str(tmp_path / "x"),
                                  str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 2
    assert r.stderr == "sniffprint: Parquet needs pyarrow: pip install 'sniffprint[parquet]'\n"
    with pytest.raises(OptionsError, match="pyarrow"):
        read_parquet(tmp_path)


def test_unwritable_folder_is_exit_2_unless_exposed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    clean = str(PCAPS / "tls9100-socat.pcap")
    r = CliRunner().invoke(main, ["verify", "--format", "parquet", "-o", str(blocker / "sub"), clean])
    assert r.exit_code == 2 and "cannot write" in r.stderr
    r = CliRunner().invoke(main, ["verify", "--format", "parquet", "-o", str(blocker / "sub"),
                                  str(PCAPS / "lpd-cups.pcap")])
    assert r.exit_code == 1 and "cannot write" in r.stderr  # proof is proof


def test_read_report_refuses_folders_that_are_not_ours(tmp_path):
    with pytest.raises(CaptureError, match="without sniffprint Parquet"):
        sniffprint.read_report(tmp_path)
    (tmp_path / "flows.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(CaptureError, match="not a readable Parquet table"):
        sniffprint.read_report(tmp_path)
