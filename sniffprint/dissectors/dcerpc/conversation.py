"""One connection-oriented DCE/RPC association (a TCP connection, or one SMB named pipe): the
orchestrator that takes each direction's bytes and hands each PDU to the part whose job it is.

Read from: C706 12.6 (connection-oriented PDUs; 12.6.4 the PDU types), MS-RPCE 3.3.1.5 (the
client's and server's view of an association: binds, then calls), MS-RPRN / MS-PAR (the print
calls), C706 Appendix O (the endpoint mapper).

The way through:
- ``framing.Framer`` (one per direction) cuts the bytes into PDUs and resynchronises after a hole;
- ``binding.Binding`` keeps the presentation contexts and the authentication (bind, bind_ack,
  alter_context, auth3) and says each request's level;
- ``calls.Calls`` reassembles requests and responses by call id;
- ``printjobs.PrintJobs`` turns the spooler calls into jobs per printer handle;
- ``facts.RpcFacts`` (shared by all the pipes of an SMB connection) makes the flow facts;
- ept_map responses name dynamic endpoints (``epm``): ``EndpointExpected``.

Invariants:
- Events come out in stream order, each direction's PDUs in the order their bytes came.
- Every table and buffer is bounded by the module that keeps it; nothing here holds state of its
  own beyond those parts.
- A hole never stops the association: a PDU with a hole inside is dropped (the call it belonged
  to loses its stub; document bytes lost become a ``DocumentGap``), a hole between PDUs gives up
  the calls being reassembled in that direction and resynchronises. Only bytes that cannot be
  DCE/RPC stop a direction (``ProtocolViolation`` when ``strict``). Damaged stubs are skipped.
"""
from __future__ import annotations

from collections.abc import Callable

from ...model import Direction, Service
from ..events import EndpointExpected, Event, Note
from . import epm, spoolss
from .binding import KNOWN, PRINT_INTERFACES, Binding
from .calls import Call, Calls
from .facts import RpcFacts
from .framing import Framer
from .pdu import PFC_FIRST_FRAG, PFC_LAST_FRAG, AuthLevel, Header, PType, RequestHeader, ResponseHeader, SecTrailer
from .printjobs import PrintJobs
from .spoolss import Role

MAX_ENDPOINTS = 8  # endpoints taken from one ept_map response

__all__ = ["RpcConversation", "RpcFacts"]  # RpcFacts: what the constructor takes


