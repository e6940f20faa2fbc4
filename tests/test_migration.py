"""migration.py: one set of inputs as one report (captures and saved reports mixed), the diff
through the API, and the fleet audit: each printer's and workstation's verdict per day over many
snapshots, on the bundled migration captures dated as a team would date them."""
from __future__ import annotations

import pandas as pd
import pytest

from sniffprint import analyze, migration
from sniffprint.findings.verdict import ExitCode
from sniffprint.report import Report
from tests.conftest import PCAPS

BEFORE, AFTER = PCAPS / "migration-before.pcap", PCAPS / "migration-after.pcap"


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    return {"before": analyze(BEFORE), "after": analyze(AFTER)}


def test_a_saved_report_is_told_from_a_capture(tmp_path):
    saved = tmp_path / "run.jsonl"
    saved.write_text('{"type":"summary"}\n')
    assert migration.is_saved_report(saved) and not migration.is_saved_report(BEFORE)
    assert not migration.is_saved_report(tmp_path / "missing") and not migration.is_saved_report(tmp_path)


def test_load_mixes_captures_and_reports(reports):
    both = migration.load([BEFORE, reports["after"]])
    assert {c.client_ip for c in both.clients} == {"10.77.0.10", "10.77.0.11"}
    assert len(both.printers) == 2  # one record per side: the diff merges them


def test_diff_through_the_api(reports):
    d = migration.diff([reports["before"]], [reports["after"]])
    assert d.exit_code == ExitCode.CLEAN and d.summary.result == "better"
    assert migration.diff([reports["after"]], [reports["before"]]).exit_code == ExitCode.EXPOSED
    assert migration.diff([reports["before"]], [PCAPS / "raw9100-ipv6.pcap"]).exit_code == ExitCode.INCONCLUSIVE


def test_the_workstation_view_lists_who_still_prints_in_clear(reports):
    frame = reports["after"].clients_frame()
    still = frame[frame["protocols_clear"].map(len) > 0]
    assert list(still["client_ip"]) == ["10.77.0.11"]
    assert frame["last_seen"].dtype == "datetime64[ns, UTC]" and str(frame["verdict"].dtype) == "category"
    before = reports["before"].clients_frame().set_index("client_ip")
    assert sorted(before.loc["10.77.0.10", "protocols_clear"]) == ["ipp", "lpd", "raw9100"]
    assert before.loc["10.77.0.10", "jobs_clear"] == 3


def test_fleet_frame_is_a_verdict_per_day(reports):
    frame = migration.fleet_frame([("2026-03-02 09:00", reports["before"]), ("2026-03-09 09:00", reports["after"]),
                                   ("2026-03-09 17:00", AFTER)])
    assert list(frame.columns) == list(migration.FLEET_COLUMNS)
    days = sorted(frame["period"].unique())
    assert [d.strftime("%Y-%m-%d") for d in days] == ["2026-03-02", "2026-03-09"]
    row = frame.set_index(["kind", "address", frame["period"].dt.strftime("%m-%d")])
    assert row.loc[("printer", "10.77.0.20", "03-02"), "verdict"] == "exposed"
    assert row.loc[("printer", "10.77.0.20", "03-09"), "snapshots"] == 2  # two sensors the same day
    assert row.loc[("printer", "10.77.0.20", "03-09"), "clear_still_enabled"] == [80, 515, 9100]
    assert row.loc[("client", "10.77.0.10", "03-02"), "verdict"] == "exposed"
    assert row.loc[("client", "10.77.0.10", "03-09"), "verdict"] == "protected"
    assert row.loc[("client", "10.77.0.11", "03-09"), "verdict"] == "exposed"
    wide = migration.verdict_matrix(frame, "client")
    assert wide.shape == (2, 2) and list(wide.index) == ["10.77.0.10", "10.77.0.11"]
    weekly = migration.fleet_frame([("2026-03-02", reports["before"]), ("2026-03-04", reports["after"])], freq="W")
    assert weekly["period"].nunique() == 1 and set(weekly["verdict"]) == {"exposed"}  # the worst of the week


def test_fleet_frame_empty_keeps_its_schema():
    frame = migration.fleet_frame([])
    assert frame.empty and list(frame.columns) == list(migration.FLEET_COLUMNS)
    assert frame["period"].dtype == pd.DatetimeTZDtype(tz="UTC")
