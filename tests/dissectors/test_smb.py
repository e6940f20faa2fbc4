"""SMB dissector: byte vectors built with a small SMB2 encoder (MS-SMB2 2.2), every way and fuzzed."""
from __future__ import annotations

import dataclasses
import json
import shutil
import struct
import subprocess

import pytest

from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.dissectors.smb import SmbDissector
from sniffprint.dissectors.smb.nbss import INLINE_MAX
from sniffprint.dissectors.smb.smb2.header import (
    FLAG_ASYNC,
    FLAG_RELATED,
    FLAG_RESPONSE,
    FLAG_SIGNED,
    RELATED_FID,
    STATUS_MORE_PROCESSING,
    STATUS_PENDING,
    Command,
)
from sniffprint.dissectors.smb.smb2.ioctl import FSCTL_PIPE_TRANSCEIVE
from sniffprint.dissectors.smb.smb2.negotiate import DIALECTS
from sniffprint.dissectors.smb.smb2.session_setup import SESSION_ENCRYPT_DATA
from sniffprint.dissectors.smb.state import ShareType
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, Protection
from tests.conftest import SHARED
from tests.helpers import feed_every_way, fuzz, key, merge_data, run, whole

C, S = Direction.C2S, Direction.S2C
KEY = key(445)
PRINT_TID, PIPE_TID, DISK_TID = 7, 5, 9
SID = 0x1122334455667788
FID = bytes(range(16))
FID2 = bytes(range(16, 32))
SPOOL_FID = bytes(range(32, 48))


# ----------------------------------------------------------------- a tiny SMB2 encoder
def nbss(msg: bytes) -> bytes:
    return b"\x00" + len(msg).to_bytes(3, "big") + msg


def hdr(cmd: int, mid: int, *, resp: bool = False, status: int = 0, tid: int = 0, sid: int = SID,
        flags: int = 0, nxt: int = 0, async_id: int | None = None) -> bytes:
    flags |= FLAG_RESPONSE if resp else 0
    if async_id is not None:
        flags |= FLAG_ASYNC
        tail = async_id
    else:
        tail = tid << 32
    return struct.pack("<4sHHIHHIIQQQ16s", b"\xfeSMB", 64, 1, status, cmd, 1, flags, nxt, mid, tail, sid,
                       b"\x00" * 16)


def msg(cmd: int, mid: int, body: bytes, **kw: object) -> bytes:
    return hdr(cmd, mid, **kw) + body  # type: ignore[arg-type]


def compound(*parts: bytes) -> bytes:
    """Chain messages (each a header + body), NextCommand 8-byte aligned."""
    out = b""
    for i, p in enumerate(parts):
        if i < len(parts) - 1:
            p = p + b"\x00" * (-len(p) % 8)
            p = p[:20] + struct.pack("<I", len(p)) + p[24:]
        out += p
    return out


def negotiate_req(dialects: list[int], ciphers: list[int] | None = None) -> bytes:
    dl = struct.pack(f"<{len(dialects)}H", *dialects)
    ctx = b""
    if ciphers:
        data = struct.pack(f"<H{len(ciphers)}H", len(ciphers), *ciphers)
        ctx = struct.pack("<HHI", 2, len(data), 0) + data
    ctx_off = 64 + 36 + len(dl)
    pad = b"\x00" * (-ctx_off % 8)
    body = struct.pack("<HHHHI16sIHH", 36, len(dialects), 1, 0, 0x7F, b"G" * 16,
                       (ctx_off + len(pad)) if ctx else 0, 1 if ctx else 0, 0) + dl + (pad + ctx if ctx else b"")
    return msg(Command.NEGOTIATE, 0, body, sid=0)


def negotiate_resp(dialect: int, *, secmode: int = 1, caps: int = 0, cipher: int | None = None) -> bytes:
    ctx = b""
    if cipher is not None:
        pre = struct.pack("<HH", 1, 0x0001) + struct.pack("<HH", 32, 1) + b"s" * 32  # preauth ctx
        ctx = struct.pack("<HHI", 1, len(pre), 0) + pre
        ctx += b"\x00" * (-len(ctx) % 8)
        data = struct.pack("<HH", 1, cipher)
        ctx += struct.pack("<HHI", 2, len(data), 0) + data
    body = struct.pack("<HHHH16sIIIIQQHHI", 65, secmode, dialect, 2 if ctx else 0, b"S" * 16, caps,
                       1 << 20, 1 << 20, 1 << 20, 0, 0, 128, 0, 128 if ctx else 0)
    return msg(Command.NEGOTIATE, 0, body + ctx, resp=True, sid=0)


