"""findings/diff.py: before/after with small synthetic records: what is better, worse, unknown."""
from __future__ import annotations

from typing import Any

from sniffprint.findings.diff import Side, compare
from sniffprint.findings.verdict import ExitCode
from sniffprint.model import PrinterVerdict
from sniffprint.records import ClearPort, ClientPath, ClientRecord, PrinterRecord

PRN, PRN2, WS, WS2 = "10.0.0.20", "10.0.0.21", "10.0.0.10", "10.0.0.11"


def printer(ip: str = PRN, verdict: str = "exposed", **kw: Any) -> PrinterRecord:
    base: dict[str, Any] = {"server_ip": ip, "verdict": PrinterVerdict(verdict), "protocols": (), "ports": (),
                            "clients": 1, "flows": 1, "print_flows": 1, "jobs_clear": 0, "bytes_clear": 0,
                            "bytes_protected": 0, "closed_ports": (), "worst": None, "findings": {}}
    base.update(kw)
    return PrinterRecord(**base)


def port(n: int, service: str, *evidence: str, uid: str = "C1") -> ClearPort:
    return ClearPort(port=n, service=service, evidence=evidence, flows=1, uids=(uid,))


def path(proto: str, *, printer_ip: str = PRN, protected: bool = False, use: str = "print") -> ClientPath:
    return ClientPath(printer=printer_ip, protocol=proto, protected=protected, use=use, jobs=0 if protected else 1,
                      flows=1, bytes=100, first_seen=1.0, last_seen=2.0)


def client(ip: str = WS, verdict: str = "exposed", *paths: ClientPath, names: tuple[str, ...] = ()) -> ClientRecord:
    return ClientRecord(client_ip=ip, hostnames=names, hostname_sources=(), captures=("x",),
                        verdict=PrinterVerdict(verdict), printers=tuple(sorted({p.printer for p in paths})),
                        protocols_clear=(), protocols_protected=(), queries_clear=(), jobs_clear=0, bytes_clear=0,
                        bytes_protected=0, flows_clear=0, flows_protected=0, first_seen=1.0, last_seen=2.0,
                        last_clear=None, paths=paths, reason="")


def rows(d, scope: str) -> dict[tuple, tuple[str, str, str, str]]:  # noqa: ANN001
    return {(c.printer, c.client, c.protocol): (c.before, c.after, c.change, c.direction)
            for c in d.changes if c.scope == scope}


BEFORE = Side([printer(protocols_clear=("ipp", "lpd", "raw9100"), clear_ports=(
    port(9100, "raw9100", "job"), port(515, "lpd", "job", "reply"), port(631, "ipp", "job", "reply")))],
    [client(WS, "exposed", path("raw9100"), path("lpd"), path("ipp")), client(WS2, "exposed", path("raw9100"))],
    ("before.pcap",))
AFTER = Side([printer(protocols_clear=("raw9100",), protocols_protected=("ipps", "raw-tls"), clear_ports=(
    port(9100, "raw9100", "job", "reply", uid="C7"), port(515, "lpd", "reply"),
    port(80, "http-admin", "page", "reply")))],
    [client(WS, "protected", path("ipps", protected=True), path("raw-tls", protected=True),
            path("raw9100", use="query"), path("lpd", use="query")), client(WS2, "exposed", path("raw9100"))],
    ("after.pcap",))


def test_the_migration_pair_moved_and_nothing_got_worse() -> None:
    d = compare(BEFORE, AFTER)
    assert d.exit_code == ExitCode.CLEAN and d.summary.result == "better" and d.summary.worse == 0
    pr = rows(d, "printer-protocol")
    assert pr[(PRN, None, "ipp")] == ("exposed", "unseen", "moved", "better")
    assert pr[(PRN, None, "lpd")] == ("exposed", "open", "reduced", "better")
    assert pr[(PRN, None, "raw9100")] == ("exposed", "exposed", "unchanged", "same")
    assert pr[(PRN, None, "http-admin")] == ("unseen", "open", "new", "unknown")  # first seen: proves nothing
    assert pr[(PRN, None, "ipps")] == ("unseen", "protected", "new", "better")
    head = next(c for c in d.changes if c.scope == "printer")
    assert head.direction == "better" and "TLS in use (ipps, raw-tls), cleartext still enabled on 9100/515/80" in \
        head.detail
    assert next(c for c in d.changes if c.protocol == "raw9100" and c.scope == "printer-protocol").uids == ("C7",)
    cl = rows(d, "client-protocol")
    assert cl[(PRN, WS, "ipp")] == ("printing", "unseen", "moved", "better")
    assert cl[(PRN, WS, "raw9100")] == ("printing", "querying", "reduced", "better")
    assert cl[(PRN, WS2, "raw9100")] == ("printing", "printing", "unchanged", "same")
    assert rows(d, "client")[(None, WS, None)] == ("exposed", "protected", "improved", "better")
    assert rows(d, "client")[(None, WS2, None)] == ("exposed", "exposed", "unchanged", "same")
    assert d.summary.reasons[-1] == "still in clear: raw9100 on 10.0.0.20"


