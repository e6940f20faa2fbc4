"""The print job of a file opened on a print share: its events, and its WRITE data in file order.

Read from: MS-SMB2 3.3.5.13 (WRITE: data goes to the file at its Offset) and 2.2.10 (a print
share's ShareType). SMB1 (MS-CIFS 2.2.4.43 WRITE_ANDX, 2.2.4.67 WRITE_PRINT_FILE) hands its data
on the same way.

A file created on a print share is a print job: ``JobStarted`` at its CREATE (or at its first
WRITE when the CREATE was not seen), its name as ``document_name``, the session's NTLMSSP user
and workstation, its WRITE data as the document, ``JobEnded`` at its CLOSE. Several print files
may be open on one connection, so each job has its own key (``smb-file-N``).

Invariants:
- Document bytes are handed on in file-offset order, each byte at most once (the first copy
  wins). A write ahead of a hole waits, up to ``MAX_REORDER`` bytes per file; a write that cannot
  wait (streamed, or past that bound) gives the hole up as a ``DocumentGap``. Holes still open at
  CLOSE become ``DocumentGap``s too. Missing bytes are never zero-filled.
- One job per file: a closed file starts no new job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..events import DocumentData, DocumentGap, Event, JobEnded, JobField, JobStarted, Note

if TYPE_CHECKING:
    from .state import Connection, File

MAX_REORDER = 1 << 20  # out-of-order WRITE bytes held per print file before giving up on the hole


@dataclass(slots=True)
class PrintJob:
    """The job of one print file and its document's reassembly in file-offset order."""

    open: bool = False  # a print job is open for this file
    key: str | None = None  # its job's key: several print files may be open on one connection
    next_offset: int = 0  # the next file offset handed on as document data
    held: dict[int, bytes] = field(default_factory=dict)  # out-of-order writes waiting for a hole
    held_bytes: int = 0
    reordered: bool = False  # an out-of-order write was noted

    def data(self, foff: int, data: bytes, hold: bool = True) -> list[Event]:
        """Hand on write data in file-offset order; writes ahead of a hole wait (bounded)."""
        if not data:
            return []
        end = foff + len(data)
        if foff == self.next_offset:
            self.next_offset = end
            return [DocumentData(data, self.key)] + self._drain()
        out: list[Event] = []
        if not self.reordered:
            self.reordered = True
            out.append(Note("smb_write_out_of_order", f"print file (name withheld): write at {foff}, "
                            f"expected {self.next_offset}"))
        if end <= self.next_offset:
            return out  # a rewrite of bytes already handed on: the first copy wins
        if foff < self.next_offset:  # overlaps what was handed on: keep the new tail only
            data = data[self.next_offset - foff:]
            self.next_offset = end
            return out + [DocumentData(data, self.key)] + self._drain()
        if hold and self.held_bytes + len(data) <= MAX_REORDER:
            self.held[foff] = data
            self.held_bytes += len(data)
            return out
        # a streamed write cannot wait, nor can more than MAX_REORDER bytes: give the hole up
        out += self.gap(foff)
        self.next_offset = end
        return out + [DocumentData(data, self.key)] + self._drain()

    def gap(self, upto: int) -> list[Event]:
        """Everything before file offset ``upto`` that is still missing will not come."""
        out: list[Event] = []
        while self.held:
            nxt = min(self.held)
            if nxt >= upto:
                break
            if nxt > self.next_offset:
                out.append(DocumentGap(nxt - self.next_offset, self.key))
                self.next_offset = nxt
            out += self._drain()
        if upto > self.next_offset:
            out.append(DocumentGap(upto - self.next_offset, self.key))
            self.next_offset = upto
            out += self._drain()
        return out

    def _drain(self) -> list[Event]:
        out: list[Event] = []
        while self.held:
            nxt = min(self.held)
            if nxt > self.next_offset:
                break
            data = self.held.pop(nxt)
            self.held_bytes -= len(data)
            if nxt + len(data) > self.next_offset:
                out.append(DocumentData(data[self.next_offset - nxt:], self.key))
                self.next_offset = nxt + len(data)
        return out

    def flush(self) -> list[Event]:
        """Give up on holes: hand on what is held, with a DocumentGap for each hole."""
        out: list[Event] = []
        while self.held:
            nxt = min(self.held)
            if nxt > self.next_offset:
                out.append(DocumentGap(nxt - self.next_offset, self.key))
                self.next_offset = nxt
            out += self._drain()
        return out

    def end(self) -> list[Event]:
        """The file was closed: the held bytes go out (holes as gaps) and the job ends."""
        if not self.open:
            return []
        out = self.flush()
        self.open = False
        out.append(JobEnded(key=self.key))
        return out


def start(conn: Connection, f: File) -> list[Event]:
    """Open ``f``'s job unless it is open or the file is closed: the job's name and who sent it."""
    job = f.job
    if job.open or f.closed:
        return []
    job.open = True
    job.key = k = conn.next_job_key("smb-file")
    out: list[Event] = [JobStarted("smb", key=k)]
    if f.name:
        out.append(JobField("document_name", f.name, "smb", key=k))
    auth = conn.auth_for(f.session)
    if auth is not None and auth.user:
        out.append(JobField("user", auth.user, "smb", key=k))
    if auth is not None and auth.workstation:
        out.append(JobField("host", auth.workstation, "smb", key=k))
    return out


class PrintTarget:
    """Where the data of one WRITE to a print file goes (``rel``: offset inside the write's data)."""

    __slots__ = ("job", "offset", "streamed")

    def __init__(self, job: PrintJob, offset: int, streamed: bool) -> None:
        self.job, self.offset, self.streamed = job, offset, streamed

    def data(self, rel: int, b: bytes) -> list[Event]:
        return self.job.data(self.offset + rel, b, hold=not self.streamed)

    def gap(self, rel: int, n: int) -> list[Event]:
        return self.job.gap(self.offset + rel + n)
