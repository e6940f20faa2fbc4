"""A small SMB1 encoder (MS-CIFS 2.2.3-2.2.4, MS-SMB 2.2.4) and the SMB1 conversations the tests feed.

Independent of the parsers: every block is packed here field by field, AndX chains get their
offsets computed here, so a wrong offset in a parser shows up as a failure."""
from __future__ import annotations

import struct
from typing import Any

from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.wire import C, S, nbss, ntlm_auth, spnego

UID, PID = 0x0064, 0xFEFF
PRINT_TID, IPC_TID, DISK_TID = 0x0801, 0x0802, 0x0803
PRINT_FID, PIPE_FID, DISK_FID = 0x4001, 0x4002, 0x4003
FLAGS2 = 0xC807  # UNICODE | NT_STATUS | EXTENDED_SECURITY(0x0800) | ... (MS-CIFS 2.2.3.1)
FLAGS2_OEM = 0x4001  # NT_STATUS, LONG_NAMES: strings in OEM
NO_ANDX = 0xFF


def header(cmd: int, *, reply: bool = False, status: int = 0, flags2: int = FLAGS2, tid: int = 0,
           pid: int = PID, uid: int = UID, mid: int = 1) -> bytes:
    return struct.pack("<4sBIBHH8sHHHHH", b"\xffSMB", cmd, status, 0x98 if reply else 0x18, flags2, pid >> 16,
                       b"\x00" * 8, 0, tid, pid & 0xFFFF, uid, mid)


