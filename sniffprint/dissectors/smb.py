"""SMB over TCP: NetBIOS session framing, SMB1 recognition and SMB2/3 (MS-SMB2) print jobs.

Read from: RFC 1002 4.3 (NetBIOS session service), MS-SMB2 2.1 (direct TCP transport), MS-SMB2 2.2
(messages), MS-NLMP (NTLMSSP, ``ntlmssp``), MS-RPCE / MS-RPRN (spoolss over a pipe, ``dcerpc``),
MS-CIFS 2.2.3 (the SMB1 header, only recognised).

Framing. Each message is a 4-byte session header and one SMB message. On 445 the header is type
0x00 and a 24-bit length (MS-SMB2 2.1); on 139 the types are RFC 1002's: 0x00 session message,
0x81 session request, 0x82 positive response, 0x83 negative, 0x84 retarget, 0x85 keep-alive, and
the length is 17 bits (the E bit of the flags octet extends it). The message starts with
``\\xffSMB`` (SMB1: obsolete, never encrypted), ``\\xfeSMB`` (the SMB2 header, 2.2.1), ``\\xfdSMB``
(TRANSFORM_HEADER, 2.2.41: everything inside is encrypted) or ``\\xfcSMB`` (compression, 2.2.42).

What is understood in SMB2/3:
- the 64-byte header, sync and async forms, and compound chains (NextCommand, 3.2.4.1.4; a
  related operation's FileId of all 0xFF means "the file the previous CREATE opened", 3.3.5.2.7.2);
- NEGOTIATE (2.2.3/2.2.4): dialects offered and chosen, SecurityMode, Capabilities and the 3.1.1
  negotiate contexts (ENCRYPTION_CAPABILITIES' ciphers);
- SESSION_SETUP (2.2.5/2.2.6): the NTLMSSP AUTHENTICATE user, domain and workstation, and the
  final SessionFlags (IS_GUEST, IS_NULL, ENCRYPT_DATA);
- TREE_CONNECT (2.2.9/2.2.10): the path of the request, matched by MessageId to the response's
  ShareType (disk, pipe, print), ShareFlags (ENCRYPT_DATA) and Capabilities, under its TreeId;
- CREATE (2.2.13/2.2.14) name matched to the response's FileId; WRITE (2.2.21); READ (2.2.19/
  2.2.20, for pipes); IOCTL FSCTL_PIPE_TRANSCEIVE (2.2.31/2.2.32); CLOSE (2.2.15).

What decides ``print``: the TREE_CONNECT response's ShareType 0x03. A file created on a print share
is a print job: JobStarted at its CREATE, its name as ``document_name``, the session's NTLMSSP user,
its WRITE data as the document in file-offset order, JobEnded at its CLOSE. Writes to a disk share
are a file copy, not printing. ``\\PIPE\\spoolss`` on IPC$ is handed to ``dcerpc.RpcPipe``
(RpcStartDocPrinter names a document). A session whose messages are all in transform headers
hides its shares, so ``print`` is null (unknown) unless a print share was seen in clear before.

Invariants:
- Memory is bounded: a message up to ``INLINE_MAX`` is buffered whole; a longer one (an 8 MiB WRITE
  or READ) is parsed from its first ``LARGE_PREFIX`` bytes and the rest is streamed (WRITE data
  handed on as DocumentData piece by piece) or skipped. Every per-session table is capped.
- Only ``ProtocolViolation`` escapes, and only for framing that cannot be SMB; a damaged body of a
  well-framed message is skipped (SMB payloads are parsed best effort).
- After a capture gap inside a streamed message the stream goes on (DocumentGap for the missing
  document bytes); elsewhere the framing is resynchronised on the next plausible SMB header.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

from ..errors import ProtocolViolation
from ..model import Direction, FlowKey, Protection, Service
from . import ntlmssp
from ._buffer import Buffer
from .base import Dissector
from .dcerpc import RpcPipe
from .events import (
    DocumentData,
    DocumentGap,
    Event,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)

C2S, S2C = Direction.C2S, Direction.S2C

# --- NetBIOS session service (RFC 1002 4.3.1)
NBSS_MESSAGE = 0x00
NBSS_REQUEST, NBSS_POSITIVE, NBSS_NEGATIVE, NBSS_RETARGET, NBSS_KEEPALIVE = 0x81, 0x82, 0x83, 0x84, 0x85
NBSS_TYPES = frozenset({0x00, 0x81, 0x82, 0x83, 0x84, 0x85})

SMB1 = b"\xffSMB"
SMB2 = b"\xfeSMB"
SMB2_TRANSFORM = b"\xfdSMB"
SMB2_COMPRESSED = b"\xfcSMB"
SMB_MAGICS = (SMB1, SMB2, SMB2_TRANSFORM, SMB2_COMPRESSED)

INLINE_MAX = 64 * 1024 + 4  # messages up to this size (with the NBSS header) are buffered whole
LARGE_PREFIX = 4 + 4096  # bytes of a longer message read before it is streamed or skipped
MAX_TABLE = 1024  # entries per table (pending requests, trees, files, sessions)
MAX_REORDER = 1 << 20  # out-of-order WRITE bytes held per print file before giving up on the hole
RESYNC_WINDOW = 64 * 1024  # bytes searched for the next SMB header after a gap

# --- SMB2 header (MS-SMB2 2.2.1)
_HDR = struct.Struct("<4sHHIHHIIQQQ16s")  # sync and async share one layout; bytes 32..40 differ
HDR_LEN = 64
FLAG_RESPONSE = 0x00000001  # SMB2_FLAGS_SERVER_TO_REDIR
FLAG_ASYNC = 0x00000002  # SMB2_FLAGS_ASYNC_COMMAND: bytes 32..40 are an AsyncId, no TreeId
FLAG_RELATED = 0x00000004  # SMB2_FLAGS_RELATED_OPERATIONS: inherits ids from the previous one
FLAG_SIGNED = 0x00000008  # SMB2_FLAGS_SIGNED

NEGOTIATE, SESSION_SETUP, LOGOFF, TREE_CONNECT, TREE_DISCONNECT = 0x00, 0x01, 0x02, 0x03, 0x04
CREATE, CLOSE, FLUSH, READ, WRITE, LOCK, IOCTL = 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B

STATUS_SUCCESS = 0x00000000
STATUS_PENDING = 0x00000103  # interim async response: the final one follows with the same MessageId
STATUS_MORE_PROCESSING = 0xC0000016  # a SESSION_SETUP leg that is not the last
STATUS_BUFFER_OVERFLOW = 0x80000005  # READ on a pipe: more of the message remains (still has data)

DIALECTS = {0x0202: "2.0.2", 0x0210: "2.1", 0x0300: "3.0", 0x0302: "3.0.2", 0x0311: "3.1.1"}
SIGNING_ENABLED, SIGNING_REQUIRED = 0x01, 0x02  # SecurityMode
CAP_ENCRYPTION = 0x00000040  # SMB2_GLOBAL_CAP_ENCRYPTION (3.0 / 3.0.2; 3.1.1 uses a context)
CTX_ENCRYPTION = 0x0002  # SMB2_ENCRYPTION_CAPABILITIES negotiate context (2.2.3.1.2)
CIPHERS = {1: "AES-128-CCM", 2: "AES-128-GCM", 3: "AES-256-CCM", 4: "AES-256-GCM"}
SESSION_IS_GUEST, SESSION_IS_NULL, SESSION_ENCRYPT_DATA = 0x0001, 0x0002, 0x0004
SHARE_DISK, SHARE_PIPE, SHARE_PRINT = 0x01, 0x02, 0x03
SHARE_TYPES = {SHARE_DISK: "disk", SHARE_PIPE: "pipe", SHARE_PRINT: "print"}
SHAREFLAG_ENCRYPT_DATA = 0x00008000
TREE_FLAG_EXTENSION_PRESENT = 0x0004  # 3.1.1: the buffer starts with a TREE_CONNECT extension
FSCTL_PIPE_TRANSCEIVE = 0x0011C017
RELATED_FID = b"\xff" * 16  # "the FileId of the previous CREATE in this chain"
SPOOLSS_PIPES = frozenset({"spoolss"})

# --- SMB1 (MS-CIFS 2.2.3.1): only what marks it
SMB1_NEGOTIATE = 0x72
SMB1_TREE_CONNECT_ANDX = 0x75
SMB1_FLAGS_REPLY = 0x80

# Flow facts this dissector knows but the flow record does not list yet (``Flow.FACTS``): they are
# dropped here until the names are added there; then remove them from this set.
# A plausible start of a message after a gap: a session-message header and an SMB magic.
_RESYNC = re.compile(rb"\x00[\x00-\xff]{3}[\xfc-\xff]SMB")


@dataclass(slots=True)
class Tree:
    path: str
    share_type: int = 0  # 0 until the response is seen
    flags: int = 0
    capabilities: int = 0

    @property
    def share(self) -> str:
        return self.path.rsplit("\\", 1)[-1]


@dataclass(slots=True)
class File:
    name: str
    tree: Tree | None
    session: int
    rpc: RpcPipe | None = None
    job: bool = False  # a print job is open for this file
    closed: bool = False  # CLOSE was sent (a compound's CREATE response may still follow)
    next_offset: int = 0  # the next file offset handed on as document data
    held: dict[int, bytes] = field(default_factory=dict)  # out-of-order writes waiting for a hole
    held_bytes: int = 0
    reordered: bool = False  # an out-of-order write was noted
    key: str | None = None  # its job's key: several print files may be open on one connection

    @property
    def printing(self) -> bool:
        return self.tree is not None and self.tree.share_type == SHARE_PRINT


@dataclass(slots=True)
class Pending:
    """What a request said that its response needs (matched by MessageId)."""

    command: int
    tree: Tree | None = None
    file: File | None = None


class _Reader:
    """Framing state of one direction."""

    __slots__ = ("buf", "left", "sink", "lost")

    def __init__(self) -> None:
        self.buf = Buffer(INLINE_MAX + RESYNC_WINDOW)
        self.left = 0  # bytes of a large message still to come (streamed or skipped)
        self.sink: _Sink | None = None  # where the rest of a large WRITE goes
        self.lost = False  # framing lost after a gap: searching for the next header


class _Sink:
    """The data window of a large WRITE, streamed to its target as the bytes arrive."""

    __slots__ = ("pos", "start", "end", "target")

    def __init__(self, pos: int, start: int, end: int, target: _Target) -> None:
        self.pos = pos  # message-relative position of the next byte
        self.start, self.end = start, end  # the write data's window in the message
        self.target = target

    def push(self, chunk: bytes) -> list[Event]:
        a = max(self.start - self.pos, 0)
        b = min(self.end - self.pos, len(chunk))
        rel = self.pos + a - self.start
        self.pos += len(chunk)
        return self.target.data(rel, chunk[a:b]) if b > a else []

    def skip(self, n: int) -> list[Event]:
        """``n`` bytes of the message were not captured."""
        a, b = max(self.start, self.pos), min(self.end, self.pos + n)
        self.pos += n
        return self.target.gap(a - self.start, b - a) if b > a else []


class _Target:
    """Where the data of one WRITE goes: ``rel`` is the offset inside the write's data."""

    def data(self, rel: int, b: bytes) -> list[Event]:
        raise NotImplementedError

    def gap(self, rel: int, n: int) -> list[Event]:
        raise NotImplementedError