def ntlm_auth(user: str, domain: str, ws: str, unicode: bool = True) -> bytes:
    enc = (lambda s: s.encode("utf-16-le")) if unicode else (lambda s: s.encode("latin-1"))
    fields = [b"", b"\x01" * 24, enc(domain), enc(user), enc(ws), b""]
    off = 88
    head = b"NTLMSSP\x00" + struct.pack("<I", 3)
    table, payload = b"", b""
    for f in fields:
        table += struct.pack("<HHI", len(f), len(f), off + len(payload))
        payload += f
    flags = 0xE2088215 if unicode else 0xE2088214
    return head + table + struct.pack("<I", flags) + b"\x00" * 8 + b"\x00" * 16 + payload


def spnego(token: bytes) -> bytes:
    """Enough of a NegTokenResp to put NTLMSSP where real clients put it (inside DER)."""
    inner = b"\xa2" + bytes([0x82]) + len(token).to_bytes(2, "big") + b"\x04\x82" + len(token).to_bytes(2, "big")
    return b"\xa1\x82\x01\x00\x30\x82\x00\xfc" + inner + token


def session_setup_req(mid: int, blob: bytes) -> bytes:
    body = struct.pack("<HBBIIHHQ", 25, 0, 1, 1, 0, 64 + 24, len(blob), 0) + blob
    return msg(Command.SESSION_SETUP, mid, body)


def session_setup_resp(mid: int, flags: int = 0, status: int = 0) -> bytes:
    return msg(Command.SESSION_SETUP, mid, struct.pack("<HHHH", 9, flags, 0, 0), resp=True, status=status)


def tree_req(mid: int, path: str) -> bytes:
    p = path.encode("utf-16-le")
    return msg(Command.TREE_CONNECT, mid, struct.pack("<HHHH", 9, 0, 64 + 8, len(p)) + p)


def tree_resp(mid: int, tid: int, share_type: int, flags: int = 0) -> bytes:
    body = struct.pack("<HBBIII", 16, share_type, 0, flags, 0, 0x1F01FF)
    return msg(Command.TREE_CONNECT, mid, body, resp=True, tid=tid)


def create_req(mid: int, tid: int, name: str, flags: int = 0) -> bytes:
    n = name.encode("utf-16-le")
    body = struct.pack("<HBBIQQIIIIIHHII", 57, 0, 0, 2, 0, 0, 0x12019F, 0, 7, 5, 0x40, 64 + 56, len(n), 0, 0)
    return msg(Command.CREATE, mid, body + n, tid=tid, flags=flags)


def create_resp(mid: int, tid: int, fid: bytes) -> bytes:
    body = struct.pack("<HBBI", 89, 0, 0, 2) + b"\x00" * 48 + struct.pack("<II", 0x80, 0) + fid + b"\x00" * 8
    return msg(Command.CREATE, mid, body, resp=True, tid=tid)


def write_req(mid: int, tid: int, fid: bytes, offset: int, data: bytes, flags: int = 0) -> bytes:
    body = struct.pack("<HHIQ16sIIHHI", 49, 64 + 48, len(data), offset, fid, 0, 0, 0, 0, 0)
    return msg(Command.WRITE, mid, body + data, tid=tid, flags=flags)


def write_resp(mid: int, tid: int, n: int) -> bytes:
    return msg(Command.WRITE, mid, struct.pack("<HHIIHH", 17, 0, n, 0, 0, 0), resp=True, tid=tid)


def close_req(mid: int, tid: int, fid: bytes, flags: int = 0) -> bytes:
    return msg(Command.CLOSE, mid, struct.pack("<HHI16s", 24, 0, 0, fid), tid=tid, flags=flags)


def close_resp(mid: int, tid: int) -> bytes:
    return msg(Command.CLOSE, mid, struct.pack("<HHI", 60, 0, 0) + b"\x00" * 52, resp=True, tid=tid)


def ioctl_req(mid: int, tid: int, fid: bytes, ctl: int, data: bytes) -> bytes:
    body = struct.pack("<HHI16sIIIIIIII", 57, 0, ctl, fid, 64 + 56, len(data), 0, 0, 0, 4280, 1, 0)
    return msg(Command.IOCTL, mid, body + data, tid=tid)


