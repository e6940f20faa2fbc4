"""A small DCE/RPC and NDR encoder for the tests, written from C706 12.6 / 13.2.6 / 14 and MS-RPCE
2.2 / MS-RPRN 2.2 / MS-PAR / C706 Appendix L-O independently of the parsers (it packs every field
itself, so a wrong offset in a parser shows up as a failure). Shared by ``tests/dissectors/dcerpc``
and the SMB pipe tests."""
from __future__ import annotations

import struct
import uuid

MS_RPRN = uuid.UUID("12345678-1234-abcd-ef00-0123456789ab")
MS_PAR = uuid.UUID("76f03f96-cdfd-44fc-a22c-64950a001209")
EPM = uuid.UUID("e1af8308-5d1f-11c9-91a4-08002b14a0fa")
NDR = uuid.UUID("8a885d04-1ceb-11c9-9fe8-08002b104860")
NDR64 = uuid.UUID("71710533-beba-4937-8319-b5dbef9ccc36")
BTFN = uuid.UUID("6cb71c2c-9812-4540-0300-000000000000")  # bind time feature negotiation
PAR_OBJECT = uuid.UUID("9940ca8e-512f-4c58-88a9-61098d6896bd")
HANDLE = b"\x00" * 4 + bytes(range(1, 17))  # a printer handle: attributes + UUID
HANDLE2 = b"\x00" * 4 + bytes(range(101, 117))
REQUEST, RESPONSE, FAULT, BIND, BIND_ACK, ALTER, ALTER_RESP, AUTH3 = 0, 2, 3, 11, 12, 14, 15, 16
NTLMSSP, SPNEGO, KERBEROS = 10, 9, 16
FIRST, LAST = 1, 2


def ubytes(u: uuid.UUID, little: bool = True) -> bytes:
    return u.bytes_le if little else u.bytes


def pdu(ptype: int, call_id: int, body: bytes, *, flags: int = FIRST | LAST, little: bool = True,
        auth: tuple[int, int, bytes] | None = None, pad_to: int = 4) -> bytes:
    """A PDU; ``auth`` = (auth_type, auth_level, token) appends a sec_trailer and its token, the
    body padded so the trailer is ``pad_to``-aligned (auth_pad_length says how much)."""
    e = "<" if little else ">"
    trailer = b""
    auth_len = 0
    if auth is not None:
        atype, level, token = auth
        pad = -(16 + len(body)) % pad_to
        body += b"\xee" * pad
        trailer = struct.pack("<BBBBI", atype, level, pad, 0, 0x79) + token
        auth_len = len(token)
    drep = b"\x10\x00\x00\x00" if little else b"\x00\x00\x00\x00"
    frag = 16 + len(body) + len(trailer)
    return struct.pack(e + "BBBB4sHHI", 5, 0, ptype, flags, drep, frag, auth_len, call_id) + body + trailer


def bind(call_id: int = 1, contexts: list[tuple[int, uuid.UUID, list[uuid.UUID]]] | None = None, *,
         auth: tuple[int, int, bytes] | None = None, ptype: int = BIND, little: bool = True) -> bytes:
    e = "<" if little else ">"
    contexts = contexts if contexts is not None else [(0, MS_RPRN, [NDR])]
    body = struct.pack(e + "HHIBBH", 4280, 4280, 0, len(contexts), 0, 0)
    for ctx_id, iface, transfers in contexts:
        body += struct.pack(e + "HBB", ctx_id, len(transfers), 0) + ubytes(iface, little) + struct.pack(e + "I", 1)
        for t in transfers:
            body += ubytes(t, little) + struct.pack(e + "I", 2 if t == NDR else 1)
    return pdu(ptype, call_id, body, auth=auth, little=little)


def bind_ack(call_id: int = 1, results: list[tuple[int, uuid.UUID]] | None = None, *,
             sec_addr: bytes = b"\\PIPE\\spoolss\x00", auth: tuple[int, int, bytes] | None = None,
             ptype: int = BIND_ACK, little: bool = True) -> bytes:
    e = "<" if little else ">"
    results = results if results is not None else [(0, NDR)]
    body = struct.pack(e + "HHIH", 4280, 4280, 0x1234, len(sec_addr)) + sec_addr
    body += b"\x00" * (-(16 + len(body)) % 4)
    body += struct.pack(e + "BBH", len(results), 0, 0)
    for result, t in results:
        body += struct.pack(e + "HH", result, 0) + ubytes(t, little) + struct.pack(e + "I", 2 if t == NDR else 1)
    return pdu(ptype, call_id, body, auth=auth, little=little)