def test_the_same_set_twice_is_unchanged() -> None:
    d = compare(AFTER, AFTER)
    assert d.exit_code == ExitCode.CLEAN and d.summary.result == "unchanged"
    assert {c.direction for c in d.changes} == {"same"}


def test_backwards_is_worse() -> None:
    d = compare(AFTER, BEFORE)
    assert d.exit_code == ExitCode.EXPOSED and d.summary.result == "worse"
    assert rows(d, "client-protocol")[(PRN, WS, "ipp")] == ("unseen", "printing", "new", "worse")
    assert rows(d, "printer-protocol")[(PRN, None, "lpd")] == ("open", "exposed", "regressed", "worse")
    assert rows(d, "client-protocol")[(PRN, WS, "ipps")] == ("protected", "unseen", "regressed", "worse")
    assert any("client-protocol 10.0.0.10 ipp to 10.0.0.20" in r for r in d.summary.reasons)


def test_a_closed_port_that_answers_again_is_worse_a_new_one_is_not() -> None:
    closed = Side([printer(verdict="protected", closed_ports=(9100,), protocols_protected=("ipps",))], [])
    reopened = Side([printer(verdict="exposed", protocols_protected=("ipps",), clear_ports=(
        port(9100, "raw9100", "syn-ack"),))], [])
    assert rows(compare(closed, reopened), "printer-protocol")[(PRN, None, "raw9100")] == \
        ("closed", "open", "regressed", "worse")
    assert compare(closed, reopened).exit_code == ExitCode.EXPOSED
    nothing = Side([printer(verdict="protected", protocols_protected=("ipps",))], [])
    d = compare(nothing, reopened)
    assert rows(d, "printer-protocol")[(PRN, None, "raw9100")] == ("unseen", "open", "new", "unknown")
    assert d.exit_code == ExitCode.CLEAN
    closing = compare(reopened, closed)
    assert rows(closing, "printer-protocol")[(PRN, None, "raw9100")] == ("open", "closed", "closed", "better")


def test_weaker_tls_is_a_protected_path_that_regressed() -> None:
    strong = Side([printer(verdict="protected", protocols_protected=("ipps",))], [])
    weak = Side([printer(verdict="weak", protocols_protected=("ipps",))], [])
    d = compare(strong, weak)
    assert d.exit_code == ExitCode.EXPOSED and d.summary.worse == 1
    assert rows(d, "printer")[(PRN, None, None)][3] == "worse"
    assert compare(weak, strong).summary.result == "better"


def test_no_printer_in_both_sets_cannot_be_compared() -> None:
    other = Side([printer(PRN2)], [client(WS, "exposed", path("raw9100", printer_ip=PRN2))])
    d = compare(BEFORE, other)
    assert d.exit_code == ExitCode.INCONCLUSIVE and d.summary.result == "incomparable"
    assert d.summary.printers_compared == 0
    assert compare(Side([], []), Side([], [])).exit_code == ExitCode.INCONCLUSIVE


def test_a_new_printer_and_a_new_workstation_printing_in_clear_are_worse() -> None:
    grown = Side([*AFTER.printers, printer(PRN2, protocols_clear=("lpd",))],
                 [*AFTER.clients, client("10.0.0.12", "exposed", path("lpd", printer_ip=PRN2))])
    d = compare(AFTER, grown)
    assert d.exit_code == ExitCode.EXPOSED
    assert rows(d, "printer")[(PRN2, None, None)] == ("unseen", "exposed", "new", "worse")
    assert rows(d, "client")[(None, "10.0.0.12", None)] == ("unseen", "exposed", "new", "worse")
    gone = compare(grown, AFTER)  # seen only before: nothing can be said
    assert gone.exit_code == ExitCode.CLEAN
    assert rows(gone, "printer")[(PRN2, None, None)] == ("exposed", "unseen", "not-seen", "unknown")


def test_records_of_one_printer_from_several_reports_merge() -> None:
    halves = Side([printer(protocols_clear=("raw9100",)), printer(protocols_clear=("lpd",), verdict="weak")], [])
    d = compare(halves, Side([printer(protocols_clear=("raw9100", "lpd"))], []))
    assert {c.protocol: c.change for c in d.changes if c.scope == "printer-protocol"} == \
        {"lpd": "unchanged", "raw9100": "unchanged"}
    assert d.summary.printers_before == 1


def test_records_of_an_older_writer_are_named() -> None:
    old = Side([printer(print_flows=3, jobs_clear=2)], [])
    d = compare(old, old)
    assert any("older sniffprint" in r for r in d.summary.reasons)


def test_hostnames_follow_the_client_rows() -> None:
    b = Side([printer()], [client(WS, "exposed", path("raw9100"), names=("<redacted:1a2b3c4d>",))])
    d = compare(b, b)
    assert all(c.hostnames == ("<redacted:1a2b3c4d>",) for c in d.changes if c.scope.startswith("client"))
