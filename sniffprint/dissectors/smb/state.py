"""Per-connection SMB state: what was negotiated, and the sessions, trees, files and requests seen.

Read from: MS-SMB2 3.2.1 (client abstract data model: Connection, Session, TreeConnect, Open,
the outstanding request table) and MS-CIFS 3.2.1 (the same for SMB1). Only what the dissector
needs is kept.

The tables are keyed the way the wire names things, so that SMB1 and SMB2 parsers can share
them behind one framing: ``sessions`` by SessionId (SMB1: UID), ``trees`` by TreeId (SMB1: TID),
``files`` by the FileId's bytes (SMB2: 16 bytes; SMB1: the 2-byte FID), ``pending`` by
MessageId (SMB1: MID, with the PID when it matters). A file carries where its bytes go: a print
job (``PrintJob``, for a file on a print share) or a named pipe (``Pipe``, a DCE/RPC stream).

Invariants:
- Every table holds at most ``MAX_TABLE`` entries; a new key past the cap evicts the oldest entry
  (``Table``), so a hostile stream cannot grow the state without bound.
- The connection's flow facts are emitted when they change, never repeated with the same value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, TypeVar

from ..dcerpc import RpcFacts
from ..events import Event, FlowFact, PrintSeen
from ..ntlmssp import NtlmMessage
from .printjob import PrintJob

if TYPE_CHECKING:
    from .pipe import Pipe

MAX_TABLE = 1024  # entries per table (pending requests, trees, files, sessions)

K = TypeVar("K")
V = TypeVar("V")


class Table(dict[K, V]):
    """A dict capped at ``MAX_TABLE`` entries: inserting a new key past the cap drops the oldest
    (dicts keep insertion order; replacing an existing key keeps its place)."""

    __slots__ = ()

    def __setitem__(self, k: K, v: V) -> None:
        if k not in self and len(self) >= MAX_TABLE:
            del self[next(iter(self))]
        super().__setitem__(k, v)


class ShareType(IntEnum):
    """MS-SMB2 2.2.10 ShareType (SMB1: the TREE_CONNECT_ANDX Service string, MS-CIFS 2.2.4.55.2:
    "A:" disk, "IPC" named pipe, "LPT1:" printer)."""

    DISK = 0x01  # SMB2_SHARE_TYPE_DISK ("A:")
    PIPE = 0x02  # SMB2_SHARE_TYPE_PIPE ("IPC", named pipes)
    PRINT = 0x03  # SMB2_SHARE_TYPE_PRINT ("LPT1:")


@dataclass(slots=True)
class Session:
    """MS-SMB2 3.2.1.3 Session: who authenticated, and the SessionFlags the server granted."""

    auth: NtlmMessage | None = None  # the NTLMSSP AUTHENTICATE of its SESSION_SETUP
    flags: int | None = None  # SESSION_SETUP response SessionFlags (IS_GUEST, IS_NULL, ENCRYPT_DATA)
    encrypted: bool = False  # a transform header named this session


@dataclass(slots=True)
class Tree:
    """MS-SMB2 3.2.1.4 TreeConnect: the path asked for, then what the response said about it."""

    path: str
    share_type: int = 0  # a ShareType; 0 until the response is seen
    flags: int = 0  # ShareFlags
    capabilities: int = 0

    @property
    def share(self) -> str:
        return self.path.rsplit("\\", 1)[-1]


@dataclass(slots=True)
class File:
    """MS-SMB2 3.2.1.6 Open: a file created on a tree, and where its bytes go."""

    name: str
    tree: Tree | None
    session: int  # the SessionId it was opened under
    pipe: Pipe | None = None  # a named pipe carrying DCE/RPC (spoolss)
    job: PrintJob = field(default_factory=PrintJob)  # used when the tree is a print share
    closed: bool = False  # CLOSE was sent (a compound's CREATE response may still follow)
    appended: int = 0  # SMB1 WRITE_PRINT_FILE: bytes appended so far (it has no offsets)

    @property
    def printing(self) -> bool:
        return self.tree is not None and self.tree.share_type == ShareType.PRINT


@dataclass(slots=True)
class Pending:
    """What a request said that its response needs (matched by MessageId, MS-SMB2 3.2.1.7; SMB1:
    by PID and MID, MS-CIFS 3.2.5.1)."""

    command: int
    tree: Tree | None = None
    file: File | None = None
    auth: NtlmMessage | None = None  # SMB1 SESSION_SETUP_ANDX: who asked (the UID comes in the response)
    left: int = 0  # SMB1 TRANSACTION: response data bytes still to come


@dataclass(slots=True)
class Connection:
    """MS-SMB2 3.2.1.2 Connection, plus what this flow has shown so far."""

    # negotiation
    dialect: str | None = None
    offered: list[str] = field(default_factory=list)  # dialects the client offered (SMB1 or SMB2)
    signing: bool | None = None  # signing required or seen in use
    encryption_capable: bool | None = None
    cipher: str | None = None
    encryption_required: bool = False
    smb1_offered: bool = False  # an SMB1 NEGOTIATE was sent
    smb1: bool | None = None  # SMB1 spoken (True), offered and refused (False), not known (None)
    plaintext_passwords: bool | None = None  # SMB1: the server did not ask for challenge/response
    # what the flow shows
    encrypted: bool = False  # a transform header was seen
    print_share: bool = False  # print traffic was seen (a print share, or spoolss printing)
    compressed_noted: bool = False
    shares: list[str] = field(default_factory=list)  # smb_share: print shares, or else the shares used
    print_only: bool = False  # ``shares`` lists print shares only
    jobs_started: int = 0  # numbers the job keys (print files and spoolss jobs)
    last_auth: NtlmMessage | None = None  # the last AUTHENTICATE, for sessions not seen
    # tables
    sessions: Table[int, Session] = field(default_factory=Table)
    trees: Table[int, Tree] = field(default_factory=Table)
    files: Table[bytes, File] = field(default_factory=Table)
    pending: Table[int, Pending] = field(default_factory=Table)
    pending1: Table[int, list[Pending]] = field(default_factory=Table)  # SMB1: PID << 16 | MID
    rpc: RpcFacts = field(default_factory=lambda: RpcFacts(pipe=True))  # the pipes' DCE/RPC facts

    def session(self, sid: int) -> Session:
        """The session ``sid``, created when first named."""
        s = self.sessions.get(sid)
        if s is None:
            s = self.sessions[sid] = Session()
        return s

    def auth_for(self, sid: int) -> NtlmMessage | None:
        """Who opened things under ``sid``: its AUTHENTICATE, else the last one seen on the flow."""
        s = self.sessions.get(sid)
        return s.auth if s is not None and s.auth is not None else self.last_auth

    def require_encryption(self) -> list[Event]:
        if self.encryption_required:
            return []
        self.encryption_required = True
        return [FlowFact("smb_encryption_required", True)]

    def next_job_key(self, prefix: str = "smb-rpc") -> str:
        """A job key unique in this connection (print files and spoolss jobs share the count)."""
        self.jobs_started += 1
        return f"{prefix}-{self.jobs_started}"

    def saw_print_share(self) -> list[Event]:
        """A print share: print in clear, whatever the pipes' RPC protection says."""
        out = self.rpc.cleartext_print()
        if self.print_share:
            return out
        self.print_share = True
        return [PrintSeen(True), *out]

    def saw_signing(self, signing: bool) -> list[Event]:
        """Signing seen required (NEGOTIATE) or in use (a signed header); True is final."""
        if self.signing is True or signing == self.signing:
            return []
        self.signing = signing
        return [FlowFact("smb_signing", signing)]
