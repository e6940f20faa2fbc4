"""outputs/csv.py: one table to stdout or a file (flows by default, as before), every table into
a folder with -o DIR/, one column per frame column."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

import sniffprint
from sniffprint.cli import main
from sniffprint.outputs.csv import cell, wants_directory
from sniffprint.records import FlowRecord, columns
from sniffprint.report import TABLES, frame_columns
from tests.conftest import PCAPS

CAP = str(PCAPS / "raw9100-cups-socket.pcap")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_flows_to_stdout_as_before():
    r = CliRunner().invoke(main, ["scan", "--format", "csv", "--all", CAP])
    assert r.exit_code == 0
    rows = _rows(r.stdout)
    assert list(rows[0]) == [c.name for c in columns(FlowRecord)]
    assert len(rows) == len(sniffprint.analyze(CAP).flows)


@pytest.mark.parametrize("table", list(TABLES))
def test_table_chooses_one_table(table):
    rep = sniffprint.analyze(CAP)
    r = CliRunner().invoke(main, ["scan", "--format", "csv", "--all", "--table", table, CAP])
    assert r.exit_code == 0, r.stderr
    header = next(csv.reader(io.StringIO(r.stdout)))
    assert header == [name for name, _ in frame_columns(TABLES[table])]
    assert len(_rows(r.stdout)) == len(rep.records(table))


def test_a_folder_gets_every_table(tmp_path):
    rep = sniffprint.analyze(CAP)
    r = CliRunner().invoke(main, ["scan", "--format", "csv", "--all", "-o", f"{tmp_path}/out/", CAP])
    assert r.exit_code == 0, r.stderr
    for table in TABLES:
        rows = _rows((tmp_path / "out" / f"{table}.csv").read_text())
        assert len(rows) == len(rep.records(table)), table
    findings = _rows((tmp_path / "out" / "findings.csv").read_text())
    sp101 = [f for f in findings if f["code"] == "SP101"]
    assert sp101 and all(f["sha256"] and f["pii_email"] for f in sp101)  # evidence flattened
    summary = _rows((tmp_path / "out" / "summary.csv").read_text())[0]
    assert summary["verdict"] == "exposed"
    assert json.loads(summary["captures"])[0]["path"] == CAP
    printer = _rows((tmp_path / "out" / "printers.csv").read_text())[0]
    assert json.loads(printer["worst"])["code"] == "SP101"
    assert printer["protocols"] == "raw9100"


def test_an_existing_folder_counts_as_one(tmp_path):
    r = CliRunner().invoke(main, ["scan", "--format", "csv", "-o", str(tmp_path), CAP])
    assert r.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.csv" for t in TABLES)


def test_an_unwritable_folder_is_exit_2(tmp_path):
    (tmp_path / "f").write_text("")
    r = CliRunner().invoke(main, ["scan", "--format", "csv", "-o", f"{tmp_path}/f/sub/", CAP])
    assert r.exit_code == 2 and "cannot write" in r.stderr


def test_table_only_with_csv():
    r = CliRunner().invoke(main, ["scan", "--format", "json", "--table", "jobs", CAP])
    assert r.exit_code == 2 and "--table" in r.stderr


@pytest.mark.parametrize("value, text", [
    (None, ""), (True, "true"), (("a", "b"), "a;b"), ([], ""), ({"k": 1}, '{"k":1}'),
    ([{"path": "x"}], '[{"path":"x"}]'), (1.5, "1.5"),
])
def test_cell(value, text):
    assert cell(value) == text


def test_wants_directory(tmp_path):
    assert wants_directory(str(tmp_path)) and wants_directory("new/") and not wants_directory("x.csv")
    assert not wants_directory(None) and not wants_directory("")