def ioctl_resp(mid: int, tid: int, fid: bytes, ctl: int, data: bytes) -> bytes:
    body = struct.pack("<HHI16sIIIIII", 49, 0, ctl, fid, 64 + 48, 0, 64 + 48, len(data), 0, 0)
    return msg(Command.IOCTL, mid, body + data, resp=True, tid=tid)


def transform(payload_len: int = 100) -> bytes:
    head = b"\xfdSMB" + b"\x11" * 16 + b"\x22" * 16 + struct.pack("<IHHQ", payload_len, 0, 1, SID)
    return head + b"\x99" * payload_len


def login(dialect: int = 0x0311, *, cipher: int | None = 2, session_flags: int = 0,
          user: str = "alice") -> list[tuple[Direction, bytes]]:
    dialects = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311] if dialect == 0x0311 else [0x0202, 0x0210]
    return [
        (C, nbss(negotiate_req(dialects, [2, 1] if dialect == 0x0311 else None))),
        (S, nbss(negotiate_resp(dialect, cipher=cipher if dialect == 0x0311 else None))),
        (C, nbss(session_setup_req(1, spnego(b"NTLMSSP\x00\x01\x00\x00\x00\x15\x82\x08\x62")))),
        (S, nbss(session_setup_resp(1, status=STATUS_MORE_PROCESSING))),
        (C, nbss(session_setup_req(2, spnego(ntlm_auth(user, "CORP", "WS-ALICE"))))),
        (S, nbss(session_setup_resp(2, flags=session_flags))),
    ]


def print_job(doc: bytes, name: str = "report.prn", mid: int = 10) -> list[tuple[Direction, bytes]]:
    half = len(doc) // 2
    return [
        (C, nbss(tree_req(mid, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(mid, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(mid + 1, PRINT_TID, name))),
        (S, nbss(create_resp(mid + 1, PRINT_TID, FID))),
        (C, nbss(write_req(mid + 2, PRINT_TID, FID, 0, doc[:half]))),
        (S, nbss(write_resp(mid + 2, PRINT_TID, half))),
        (C, nbss(write_req(mid + 3, PRINT_TID, FID, half, doc[half:]))),
        (S, nbss(write_resp(mid + 3, PRINT_TID, len(doc) - half))),
        (C, nbss(close_req(mid + 4, PRINT_TID, FID))),
        (S, nbss(close_resp(mid + 4, PRINT_TID))),
    ]


DOC = b"%!PS-Adobe-3.0\n%%Title: report\n" + b"0 0 moveto (hello) show\n" * 20 + b"showpage\n"


def facts(events: list) -> dict:
    return {e.name: e.value for e in events if isinstance(e, FlowFact)}


def doc_bytes(events: list) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, DocumentData))


def job_events(events: list) -> list:
    """The job events, keys dropped (tests of keys look at them directly)."""
    return [dataclasses.replace(e, key=None) if getattr(e, "key", None) is not None else e
            for e in events if isinstance(e, (JobStarted, JobField, DocumentData, DocumentGap, JobEnded))]


def new() -> SmbDissector:
    return SmbDissector(KEY)


# ----------------------------------------------------------------- tests
def test_probe():
    hello = nbss(negotiate_req([0x0202]))
    assert SmbDissector.probe(hello, b"", KEY) >= 0.75
    assert SmbDissector.probe(b"GET / HTTP/1.1\r\n", b"", KEY) == 0.0


def test_print_over_smb311_every_way():
    ev = feed_every_way(new, login() + print_job(DOC))
    f = facts(ev)
    assert f["smb_dialect"] == "3.1.1"
    assert f["smb_encryption_capable"] is True
    assert f["smb_user"] == "alice"
    assert f["smb_share"] == "officeprn"
    assert f["smb_signing"] is False
    assert PrintSeen(True) in ev
    assert job_events(ev) == [JobStarted("smb"), JobField("document_name", "report.prn", "smb"),
                              JobField("user", "alice", "smb"), JobField("host", "WS-ALICE", "smb"),
                              DocumentData(DOC), JobEnded()]
    assert not [e for e in ev if isinstance(e, (Note, ProtectionSeen))]


def test_negotiate_offers_and_cipher():
    d = new()
    for direction, data in login():
        d.feed(direction, data)
    assert d.conn.offered == ["2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"]
    assert d.conn.cipher == "AES-128-GCM"


