"""DCE/RPC PDU headers (C706 12.6, MS-RPCE 2.2.2): common header, sec_trailer, bind, requests."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc import pdu as P
from tests.dissectors.dcerpc.vectors import (
    BTFN,
    MS_PAR,
    MS_RPRN,
    NDR,
    NDR64,
    NTLM_NEGOTIATE,
    NTLMSSP,
    PAR_OBJECT,
    bind,
    bind_ack,
    fault,
    request,
    response,
)


def test_common_header_both_byte_orders():
    for little in (True, False):
        raw = request(7, 17, b"x" * 10, little=little)
        h = P.Header.parse(raw)
        assert h == P.Header(ptype=0, flags=3, little=little, frag_length=len(raw), auth_length=0, call_id=7)
        assert h.plausible and P.frag_length(raw) == len(raw)
    assert P.Header.parse(b"\x04\x00" + raw[2:]) is None  # version 4 is connectionless
    assert P.Header.parse(raw[:15]) is None
    bad = bytearray(raw)
    bad[2] = 1  # PING: a connectionless type
    h = P.Header.parse(bytes(bad))
    assert h is not None and not h.plausible


def test_sec_trailer_and_stub_end():
    raw = request(3, 19, b"abcde", auth=(NTLMSSP, 6, b"T" * 16), pad_to=16)
    h = P.Header.parse(raw)
    rq = P.RequestHeader.parse(raw, h)
    t = P.SecTrailer.parse(raw, h, rq.stub)
    assert (t.auth_type, t.auth_level, t.token) == (NTLMSSP, 6, b"T" * 16)
    assert raw[rq.stub:t.stub_end] == b"abcde"  # the padding is not stub
    assert P.SecTrailer.parse(request(3, 19, b"abc"), P.Header.parse(request(3, 19, b"abc"))) is None


def test_bind_contexts_and_ack_results():
    raw = bind(2, [(0, MS_PAR, [NDR]), (1, MS_PAR, [NDR64]), (2, MS_PAR, [BTFN])], auth=(NTLMSSP, 6, NTLM_NEGOTIATE))
    elems = P.parse_bind(raw, P.Header.parse(raw))
    assert [(e.context_id, e.abstract.uuid, [t.uuid for t in e.transfers]) for e in elems] == [
        (0, MS_PAR, [NDR]), (1, MS_PAR, [NDR64]), (2, MS_PAR, [BTFN])]
    ack = bind_ack(2, [(2, NDR), (0, NDR64), (3, BTFN)])
    assert [(r.result, r.transfer.uuid) for r in P.parse_bind_ack(ack, P.Header.parse(ack))] == [
        (2, NDR), (0, NDR64), (3, BTFN)]
    big = bind(1, [(0, MS_RPRN, [NDR])], little=False)
    assert P.parse_bind(big, P.Header.parse(big))[0].abstract.uuid == MS_RPRN
    cut = raw[:40]
    assert P.parse_bind(cut, P.Header.parse(cut)) == []


def test_request_with_object_uuid_response_and_fault():
    raw = request(9, 10, b"stub", obj=PAR_OBJECT, ctx=1)
    rq = P.RequestHeader.parse(raw, P.Header.parse(raw))
    assert (rq.context_id, rq.opnum, rq.object_uuid, raw[rq.stub:]) == (1, 10, PAR_OBJECT, b"stub")
    rs = response(9, b"out")
    r = P.ResponseHeader.parse(rs, P.Header.parse(rs))
    assert rs[r.stub:] == b"out"
    f = fault(9, 0x5)
    assert P.fault_status(f, P.Header.parse(f)) == 5
    assert P.fault_status(f[:24], P.Header.parse(f)) is None