def block(words: bytes, data: bytes) -> bytes:
    # a large WRITE_ANDX's data outgrows ByteCount (MS-SMB 2.2.4.5.1: the length is in the words)
    return bytes([len(words) // 2]) + words + struct.pack("<H", len(data) & 0xFFFF) + data


def message(cmd: int, words: bytes = b"", data: bytes = b"", **h: object) -> bytes:
    return header(cmd, **h) + block(words, data)  # type: ignore[arg-type]


def chain(blocks: list[tuple[int, bytes, Any]], **h: object) -> bytes:
    """An AndX chain: each block's words start with AndXCommand / AndXReserved / AndXOffset. A
    block's data may be a function of where it lands (Unicode strings start on even offsets)."""
    out = header(blocks[0][0], **h)  # type: ignore[arg-type]
    for i, (_cmd, words, data) in enumerate(blocks):
        if callable(data):
            data = data(len(out) + 1 + 4 + len(words) + 2)
        last = i == len(blocks) - 1
        size = 1 + 4 + len(words) + 2 + len(data)
        nxt = NO_ANDX if last else blocks[i + 1][0]
        out += block(struct.pack("<BBH", nxt, 0, 0 if last else len(out) + size) + words, data)
    return out


def u16z(s: str) -> bytes:
    return (s + "\x00").encode("utf-16-le")


# ----------------------------------------------------------------- commands
def negotiate_req(dialects: list[str]) -> bytes:
    return message(0x72, data=b"".join(b"\x02" + d.encode() + b"\x00" for d in dialects), uid=0, mid=0)


def negotiate_resp(index: int, mode: int = 0x03) -> bytes:
    words = struct.pack("<HBHHIIIIQhB", index, mode, 50, 1, 16644, 65536, 0, 0x8000E3FD, 0, 0, 0)
    return message(0x72, words, b"G" * 16, reply=True, uid=0, mid=0)


def _setup_words(blob_len: int) -> bytes:  # 2.2.4.6.1 after AndX: MaxBuffer, MaxMpx, VcNumber, SessionKey, ...
    return struct.pack("<HHHIHII", 16644, 50, 0, 0, blob_len, 0, 0x800000D4)


def session_setup_req(blob: bytes, mid: int, uid: int = 0) -> tuple[int, bytes, bytes]:
    return 0x73, _setup_words(len(blob)), blob + u16z("Unix") + u16z("Samba")


def session_setup_plain(user: str, domain: str, oem_pw: bytes = b"", uni_pw: bytes = b"",
                        unicode: bool = True) -> tuple[int, bytes, bytes]:
    words = struct.pack("<HHHIHHII", 16644, 50, 0, 0, len(oem_pw), len(uni_pw), 0, 0xD4)
    if unicode:
        at = 32 + 1 + 4 + len(words) + 2 + len(oem_pw) + len(uni_pw)
        data = oem_pw + uni_pw + b"\x00" * (at & 1) + u16z(user) + u16z(domain) + u16z("Unix") + u16z("Samba")
    else:
        data = oem_pw + uni_pw + user.encode() + b"\x00" + domain.encode() + b"\x00Unix\x00Samba\x00"
    return 0x73, words, data


def session_setup_resp(status: int = 0, blob: bytes = b"") -> tuple[int, bytes, bytes]:
    return 0x73, struct.pack("<HH", 0, len(blob)), blob + u16z("Unix")


def tree_connect_req(path: str) -> tuple[int, bytes, Any]:
    # Flags, PasswordLength 1; a pad byte after the password when the path would start on an odd offset
    return 0x75, struct.pack("<HH", 0, 1), lambda at: b"\x00" + b"\x00" * ((at + 1) & 1) + u16z(path) + b"?????\x00"


def tree_connect_resp(service: str) -> tuple[int, bytes, bytes]:
    return 0x75, struct.pack("<H", 1), service.encode() + b"\x00" + u16z("NTFS" if service == "A:" else "")


def nt_create_req(name: str) -> tuple[int, bytes, bytes]:
    n = name.encode("utf-16-le")
    words = struct.pack("<BHIIIQIIIIIB", 0, len(n), 0x16, 0, 0x2019F, 0, 0, 7, 1, 0x40, 2, 0)
    return 0xA2, words, b"\x00" + n  # a pad byte: the name starts on an even offset


def nt_create_resp(fid: int) -> tuple[int, bytes, bytes]:
    return 0xA2, struct.pack("<BH", 0, fid) + b"\x00" * 61, b""


def open_andx_req(name: str) -> tuple[int, bytes, bytes]:
    return 0x2D, b"\x00" * 26, b"\x00" + u16z(name)


def open_andx_resp(fid: int) -> tuple[int, bytes, bytes]:
    return 0x2D, struct.pack("<H", fid) + b"\x00" * 24, b""


def write_andx_req(fid: int, offset: int, data: bytes, *, mode: int = 0, remaining: int = 0, mid: int = 1,
                   tid: int = PRINT_TID) -> bytes:
    # after AndX: FID, Offset, Timeout, WriteMode, Remaining, DataLengthHigh, DataLength, DataOffset, OffsetHigh
    doff = 32 + 1 + 28 + 2 + 1
    words = struct.pack("<HIIHHHHHI", fid, offset & 0xFFFFFFFF, 0, mode, remaining, len(data) >> 16,
                        len(data) & 0xFFFF, doff, offset >> 32)
    return chain([(0x2F, words, b"\x00" + data)], tid=tid, mid=mid)


def write_req(fid: int, offset: int, data: bytes, mid: int = 1) -> bytes:
    words = struct.pack("<HHIH", fid, len(data), offset, 0)
    return message(0x0B, words, b"\x01" + struct.pack("<H", len(data)) + data, tid=PRINT_TID, mid=mid)


def read_andx_req(fid: int, mid: int) -> bytes:
    words = struct.pack("<HIHHIHI", fid, 0, 65000, 0, 0, 65000, 0)
    return chain([(0x2E, words, b"")], tid=IPC_TID, mid=mid)


def read_andx_resp(data: bytes, mid: int, status: int = 0) -> bytes:
    doff = 32 + 1 + 24 + 2 + 1
    words = struct.pack("<HHHHHH8s", 0, 0, 0, len(data) & 0xFFFF, doff, len(data) >> 16, b"\x00" * 8)
    return chain([(0x2E, words, b"\x00" + data)], reply=True, tid=IPC_TID, mid=mid, status=status)


def trans_req(fid: int, data: bytes, mid: int, total: int | None = None) -> bytes:
    doff = 84  # header 32, WordCount, 16 words, ByteCount = 67; pad 1, "\PIPE\" 14 = 82; pad to 84
    words = struct.pack("<HHHHBBHIHHHHHBBHH", 0, len(data) if total is None else total, 0, 4280, 0, 0, 0, 0, 0,
                        0, doff, len(data), doff, 2, 0, 0x0026, fid)
    return message(0x25, words, b"\x00" + u16z("\\PIPE\\") + b"\x00\x00" + data, tid=IPC_TID, mid=mid)


def trans_secondary(data: bytes, mid: int, total: int, disp: int) -> bytes:
    doff = 52
    words = struct.pack("<HHHHHHHH", 0, total, 0, doff, 0, len(data), doff, disp)
    return message(0x26, words, b"\x00" + data, tid=IPC_TID, mid=mid)


def trans_resp(data: bytes, mid: int, total: int | None = None, disp: int = 0, status: int = 0) -> bytes:
    doff = 56
    words = struct.pack("<HHHHHHHHHBB", 0, len(data) if total is None else total, 0, 0, doff, 0, len(data), doff,
                        disp, 0, 0)
    return message(0x25, words, b"\x00" + data, reply=True, tid=IPC_TID, mid=mid, status=status)


def trans_interim(mid: int) -> bytes:
    return message(0x25, reply=True, tid=IPC_TID, mid=mid)


def open_print_file_req(name: str, mid: int, tid: int = PRINT_TID) -> bytes:
    return message(0xC0, struct.pack("<HH", 0, 1), b"\x04" + u16z(name), tid=tid, mid=mid)


def open_print_file_resp(fid: int, mid: int, tid: int = PRINT_TID) -> bytes:
    return message(0xC0, struct.pack("<H", fid), reply=True, tid=tid, mid=mid)


def write_print_file_req(fid: int, data: bytes, mid: int) -> bytes:
    return message(0xC1, struct.pack("<H", fid), b"\x01" + struct.pack("<H", len(data)) + data, tid=PRINT_TID,
                   mid=mid)


def close_req(fid: int, mid: int, cmd: int = 0x04, tid: int = PRINT_TID) -> bytes:
    words = struct.pack("<HI", fid, 0) if cmd == 0x04 else struct.pack("<H", fid)
    return message(cmd, words, tid=tid, mid=mid)


# ----------------------------------------------------------------- conversations
NBSS_REQUEST = b"\x81\x00\x00\x44" + b"\x20" + b"CA" * 16 + b"\x00" + b"\x20" + b"EB" * 16 + b"\x00"
NBSS_POSITIVE = b"\x82\x00\x00\x00"


def login(user: str = "alice") -> list:
    return [
        (C, nbss(negotiate_req(["PC NETWORK PROGRAM 1.0", "LANMAN1.0", "NT LANMAN 1.0", "NT LM 0.12"]))),
        (S, nbss(negotiate_resp(3))),
        (C, nbss(chain([session_setup_req(spnego(rpc.NTLM_NEGOTIATE), 1)], uid=0, mid=1))),
        (S, nbss(chain([session_setup_resp()], reply=True, status=0xC0000016, mid=1))),
        (C, nbss(chain([session_setup_req(spnego(ntlm_auth(user, "CORP", "WS-ALICE")), 2)], mid=2))),
        (S, nbss(chain([session_setup_resp()], reply=True, mid=2))),
    ]


def print_share(doc: bytes, name: str = "report.ps") -> list:
    half = len(doc) // 2
    return [
        (C, nbss(chain([tree_connect_req(r"\\SRV\FLOOR2")], mid=3))),
        (S, nbss(chain([tree_connect_resp("LPT1:")], reply=True, tid=PRINT_TID, mid=3))),
        (C, nbss(chain([nt_create_req(name)], tid=PRINT_TID, mid=4))),
        (S, nbss(chain([nt_create_resp(PRINT_FID)], reply=True, tid=PRINT_TID, mid=4))),
        (C, nbss(write_andx_req(PRINT_FID, 0, doc[:half], mid=5))),
        (C, nbss(write_andx_req(PRINT_FID, half, doc[half:], mid=6))),
        (C, nbss(close_req(PRINT_FID, 7))),
    ]


def ipc_pipe() -> list:
    return [
        (C, nbss(chain([tree_connect_req(r"\\SRV\IPC$")], mid=3))),
        (S, nbss(chain([tree_connect_resp("IPC")], reply=True, tid=IPC_TID, mid=3))),
        (C, nbss(chain([nt_create_req("\\spoolss")], tid=IPC_TID, mid=4))),
        (S, nbss(chain([nt_create_resp(PIPE_FID)], reply=True, tid=IPC_TID, mid=4))),
    ]