class _PrintTarget(_Target):
    __slots__ = ("smb", "file", "offset", "streamed")

    def __init__(self, smb: SmbDissector, f: File, offset: int, streamed: bool) -> None:
        self.smb, self.file, self.offset, self.streamed = smb, f, offset, streamed

    def data(self, rel: int, b: bytes) -> list[Event]:
        return self.smb._print_data(self.file, self.offset + rel, b, hold=not self.streamed)

    def gap(self, rel: int, n: int) -> list[Event]:
        return self.smb._print_gap(self.file, self.offset + rel + n)


class _RpcTarget(_Target):
    __slots__ = ("smb", "rpc")

    def __init__(self, smb: SmbDissector, rpc: RpcPipe) -> None:
        self.smb, self.rpc = smb, rpc

    def data(self, rel: int, b: bytes) -> list[Event]:
        return self.smb._rpc(self.rpc, C2S, b)

    def gap(self, rel: int, n: int) -> list[Event]:
        self.rpc.dead = True  # a PDU stream with a hole cannot be re-framed
        return [Note("dcerpc_unparsed", f"{n} bytes of a pipe write missing")]


def _put(table: dict, k: object, v: object) -> None:  # type: ignore[type-arg]
    """Insert with a cap: the oldest entry goes first (dicts keep insertion order)."""
    if k not in table and len(table) >= MAX_TABLE:
        del table[next(iter(table))]
    table[k] = v