def test_smb21_disk_share_copy_is_not_printing():
    script = login(0x0210) + [
        (C, nbss(tree_req(10, r"\\srv\data"))),
        (S, nbss(tree_resp(10, DISK_TID, ShareType.DISK))),
        (C, nbss(create_req(11, DISK_TID, r"dir\copy.ps"))),
        (S, nbss(create_resp(11, DISK_TID, FID2))),
        (C, nbss(write_req(12, DISK_TID, FID2, 0, DOC))),
        (S, nbss(write_resp(12, DISK_TID, len(DOC)))),
        (C, nbss(close_req(13, DISK_TID, FID2))),
        (S, nbss(close_resp(13, DISK_TID))),
    ]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_dialect"] == "2.1"
    assert facts(ev)["smb_encryption_capable"] is False
    assert facts(ev)["smb_share"] == "data"
    assert job_events(ev) == []
    assert ev[-1] == PrintSeen(False)


def test_print_share_wins_smb_share_and_disk_writes_stay_out_of_the_job():
    script = login() + [
        (C, nbss(tree_req(5, r"\\srv\data"))),
        (S, nbss(tree_resp(5, DISK_TID, ShareType.DISK))),
        (C, nbss(create_req(6, DISK_TID, "x.txt"))),
        (S, nbss(create_resp(6, DISK_TID, FID2))),
    ] + print_job(DOC) + [(C, nbss(write_req(40, DISK_TID, FID2, 0, b"not printed")))]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_share"] == "officeprn"
    assert doc_bytes(ev) == DOC


def test_compound_create_write_close_related():
    related = FLAG_RELATED
    req = compound(create_req(11, PRINT_TID, "chain.prn"),
                   write_req(12, 0xFFFFFFFF, RELATED_FID, 0, DOC, flags=related),
                   close_req(13, 0xFFFFFFFF, RELATED_FID, flags=related))
    resp = compound(create_resp(11, PRINT_TID, FID), write_resp(12, PRINT_TID, len(DOC)), close_resp(13, PRINT_TID))
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(req)), (S, nbss(resp)),
    ]
    ev = feed_every_way(new, script)
    assert job_events(ev) == [JobStarted("smb"), JobField("document_name", "chain.prn", "smb"),
                              JobField("user", "alice", "smb"), JobField("host", "WS-ALICE", "smb"),
                              DocumentData(DOC), JobEnded()]


def test_compound_response_with_tree_connects():
    req = compound(tree_req(10, r"\\srv\IPC$"), tree_req(11, r"\\srv\officeprn"))
    resp = compound(tree_resp(10, PIPE_TID, ShareType.PIPE), tree_resp(11, PRINT_TID, ShareType.PRINT))
    ev = feed_every_way(new, login() + [(C, nbss(req)), (S, nbss(resp))])
    assert PrintSeen(True) in ev
    assert facts(ev)["smb_share"] == "officeprn"


def test_async_interim_response_keeps_the_request():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(msg(Command.TREE_CONNECT, 10, b"\x09\x00\x00\x00\x00\x00\x00\x00\x00", resp=True,
                     status=STATUS_PENDING, async_id=77))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
    ]
    assert PrintSeen(True) in feed_every_way(new, script)


def test_transform_header_hides_printing():
    script = login(session_flags=SESSION_ENCRYPT_DATA) + [(C, nbss(transform())), (S, nbss(transform()))]
    ev = feed_every_way(new, script)
    assert ProtectionSeen(Protection.SMB3, C) in ev
    assert ev.count(PrintSeen(None)) == 2  # at the first transform, and again at close
    assert PrintSeen(True) not in ev
    d = new()
    for direction, data in script:
        d.feed(direction, data)
    assert d.conn.encryption_required is True


def test_transform_after_a_clear_print_share_keeps_print_true():
    script = login() + print_job(DOC) + [(C, nbss(transform()))]
    ev = feed_every_way(new, script)
    assert ProtectionSeen(Protection.SMB3, C) in ev
    assert PrintSeen(None) not in ev


def test_signed_session_is_still_cleartext():
    signed = hdr(Command.TREE_CONNECT, 10, flags=FLAG_SIGNED)
    p = r"\\srv\officeprn".encode("utf-16-le")
    script = login() + [(C, nbss(signed + struct.pack("<HHHH", 9, 0, 72, len(p)) + p)),
                        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT)))]
    ev = feed_every_way(new, script)
    assert facts(ev)["smb_signing"] is True
    assert not [e for e in ev if isinstance(e, ProtectionSeen)]


