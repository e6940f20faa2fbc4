"""Calls of one association by call id: requests and responses reassembled fragment by fragment.

Read from: C706 12.6.3.1 (``call_id``: a request's fragments and its response's share it;
PFC_FIRST_FRAG / PFC_LAST_FRAG bound a call's fragments), C706 12.6.4.9-10 (request and response
stubs, ``p_cont_id``, ``opnum``), C706 12.6.4.7 (a fault ends the call), MS-RPCE 2.2.2.11 (the
stub ends before the sec_trailer's padding), MS-RPCE 3.3.1.5.2 (a request's presentation context
gives its interface and transfer syntax; its response is only named by the call id).

A ``Call`` is created at a request's first fragment with what its context says (interface,
NDR64 or not), its role in a print job (``spoolss.ROLES``) and whether its stub is sealed; the
request is remembered (``Asked``) until its response, whose first fragment opens the response's
``Call`` with the same interface and opnum.

Invariants:
- Memory is bounded: at most ``MAX_CALLS`` calls per direction being reassembled and
  ``MAX_ASKED`` requests awaiting their response (the oldest is given up), and a call keeps at
  most ``MAX_STUB`` stub bytes (past that it is ``cut`` and not parsed).
- Only stubs that are parsed are kept: ``keep`` is decided at the first fragment; sealed stubs
  (privacy) are never kept, there is nothing to read in them.
- A fragment whose call's first fragment was not seen starts nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ...model import Direction
from .binding import Context
from .pdu import Header
from .spoolss import ROLES, Role
from .tables import Capped

MAX_STUB = 64 * 1024  # stub bytes kept for a call that is parsed (handles, names, towers)
MAX_CALLS = 16  # calls being reassembled per direction
MAX_ASKED = 256  # requests remembered until their response
# the request stubs read whole at their last fragment (a WritePrinter stub is streamed instead)
KEPT_REQUESTS = frozenset({Role.OPEN, Role.START_DOC, Role.END_DOC, Role.ABORT, Role.CLOSE})


@dataclass(slots=True)
class Call:
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

    def keep_stub(self, stub: bytes) -> None:
        """Add a fragment's stub to what is kept, up to ``MAX_STUB``."""
        if len(self.stub) + len(stub) > MAX_STUB:
            self.cut = True
        elif not self.cut:
            self.stub += stub


@dataclass(slots=True, frozen=True)
class Asked:
    """What a response needs of its request."""

    iface: str
    opnum: int
    role: Role | None
    ndr64: bool


class Calls:
    """The calls being reassembled in each direction, and the requests awaiting their response."""

    __slots__ = ("requests", "responses", "asked")

    def __init__(self) -> None:
        self.requests: Capped[int, Call] = Capped(MAX_CALLS)  # client to server
        self.responses: Capped[int, Call] = Capped(MAX_CALLS)  # server to client
        self.asked: Capped[int, Asked] = Capped(MAX_ASKED)  # call id -> its request (for the response)

    def of(self, direction: Direction) -> Capped[int, Call]:
        return self.requests if direction is Direction.C2S else self.responses

    def request(self, h: Header, opnum: int, ctx: Context | None, sealed: bool) -> Call:
        """A request's first fragment: its call, which replaces any call with its id."""
        name = ctx.name if ctx is not None else "?"
        role = ROLES.get(name, {}).get(opnum)
        call = Call(h.call_id, name, opnum, role, ctx.ndr64 if ctx else False, h.little, sealed=sealed)
        call.keep = role in KEPT_REQUESTS
        self.requests[h.call_id] = call
        self.asked[h.call_id] = Asked(name, opnum, role, call.ndr64)
        return call

    def response(self, h: Header, asked: Asked, sealed: bool, keep: bool) -> Call:
        """A response's first fragment: its call, named by the request it answers."""
        call = Call(h.call_id, asked.iface, asked.opnum, asked.role, asked.ndr64, h.little,
                    sealed=sealed, keep=keep)
        self.responses[h.call_id] = call
        return call

    def answered(self, call_id: int) -> None:
        """The response (or fault) to ``call_id`` is over."""
        self.responses.pop(call_id, None)
        self.asked.pop(call_id, None)
