"""outputs/diffview.py: the diff's table and JSON lines, from synthetic records (findings.diff
decides; these only render): every row is there, the order is the diff's, wire text is escaped."""
from __future__ import annotations

import dataclasses
import io
import json

from sniffprint.findings.diff import compare
from sniffprint.outputs.diffview import write
from tests.findings.test_diff import AFTER, BEFORE


def _render(fmt: str, before=BEFORE, after=AFTER) -> str:  # noqa: ANN001
    fp = io.StringIO()
    write(compare(before, after), fp, fmt)
    return fp.getvalue()


def test_json_is_one_change_per_row_then_the_diff_record():
    d = compare(BEFORE, AFTER)
    lines = [json.loads(line) for line in _render("json").splitlines()]
    assert [r["type"] for r in lines] == ["change"] * len(d.changes) + ["diff"]
    assert [(r["scope"], r["printer"], r["client"], r["protocol"]) for r in lines[:-1]] == \
        [(c.scope, c.printer, c.client, c.protocol) for c in d.changes]
    assert lines[-1]["exit_code"] == 0 and lines[-1]["before"] == ["before.pcap"]
    raw = next(r for r in lines if r.get("protocol") == "raw9100" and r["scope"] == "printer-protocol")
    assert raw["uids"] == ["C7"]
    assert "uids" not in next(r for r in lines if r.get("protocol") == "ipp")  # sparse: only when known


def test_table_lists_printers_then_workstations_and_the_result():
    out = _render("table")
    printers, rest = out.split("workstations:\n")
    assert printers.startswith("printers:\n") and "10.0.0.20" in printers and "10.0.0.10" not in printers
    assert "= raw9100" in printers and "[evidence: C7]" in printers and "+ ipp" in printers
    assert "10.0.0.10" in rest and "result: BETTER -- nothing got worse" in rest
    assert "1 printer(s) in both sets" in rest


def test_table_escapes_names_from_the_wire():
    evil = dataclasses.replace(AFTER.clients[0], hostnames=("ws\x1b[2J",))
    after = dataclasses.replace(AFTER, clients=[evil, *AFTER.clients[1:]])
    out = _render("table", after=after)
    assert "\x1b" not in out and "ws\\x1b[2J" in out


def test_html_is_the_diff_page():
    page = _render("html")
    assert page.startswith("<!DOCTYPE html>") and "diff-workstations" in page
