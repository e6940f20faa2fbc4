"""outputs/htmlsections.py: an empty run still has every section; one row per fix in "What to do";
the anomalies table names each kind once with its count and first detail."""
from __future__ import annotations

from sniffprint.outputs.htmlsections import captures_section, remediation_section
from sniffprint.records import Anomaly
from tests.records import summary


def test_an_empty_run_still_renders():
    from sniffprint.outputs.html import render
    from sniffprint.report import Report

    page = render(Report())
    assert "INCONCLUSIVE" in page and "No printer was seen printing." in page and "No findings." in page


def test_what_to_do_has_one_row_per_fix(bundled_report):
    order = sorted(bundled_report.findings, key=lambda f: (-f.severity.rank, f.code))
    page = remediation_section(order, bundled_report.stats)
    fixes = {f.remediation for f in order if f.remediation and f.severity.value != "info"}
    assert fixes and page.count("<tr><td>") == len(fixes)
    assert "Nothing to fix" in remediation_section([], bundled_report.stats)


def test_anomalies_are_counted_per_kind():
    anomalies = [Anomaly(ts=None, uid=None, layer="decode", kind="bad_ip_header", detail=f"frame {i}")
                 for i in range(3)]
    page = captures_section(summary(), anomalies)
    assert "<td>decode</td><td>bad_ip_header</td><td class=\"num\">3</td><td>frame 0</td>" in page
