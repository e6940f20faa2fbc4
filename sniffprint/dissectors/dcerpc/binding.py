"""The binding state of one association: its presentation contexts and its authentication.

Read from: C706 12.6.4.3-4 and MS-RPCE 3.3.1.5.2 (presentation contexts: a bind offers them, its
bind_ack accepts one transfer syntax each or rejects them, an alter_context adds contexts or
re-authenticates), MS-RPCE 2.2.5 (the NDR64 transfer syntax), C706 13.2.6 and MS-RPCE
2.2.2.11 / 3.3.1.5.2.2 (the auth verifier: NTLMSSP NEGOTIATE in the bind, CHALLENGE in the
bind_ack, AUTHENTICATE in auth3 or alter_context), MS-RPCE 2.2.1.1.8 (levels: at connect level
requests carry no verifier).

A request's level is its own sec_trailer's: none when it has no verifier, or connect when the
association was bound at connect level (``level_of``). The association's user is the name in
the NTLMSSP AUTHENTICATE of its RPC authentication (Kerberos names nobody readable).

Invariants:
- A context's transfer syntax is what its bind_ack accepted (NDR64 or not); before the bind_ack
  it is NDR64 only when every transfer syntax offered is NDR64. A rejected context is forgotten.
- A bind resets the association's level (no verifier: none); an alter_context without a
  verifier keeps it.
- Tables are bounded: ``MAX_CONTEXTS`` contexts, ``MAX_BINDS`` binds awaiting their answer.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from .. import ntlmssp
from . import epm, spoolss
from .pdu import HEADER_LEN, RESULT_ACCEPTANCE, AuthLevel, ContextElem, Header, SecTrailer, parse_bind, parse_bind_ack
from .tables import Capped

NDR64 = uuid.UUID("71710533-beba-4937-8319-b5dbef9ccc36")  # MS-RPCE 2.2.5 NDR64 transfer syntax
KNOWN = {**spoolss.INTERFACE_NAMES, epm.EPM: "EPM"}  # interface UUID -> the name the facts use
PRINT_INTERFACES = frozenset(spoolss.INTERFACE_NAMES.values())

MAX_CONTEXTS = 64  # presentation contexts kept per association
MAX_BINDS = 16  # binds / alter_contexts awaiting their answer, by call id


@dataclass(slots=True)
class Context:
    """A presentation context: its interface and transfer syntax."""

    name: str  # MS-RPRN, MS-PAR, EPM, or the interface UUID
    ndr64: bool


@dataclass(slots=True, frozen=True)
class Offer:
    """The interfaces a bind or alter_context offered, and its verifier's auth type."""

    names: tuple[str, ...]
    auth_type: int | None


class Binding:
    """Presentation contexts by context id, the association's auth level and its user."""

    __slots__ = ("contexts", "offered", "level", "user")

    def __init__(self) -> None:
        self.contexts: Capped[int, Context] = Capped(MAX_CONTEXTS)
        self.offered: Capped[int, list[ContextElem]] = Capped(MAX_BINDS)  # bind call id -> contexts
        self.level = int(AuthLevel.NONE)  # of the last bind / alter_context with a verifier
        self.user: ntlmssp.NtlmMessage | None = None  # NTLMSSP AUTHENTICATE of the RPC auth

    def bind(self, h: Header, pdu: bytes, first: bool) -> Offer:
        """A bind (``first``) or alter_context: its contexts, its verifier's level and token."""
        elems = parse_bind(pdu, h)
        trailer = SecTrailer.parse(pdu, h)
        self._auth(trailer)
        if trailer is not None:
            self.level = trailer.auth_level
        elif first:
            self.level = int(AuthLevel.NONE)
        self.offered[h.call_id] = elems
        names = []
        for e in elems:
            name = KNOWN.get(e.abstract.uuid, str(e.abstract.uuid))
            ndr64 = bool(e.transfers) and all(t.uuid == NDR64 for t in e.transfers)
            self.contexts[e.context_id] = Context(name, ndr64)
            names.append(name)
        return Offer(tuple(names), trailer.auth_type if trailer else None)

    def answer(self, h: Header, pdu: bytes) -> None:
        """A bind_ack or alter_context_resp: the transfer syntax accepted for each context offered."""
        elems = self.offered.pop(h.call_id, [])
        for elem, res in zip(elems, parse_bind_ack(pdu, h), strict=False):
            ctx = self.contexts.get(elem.context_id)
            if ctx is None:
                continue
            if res.result == RESULT_ACCEPTANCE:
                ctx.ndr64 = res.transfer.uuid == NDR64
            else:
                del self.contexts[elem.context_id]

    def auth3(self, h: Header, pdu: bytes) -> None:
        """An auth3: its verifier (after 4 bytes of padding) completes the authentication."""
        self._auth(SecTrailer.parse(pdu, h, HEADER_LEN + 4))

    def level_of(self, trailer: SecTrailer | None) -> int:
        """The level a request or response was sent at."""
        if trailer is not None:
            return trailer.auth_level
        # at connect level requests carry no verifier; otherwise a request without one is in clear
        return self.level if self.level == AuthLevel.CONNECT else int(AuthLevel.NONE)

    def _auth(self, trailer: SecTrailer | None) -> None:
        if trailer is None:
            return
        msg = ntlmssp.find(trailer.token)
        if msg is not None and msg.type == ntlmssp.AUTHENTICATE and msg.user:
            self.user = msg
