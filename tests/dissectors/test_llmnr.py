"""dissectors/llmnr.py: names bound by positive responses' A/AAAA answers, never by queries."""
from __future__ import annotations

import struct

import pytest

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.hostnames import MAX_NAMES
from sniffprint.dissectors.llmnr import LlmnrDissector, bindings
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey
from sniffprint.records import HostName
from tests.dissectors import dns_vectors as v
from tests.helpers import fuzz_datagrams

C2S, S2C = Direction.C2S, Direction.S2C
KEY = FlowKey("udp", "10.77.0.11", 53211, "10.77.0.10", 5355)  # querier -> responder (unicast answer back)


def llmnr(*answers: bytes, questions: tuple[bytes, ...] = (), response: bool = True, flags: int | None = None) -> bytes:
    """An LLMNR message (RFC 4795 2.1.1): the DNS format, LLMNR flags (QR only; no AA, no RD)."""
    fl = (0x8000 if response else 0) if flags is None else flags
    return struct.pack("!HHHHHH", 0x4242, fl, len(questions), len(answers), 0, 0) + b"".join(questions) + \
        b"".join(answers)


def a(owner: str, address: str) -> bytes:
    return v.a(owner, address).replace(b"\x80\x01", b"\x00\x01", 1)  # LLMNR has no cache-flush bit


ANSWER = llmnr(a("WS-ALICE", "10.77.0.10"), a("WS-ALICE", "fd77::10"), questions=(v.question("WS-ALICE", v.A),))


def names(events: list) -> list[HostName]:
    found = [e.value for e in events if isinstance(e, FlowFact) and e.name == "host_names"]
    return found[-1] if found else []


def test_a_response_binds_the_responders_name() -> None:
    d = LlmnrDissector(KEY)
    ev = d.feed(C2S, llmnr(questions=(v.question("WS-ALICE", v.A),), response=False)) + d.feed(S2C, ANSWER)
    assert ev[0] == PrintSeen(False)
    assert names(ev) == [HostName(address="10.77.0.10", name="WS-ALICE", source="llmnr"),
                         HostName(address="fd77::10", name="WS-ALICE", source="llmnr")]


def test_queries_errors_and_other_records_bind_nothing() -> None:
    assert bindings(llmnr(questions=(v.question("wpad", v.A),), response=False)) == []  # what poisoners wait for
    assert bindings(llmnr(a("X", "10.0.0.1"), flags=0x8003)) == []  # RCODE 3: name error
    assert bindings(llmnr(v.ptr("a.local", "b.local"))) == []
    tentative = llmnr(a("WS01", "10.0.0.5"), flags=0x8100)  # T: not yet verified unique, still claimed
    assert bindings(tentative) == [("10.0.0.5", "WS01")]


def test_a_nonzero_opcode_is_a_violation_and_prefixes_state_less() -> None:
    with pytest.raises(ProtocolViolation):
        bindings(llmnr(a("X", "10.0.0.1"), flags=0x8800))
    full = set(bindings(ANSWER))
    for n in range(len(ANSWER)):
        try:
            got = bindings(ANSWER[:n])
        except ProtocolViolation:
            continue
        assert set(got) <= full


def test_bounded_and_reported_on_change() -> None:
    d = LlmnrDissector(KEY)
    assert names(d.feed(S2C, ANSWER)) and not names(d.feed(S2C, ANSWER))
    for i in range(MAX_NAMES + 5):
        d.feed(S2C, llmnr(a(f"H{i}", "10.0.0.9")))
    assert len(d.names) == MAX_NAMES


def test_probe_and_fuzz() -> None:
    assert LlmnrDissector.probe(ANSWER, b"", KEY) >= 0.75
    assert LlmnrDissector.probe(ANSWER, b"", FlowKey("udp", "10.0.0.1", 5000, "10.0.0.2", 53)) == 0.0
    fuzz_datagrams(lambda: LlmnrDissector(KEY), [ANSWER, llmnr(questions=(v.question("X", v.A),), response=False)],
                   cases=2000)