def request(call_id: int, opnum: int, stub: bytes, *, ctx: int = 0, flags: int = FIRST | LAST,
            auth: tuple[int, int, bytes] | None = None, obj: uuid.UUID | None = None,
            alloc_hint: int | None = None, little: bool = True, pad_to: int = 4) -> bytes:
    e = "<" if little else ">"
    head = struct.pack(e + "IHH", len(stub) if alloc_hint is None else alloc_hint, ctx, opnum)
    if obj is not None:
        head += ubytes(obj, little)
        flags |= 0x80
    return pdu(REQUEST, call_id, head + stub, flags=flags, auth=auth, little=little, pad_to=pad_to)


def fragments(call_id: int, opnum: int, stub: bytes, size: int, **kw: object) -> list[bytes]:
    """A request cut into fragments of ``size`` stub bytes (alloc_hint: the bytes left)."""
    out = []
    for i in range(0, len(stub), size):
        flags = (FIRST if i == 0 else 0) | (LAST if i + size >= len(stub) else 0)
        out.append(request(call_id, opnum, stub[i:i + size], flags=flags, alloc_hint=len(stub) - i, **kw))  # type: ignore[arg-type]
    return out


def response(call_id: int, stub: bytes, *, ctx: int = 0, flags: int = FIRST | LAST,
             auth: tuple[int, int, bytes] | None = None, little: bool = True) -> bytes:
    e = "<" if little else ">"
    return pdu(RESPONSE, call_id, struct.pack(e + "IHBB", len(stub), ctx, 0, 0) + stub, flags=flags, auth=auth,
               little=little)


def fault(call_id: int, status: int = 0x1C010003) -> bytes:
    return pdu(FAULT, call_id, struct.pack("<IHBBII", 0, 0, 0, 0, status, 0))


def auth3(call_id: int, token: bytes, level: int = 6) -> bytes:
    return pdu(AUTH3, call_id, b"\x00" * 4, auth=(NTLMSSP, level, token))


# ----------------------------------------------------------------- NDR
class Ndr:
    """Marshals NDR (or NDR64) primitives with alignment from the start of the stub."""

    def __init__(self, ndr64: bool = False, little: bool = True) -> None:
        self.b = bytearray()
        self.ndr64 = ndr64
        self.e = "<" if little else ">"

    def align(self, n: int) -> Ndr:
        self.b += b"\x00" * (-len(self.b) % n)
        return self

    def raw(self, data: bytes) -> Ndr:
        self.b += data
        return self

    def u16(self, v: int) -> Ndr:
        self.align(2)
        self.b += struct.pack(self.e + "H", v)
        return self

    def u32(self, v: int) -> Ndr:
        self.align(4)
        self.b += struct.pack(self.e + "I", v)
        return self

    def u64(self, v: int) -> Ndr:
        self.align(8)
        self.b += struct.pack(self.e + "Q", v)
        return self

    def count(self, v: int) -> Ndr:
        return self.u64(v) if self.ndr64 else self.u32(v)

    def ptr(self, v: int) -> Ndr:
        return self.u64(v) if self.ndr64 else self.u32(v)

    def wstr(self, s: str) -> Ndr:
        data = (s + "\x00").encode("utf-16-le" if self.e == "<" else "utf-16-be")
        n = len(data) // 2
        self.count(n).count(0).count(n)
        self.b += data
        return self

    def bytes(self) -> bytes:
        return bytes(self.b)


def start_doc_stub(name: str | None, datatype: str | None = "RAW", output: str | None = None, *,
                   handle: bytes = HANDLE, ndr64: bool = False, double_level: bool = True) -> bytes:
    """RpcStartDocPrinter: handle, DOC_INFO_CONTAINER {Level, union(Level) -> DOC_INFO_1*}."""
    n = Ndr(ndr64).raw(handle)
    n.align(8 if ndr64 else 4).u32(1)
    if double_level:
        n.u32(1)
    n.ptr(0x20000)
    n.align(8 if ndr64 else 4)
    ptrs = [name, output, datatype]
    for i, v in enumerate(ptrs):
        n.ptr(0x20004 + 4 * i if v is not None else 0)
    for v in ptrs:
        if v is not None:
            n.wstr(v)
    return n.bytes()