def test_compression_transform_recognised():
    ev = feed_every_way(new, login() + [(C, nbss(b"\xfcSMB" + struct.pack("<IHHI", 200, 1, 0, 0) + b"z" * 40))])
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_compressed"]


def test_large_write_is_streamed_with_bounded_memory():
    big = b"%!PS-Adobe-3.0\n" + bytes(range(256)) * 4000  # ~1 MiB in one WRITE
    script = login() + print_job(big)
    d = new()
    events: list = []
    peak = 0
    for direction, data in script:
        for i in range(0, len(data), 1460):
            events += d.feed(direction, data[i:i + 1460])
            peak = max(peak, len(d.readers[0].buf), len(d.readers[1].buf))
    events += d.close()
    assert doc_bytes(events) == big
    assert peak <= INLINE_MAX
    assert sum(isinstance(e, DocumentData) for e in events) > 10  # handed on in pieces
    assert run(new, script, whole) == feed_every_way(new, script)


def test_gap_inside_a_streamed_write_is_a_document_gap():
    big = b"A" * 300_000
    script = login() + print_job(big)
    d = new()
    events: list = []
    done = False
    for direction, data in script:
        if direction is C and len(data) > 100_000 and not done:
            done = True
            events += d.feed(C, data[:50_000])
            events += d.gap(C, 1000)
            events += d.feed(C, data[51_000:])
        else:
            events += d.feed(direction, data)
    assert DocumentGap(1000) in job_events(events)
    assert len(doc_bytes(events)) == len(big) - 1000
    assert JobEnded() in job_events(events)


def test_gap_between_messages_resynchronises():
    script = login() + print_job(DOC)
    d = new()
    events: list = []
    for n, (direction, data) in enumerate(script):
        if n == 8:  # the CREATE request is lost: a gap instead of its bytes
            events += d.gap(direction, len(data))
        else:
            events += d.feed(direction, data)
    assert [e.kind for e in events if isinstance(e, Note)] == ["smb_resync"]
    # the write still lands on the known print tree, as a job without a name
    assert merge_data(job_events(events)) == [JobStarted("smb"), JobField("user", "alice", "smb"),
                                  JobField("host", "WS-ALICE", "smb"), DocumentData(DOC), JobEnded()]


def test_lost_write_becomes_a_document_gap():
    script = login() + print_job(DOC)
    d = new()
    events: list = []
    for n, (direction, data) in enumerate(script):
        if n == 10:  # the first WRITE is lost
            events += d.gap(direction, len(data))
        else:
            events += d.feed(direction, data)
    half = len(DOC) // 2
    assert job_events(events)[-3:] == [DocumentGap(half), DocumentData(DOC[half:]), JobEnded()]


def test_out_of_order_writes_are_put_in_file_order():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "ooo.prn"))),
        (S, nbss(create_resp(11, PRINT_TID, FID))),
        (C, nbss(write_req(12, PRINT_TID, FID, 100, DOC[100:]))),
        (C, nbss(write_req(13, PRINT_TID, FID, 0, DOC[:100]))),
        (C, nbss(close_req(14, PRINT_TID, FID))),
    ]
    ev = feed_every_way(new, script)
    assert doc_bytes(ev) == DOC
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_write_out_of_order"]


def test_hole_left_at_close_is_a_gap():
    script = login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))),
        (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "hole.prn"))),
        (S, nbss(create_resp(11, PRINT_TID, FID))),
        (C, nbss(write_req(12, PRINT_TID, FID, 0, DOC[:10]))),
        (C, nbss(write_req(13, PRINT_TID, FID, 50, DOC[50:]))),
        (C, nbss(close_req(14, PRINT_TID, FID))),
    ]
    ev = job_events(feed_every_way(new, script))
    assert ev[-4:] == [DocumentData(DOC[:10]), DocumentGap(40), DocumentData(DOC[50:]), JobEnded()]


def test_smb1_negotiate_is_flagged():
    smb1 = (b"\xffSMB" + bytes([0x72]) + b"\x00" * 4 + b"\x18" + b"\x00" * 22 + b"\x00"
            + struct.pack("<H", 24) + b"\x02NT LM 0.12\x00\x02SMB 2.002\x00")
    ev = feed_every_way(new, [(C, nbss(smb1))])
    assert FlowFact("smb1", True) in ev
    ev = feed_every_way(new, [(C, nbss(smb1)), (S, nbss(negotiate_resp(0x0202)))])
    assert FlowFact("smb1", False) in ev and FlowFact("smb1", True) not in ev
    d = new()
    d.feed(C, nbss(smb1))
    assert d.conn.offered == ["NT LM 0.12", "SMB 2.002"]


