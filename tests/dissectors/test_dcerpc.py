"""DCE/RPC over a pipe (MS-RPCE 2.2.2) and the spoolss calls that print (MS-RPRN)."""
from __future__ import annotations

import random
import struct

from sniffprint.dissectors import dcerpc
from sniffprint.dissectors.events import DocumentData, FlowFact, JobEnded, JobField, JobStarted, Note, PrintSeen
from sniffprint.model import Direction

C, S = Direction.C2S, Direction.S2C


def pdu(ptype: int, call_id: int, body: bytes, *, auth_level: int | None = None, flags: int = 3) -> bytes:
    auth = b"" if auth_level is None else struct.pack("<BBBBI", 10, auth_level, 0, 0, 0) + b"\x00" * 16
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, b"\x10\x00\x00\x00", 16 + len(body) + len(auth),
                       len(auth) - 8 if auth else 0, call_id) + body + auth


def request(call_id: int, opnum: int, stub: bytes, flags: int = 3, auth_level: int | None = None) -> bytes:
    return pdu(0, call_id, struct.pack("<IHH", len(stub), 0, opnum) + stub, flags=flags, auth_level=auth_level)


def start_doc_stub(name: str, double_level: bool = True) -> bytes:
    s = (name + "\x00").encode("utf-16-le")
    n = len(s) // 2
    levels = struct.pack("<II", 1, 1) if double_level else struct.pack("<I", 1)
    stub = b"H" * 20 + levels + struct.pack("<IIII", 0x20000, 0x20004, 0, 0)
    return stub + struct.pack("<III", n, 0, n) + s + b"\x00" * (-len(s) % 4)


def bind(auth_level: int | None) -> bytes:
    ctx = struct.pack("<HBB", 0, 1, 0) + dcerpc.SPOOLSS_UUID + struct.pack("<I", 1) + b"\x00" * 20
    return pdu(11, 1, struct.pack("<HHIBBH", 4280, 4280, 0, 1, 0, 0) + ctx, auth_level=auth_level)


def test_doc_name_both_union_layouts():
    assert dcerpc.doc_name(start_doc_stub("Budget.xlsx")) == "Budget.xlsx"
    assert dcerpc.doc_name(start_doc_stub("Budget.xlsx", double_level=False)) == "Budget.xlsx"
    assert dcerpc.doc_name(b"H" * 20 + struct.pack("<I", 2)) is None
    assert dcerpc.doc_name(b"") is None


def test_bind_auth_levels():
    p = dcerpc.RpcPipe()
    assert p.feed(C, bind(None)) == [FlowFact("spoolss_auth_level", "none")]
    assert p.bound_spoolss
    p = dcerpc.RpcPipe()
    assert p.feed(C, bind(6)) == [FlowFact("spoolss_auth_level", "privacy")]


def test_print_job_over_rpc_fragmented_write_printer_split_feeds():
    doc = b"\x1b%-12345X@PJL\r\n" + bytes(range(256)) * 40
    stub = b"H" * 20 + struct.pack("<I", len(doc)) + doc + struct.pack("<I", len(doc))
    third = len(stub) // 3
    frags = [request(3, 19, stub[:third], flags=1), request(3, 19, stub[third:2 * third], flags=0),
             request(3, 19, stub[2 * third:], flags=2)]
    stream = bind(None) + request(2, 17, start_doc_stub("memo.txt")) + b"".join(frags) + request(4, 23, b"H" * 20)
    for step in (1, 7, 100, len(stream)):
        p = dcerpc.RpcPipe()
        ev: list = []
        for i in range(0, len(stream), step):
            ev += p.feed(C, stream[i:i + step])
        data = b"".join(e.data for e in ev if isinstance(e, DocumentData))
        assert data == doc
        assert [e for e in ev if not isinstance(e, (DocumentData, FlowFact))] == [
            PrintSeen(True), JobStarted("smb"), JobField("document_name", "memo.txt", "spoolss"), JobEnded()]


def test_privacy_request_is_not_read():
    p = dcerpc.RpcPipe()
    p.feed(C, bind(6))
    assert p.feed(C, request(2, 17, start_doc_stub("secret.doc"), auth_level=6)) == []


def test_not_dcerpc_stops_quietly():
    p = dcerpc.RpcPipe()
    ev = p.feed(C, b"GET / HTTP/1.1\r\n\r\n")
    assert [type(e) for e in ev] == [Note] and p.dead
    assert p.feed(C, bind(None)) == []


def test_fuzz_never_raises():
    rnd = random.Random(5)
    write = request(3, 19, b"H" * 20 + b"\x08\x00\x00\x00" + b"x" * 8)
    seeds = [bind(None) + request(2, 17, start_doc_stub("a")), write]
    for _ in range(3000):
        b = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 6)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        p = dcerpc.RpcPipe()
        for i in range(0, len(b), 13):
            p.feed(rnd.choice((C, S)), bytes(b[i:i + 13]))
