"""dissectors/nbns.py: NetBIOS names bound to addresses by registrations and positive answers only,
host names only (unique, suffix 0x00/0x20), every prefix a violation or a subset, fuzzed."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.hostnames import MAX_NAMES
from sniffprint.dissectors.nbns import NbnsDissector, decode_name, parse
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey
from sniffprint.records import HostName
from tests.dissectors import nbns_vectors as v
from tests.helpers import fuzz_datagrams

C2S, S2C = Direction.C2S, Direction.S2C
KEY = FlowKey("udp", "10.77.0.10", 137, "10.77.0.255", 137)
ANSWER_KEY = FlowKey("udp", "10.77.0.10", 137, "10.77.0.30", 137)  # the querier asked 10.77.0.30: its answer is S2C


def names(events: list) -> list[HostName]:
    found = [e.value for e in events if isinstance(e, FlowFact) and e.name == "host_names"]
    return found[-1] if found else []


def feed(*datagrams: tuple[Direction, bytes], key: FlowKey = KEY) -> list:
    d = NbnsDissector(key)
    return [e for direction, dg in datagrams for e in d.feed(direction, dg)] + d.close()


def test_the_rfc_1001_encoding_example() -> None:
    # RFC 1001 section 14.1: "FRED" padded with spaces encodes as EGFCEFEE followed by CA pairs
    assert decode_name("EGFCEFEE" + "CA" * 12) == ("FRED", 0x20)
    assert v.encode("FRED", 0x20)[1:33] == b"EGFCEFEE" + b"CA" * 12


def test_a_registration_binds_the_workstation_name_to_its_address() -> None:
    ev = feed((C2S, v.registration("WS-ALICE", "10.77.0.10")))
    assert ev[0] == PrintSeen(False)
    assert names(ev) == [HostName(address="10.77.0.10", name="WS-ALICE", source="nbns")]


@pytest.mark.parametrize("opcode", [v.REGISTRATION, v.REFRESH, 9, 15])
def test_every_claim_opcode_and_an_uncompressed_record_name(opcode: int) -> None:
    for compressed in (True, False):
        dg = v.registration("WS01", "10.1.2.3", 0x20, opcode=opcode, compressed=compressed)
        assert parse(dg, "10.9.9.9") == [("10.1.2.3", "WS01")]  # the NB_ADDRESS, not the sender


def test_group_names_and_service_suffixes_are_not_host_names() -> None:
    assert parse(v.registration("LAB", "10.1.2.3", 0x00, group=True), "x") == []  # a workgroup
    assert parse(v.registration("LAB", "10.1.2.3", 0x1D), "x") == []  # master browser
    assert parse(v.registration("ALICE", "10.1.2.3", 0x03), "x") == []  # messenger: a user's name


def test_questions_releases_and_negative_answers_bind_nothing() -> None:
    assert parse(v.query("PRN-FLOOR2"), "10.77.0.10") == []
    assert parse(v.registration("WS01", "10.1.2.3", opcode=v.RELEASE), "x") == []
    assert parse(v.positive_answer("WS01", "10.1.2.3", rcode=3), "x") == []  # NAM_ERR


def test_a_positive_query_answer_binds_every_address() -> None:
    ev = feed((S2C, v.positive_answer("FILESRV", "10.77.0.30", "10.88.0.30", suffix=0x20)), key=ANSWER_KEY)
    assert names(ev) == [HostName(address="10.77.0.30", name="FILESRV", source="nbns"),
                         HostName(address="10.88.0.30", name="FILESRV", source="nbns")]


def test_a_node_status_answer_names_its_sender() -> None:
    dg = v.node_status_answer(("WS-BOB", 0x00, False), ("LAB", 0x00, True), ("WS-BOB", 0x20, False),
                              ("BOB", 0x03, False))
    ev = feed((S2C, dg), key=ANSWER_KEY)
    assert names(ev) == [HostName(address="10.77.0.30", name="WS-BOB", source="nbns")]


def test_names_are_reported_when_they_change_and_bounded() -> None:
    d = NbnsDissector(KEY)
    first = d.feed(C2S, v.registration("WS01", "10.0.0.1"))
    again = d.feed(C2S, v.registration("WS01", "10.0.0.1"))  # the retransmitted registration: nothing new
    assert names(first) and not names(again)
    for i in range(MAX_NAMES + 10):
        d.feed(C2S, v.registration(f"H{i}", "10.0.0.2"))
    assert len(d.names) == MAX_NAMES


def test_every_prefix_is_a_violation_or_states_less() -> None:
    for dg in (v.registration("WS-ALICE", "10.77.0.10"), v.positive_answer("WS01", "10.0.0.1", "10.0.0.2"),
               v.node_status_answer(("WS-BOB", 0, False))):
        full = parse(dg, "10.0.0.9")
        for n in range(len(dg)):
            try:
                got = parse(dg[:n], "10.0.0.9")
            except ProtocolViolation:
                continue
            assert set(got) <= set(full)


@pytest.mark.parametrize("raw", [
    b"\x00" * 11,  # shorter than its header
    v.header(1, v.flags(3), qd=1) + v.question(v.encode("X")),  # opcode 3 is undefined
    v.header(1, v.flags(0), qd=1) + v.question(b"\x04ABCD\x00"),  # not a first-level encoded name
    v.header(1, v.flags(0), qd=40),  # counts the packet cannot hold
    v.header(1, v.flags(0, response=True), an=1) + v.rr(v.encode("X"), v.NB, b"\x00\x00\x0a\x00\x00"),  # NB length
])
def test_malformed_packets_are_violations(raw: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        parse(raw, "10.0.0.1")


def test_probe_and_fuzz() -> None:
    reg = v.registration("WS-ALICE", "10.77.0.10")
    assert NbnsDissector.probe(reg, b"", KEY) >= 0.75
    assert NbnsDissector.probe(reg, b"", FlowKey("udp", "10.0.0.1", 5000, "10.0.0.2", 53)) == 0.0
    assert NbnsDissector.probe(b"garbage", b"", KEY) == 0.0
    seeds = [reg, v.positive_answer("WS01", "10.0.0.1"), v.node_status_answer(("WS-BOB", 0, False)), v.query("X")]
    fuzz_datagrams(lambda: NbnsDissector(KEY), seeds, cases=2000)