def test_smb1_print_share():
    reply = (b"\xffSMB" + bytes([0x75]) + b"\x00" * 4 + b"\x98" + b"\x00" * 22 + b"\x03"
             + b"\xff\x00\x00\x00\x01\x00" + struct.pack("<H", 8) + b"LPT1:\x00\x00\x00")
    ev = feed_every_way(new, [(S, nbss(reply))])
    assert PrintSeen(True) in ev and FlowFact("smb1", True) in ev


def test_netbios_139_session_request_and_keepalive():
    req = b"\x81\x00\x00\x44" + b"\x20" + b"CA" * 16 + b"\x00" + b"\x20" + b"EB" * 16 + b"\x00"
    script = [(C, req), (S, b"\x82\x00\x00\x00"), (C, b"\x85\x00\x00\x00")] + login() + print_job(DOC)
    ev = feed_every_way(new, script)
    assert doc_bytes(ev) == DOC


def test_bad_netbios_type_is_a_violation():
    with pytest.raises(ProtocolViolation):
        new().feed(C, b"\x42\x00\x00\x10" + b"x" * 16)


def test_raw_ntlmssp_and_oem_strings():
    script = [(C, nbss(negotiate_req([0x0202]))), (S, nbss(negotiate_resp(0x0202))),
              (C, nbss(session_setup_req(1, ntlm_auth("bob", "D", "PC", unicode=False)))),
              (S, nbss(session_setup_resp(1)))]
    assert facts(feed_every_way(new, script))["smb_user"] == "bob"


# ----------------------------------------------------------------- spoolss over IPC$
def rpc_pdu(ptype: int, call_id: int, body: bytes, *, auth_level: int | None = None, flags: int = 3) -> bytes:
    auth = b""
    if auth_level is not None:
        auth = struct.pack("<BBBBI", 10, auth_level, 0, 0, 0) + b"\x00" * 16
    frag = 16 + len(body) + len(auth)
    return struct.pack("<BBBB4sHHI", 5, 0, ptype, flags, b"\x10\x00\x00\x00", frag,
                       16 if auth_level is not None else 0, call_id) + body + auth


def rpc_bind(auth_level: int | None) -> bytes:
    from sniffprint.dissectors.dcerpc import SPOOLSS_UUID
    ndr = b"\x04\x5d\x88\x8a" * 4 + b"\x02\x00\x00\x00"  # a transfer syntax and its version
    ctx = struct.pack("<HBB", 0, 1, 0) + SPOOLSS_UUID + struct.pack("<I", 1) + ndr
    return rpc_pdu(11, 1, struct.pack("<HHIBBH", 4280, 4280, 0, 1, 0, 0) + ctx, auth_level=auth_level)


def start_doc(name: str) -> bytes:
    s = (name + "\x00").encode("utf-16-le")
    n = len(s) // 2
    stub = b"H" * 20 + struct.pack("<IIIIII", 1, 1, 0x20000, 0x20004, 0, 0x20008)
    stub += struct.pack("<III", n, 0, n) + s + b"\x00" * (-len(s) % 4)
    stub += struct.pack("<III", 4, 0, 4) + "RAW\x00".encode("utf-16-le")
    return rpc_pdu(0, 2, struct.pack("<IHH", len(stub), 0, 17) + stub)


def write_printer(data: bytes) -> bytes:
    stub = b"H" * 20 + struct.pack("<I", len(data)) + data + b"\x00" * (-len(data) % 4) + struct.pack("<I", len(data))
    return rpc_pdu(0, 3, struct.pack("<IHH", len(stub), 0, 19) + stub)


def spoolss_script(auth_level: int | None) -> list[tuple[Direction, bytes]]:
    return login() + [
        (C, nbss(tree_req(10, r"\\srv\IPC$"))),
        (S, nbss(tree_resp(10, PIPE_TID, ShareType.PIPE))),
        (C, nbss(create_req(11, PIPE_TID, "spoolss"))),
        (S, nbss(create_resp(11, PIPE_TID, SPOOL_FID))),
        (C, nbss(write_req(12, PIPE_TID, SPOOL_FID, 0, rpc_bind(auth_level)))),
        (C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, start_doc("Quarterly.docx")))),
        (S, nbss(ioctl_resp(13, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, rpc_pdu(2, 2, b"\x00" * 12)))),
        (C, nbss(ioctl_req(14, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, write_printer(DOC)))),
        (C, nbss(ioctl_req(15, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE,
                           rpc_pdu(0, 4, struct.pack("<IHH", 20, 0, 23) + b"H" * 20)))),
    ]


