"""A tiny SMB2 encoder (MS-SMB2 2.2) and the conversations the SMB tests feed, shared by
``tests/dissectors/smb/**``. Independent of the parsers: it packs fields itself, so a wrong
offset in a parser's ``struct.Struct`` shows up as a test failure."""
from __future__ import annotations

import dataclasses
import struct

from sniffprint.dissectors.events import DocumentData, DocumentGap, FlowFact, JobEnded, JobField, JobStarted
from sniffprint.dissectors.smb import SmbDissector
from sniffprint.dissectors.smb.smb2.header import (
    FLAG_ASYNC,
    FLAG_RESPONSE,
    STATUS_MORE_PROCESSING,
    STATUS_PENDING,
    Command,
)
from sniffprint.dissectors.smb.smb2.ioctl import FSCTL_PIPE_TRANSCEIVE
from sniffprint.dissectors.smb.state import ShareType
from sniffprint.model import Direction
from tests.dissectors.dcerpc import vectors as rpc
from tests.helpers import key

C, S = Direction.C2S, Direction.S2C
KEY = key(445)
PRINT_TID, PIPE_TID, DISK_TID = 7, 5, 9
SID = 0x1122334455667788
FID = bytes(range(16))
FID2 = bytes(range(16, 32))
SPOOL_FID = bytes(range(32, 48))


# ----------------------------------------------------------------- SMB2 messages
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


def read_req(mid: int, tid: int, fid: bytes, length: int = 4280) -> bytes:
    body = struct.pack("<HBBIQ16sIIIHH", 49, 0, 0, length, 0, fid, 0, 0, 0, 0, 0) + b"\x00"
    return msg(Command.READ, mid, body, tid=tid)


def read_resp(mid: int, tid: int, data: bytes, status: int = 0) -> bytes:
    body = struct.pack("<HBBIII", 17, 64 + 16, 0, len(data), 0, 0)
    return msg(Command.READ, mid, body + data, resp=True, tid=tid, status=status)


def interim(cmd: int, mid: int, async_id: int = 77) -> bytes:
    """An interim STATUS_PENDING response (MS-SMB2 3.3.4.2): an async header and an error body."""
    return msg(cmd, mid, b"\x09\x00\x00\x00\x00\x00\x00\x00\x00", resp=True, status=STATUS_PENDING,
               async_id=async_id)


def ioctl_req(mid: int, tid: int, fid: bytes, ctl: int, data: bytes) -> bytes:
    body = struct.pack("<HHI16sIIIIIIII", 57, 0, ctl, fid, 64 + 56, len(data), 0, 0, 0, 4280, 1, 0)
    return msg(Command.IOCTL, mid, body + data, tid=tid)


def ioctl_resp(mid: int, tid: int, fid: bytes, ctl: int, data: bytes, status: int = 0,
               async_id: int | None = None) -> bytes:
    body = struct.pack("<HHI16sIIIIII", 49, 0, ctl, fid, 64 + 48, 0, 64 + 48, len(data), 0, 0)
    return msg(Command.IOCTL, mid, body + data, resp=True, tid=tid, status=status, async_id=async_id)


def transform(payload_len: int = 100) -> bytes:
    head = b"\xfdSMB" + b"\x11" * 16 + b"\x22" * 16 + struct.pack("<IHHQ", payload_len, 0, 1, SID)
    return head + b"\x99" * payload_len


# ----------------------------------------------------------------- conversations
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


# ----------------------------------------------------------------- spoolss over IPC$
def rpc_bind(auth_level: int | None) -> bytes:
    return rpc.bind(1, auth=(rpc.NTLMSSP, auth_level, rpc.NTLM_NEGOTIATE) if auth_level else None)


def _auth(auth_level: int | None) -> tuple[int, int, bytes] | None:
    return (rpc.NTLMSSP, auth_level, rpc.SIGNATURE) if auth_level else None


def start_doc(name: str, auth_level: int | None = None) -> bytes:
    return rpc.request(2, 17, rpc.start_doc_stub(name), auth=_auth(auth_level))


def write_printer(data: bytes, auth_level: int | None = None) -> bytes:
    return rpc.request(3, 19, rpc.write_stub(data), auth=_auth(auth_level))


def end_doc(auth_level: int | None = None) -> bytes:
    return rpc.request(4, 23, rpc.handle_stub(), auth=_auth(auth_level))


# OpenPrinterEx naming "bob" on WS-BOB, and its answer with the printer handle: a job started on
# that handle gets JobField("user", "bob", "spoolss") only if the answer reached the pipe
OPEN_PRINTER = rpc.request(5, 69, rpc.open_printer_stub("\\\\srv\\officeprn", user="bob", machine="WS-BOB"))
OPEN_PRINTER_RESP = rpc.response(5, rpc.open_printer_resp_stub())
BOB = JobField("user", "bob", "spoolss")


def spoolss_script(auth_level: int | None) -> list[tuple[Direction, bytes]]:
    return login() + [
        (C, nbss(tree_req(10, r"\\srv\IPC$"))),
        (S, nbss(tree_resp(10, PIPE_TID, ShareType.PIPE))),
        (C, nbss(create_req(11, PIPE_TID, "spoolss"))),
        (S, nbss(create_resp(11, PIPE_TID, SPOOL_FID))),
        (C, nbss(write_req(12, PIPE_TID, SPOOL_FID, 0, rpc_bind(auth_level)))),
        (C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, start_doc("Quarterly.docx", auth_level)))),
        (S, nbss(ioctl_resp(13, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, rpc.response(2, b"\x00" * 8)))),
        (C, nbss(ioctl_req(14, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, write_printer(DOC, auth_level)))),
        (C, nbss(ioctl_req(15, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, end_doc(auth_level)))),
    ]


def pipe_open() -> list[tuple[Direction, bytes]]:
    """Log in, connect IPC$ and open \\PIPE\\spoolss as SPOOL_FID."""
    return login() + [
        (C, nbss(tree_req(10, r"\\srv\IPC$"))), (S, nbss(tree_resp(10, PIPE_TID, ShareType.PIPE))),
        (C, nbss(create_req(11, PIPE_TID, "spoolss"))), (S, nbss(create_resp(11, PIPE_TID, SPOOL_FID))),
    ]


# ----------------------------------------------------------------- reading the events
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
