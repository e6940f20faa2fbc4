"""The flow facts of the DCE/RPC association(s) of one flow: interfaces bound, the auth type and
level of print, the print calls made in clear, and whether the flow is protected print.

Read from: MS-RPCE 2.2.1.1.7 (auth types) and 2.2.1.1.8 (auth levels: at RPC_C_AUTHN_LEVEL_PKT_PRIVACY
the stubs are encrypted), MS-RPCE 3.3.1.5.2 (a bind or alter_context sets the level a context
is used at; each request's own sec_trailer says the level it was sent at), MS-RPRN / MS-PAR (the
print interfaces, ``binding.PRINT_INTERFACES``).

Levels: ``rpc_auth_level`` is the weakest level of the print calls made, or, before any call, of
the print binds; ``spoolss_auth_level`` (SMB pipes) says the same in its older words. At privacy
on every print call the flow is protected print (``Protection.RPC_PRIVACY``) unless print crossed
it in clear some other way (``cleartext_print``, an SMB print share).

Invariants:
- Each fact is emitted only when its value changes, and ``ProtectionSeen`` only when the verdict
  flips, so feeding more of the same association adds no events.
- The weakest level only goes down: a stronger call never hides a weaker one made before.
- Name lists are bounded (``MAX_NAMES``); non-print interfaces are named but set no level.
"""
from __future__ import annotations

from ...model import Protection
from ..events import Event, FlowFact, PrintSeen, ProtectionSeen
from .binding import PRINT_INTERFACES
from .pdu import AUTH_TYPES, LEVEL_NAMES, SPOOLSS_LEVEL_NAMES, AuthLevel

MAX_NAMES = 32  # interface and call names kept for the flow facts


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
        """A context for interface ``name`` was offered at ``level`` (with ``auth_type``'s verifier)."""
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