def write_stub(data: bytes, *, handle: bytes = HANDLE, ndr64: bool = False) -> bytes:
    """RpcWritePrinter: handle, [ref, size_is(cbBuf)] pBuf (max count + bytes), cbBuf."""
    n = Ndr(ndr64).raw(handle).count(len(data)).raw(data)
    return n.u32(len(data)).bytes()


def handle_stub(handle: bytes = HANDLE) -> bytes:
    return handle


def open_printer_stub(printer: str | None, *, ex: bool = True, level: int = 1, machine: str | None = "\\\\WS-ALICE",
                      user: str | None = "alice", devmode: bytes = b"", ndr64: bool = False) -> bytes:
    """RpcOpenPrinterEx (or RpcOpenPrinter with ``ex=False``)."""
    n = Ndr(ndr64)
    n.ptr(0x20000 if printer is not None else 0)
    if printer is not None:
        n.wstr(printer)
    n.ptr(0)  # pDatatype
    n.align(8 if ndr64 else 4).u32(len(devmode)).ptr(0x20004 if devmode else 0)
    if devmode:
        n.count(len(devmode)).raw(devmode)
    n.u32(0x00000008)  # AccessRequired: PRINTER_ACCESS_USE
    if not ex:
        return n.bytes()
    n.align(8 if ndr64 else 4).u32(level).u32(level).ptr(0x20008)
    if level == 1:
        n.align(8 if ndr64 else 4).u32(28).ptr(0x2000C if machine else 0).ptr(0x20010 if user else 0)
        n.u32(9200).u32(6).u32(2).u16(9)
    else:
        n.align(8).u32(40).u32(0).u32(28).ptr(0x2000C if machine else 0).ptr(0x20010 if user else 0)
        n.u32(9200).u32(6).u32(2).u16(9).u64(0)
    if machine:
        n.wstr(machine)
    if user:
        n.wstr(user)
    return n.bytes()


def open_printer_resp_stub(handle: bytes = HANDLE, status: int = 0) -> bytes:
    return handle + struct.pack("<I", status)


# ----------------------------------------------------------------- EPM (C706 Appendix L / O)
def tower(iface: uuid.UUID, port: int, ip: bytes = b"\x0a\x4d\x00\x14") -> bytes:
    floors = [
        (b"\x0d" + iface.bytes_le + struct.pack("<H", 1), struct.pack("<H", 0)),
        (b"\x0d" + NDR.bytes_le + struct.pack("<H", 2), struct.pack("<H", 0)),
        (b"\x0b", struct.pack("<H", 0)),
        (b"\x07", struct.pack(">H", port)),
        (b"\x09", ip),
    ]
    out = struct.pack("<H", len(floors))
    for lhs, rhs in floors:
        out += struct.pack("<H", len(lhs)) + lhs + struct.pack("<H", len(rhs)) + rhs
    return out


def ept_map_resp_stub(towers: list[bytes]) -> bytes:
    n = Ndr().raw(b"\x00" * 20).u32(len(towers))
    n.u32(4).u32(0).u32(len(towers))
    for i in range(len(towers)):
        n.u32(0x30000 + i)
    for t in towers:
        n.u32(len(t)).u32(len(t)).raw(t).align(4)
    return n.u32(0).bytes()


# ----------------------------------------------------------------- NTLMSSP (MS-NLMP 2.2.1.3)
def ntlm_authenticate(user: str, domain: str = "CORP", ws: str = "WS-ALICE") -> bytes:
    fields = [b"", b"\x01" * 24, domain.encode("utf-16-le"), user.encode("utf-16-le"), ws.encode("utf-16-le"), b""]
    off = 88
    head = b"NTLMSSP\x00" + struct.pack("<I", 3)
    table, payload = b"", b""
    for f in fields:
        table += struct.pack("<HHI", len(f), len(f), off + len(payload))
        payload += f
    return head + table + struct.pack("<I", 0xE2088215) + b"\x00" * 24 + payload


NTLM_NEGOTIATE = b"NTLMSSP\x00\x01\x00\x00\x00" + struct.pack("<I", 0xE2088297) + b"\x00" * 16
SIGNATURE = b"\x01\x00\x00\x00" + b"\x5a" * 12  # an NTLMSSP message signature (MS-NLMP 2.2.2.9)