class RpcConversation:
    """The DCE/RPC association of one transport connection; ``feed`` takes one direction's bytes
    in order, ``gap`` a hole in them."""

    def __init__(self, facts: RpcFacts, protocol: str, new_key: Callable[[], str], *, strict: bool = False) -> None:
        self.facts = facts
        self.framing = (Framer("c2s", strict), Framer("s2c", strict))
        self.binding = Binding()
        self.calls = Calls()
        self.jobs = PrintJobs(protocol, new_key)  # protocol: smb (a pipe) or dcerpc (TCP)

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        out: list[Event] = []
        for item in self.framing[direction].feed(data):
            if isinstance(item, Note):
                out.append(item)
            else:
                out += self._pdu(*item)
        return out

    def gap(self, direction: Direction, length: int) -> list[Event]:
        """``length`` bytes of this direction are missing."""
        hole = self.framing[direction].gap(length)
        if hole is None:
            return []
        calls = self.calls.of(direction)
        if isinstance(hole, Header):  # a PDU with a hole inside was dropped: its call loses its stub
            call = calls.pop(hole.call_id, None)
            if call is None:
                return [Note("dcerpc_gap", f"{self.framing[direction].side}: a PDU with a hole was skipped")]
            return self.jobs.lost(call, "a fragment with a hole")
        out: list[Event] = []  # the framing is lost: the calls being reassembled cannot go on
        for call in list(calls.values()):
            out += self.jobs.lost(call, "framing lost")
        calls.clear()
        return out + [hole]

    def close(self) -> list[Event]:
        """The transport closed: jobs still open were cut before their end."""
        return self.jobs.close()

    # ------------------------------------------------------------- PDUs
    def _pdu(self, h: Header, pdu: bytes) -> list[Event]:
        t = h.ptype
        if t == PType.REQUEST:
            return self._request(h, pdu)
        if t == PType.RESPONSE:
            return self._response(h, pdu)
        if t in (PType.BIND, PType.ALTER_CONTEXT):
            offer = self.binding.bind(h, pdu, t == PType.BIND)
            out: list[Event] = []
            for name in offer.names:
                out += self.facts.bound(name, self.binding.level, offer.auth_type)
            return out
        if t in (PType.BIND_ACK, PType.ALTER_CONTEXT_RESP):
            self.binding.answer(h, pdu)
        elif t == PType.AUTH3:
            self.binding.auth3(h, pdu)
        elif t == PType.FAULT:
            self.calls.answered(h.call_id)
        return []

    def _request(self, h: Header, pdu: bytes) -> list[Event]:
        rq = RequestHeader.parse(pdu, h)
        if rq is None:
            return []
        trailer = SecTrailer.parse(pdu, h, rq.stub)
        end = trailer.stub_end if trailer is not None else len(pdu)
        level = self.binding.level_of(trailer)
        out: list[Event] = []
        call = self.calls.requests.get(h.call_id)
        if h.flags & PFC_FIRST_FRAG or call is None:
            if call is not None:
                out += self.jobs.lost(call, "a new call with its id")
            if not h.flags & PFC_FIRST_FRAG:
                return out  # a later fragment of a call whose start was not seen
            ctx = self.binding.contexts.get(rq.context_id)
            call = self.calls.request(h, rq.opnum, ctx, sealed=level >= AuthLevel.PRIVACY)
            if call.iface in PRINT_INTERFACES:
                out += self.facts.called(spoolss.call_name(call.iface, rq.opnum), level)
        if call.sealed:
            pass  # the stub is encrypted: nothing to read, and that is the point
        elif call.role is Role.WRITE:
            out += self.jobs.write(call, pdu[rq.stub:end], self.binding.user)
        elif call.keep:
            call.keep_stub(pdu[rq.stub:end])
        if h.flags & PFC_LAST_FRAG:
            del self.calls.requests[h.call_id]
            if not call.sealed and not call.cut:
                out += self.jobs.requested(call, self.binding.user)
            call.stub = bytearray()
        return out

    def _response(self, h: Header, pdu: bytes) -> list[Event]:
        rs = ResponseHeader.parse(pdu, h)
        if rs is None:
            return []
        call = self.calls.responses.get(h.call_id)
        if call is None:
            if not h.flags & PFC_FIRST_FRAG:
                return []
            asked = self.calls.asked.get(h.call_id)
            if asked is None:
                return []
            trailer = SecTrailer.parse(pdu, h, rs.stub)
            wanted = asked.role is Role.OPEN or (asked.iface == "EPM" and asked.opnum == epm.OPNUM_EPT_MAP)
            call = self.calls.response(h, asked, sealed=self.binding.level_of(trailer) >= AuthLevel.PRIVACY,
                                       keep=wanted)
        if call.keep and not call.sealed:
            trailer = SecTrailer.parse(pdu, h, rs.stub)
            call.keep_stub(pdu[rs.stub:trailer.stub_end if trailer is not None else len(pdu)])
        if not h.flags & PFC_LAST_FRAG:
            return []
        self.calls.answered(h.call_id)
        if not call.keep or call.sealed or call.cut:
            return []
        return self._responded(call)

    def _responded(self, call: Call) -> list[Event]:
        if call.role is Role.OPEN:
            self.jobs.opened(call)
            return []
        if call.iface == "EPM":
            return [EndpointExpected(t.tcp_port, Service.DCERPC, KNOWN.get(t.interface, str(t.interface)))
                    for t in epm.map_response(bytes(call.stub), call.little, call.ndr64)[:MAX_ENDPOINTS]
                    if t.tcp_port and t.interface is not None]
        return []