def test_spoolss_start_doc_printer_names_the_document():
    ev = feed_every_way(new, spoolss_script(None))
    assert facts(ev)["spoolss_auth_level"] == "none"
    assert PrintSeen(True) in ev
    assert job_events(ev) == [JobStarted("smb"), JobField("user", "alice", "smb"),
                              JobField("document_name", "Quarterly.docx", "spoolss"), DocumentData(DOC), JobEnded()]


def test_spoolss_packet_privacy_hides_the_stub():
    ev = feed_every_way(new, spoolss_script(6))
    assert facts(ev)["spoolss_auth_level"] == "privacy"
    assert job_events(ev) == []


# ----------------------------------------------------------------- fuzz
def _stream(script, direction):
    return b"".join(d for dd, d in script if dd is direction)


def test_fuzz():
    scripts = [login() + print_job(DOC), spoolss_script(None), login(session_flags=4) + [(C, nbss(transform()))]]
    c2s = [_stream(s, C) for s in scripts] + [nbss(b"\xffSMB" + b"\x72" + b"\x00" * 40)]
    s2c = [_stream(s, S) for s in scripts]
    # single messages too, so mutations land in bodies more often than in framing
    c2s += [d for s in scripts for dd, d in s if dd is C]
    s2c += [d for s in scripts for dd, d in s if dd is S]
    fuzz(new, c2s, cases=2500, direction=C)
    fuzz(new, s2c, cases=2500, rnd_seed=2, direction=S)


# ----------------------------------------------------------------- reference captures (skipped if absent)
A5A = SHARED / "A5a_smb_print_clear.pcap"
A5B = SHARED / "A5b_smb_print_encrypted.pcap"


def _manifest_flows(name: str) -> list[dict]:
    for cap in json.loads((SHARED / "MANIFEST.json").read_text())["captures"]:
        if cap["file"] == name:
            return cap["print_flows"]
    return []


def _analyze(path):
    from sniffprint import analyze
    from sniffprint.options import Options
    return analyze(str(path), options=Options(reveal=True))


@pytest.mark.skipif(not A5A.exists(), reason="reference capture absent")
def test_a5a_clear_smb_print():
    report = _analyze(A5A)
    flows = {f["client_port"]: f for f in report.flows}
    for pf in _manifest_flows(A5A.name):
        port = int(pf["client"].rsplit(":", 1)[1])
        f = flows[port]
        assert f["print"] is True and f["protection"] == "none"
        assert f["smb_dialect"] == pf["smb_dialect_negotiated"][-1].removeprefix("SMB")
        assert f["smb_user"] == "alice" and f["smb_share"] == "officeprn"
        jobs = [j for j in report.jobs if j["uid"] == f["uid"]]
        assert len(jobs) == 1
        j = jobs[0]
        assert j["user"] == "alice" and j["document_name"] == pf["job_name"]
        assert j["bytes"] == pf["document"]["size"] and not j["partial"]
        assert set(j["languages"]) == set(pf["document"]["languages"])
    assert not [a for a in report.anomalies if a["kind"] in ("internal_error", "protocol_violation")]


@pytest.mark.skipif(not A5B.exists(), reason="reference capture absent")
def test_a5b_encrypted_smb_print():
    report = _analyze(A5B)
    assert report.flows
    for f in report.flows:
        assert f["protection"] == "smb3-encrypted" and f["print"] is None
        assert f["smb_dialect"] == "3.1.1" and f["smb_encryption_capable"] is True
    assert not report.jobs


