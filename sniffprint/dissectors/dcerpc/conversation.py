"""One connection-oriented DCE/RPC association (a TCP connection, or one SMB named pipe): PDUs
cut from each direction's bytes, presentation contexts, authentication, calls reassembled by
call id, and the print jobs the spooler calls make.

Read from: C706 12.6 (PDUs; 12.6.3.1 fragments: PFC_FIRST_FRAG / PFC_LAST_FRAG, alloc_hint),
C706 12.6.4.3-4 and MS-RPCE 3.3.1.5.2 (presentation contexts: the bind offers them, bind_ack
accepts one transfer syntax each, alter_context adds or re-authenticates), C706 13.2.6 and
MS-RPCE 2.2.2.11 / 3.3.1.5.2.2 (the auth verifier: NTLMSSP NEGOTIATE in the bind, CHALLENGE in
the bind_ack, AUTHENTICATE in auth3 or alter_context; at PKT_PRIVACY the stubs are sealed),
MS-RPRN / MS-PAR (``spoolss``), C706 Appendix O (``epm``).

Levels: a request's level is its own sec_trailer's (none when it has no verifier, or connect when
the association was bound at connect level: such requests carry no verifier). The flow's
``rpc_auth_level`` is the weakest level of the print calls made, or, before any call, of the
print binds; ``spoolss_auth_level`` (pipes) says the same in its older words. At privacy on every
print call the flow is protected print traffic (``Protection.RPC_PRIVACY``) unless print
crossed it in clear some other way (``RpcFacts.cleartext_print``).

Jobs: RpcStartDocPrinter on a printer handle starts a keyed job (several handles may print at
once), RpcWritePrinter's bytes are its document (streamed fragment by fragment, never buffered
whole), RpcEndDocPrinter / RpcAbortPrinter / RpcClosePrinter end it. The job's user is the
NTLMSSP user of the RPC authentication, else the SPLCLIENT_INFO of RpcOpenPrinterEx; over SMB the
pipe adds the SMB session's user first (``smb.pipe``), which wins.

Invariants:
- Memory is bounded: a direction buffers at most one PDU (frag_length is 16 bits) or, when its
  framing is lost, a search window; kept stubs are capped (``MAX_STUB``), and so is every table.
- A hole in a direction's bytes keeps the framing when it falls inside a PDU whose header was
  seen (that PDU is dropped); otherwise the next plausible PDU header is searched for
  (``MAX_SEARCH`` bytes at most, then the direction is given up with a ``Note``). Document
  bytes lost with a dropped WritePrinter call become a ``DocumentGap``; nothing is zero-filled.
- Only bytes that cannot be DCE/RPC at all stop a direction: a ``Note`` (``strict=False``, inside
  an SMB pipe) or a ``ProtocolViolation`` (``strict=True``, a TCP flow). Damaged stubs are skipped.
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ...errors import ProtocolViolation
from ...model import Direction, Protection, Service
from .. import ntlmssp
from ..events import (
    DocumentData,
    DocumentGap,
    EndpointExpected,
    Event,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)
from . import epm, spoolss
from .ndr import HANDLE_LEN
from .pdu import (
    AUTH_TYPES,
    HEADER_LEN,
    LEVEL_NAMES,
    PFC_FIRST_FRAG,
    PFC_LAST_FRAG,
    RESULT_ACCEPTANCE,
    SPOOLSS_LEVEL_NAMES,
    AuthLevel,
    ContextElem,
    Header,
    PType,
    RequestHeader,
    ResponseHeader,
    SecTrailer,
    frag_length,
    parse_bind,
    parse_bind_ack,
)
from .spoolss import Role

NDR64 = uuid.UUID("71710533-beba-4937-8319-b5dbef9ccc36")  # MS-RPCE 2.2.5 NDR64 transfer syntax
KNOWN = {**spoolss.INTERFACE_NAMES, epm.EPM: "EPM"}
PRINT_INTERFACES = frozenset(spoolss.INTERFACE_NAMES.values())

MAX_STUB = 64 * 1024  # stub bytes kept for a call that is parsed (handles, names, towers)
MAX_SEARCH = 256 * 1024  # bytes searched for a PDU header after a hole, then the direction is given up
MAX_CONTEXTS = 64
MAX_CALLS = 16  # calls being reassembled per direction
MAX_ASKED = 256  # requests remembered until their response
MAX_HANDLES = 64
MAX_NAMES = 32  # interface and call names kept for the flow facts
# A plausible PDU start after a hole: version 5.0/5.1, a connection-oriented type, little- or
# big-endian ASCII/IEEE drep.
_RESYNC = re.compile(rb"\x05[\x00\x01][\x00\x02\x03\x0b-\x13][\x00-\xff][\x00\x10]\x00\x00\x00")

K = TypeVar("K")
V = TypeVar("V")


class _Capped(dict[K, V], Generic[K, V]):
    """A dict holding at most ``cap`` entries: a new key past the cap drops the oldest."""

    __slots__ = ("cap",)

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def __setitem__(self, k: K, v: V) -> None:
        if k not in self and len(self) >= self.cap:
            del self[next(iter(self))]
        super().__setitem__(k, v)


class RpcFacts:
    """The flow facts of the RPC association(s) of one flow: one per TCP flow, one shared by all
    the pipes of an SMB connection. Each fact is emitted when it changes."""

    __slots__ = ("pipe", "interfaces", "bind_level", "call_level", "reported", "auth_type", "calls",
                 "privacy", "clear_print", "print_seen")

    def __init__(self, pipe: bool = False) -> None:
        self.pipe = pipe  # also emit the older spoolss_auth_level
        self.interfaces: list[str] = []
        self.bind_level: int | None = None  # weakest level of the print binds
        self.call_level: int | None = None  # weakest level of the print calls
        self.reported: int | None = None
        self.auth_type: str | None = None
        self.calls: list[str] = []
        self.privacy = False  # ProtectionSeen(RPC_PRIVACY) was emitted and stands
        self.clear_print = False  # print crossed this flow in clear some other way
        self.print_seen = False

    def bound(self, name: str, level: int, auth_type: int | None) -> list[Event]:
        out: list[Event] = []
        if name not in self.interfaces and len(self.interfaces) < MAX_NAMES:
            self.interfaces.append(name)
            out.append(FlowFact("rpc_interfaces", list(self.interfaces)))
        if name not in PRINT_INTERFACES:
            return out
        if not self.print_seen:
            self.print_seen = True
            out.append(PrintSeen(True))
        if auth_type is not None:
            t = AUTH_TYPES.get(auth_type, str(auth_type))
            if t != self.auth_type:
                self.auth_type = t
                out.append(FlowFact("rpc_auth_type", t))
        self.bind_level = level if self.bind_level is None else min(self.bind_level, level)
        return out + self._level()

    def called(self, name: str, level: int) -> list[Event]:
        """A call on a print context, at ``level``."""
        out: list[Event] = []
        self.call_level = level if self.call_level is None else min(self.call_level, level)
        if level < AuthLevel.PRIVACY and name not in self.calls and len(self.calls) < MAX_NAMES:
            self.calls.append(name)
            out.append(FlowFact("rpc_calls", list(self.calls)))
        return self._level() + out

    def cleartext_print(self) -> list[Event]:
        """Print crossed the flow in clear (an SMB print share): it is not protected print."""
        self.clear_print = True
        return self._protection()

    def _level(self) -> list[Event]:
        level = self.call_level if self.call_level is not None else self.bind_level
        out: list[Event] = []
        if level is not None and level != self.reported:
            self.reported = level
            out.append(FlowFact("rpc_auth_level", LEVEL_NAMES.get(level, str(level))))
            if self.pipe:
                out.append(FlowFact("spoolss_auth_level", SPOOLSS_LEVEL_NAMES.get(level, str(level))))
        return out + self._protection()

    def _protection(self) -> list[Event]:
        want = self.reported == AuthLevel.PRIVACY and not self.clear_print
        if want == self.privacy:
            return []
        self.privacy = want
        return [ProtectionSeen(Protection.RPC_PRIVACY if want else Protection.NONE)]


@dataclass(slots=True)
class _Context:
    """A presentation context: its interface and transfer syntax."""

    name: str  # MS-RPRN, MS-PAR, EPM, or the interface UUID
    ndr64: bool


@dataclass(slots=True)
class _Call:
    """A request (or its response) being reassembled, fragment by fragment."""

    call_id: int
    iface: str
    opnum: int
    role: Role | None
    ndr64: bool
    little: bool
    sealed: bool = False
    keep: bool = False  # the stub is parsed at the last fragment
    stub: bytearray = field(default_factory=bytearray)
    cut: bool = False  # the stub outgrew MAX_STUB
    write_left: int = -1  # WritePrinter bytes still to hand on; -1 until the count is read
    job: str | None = None  # the job its WritePrinter bytes go to


@dataclass(slots=True, frozen=True)
class _Asked:
    """What a response needs of its request."""

    iface: str
    opnum: int
    role: Role | None
    ndr64: bool


@dataclass(slots=True)
class _Handle:
    client: spoolss.ClientInfo | None = None
    job: str | None = None  # the open job started on this printer handle


@dataclass(slots=True)
class _Framing:
    """The PDU framing of one direction."""

    buf: bytearray = field(default_factory=bytearray)
    drop: int = 0  # bytes of a damaged PDU still to skip
    lost: bool = False  # searching for the next PDU header after a hole
    searched: int = 0
    dead: bool = False


class RpcConversation:
    """The DCE/RPC association of one transport connection; ``feed`` takes one direction's bytes
    in order, ``gap`` a hole in them."""

    def __init__(self, facts: RpcFacts, protocol: str, new_key: Callable[[], str], *, strict: bool = False) -> None:
        self.facts = facts
        self.protocol = protocol  # the job protocol: smb (a pipe) or dcerpc (TCP)
        self.new_key = new_key
        self.strict = strict
        self.framing = (_Framing(), _Framing())
        self.contexts: _Capped[int, _Context] = _Capped(MAX_CONTEXTS)
        self.offered: _Capped[int, list[ContextElem]] = _Capped(MAX_CALLS)  # bind call id -> contexts
        self.assoc_level = int(AuthLevel.NONE)
        self.user: ntlmssp.NtlmMessage | None = None  # NTLMSSP AUTHENTICATE of the RPC auth
        self.calls: tuple[_Capped[int, _Call], _Capped[int, _Call]] = (_Capped(MAX_CALLS), _Capped(MAX_CALLS))
        self.asked: _Capped[int, _Asked] = _Capped(MAX_ASKED)  # call id -> its request (for the response)
        self.handles: _Capped[bytes, _Handle] = _Capped(MAX_HANDLES)
        self.opening: _Capped[int, spoolss.ClientInfo] = _Capped(MAX_HANDLES)  # open call id -> client
        self.jobs: dict[str, bytes] = {}  # open job key -> its handle

    # ------------------------------------------------------------- framing
    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        st = self.framing[direction]
        if st.dead or not data:
            return []
        if st.drop:
            k = min(st.drop, len(data))
            st.drop -= k
            data = data[k:]
        st.buf += data
        out: list[Event] = []
        buf = st.buf
        while True:
            if st.lost and not self._search(direction, st, out):
                break
            if len(buf) < HEADER_LEN:
                break
            h = Header.parse(buf)
            if h is None or not h.plausible:
                return out + self._unframed(direction, st, buf[:8])
            if len(buf) < h.frag_length:
                break
            pdu = bytes(buf[:h.frag_length])
            del buf[:h.frag_length]
            out += self._pdu(direction, h, pdu)
        return out

    def _search(self, direction: Direction, st: _Framing, out: list[Event]) -> bool:
        """Look for the next plausible PDU header; True when the buffer starts with one."""
        buf = st.buf
        pos = 0
        while True:
            m = _RESYNC.search(buf, pos)
            if m is None or len(buf) - m.start() < HEADER_LEN:
                keep = m.start() if m is not None else max(0, len(buf) - 7)
                st.searched += keep
                del buf[:keep]
                if st.searched > MAX_SEARCH:
                    st.dead = True
                    buf.clear()
                    out.append(Note("dcerpc_unparsed", f"{self._dir(direction)}: no PDU header in "
                                    f"{MAX_SEARCH} bytes after a hole; the rest of this direction is not read"))
                return False
            h = Header.parse(buf, m.start())
            if h is not None and h.plausible:
                del buf[:m.start()]
                st.lost = False
                out.append(Note("dcerpc_resync", f"{self._dir(direction)}: in step again after "
                                f"{st.searched + m.start()} bytes"))
                return True
            pos = m.start() + 1

    def _unframed(self, direction: Direction, st: _Framing, head: bytes | bytearray) -> list[Event]:
        if self.strict:
            raise ProtocolViolation(f"not a DCE/RPC PDU: {bytes(head).hex()}")
        st.dead = True
        st.buf.clear()
        return [Note("dcerpc_unparsed", f"{self._dir(direction)}: bytes are not DCE/RPC v5 "
                     f"(0x{bytes(head[:4]).hex()}); the rest of this direction is not read")]

    def gap(self, direction: Direction, length: int) -> list[Event]:
        """``length`` bytes of this direction are missing."""
        st = self.framing[direction]
        if st.dead:
            return []
        if st.drop >= length:
            st.drop -= length
            return []
        length -= st.drop
        st.drop = 0
        buf = st.buf
        if not st.lost and len(buf) >= 10:
            frag = frag_length(buf)
            h = Header.parse(buf) if len(buf) >= HEADER_LEN else None
            if h is not None and h.plausible and len(buf) + length <= frag:  # the hole is inside this PDU
                st.drop = frag - len(buf) - length
                buf.clear()
                return self._dropped(direction, h)
        out = self._abandon(direction)
        buf.clear()
        st.lost, st.searched = True, 0
        return out + [Note("dcerpc_gap", f"{self._dir(direction)}: {length} bytes missing between or "
                           "across PDUs; searching for the next PDU header")]

    def _dropped(self, direction: Direction, h: Header) -> list[Event]:
        """A PDU with a hole inside was dropped: a call it belonged to loses its stub."""
        calls = self.calls[direction]
        call = calls.get(h.call_id)
        if call is None:
            return [Note("dcerpc_gap", f"{self._dir(direction)}: a PDU with a hole was skipped")]
        del calls[h.call_id]
        return self._lost_call(call, "a fragment with a hole")

    def _abandon(self, direction: Direction) -> list[Event]:
        """The framing is lost: the calls being reassembled in this direction cannot go on."""
        out: list[Event] = []
        calls = self.calls[direction]
        for call in list(calls.values()):
            out += self._lost_call(call, "framing lost")
        calls.clear()
        return out

    def _lost_call(self, call: _Call, why: str) -> list[Event]:
        if call.role is Role.WRITE and call.job is not None and call.write_left > 0 and call.job in self.jobs:
            left, call.write_left = call.write_left, 0
            return [DocumentGap(left, call.job)]
        if call.role is Role.WRITE and call.job is None and not call.sealed:
            return [Note("dcerpc_gap", f"WritePrinter call {call.call_id}: {why} before its byte count")]
        return []

    @staticmethod
    def _dir(direction: Direction) -> str:
        return "c2s" if direction is Direction.C2S else "s2c"

    # ------------------------------------------------------------- PDUs
    def _pdu(self, direction: Direction, h: Header, pdu: bytes) -> list[Event]:
        t = h.ptype
        if t == PType.REQUEST:
            return self._request(h, pdu)
        if t == PType.RESPONSE:
            return self._response(h, pdu)
        if t in (PType.BIND, PType.ALTER_CONTEXT):
            return self._bind(h, pdu, t == PType.BIND)
        if t in (PType.BIND_ACK, PType.ALTER_CONTEXT_RESP):
            return self._bind_ack(h, pdu)
        if t == PType.AUTH3:
            self._auth(SecTrailer.parse(pdu, h, HEADER_LEN + 4))
        elif t == PType.FAULT:
            self.asked.pop(h.call_id, None)
            self.calls[Direction.S2C].pop(h.call_id, None)
        return []

    def _auth(self, trailer: SecTrailer | None) -> None:
        if trailer is None:
            return
        msg = ntlmssp.find(trailer.token)
        if msg is not None and msg.type == ntlmssp.AUTHENTICATE and msg.user:
            self.user = msg

    def _bind(self, h: Header, pdu: bytes, bind: bool) -> list[Event]:
        elems = parse_bind(pdu, h)
        trailer = SecTrailer.parse(pdu, h)
        self._auth(trailer)
        if trailer is not None:
            self.assoc_level = trailer.auth_level
        elif bind:
            self.assoc_level = int(AuthLevel.NONE)
        self.offered[h.call_id] = elems
        out: list[Event] = []
        for e in elems:
            name = KNOWN.get(e.abstract.uuid, str(e.abstract.uuid))
            ndr64 = bool(e.transfers) and all(t.uuid == NDR64 for t in e.transfers)
            self.contexts[e.context_id] = _Context(name, ndr64)
            out += self.facts.bound(name, self.assoc_level, trailer.auth_type if trailer else None)
        return out

    def _bind_ack(self, h: Header, pdu: bytes) -> list[Event]:
        elems = self.offered.pop(h.call_id, [])
        for elem, res in zip(elems, parse_bind_ack(pdu, h), strict=False):
            ctx = self.contexts.get(elem.context_id)
            if ctx is None:
                continue
            if res.result == RESULT_ACCEPTANCE:
                ctx.ndr64 = res.transfer.uuid == NDR64
            else:
                del self.contexts[elem.context_id]
        return []

    def _level_of(self, trailer: SecTrailer | None) -> int:
        if trailer is not None:
            return trailer.auth_level
        # at connect level requests carry no verifier; otherwise a request without one is in clear
        return self.assoc_level if self.assoc_level == AuthLevel.CONNECT else int(AuthLevel.NONE)

    def _request(self, h: Header, pdu: bytes) -> list[Event]:
        rq = RequestHeader.parse(pdu, h)
        if rq is None:
            return []
        trailer = SecTrailer.parse(pdu, h, rq.stub)
        end = trailer.stub_end if trailer is not None else len(pdu)
        level = self._level_of(trailer)
        calls = self.calls[Direction.C2S]
        out: list[Event] = []
        call = calls.get(h.call_id)
        if h.flags & PFC_FIRST_FRAG or call is None:
            if call is not None:
                out += self._lost_call(call, "a new call with its id")
            if not h.flags & PFC_FIRST_FRAG:
                return out  # a later fragment of a call whose start was not seen
            ctx = self.contexts.get(rq.context_id)
            name = ctx.name if ctx is not None else "?"
            role = spoolss.ROLES.get(name, {}).get(rq.opnum)
            call = _Call(h.call_id, name, rq.opnum, role, ctx.ndr64 if ctx else False, h.little,
                         sealed=level >= AuthLevel.PRIVACY)
            call.keep = role in (Role.OPEN, Role.START_DOC, Role.END_DOC, Role.ABORT, Role.CLOSE)
            calls[h.call_id] = call
            self.asked[h.call_id] = _Asked(name, rq.opnum, role, call.ndr64)
            if name in PRINT_INTERFACES:
                out += self.facts.called(spoolss.call_name(name, rq.opnum), level)
        if call.sealed:
            pass  # the stub is encrypted: nothing to read, and that is the point
        elif call.role is Role.WRITE:
            out += self._write(call, pdu[rq.stub:end])
        elif call.keep:
            self._keep(call, pdu[rq.stub:end])
        if h.flags & PFC_LAST_FRAG:
            del calls[h.call_id]
            if not call.sealed and not call.cut:
                out += self._requested(call)
            call.stub = bytearray()
        return out

    def _keep(self, call: _Call, stub: bytes) -> None:
        if len(call.stub) + len(stub) > MAX_STUB:
            call.cut = True
        elif not call.cut:
            call.stub += stub

    def _response(self, h: Header, pdu: bytes) -> list[Event]:
        rs = ResponseHeader.parse(pdu, h)
        if rs is None:
            return []
        calls = self.calls[Direction.S2C]
        call = calls.get(h.call_id)
        if call is None:
            if not h.flags & PFC_FIRST_FRAG:
                return []
            asked = self.asked.get(h.call_id)
            if asked is None:
                return []
            trailer = SecTrailer.parse(pdu, h, rs.stub)
            wanted = asked.role is Role.OPEN or (asked.iface == "EPM" and asked.opnum == epm.OPNUM_EPT_MAP)
            call = _Call(h.call_id, asked.iface, asked.opnum, asked.role, asked.ndr64, h.little,
                         sealed=self._level_of(trailer) >= AuthLevel.PRIVACY, keep=wanted)
            calls[h.call_id] = call
        if call.keep and not call.sealed:
            trailer = SecTrailer.parse(pdu, h, rs.stub)
            self._keep(call, pdu[rs.stub:trailer.stub_end if trailer is not None else len(pdu)])
        if not h.flags & PFC_LAST_FRAG:
            return []
        del calls[h.call_id]
        self.asked.pop(h.call_id, None)
        if not call.keep or call.sealed or call.cut:
            return []
        return self._responded(call)

    # ------------------------------------------------------------- calls
    def _requested(self, call: _Call) -> list[Event]:
        stub = bytes(call.stub)
        role = call.role
        if role is Role.OPEN:
            info = spoolss.open_printer(stub, call.little, call.ndr64, (call.iface, call.opnum) in spoolss.OPEN_EX)
            if info is not None:
                self.opening[call.call_id] = info
            return []
        if role is Role.START_DOC:
            return self._start_doc(call, stub)
        if role in (Role.END_DOC, Role.ABORT, Role.CLOSE):
            return self._end(stub[:HANDLE_LEN] if len(stub) >= HANDLE_LEN else None)
        return []

    def _responded(self, call: _Call) -> list[Event]:
        stub = bytes(call.stub)
        if call.role is Role.OPEN:
            info = self.opening.pop(call.call_id, None)
            # [out] PRINTER_HANDLE, then the DWORD status: 0 is success
            if len(stub) >= HANDLE_LEN + 4 and stub[-4:] == b"\x00\x00\x00\x00":
                self.handles[stub[:HANDLE_LEN]] = _Handle(client=info)
            return []
        if call.iface == "EPM":
            return [EndpointExpected(t.tcp_port, Service.DCERPC, KNOWN.get(t.interface, str(t.interface)))
                    for t in epm.map_response(stub, call.little, call.ndr64)[:8]
                    if t.tcp_port and t.interface is not None]
        return []

    def _start_doc(self, call: _Call, stub: bytes) -> list[Event]:
        parsed = spoolss.start_doc(stub, call.little, call.ndr64)
        handle, info = parsed if parsed is not None else (b"", spoolss.DocInfo(None, None, None))
        h = self.handles.get(handle)
        out: list[Event] = []
        if h is not None and h.job in self.jobs:  # a new document on the same handle: the last one is over
            self.jobs.pop(h.job, None)
            out.append(JobEnded(key=h.job))
        key, started = self._open_job(handle)
        out += started
        if info.document_name:
            out.append(JobField("document_name", info.document_name, "spoolss", key=key))
        if info.datatype:
            out.append(JobField("document_format", info.datatype, "spoolss", key=key))
        if parsed is None:
            out.append(Note("dcerpc_unparsed", "a StartDocPrinter stub does not fit DOC_INFO_1"))
        return out

    def _open_job(self, handle: bytes) -> tuple[str, list[Event]]:
        key = self.new_key()
        self.jobs[key] = handle
        if len(self.jobs) > MAX_HANDLES:  # bounded: the oldest open job is given up (the flow ends it)
            self.jobs.pop(next(iter(self.jobs)))
        h = self.handles.get(handle)
        if h is None:
            h = self.handles[handle] = _Handle()
        h.job = key
        out: list[Event] = [JobStarted(self.protocol, key=key)]
        user = self.user
        if user is not None and user.user:
            out.append(JobField("user", user.user, "dcerpc", key=key))
            if user.workstation:
                out.append(JobField("host", user.workstation, "dcerpc", key=key))
        client = h.client
        if client is not None:  # SPLCLIENT_INFO: used when the authentication named nobody
            if client.user:
                out.append(JobField("user", client.user, "spoolss", key=key))
            if client.machine:
                out.append(JobField("host", client.machine.lstrip("\\"), "spoolss", key=key))
        return key, out

    def _job_of(self, handle: bytes | None) -> str | None:
        if handle is not None:
            h = self.handles.get(handle)
            if h is not None and h.job in self.jobs:
                return h.job
        if len(self.jobs) == 1 and (handle is None or handle not in self.handles):
            return next(iter(self.jobs))  # the only job open, its handle not seen
        return None

    def _end(self, handle: bytes | None) -> list[Event]:
        key = self._job_of(handle)
        if key is None:
            return []
        self.jobs.pop(key, None)
        return [JobEnded(key=key)]

    def _write(self, call: _Call, stub: bytes) -> list[Event]:
        """RpcWritePrinter: the head (handle, count) once, then the bytes as they come."""
        out: list[Event] = []
        if call.write_left < 0:
            call.stub += stub
            head = spoolss.write_head(bytes(call.stub[:spoolss.head_length(call.ndr64)]), call.little, call.ndr64)
            if head is None:
                if len(call.stub) > MAX_STUB:
                    call.write_left = 0
                return out
            handle, count, at = head
            stub = bytes(call.stub[at:])
            call.stub = bytearray()
            call.write_left = count
            call.job = self._job_of(handle)
            if call.job is None:  # bytes of a job whose StartDocPrinter was not seen
                call.job, started = self._open_job(handle)
                out += started
        piece = stub[:call.write_left]
        call.write_left -= len(piece)
        if piece and call.job is not None:
            out.append(DocumentData(piece, call.job))
        return out

    def close(self) -> list[Event]:
        """The transport closed: jobs still open were cut before their end."""
        out: list[Event] = [JobEnded(partial=True, key=k) for k in self.jobs]
        self.jobs.clear()
        return out

