"""The print jobs the spooler calls of one association make, per printer handle (MS-RPRN / MS-PAR).

Read from: MS-RPRN 3.1.4.2.2 / 3.1.4.2.14 (RpcOpenPrinter / RpcOpenPrinterEx: a PRINTER_HANDLE
and, in the Ex form, the SPLCLIENT_CONTAINER naming the client's user and machine), 3.1.4.9.1
(RpcStartDocPrinter: DOC_INFO_1, the document name and data type), 3.1.4.9.3 (RpcWritePrinter:
the handle, a byte count, the bytes), 3.1.4.9.7-9 (RpcEndDocPrinter, RpcAbortPrinter), 3.1.4.2.9
(RpcClosePrinter); MS-PAR 3.1.4.1 (the same calls as IRemoteWinspool's Async* methods).

Jobs: RpcStartDocPrinter on a printer handle starts a keyed job (several handles may print at
once), RpcWritePrinter's bytes are its document (streamed fragment by fragment, never buffered
whole), RpcEndDocPrinter / RpcAbortPrinter / RpcClosePrinter end it; a new StartDocPrinter on the
same handle ends the one before. The job's user is the NTLMSSP user of the RPC authentication,
else the SPLCLIENT_INFO of RpcOpenPrinterEx; over SMB the pipe adds the SMB session's user first
(``smb.pipe``), which wins.

Invariants:
- Bytes of a WritePrinter whose handle has no open job start one (its StartDocPrinter was not
  seen): document bytes are never dropped for want of a start. With one job open and a handle
  never seen, the bytes go to that job.
- A WritePrinter call lost before its byte count was read is a ``Note``; lost after it, its
  missing bytes are a ``DocumentGap`` of exactly what it still owed. Nothing is zero-filled.
- Tables are bounded: ``MAX_HANDLES`` handles, opens awaiting their response and open jobs (the
  oldest open job is given up; the flow ends it).
- ``close`` ends every job still open as partial.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .. import ntlmssp
from ..events import DocumentData, DocumentGap, Event, JobEnded, JobField, JobStarted, Note
from . import spoolss
from .calls import MAX_STUB, Call
from .ndr import HANDLE_LEN
from .spoolss import Role
from .tables import Capped

MAX_HANDLES = 64  # printer handles, opens awaiting their response, and open jobs
_ENDS = (Role.END_DOC, Role.ABORT, Role.CLOSE)  # the calls after which a handle's job is over
_OK = b"\x00\x00\x00\x00"  # the DWORD status ending an open's response: ERROR_SUCCESS


@dataclass(slots=True)
class Handle:
    """A printer handle: who opened it, and the job open on it."""

    client: spoolss.ClientInfo | None = None
    job: str | None = None  # the open job started on this printer handle


class PrintJobs:
    """The printer handles of one association and the jobs open on them."""

    __slots__ = ("protocol", "new_key", "handles", "opening", "open")

    def __init__(self, protocol: str, new_key: Callable[[], str]) -> None:
        self.protocol = protocol  # the job protocol: smb (a pipe) or dcerpc (TCP)
        self.new_key = new_key
        self.handles: Capped[bytes, Handle] = Capped(MAX_HANDLES)
        self.opening: Capped[int, spoolss.ClientInfo] = Capped(MAX_HANDLES)  # open call id -> client
        self.open: dict[str, bytes] = {}  # open job key -> its handle

    def requested(self, call: Call, user: ntlmssp.NtlmMessage | None) -> list[Event]:
        """A kept request stub is whole (``calls.KEPT_REQUESTS``); ``user`` is the RPC auth's."""
        stub = bytes(call.stub)
        role = call.role
        if role is Role.OPEN:
            info = spoolss.open_printer(stub, call.little, call.ndr64, (call.iface, call.opnum) in spoolss.OPEN_EX)
            if info is not None:
                self.opening[call.call_id] = info
            return []
        if role is Role.START_DOC:
            return self._start_doc(call, stub, user)
        if role in _ENDS:
            return self._end(stub[:HANDLE_LEN] if len(stub) >= HANDLE_LEN else None)
        return []

    def opened(self, call: Call) -> None:
        """An open's response is whole: on success, its handle belongs to the client that asked."""
        stub = bytes(call.stub)
        info = self.opening.pop(call.call_id, None)
        # [out] PRINTER_HANDLE, then the DWORD status: 0 is success
        if len(stub) >= HANDLE_LEN + 4 and stub[-4:] == _OK:
            self.handles[stub[:HANDLE_LEN]] = Handle(client=info)

    def write(self, call: Call, stub: bytes, user: ntlmssp.NtlmMessage | None) -> list[Event]:
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
                call.job, started = self._open_job(handle, user)
                out += started
        piece = stub[:call.write_left]
        call.write_left -= len(piece)
        if piece and call.job is not None:
            out.append(DocumentData(piece, call.job))
        return out

    def lost(self, call: Call, why: str) -> list[Event]:
        """``call`` will get no more fragments: what its document misses."""
        if call.role is Role.WRITE and call.job is not None and call.write_left > 0 and call.job in self.open:
            left, call.write_left = call.write_left, 0
            return [DocumentGap(left, call.job)]
        if call.role is Role.WRITE and call.job is None and not call.sealed:
            return [Note("dcerpc_gap", f"WritePrinter call {call.call_id}: {why} before its byte count")]
        return []

    def close(self) -> list[Event]:
        """The transport closed: jobs still open were cut before their end."""
        out: list[Event] = [JobEnded(partial=True, key=k) for k in self.open]
        self.open.clear()
        return out

    def _start_doc(self, call: Call, stub: bytes, user: ntlmssp.NtlmMessage | None) -> list[Event]:
        parsed = spoolss.start_doc(stub, call.little, call.ndr64)
        handle, info = parsed if parsed is not None else (b"", spoolss.DocInfo(None, None, None))
        h = self.handles.get(handle)
        out: list[Event] = []
        if h is not None and h.job in self.open:  # a new document on the same handle: the last one is over
            self.open.pop(h.job, None)
            out.append(JobEnded(key=h.job))
        key, started = self._open_job(handle, user)
        out += started
        if info.document_name:
            out.append(JobField("document_name", info.document_name, "spoolss", key=key))
        if info.datatype:
            out.append(JobField("document_format", info.datatype, "spoolss", key=key))
        if parsed is None:
            out.append(Note("dcerpc_unparsed", "a StartDocPrinter stub does not fit DOC_INFO_1"))
        return out

    def _open_job(self, handle: bytes, user: ntlmssp.NtlmMessage | None) -> tuple[str, list[Event]]:
        key = self.new_key()
        self.open[key] = handle
        if len(self.open) > MAX_HANDLES:  # bounded: the oldest open job is given up (the flow ends it)
            self.open.pop(next(iter(self.open)))
        h = self.handles.get(handle)
        if h is None:
            h = self.handles[handle] = Handle()
        h.job = key
        out: list[Event] = [JobStarted(self.protocol, key=key)]
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
            if h is not None and h.job in self.open:
                return h.job
        if len(self.open) == 1 and (handle is None or handle not in self.handles):
            return next(iter(self.open))  # the only job open, its handle not seen
        return None

    def _end(self, handle: bytes | None) -> list[Event]:
        key = self._job_of(handle)
        if key is None:
            return []
        self.open.pop(key, None)
        return [JobEnded(key=key)]