@pytest.mark.skipif(shutil.which("tshark") is None or not A5A.exists(), reason="tshark or capture absent")
@pytest.mark.parametrize("cap", [A5A, A5B], ids=lambda p: p.name)
def test_tshark_agrees_on_dialect_and_share_type(cap):
    if not cap.exists():
        pytest.skip("capture absent")
    out = subprocess.run(["tshark", "-r", str(cap), "-Y", "smb2", "-T", "fields", "-e", "smb2.dialect",
                          "-e", "smb2.share_type", "-e", "smb2.flags.response", "-e", "smb2.cmd"],
                         capture_output=True, text=True, timeout=120).stdout
    dialects, share_types = set(), set()
    for line in out.splitlines():
        dialect, share, response, cmd = (line.split("\t") + ["", "", "", ""])[:4]
        if response in ("1", "True") and cmd == "0" and dialect:
            dialects.add(int(dialect, 16))
        if response in ("1", "True") and cmd == "3" and share:
            share_types.add(int(share, 16))
    report = _analyze(cap)
    assert {f["smb_dialect"] for f in report.flows} == {DIALECTS[d] for d in dialects}
    if ShareType.PRINT in share_types:
        assert all(f["print"] is True for f in report.flows)
    else:  # encrypted: tshark sees no tree connect either
        assert all(f["print"] is None for f in report.flows)


def test_resync_mid_message_with_following_messages_in_one_chunk():
    big = b"%!PS-Adobe-3.0\n" + b"B" * 150_000
    script = login() + print_job(big)
    c2s_tail = b"".join(d for dd, d in script[10:] if dd is C)  # writes and close, in one chunk
    d = new()
    events: list = []
    for direction, data in script[:8]:
        events += d.feed(direction, data)
    create = script[8][1]
    events += d.feed(C, create[:30])
    events += d.gap(C, 20)
    events += d.feed(S, script[9][1])  # the CREATE response finds no request: ignored
    events += d.feed(C, create[50:] + b"\x00junk" * 30_000 + c2s_tail)
    events += d.close()
    assert "smb_resync" in [e.kind for e in events if isinstance(e, Note)]
    assert doc_bytes(events) == big
    assert JobEnded() in job_events(events)
    assert len(d.readers[0].buf) < INLINE_MAX


DOC2 = b"%PDF-1.7\n" + b"second document\n" * 30


def two_files_script() -> list[tuple[Direction, bytes]]:
    """Two print files created on one connection, their WRITEs interleaved."""
    fid2 = bytes(range(100, 116))
    return login() + [
        (C, nbss(tree_req(10, r"\\srv\officeprn"))), (S, nbss(tree_resp(10, PRINT_TID, ShareType.PRINT))),
        (C, nbss(create_req(11, PRINT_TID, "one.prn"))), (S, nbss(create_resp(11, PRINT_TID, FID))),
        (C, nbss(create_req(12, PRINT_TID, "two.prn"))), (S, nbss(create_resp(12, PRINT_TID, fid2))),
        (C, nbss(write_req(13, PRINT_TID, FID, 0, DOC[:100]))),
        (C, nbss(write_req(14, PRINT_TID, fid2, 0, DOC2[:50]))),
        (C, nbss(write_req(15, PRINT_TID, FID, 100, DOC[100:]))),
        (C, nbss(write_req(16, PRINT_TID, fid2, 50, DOC2[50:]))),
        (C, nbss(close_req(17, PRINT_TID, FID))), (C, nbss(close_req(18, PRINT_TID, fid2))),
    ]


def test_two_print_files_open_at_once_keep_their_own_bytes():
    script = two_files_script()
    ev = feed_every_way(new, script)
    starts = [e for e in ev if isinstance(e, JobStarted)]
    assert len(starts) == 2 and starts[0].key != starts[1].key
    for start, doc, name in ((starts[0], DOC, "one.prn"), (starts[1], DOC2, "two.prn")):
        mine = [e for e in ev if getattr(e, "key", None) == start.key]
        assert b"".join(e.data for e in mine if isinstance(e, DocumentData)) == doc
        assert JobField("document_name", name, "smb", key=start.key) in mine
        assert mine[-1] == JobEnded(key=start.key)


def test_two_print_files_at_once_through_the_flow(tmp_path):
    from sniffprint import analyze
    from tests import pcapgen as g

    script = two_files_script()
    conv = g.Conversation(sport=445)
    frames = conv.handshake()
    for direction, data in script:
        frames += conv.c2s(data) if direction is C else conv.s2c(data)
    frames += conv.close()
    p = tmp_path / "two.pcap"
    p.write_bytes(g.pcap([g.ether(f) for f in frames]))
    jobs = analyze(str(p), reveal=True).jobs
    assert sorted((j["document_name"], j["bytes"], j["language"]) for j in jobs) == [
        ("one.prn", len(DOC), "PostScript"), ("two.prn", len(DOC2), "PDF")]