def _utf16(b: bytes) -> str:
    return b.decode("utf-16-le", "replace").rstrip("\x00")


class SmbDissector(Dissector):
    name = "smb"
    service = Service.SMB
    ports = frozenset({445, 139})

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.readers = (_Reader(), _Reader())
        self.encrypted = False
        self.print_share = False
        self.jobs_started = 0  # numbers the print files' job keys
        self.dialect: str | None = None
        self.offered: list[str] = []
        self.signing: bool | None = None
        self.encryption_capable: bool | None = None
        self.cipher: str | None = None
        self.encryption_required = False
        self.smb1_offered = False  # an SMB1 NEGOTIATE was sent
        self.smb1: bool | None = None
        self.users: dict[int, ntlmssp.NtlmMessage] = {}  # SessionId -> AUTHENTICATE
        self.user: ntlmssp.NtlmMessage | None = None  # the last one, for sessions not seen
        self.session_flags: dict[int, int] = {}
        self.pending: dict[int, Pending] = {}  # MessageId -> request
        self.trees: dict[int, Tree] = {}  # TreeId -> tree
        self.files: dict[bytes, File] = {}  # FileId -> file
        self.shares: list[str] = []
        self.print_only = False  # smb_share lists print shares only
        self.compressed_noted = False

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        for head in (c2s, s2c):
            if len(head) >= 8 and head[0] == NBSS_MESSAGE and head[4:8] in SMB_MAGICS:
                return 0.95
            if len(head) >= 4 and head[0] == NBSS_REQUEST and key.server_port == 139:
                return 0.8
        return 0.0

    # ------------------------------------------------------------- framing
    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        r = self.readers[direction]
        out: list[Event] = []
        i, n = 0, len(data)
        while i < n:
            if r.left:  # inside a large message: stream or skip without buffering
                k = min(r.left, n - i)
                if r.sink is not None:
                    out += r.sink.push(data[i:i + k])
                r.left -= k
                i += k
                if not r.left:
                    r.sink = None
                continue
            if r.lost:  # search the next header, a window at a time (the buffer stays bounded)
                chunk = data[i:i + RESYNC_WINDOW]
                i += len(chunk)
                r.buf.feed(chunk)
                rest = self._resync(r)
                if rest:
                    out += self.feed(direction, rest)  # in step again: replay what followed the header
                continue
            have = len(r.buf)
            if have < 4:
                need = 4 - have
            else:
                total = 4 + self._length(r)
                need = (total if total <= INLINE_MAX else LARGE_PREFIX) - have
            if need > 0:
                piece = data[i:i + need]
                r.buf.feed(piece)
                i += len(piece)
                if len(piece) < need:
                    break
            out += self._frame(direction, r)
        return out

    def _length(self, r: _Reader) -> int:
        b = r.buf.data
        if b[0] not in NBSS_TYPES:
            raise ProtocolViolation(f"NetBIOS session type 0x{b[0]:02x}", r.buf.consumed)
        if b[0] == NBSS_MESSAGE:
            return int.from_bytes(b[1:4], "big")  # MS-SMB2 2.1: 24-bit length on direct TCP
        return ((b[1] & 1) << 16) | int.from_bytes(b[2:4], "big")  # RFC 1002: E bit + 16 bits

    def _frame(self, direction: Direction, r: _Reader) -> list[Event]:
        """A complete small message, or the prefix of a large one, is in the buffer."""
        if len(r.buf) < 4:
            return []
        ntype = r.buf.data[0]
        total = 4 + self._length(r)
        if total <= INLINE_MAX:
            if len(r.buf) < total:
                return []
            msg = r.buf.take(total)[4:]
            if ntype != NBSS_MESSAGE or not msg:
                return []  # session request/response/keep-alive: nothing to read
            return self._message(direction, msg)
        if len(r.buf) < LARGE_PREFIX:
            return []
        if ntype != NBSS_MESSAGE:
            raise ProtocolViolation(f"NetBIOS type 0x{ntype:02x} of {total} bytes", r.buf.consumed)
        prefix = r.buf.take(LARGE_PREFIX)[4:]
        r.left = total - LARGE_PREFIX
        return self._message(direction, prefix, r)

    def _resync(self, r: _Reader) -> bytes | None:
        """Look for the next plausible message in a lost direction; return the bytes from it on."""
        b = r.buf.data
        pos = 0
        while True:
            m = _RESYNC.search(b, pos)
            if m is None:
                r.buf.take(max(0, len(b) - 7))  # a header may straddle the next chunk
                return None
            at = m.start()
            if b[at + 4] == 0xFE:  # an SMB2 header must also have StructureSize 64
                if len(b) < at + 10:
                    r.buf.take(at)  # wait for the StructureSize to confirm
                    return None
                if b[at + 8] != HDR_LEN or b[at + 9] != 0:
                    pos = at + 1
                    continue
            r.buf.take(at)
            r.lost = False
            return r.buf.take(len(r.buf))

    def gap(self, direction: Direction, length: int) -> list[Event]:
        r = self.readers[direction]
        if r.left >= length:  # the hole is inside a streamed or skipped message: stay in step
            r.left -= length
            out: list[Event] = []
            if r.sink is not None:
                out += r.sink.skip(length)
            if not r.left:
                r.sink = None
            return out
        r.left, r.sink = 0, None
        r.buf.clear()
        r.lost = True
        return [Note("smb_resync", f"{'c2s' if direction is C2S else 's2c'}: {length} bytes missing; "
                     "searching for the next SMB header")]

    # ------------------------------------------------------------- messages
    def _message(self, direction: Direction, msg: bytes, r: _Reader | None = None) -> list[Event]:
        magic = msg[:4]
        if magic == SMB2:
            return self._smb2(direction, msg, r)
        if magic == SMB2_TRANSFORM:
            return self._transform(direction)
        if magic == SMB2_COMPRESSED:
            if self.compressed_noted:
                return []
            self.compressed_noted = True
            return [Note("smb_compressed", "SMB2 COMPRESSION_TRANSFORM_HEADER: compressed messages are "
                         "not decompressed, their content is not read")]
        if magic == SMB1:
            return self._smb1(direction, msg)
        raise ProtocolViolation(f"not an SMB message: {magic.hex()}")

    def _transform(self, direction: Direction) -> list[Event]:
        if self.encrypted:
            return []
        self.encrypted = True
        out: list[Event] = [ProtectionSeen(Protection.SMB3, direction)]
        if not self.print_share:
            out.append(PrintSeen(None))
        return out

    def _smb1(self, direction: Direction, msg: bytes) -> list[Event]:
        """SMB1 is recognised, not dissected: it is obsolete and has no encryption at all."""
        if len(msg) < 32:
            return []
        command, flags = msg[4], msg[9]
        out: list[Event] = []
        if command == SMB1_NEGOTIATE and not flags & SMB1_FLAGS_REPLY:
            self.smb1_offered = True
            # request: WordCount 0, ByteCount, then 0x02-prefixed NUL-terminated dialect strings
            names = [d.decode("latin-1") for d in msg[35:].split(b"\x00") if d[:1] == b"\x02"]
            self.offered = [d[1:] for d in names][:32]
            return out
        if command == SMB1_TREE_CONNECT_ANDX and flags & SMB1_FLAGS_REPLY and len(msg) > 33:
            at = 33 + 2 * msg[32] + 2  # after WordCount, the words and ByteCount
            if msg[at:at + 5] == b"LPT1:" and not self.print_share:  # Service: a printer (MS-CIFS 2.2.4.55.2)
                self.print_share = True
                out.append(PrintSeen(True))
        if self.smb1 is not True:
            self.smb1 = True
            out.append(FlowFact("smb1", True))
        return out

    def _fact(self, name: str, value: object) -> list[Event]:
        return [FlowFact(name, value)]

    def _smb2(self, direction: Direction, msg: bytes, r: _Reader | None) -> list[Event]:
        out: list[Event] = []
        off = 0
        chain_tree: int | None = None
        chain_session = 0
        chain_file: File | None = None
        while off + HDR_LEN <= len(msg):
            (magic, size, _credit, status, command, _cr, flags, nxt, mid, tid_or_async, sid,
             _sig) = _HDR.unpack_from(msg, off)
            if magic != SMB2 or size != HDR_LEN:
                return out + [Note("smb_malformed", f"bad SMB2 header in a chain at {off}")]
            tid = None if flags & FLAG_ASYNC else tid_or_async >> 32
            if flags & FLAG_RELATED:  # 3.2.4.1.4: ids come from the previous request in the chain
                tid = chain_tree if tid in (None, 0xFFFFFFFF) else tid
                sid = chain_session if sid == 0xFFFFFFFFFFFFFFFF else sid
            if flags & FLAG_SIGNED and self.signing is not True:
                self.signing = True
                out.append(FlowFact("smb_signing", True))
            last = not nxt
            end = len(msg) if last else off + nxt
            if not last and (nxt < HDR_LEN or end > len(msg)):
                return out + [Note("smb_malformed", f"NextCommand {nxt} outside the message")]
            body = msg[off + HDR_LEN:end]
            stream = r if last else None  # only the last command of a large message can be long
            if flags & FLAG_RESPONSE:
                out += self._response(command, status, mid, tid, sid, msg, off, body, stream)
            else:
                ev, chain_file = self._request(command, mid, tid, sid, msg, off, body, stream, chain_file)
                out += ev
            chain_tree, chain_session = tid, sid
            if last:
                return out
            off = end
        return out

    # ------------------------------------------------------------- requests
    def _request(self, command: int, mid: int, tid: int | None, sid: int, msg: bytes, off: int,
                 body: bytes, r: _Reader | None, chain_file: File | None) -> tuple[list[Event], File | None]:
        out: list[Event] = []
        f: File | None
        if command == NEGOTIATE and len(body) >= 36:
            count = struct.unpack_from("<H", body, 2)[0]
            codes = struct.unpack_from(f"<{min(count, (len(body) - 36) // 2)}H", body, 36)
            self.offered = [DIALECTS.get(c, f"0x{c:04x}") for c in codes]
        elif command == SESSION_SETUP and len(body) >= 24:
            boff, blen = struct.unpack_from("<HH", body, 12)
            sec = msg[off + boff: off + boff + blen]
            auth = ntlmssp.find(sec)
            if auth is not None and auth.type == ntlmssp.AUTHENTICATE:
                _put(self.users, sid, auth)
                self.user = auth
                if auth.user:
                    out.append(FlowFact("smb_user", auth.user))
        elif command == TREE_CONNECT and len(body) >= 8:
            tflags, poff, plen = struct.unpack_from("<HHH", body, 2)
            path = _utf16(msg[off + poff: off + poff + plen])
            if not path.startswith("\\\\"):
                i = body.find(b"\\\x00\\\x00", 8)  # 3.1.1 extension: the path follows the extension
                path = _utf16(body[i:i + plen]) if i >= 0 else path
            _put(self.pending, mid, Pending(TREE_CONNECT, tree=Tree(path)))
        elif command == CREATE and len(body) >= 56:
            noff, nlen = struct.unpack_from("<HH", body, 44)
            name = _utf16(msg[off + noff: off + noff + nlen]) if nlen else ""
            tree = self.trees.get(tid) if tid is not None else None
            f = File(name, tree, sid)
            if tree is not None and tree.share_type == SHARE_PIPE and name.lower().lstrip("\\") in SPOOLSS_PIPES:
                f.rpc = RpcPipe()
            _put(self.pending, mid, Pending(CREATE, file=f))
            chain_file = f
        elif command == WRITE and len(body) >= 48:
            doff, length, foff = struct.unpack_from("<HIQ", body, 2)
            fid = body[16:32]
            f = chain_file if fid == RELATED_FID else self.files.get(fid)
            if f is None:
                f = self._unknown_file(fid, tid, sid)
            if f is not None:
                start, stop = off + doff, off + doff + length
                streamed = r is not None and r.left > 0 and stop > len(msg)
                target: _Target | None = None
                if f.printing:
                    out += self._start_job(f)
                    target = _PrintTarget(self, f, foff, streamed)
                elif f.rpc is not None:
                    target = _RpcTarget(self, f.rpc)
                # else a file copy to a disk share: not printing, its bytes are not read
                if target is not None:
                    if start < len(msg):
                        out += target.data(0, msg[start:min(stop, len(msg))])
                    if streamed and r is not None:
                        r.sink = _Sink(len(msg), start, stop, target)
        elif command == READ and len(body) >= 48:
            f = chain_file if body[16:32] == RELATED_FID else self.files.get(body[16:32])
            if f is not None and f.rpc is not None:
                _put(self.pending, mid, Pending(READ, file=f))
        elif command == IOCTL and len(body) >= 56:
            ctl = struct.unpack_from("<I", body, 4)[0]
            fid = body[8:24]
            f = chain_file if fid == RELATED_FID else self.files.get(fid)
            if ctl == FSCTL_PIPE_TRANSCEIVE and f is not None and f.rpc is not None:
                ioff, icount = struct.unpack_from("<II", body, 24)
                out += self._rpc(f.rpc, C2S, msg[off + ioff: off + ioff + icount])
        elif command == CLOSE and len(body) >= 24:
            fid = body[8:24]
            f = chain_file if fid == RELATED_FID else self.files.pop(fid, None)
            if f is not None:
                f.closed = True
                if f.job:
                    out += self._flush_held(f)
                    f.job = False
                    out.append(JobEnded(key=f.key))
        return out, chain_file

    def _unknown_file(self, fid: bytes, tid: int | None, sid: int) -> File | None:
        """A WRITE to a FileId whose CREATE was not seen: on a known print tree it still prints."""
        tree = self.trees.get(tid) if tid is not None else None
        if tree is None or tree.share_type != SHARE_PRINT:
            return None
        f = File("", tree, sid)
        _put(self.files, fid, f)
        return f

    def _start_job(self, f: File) -> list[Event]:
        if f.job or f.closed:
            return []
        f.job = True
        self.jobs_started += 1
        f.key = k = f"smb-file-{self.jobs_started}"
        out: list[Event] = [JobStarted("smb", key=k)]
        if f.name:
            out.append(JobField("document_name", f.name, "smb", key=k))
        auth = self.users.get(f.session, self.user)
        if auth is not None and auth.user:
            out.append(JobField("user", auth.user, "smb", key=k))
        if auth is not None and auth.workstation:
            out.append(JobField("host", auth.workstation, "smb", key=k))
        return out

    def _print_data(self, f: File, foff: int, data: bytes, hold: bool = True) -> list[Event]:
        """Hand on write data in file-offset order; writes ahead of a hole wait (bounded)."""
        if not data:
            return []
        end = foff + len(data)
        if foff == f.next_offset:
            f.next_offset = end
            return [DocumentData(data, f.key)] + self._drain(f)
        out: list[Event] = []
        if not f.reordered:
            f.reordered = True
            out.append(Note("smb_write_out_of_order", f"print file (name withheld): write at {foff}, "
                            f"expected {f.next_offset}"))
        if end <= f.next_offset:
            return out  # a rewrite of bytes already handed on: the first copy wins
        if foff < f.next_offset:  # overlaps what was handed on: keep the new tail only
            data = data[f.next_offset - foff:]
            f.next_offset = end
            return out + [DocumentData(data, f.key)] + self._drain(f)
        if hold and f.held_bytes + len(data) <= MAX_REORDER:
            f.held[foff] = data
            f.held_bytes += len(data)
            return out
        # a streamed write cannot wait, nor can more than MAX_REORDER bytes: give the hole up
        out += self._print_gap(f, foff)
        f.next_offset = end
        return out + [DocumentData(data, f.key)] + self._drain(f)

    def _print_gap(self, f: File, upto: int) -> list[Event]:
        """Everything before file offset ``upto`` that is still missing will not come."""
        out: list[Event] = []
        while f.held:
            nxt = min(f.held)
            if nxt >= upto:
                break
            if nxt > f.next_offset:
                out.append(DocumentGap(nxt - f.next_offset, f.key))
                f.next_offset = nxt
            out += self._drain(f)
        if upto > f.next_offset:
            out.append(DocumentGap(upto - f.next_offset, f.key))
            f.next_offset = upto
            out += self._drain(f)
        return out

    def _drain(self, f: File) -> list[Event]:
        out: list[Event] = []
        while f.held:
            nxt = min(f.held)
            if nxt > f.next_offset:
                break
            data = f.held.pop(nxt)
            f.held_bytes -= len(data)
            if nxt + len(data) > f.next_offset:
                out.append(DocumentData(data[f.next_offset - nxt:], f.key))
                f.next_offset = nxt + len(data)
        return out

    def _flush_held(self, f: File) -> list[Event]:
        """Give up on holes: hand on what is held, with a DocumentGap for each hole."""
        out: list[Event] = []
        while f.held:
            nxt = min(f.held)
            if nxt > f.next_offset:
                out.append(DocumentGap(nxt - f.next_offset, f.key))
                f.next_offset = nxt
            out += self._drain(f)
        return out

    def _rpc(self, rpc: RpcPipe, direction: Direction, data: bytes) -> list[Event]:
        out: list[Event] = []
        for ev in rpc.feed(direction, data):
            out.append(ev)
            if type(ev) is JobStarted and self.user is not None and self.user.user:
                out.append(JobField("user", self.user.user, "smb"))
            if type(ev) is PrintSeen and ev.value:
                self.print_share = True
        return out

    # ------------------------------------------------------------- responses
    def _response(self, command: int, status: int, mid: int, tid: int | None, sid: int, msg: bytes,
                  off: int, body: bytes, r: _Reader | None) -> list[Event]:
        if status == STATUS_PENDING:
            return []  # the final response comes later under the same MessageId
        pend = self.pending.pop(mid, None)
        out: list[Event] = []
        f: File | None
        if command == NEGOTIATE:
            if status == STATUS_SUCCESS and len(body) >= 64:
                out += self._negotiate_response(msg, off, body)
            return out
        if command == SESSION_SETUP:
            if status == STATUS_SUCCESS and len(body) >= 8:
                sflags = struct.unpack_from("<H", body, 2)[0]
                _put(self.session_flags, sid, sflags)
                out += self._fact("smb_session_flags", sflags)
                if sflags & SESSION_ENCRYPT_DATA and not self.encryption_required:
                    self.encryption_required = True
                    out += self._fact("smb_encryption_required", True)
            return out
        if status not in (STATUS_SUCCESS, STATUS_BUFFER_OVERFLOW) or pend is None or pend.command != command:
            return out
        if command == TREE_CONNECT and pend.tree is not None and len(body) >= 16 and tid is not None:
            tree = pend.tree
            tree.share_type = body[2]
            tree.flags, tree.capabilities = struct.unpack_from("<II", body, 4)
            _put(self.trees, tid, tree)
            if tree.flags & SHAREFLAG_ENCRYPT_DATA and not self.encryption_required:
                self.encryption_required = True
                out += self._fact("smb_encryption_required", True)
            if tree.share_type == SHARE_PRINT:
                if not self.print_share:
                    self.print_share = True
                    out.append(PrintSeen(True))
            out += self._share_fact(tree)
        elif command == CREATE and pend.file is not None and len(body) >= 88:
            f = pend.file
            _put(self.files, body[64:80], f)
            if f.printing:
                out += self._start_job(f)
        elif command == READ and pend.file is not None and pend.file.rpc is not None and len(body) >= 16:
            doff = body[2]
            dlen = struct.unpack_from("<I", body, 4)[0]
            out += self._rpc(pend.file.rpc, S2C, msg[off + doff: off + doff + dlen])
        elif command == IOCTL and len(body) >= 48:
            ctl = struct.unpack_from("<I", body, 4)[0]
            f = self.files.get(body[8:24])
            if ctl == FSCTL_PIPE_TRANSCEIVE and f is not None and f.rpc is not None:
                ooff, ocount = struct.unpack_from("<II", body, 32)
                out += self._rpc(f.rpc, S2C, msg[off + ooff: off + ooff + ocount])
        return out

    def _share_fact(self, tree: Tree) -> list[Event]:
        """smb_share: the print shares when there are any, else the shares used (IPC$ aside)."""
        if tree.share_type == SHARE_PIPE or tree.share in self.shares:
            return []
        if tree.share_type == SHARE_PRINT:
            if not self.shares or not self.print_only:
                self.shares = []
                self.print_only = True
            self.shares.append(tree.share)
        elif self.print_only:
            return []
        else:
            self.shares.append(tree.share)
        return [FlowFact("smb_share", ",".join(self.shares))]

    def _negotiate_response(self, msg: bytes, off: int, body: bytes) -> list[Event]:
        out: list[Event] = []
        secmode, code, ctx_count = struct.unpack_from("<HHH", body, 2)
        caps = struct.unpack_from("<I", body, 24)[0]
        if code in DIALECTS:
            self.dialect = DIALECTS[code]
            out.append(FlowFact("smb_dialect", self.dialect))
            if self.smb1_offered and self.smb1 is None:
                self.smb1 = False  # SMB1 was offered and the server moved to SMB2
                out.append(FlowFact("smb1", False))
        signing = bool(secmode & SIGNING_REQUIRED)
        if self.signing is not True and signing != self.signing:
            self.signing = signing
            out.append(FlowFact("smb_signing", signing))
        capable = bool(caps & CAP_ENCRYPTION)
        if code == 0x0311 and ctx_count:
            ctx_off = struct.unpack_from("<I", body, 60)[0]
            cipher = self._cipher(msg, off + ctx_off, ctx_count)
            if cipher:
                capable = True
                self.cipher = CIPHERS.get(cipher, f"0x{cipher:04x}")
                out += self._fact("smb_cipher", self.cipher)
        self.encryption_capable = capable
        out.append(FlowFact("smb_encryption_capable", capable))
        return out

    @staticmethod
    def _cipher(msg: bytes, at: int, count: int) -> int:
        """The cipher of the response's ENCRYPTION_CAPABILITIES context (2.2.4.1.2); 0 = none."""
        for _ in range(min(count, 16)):
            if at + 8 > len(msg):
                return 0
            ctype, dlen = struct.unpack_from("<HH", msg, at)
            if ctype == CTX_ENCRYPTION and dlen >= 4 and at + 12 <= len(msg):
                n, first = struct.unpack_from("<HH", msg, at + 8)
                return first if n else 0
            at += (8 + dlen + 7) & ~7  # contexts are 8-byte aligned
        return 0

    # ------------------------------------------------------------- end
    def close(self) -> list[Event]:
        out: list[Event] = []
        if self.smb1_offered and self.smb1 is None:
            out.append(FlowFact("smb1", True))  # only SMB1 was heard: the client speaks it
        if self.print_share:
            return out
        return out + [PrintSeen(None if self.encrypted else False)]
