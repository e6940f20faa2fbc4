"""Golden tests on the project's own captures (pcaps/*.truth.json, made by tools/make_captures.py)."""
from __future__ import annotations

import json

import pytest

from sniffprint import analyze
from tests.conftest import PCAPS
from tests.corpus import check_fleet, check_flows
from tools import goldens

TRUTHS = sorted(PCAPS.glob("*.truth.json"))


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: p.name.removesuffix(".truth.json"))
def test_capture_matches_its_ground_truth(truth):
    cap = json.loads(truth.read_text())
    report = analyze(str(PCAPS / cap["file"]))
    assert check_flows(report, cap) == []
    assert check_fleet(report, cap) == []
    bad = [a for a in report.anomalies if a.kind in ("internal_error", "protocol_violation", "content_gap")]
    assert bad == []


def test_there_are_golden_captures():
    assert len(TRUTHS) >= 8


GOLDEN_CAPTURES = goldens.captures()


@pytest.mark.parametrize("cap", GOLDEN_CAPTURES, ids=lambda p: p.stem)
def test_output_matches_its_golden(cap):
    """``pcaps/<name>.findings.json`` pins every record, the table and the verify verdict: any
    change of behaviour must come with ``python3 tools/goldens.py --update`` and a reviewed diff."""
    path = goldens.golden_path(cap)
    assert path.exists(), f"no golden for {cap.name}: run python3 tools/goldens.py --update"
    want = json.loads(path.read_text())
    got = json.loads(goldens.dump(goldens.produce(cap)))
    assert got == want


def test_the_fleet_checks_catch_a_wrong_fact():
    """check_fleet is no rubber stamp: a truth changed in any of its checked facts is a miss."""
    cap = json.loads((PCAPS / "snmp-v2c.truth.json").read_text())
    report = analyze(str(PCAPS / cap["file"]))
    cap["udp_flows"][3]["facts"]["set_sent"] = False
    cap["udp_flows"][0]["facts"]["community"] = "x"
    cap["udp_flows"][1]["datagrams_c2s"] += 1
    cap["facts"]["snmp"]["printer_facts_returned"]["prtGeneralSerialNumber"] = "WRONG"
    assert len(check_fleet(report, cap)) == 4
    cap = json.loads((PCAPS / "http-admin-cups.truth.json").read_text())
    report = analyze(str(PCAPS / cap["file"]))
    cap["other_tcp_flows"][4]["tls_handshake"]["ms_to_first_type23_record"]["both"] += 10
    cap["other_tcp_flows"][9]["facts"]["requests"][0]["credentials"]["kind"] = "digest"
    cap["other_tcp_flows"][1]["facts"]["requests"][0]["credentials"]["password_length"] = 5
    assert len(check_fleet(report, cap)) == 3
    cap = json.loads((PCAPS / "mdns-printer.truth.json").read_text())
    report = analyze(str(PCAPS / cap["file"]))
    cap["facts"]["mdns"]["prn"]["instance"] = "Other"
    cap["udp_flows"][0]["facts"]["service_types"].append("_scanner._tcp")
    assert len(check_fleet(report, cap)) == 2


def test_the_migration_checks_catch_a_wrong_fact():
    cap = json.loads((PCAPS / "migration-after.truth.json").read_text())
    report = analyze(str(PCAPS / cap["file"]))
    cap["facts"]["printer"]["answered_in_clear"].append(631)
    cap["facts"]["workstations"]["10.77.0.11"]["jobs_clear"] = 2
    cap["facts"]["workstations"]["10.77.0.10"]["hostnames"]["llmnr"] = "PC-ALICE"
    assert len(check_fleet(report, cap)) == 3


@pytest.mark.parametrize("name", ["migration-before", "migration-after"])
def test_workstation_names_are_masked_unless_revealed(name):
    cap = json.loads((PCAPS / f"{name}.truth.json").read_text())
    names = {ip: set(w["hostnames"].values()) for ip, w in cap["facts"]["workstations"].items()}
    shown = {c.client_ip: set(c.hostnames) for c in analyze(str(PCAPS / cap["file"]), reveal=True).client_records()}
    assert all(names[ip] <= shown[ip] for ip in names), shown
    masked = {c.client_ip: set(c.hostnames) for c in analyze(str(PCAPS / cap["file"])).client_records()}
    assert all(n.startswith("<redacted:") for ns in masked.values() for n in ns) and masked["10.77.0.10"]
