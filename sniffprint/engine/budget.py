"""A run-wide budget for the document bytes open jobs keep (for text, PII counts and carving).

Each job keeps its document in a ``Spool``: in memory while it is small and the run's memory
budget allows, on disk beyond. Without a shared budget, many print connections open at once each
kept up to 4 MiB in memory (250 of them: 1.1 GiB; under the 100,000-flow cap the process was
OOM-killed). Here:

- ``memory`` bounds the bytes held in memory by all spools together: a spool that would pass it
  moves to a temporary file first (its memory is returned), so memory never grows with the number
  of open jobs beyond the budget;
- ``disk`` bounds the bytes on disk of all spools together: past it, a job keeps no more bytes,
  ``Spool.write`` says how many it took, and the job records the trim (``Job.trimmed``), which
  becomes a ``limit_exceeded`` anomaly and makes the job's evidence incomplete — never a crash.

Invariants: ``memory_used`` and ``disk_used`` are the sums over live spools; ``close`` returns a
spool's bytes to the budget; a spool never holds more than it was given.
"""
from __future__ import annotations

import tempfile
from typing import IO

SPOOL_MEMORY = 4 * 1024 * 1024  # one document stays in memory up to this size, then spills to disk


class DocumentBudget:
    __slots__ = ("memory", "disk", "memory_used", "disk_used", "spilled", "trimmed")

    def __init__(self, memory: int = 256 << 20, disk: int = 4 << 30) -> None:
        self.memory = memory
        self.disk = disk
        self.memory_used = 0
        self.disk_used = 0
        self.spilled = 0  # spools moved to disk early because the memory budget was reached
        self.trimmed = 0  # documents cut short by the disk budget

    def spool(self) -> Spool:
        return Spool(self)


class Spool:
    """One job's kept document: a bytearray, then a temporary file (see the module docstring)."""

    __slots__ = ("budget", "mem", "file", "size", "closed")

    def __init__(self, budget: DocumentBudget) -> None:
        self.budget = budget
        self.mem: bytearray | None = bytearray()
        self.file: IO[bytes] | None = None
        self.size = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        """Keep ``data``; returns how many bytes were kept (fewer when the disk budget is spent)."""
        b = self.budget
        n = len(data)
        if self.mem is not None:
            if len(self.mem) + n <= SPOOL_MEMORY and b.memory_used + n <= b.memory:
                self.mem += data
                b.memory_used += n
                self.size += n
                return n
            if len(self.mem) + n <= SPOOL_MEMORY:
                b.spilled += 1  # the run's memory budget, not this document's size, moves it
            self._to_disk()
        room = max(0, b.disk - b.disk_used)
        take = min(n, room)
        if take < n:
            b.trimmed += 1
        if take:
            assert self.file is not None
            self.file.write(data[:take])
            b.disk_used += take
            self.size += take
        return take

    def _to_disk(self) -> None:
        b = self.budget
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        mem = self.mem or bytearray()
        self.file.write(mem)  # what was kept stays kept: moving it may pass the disk budget by < 4 MiB
        b.memory_used -= len(mem)
        b.disk_used += len(mem)
        self.mem = None

    def read(self) -> bytes:
        if self.mem is not None:
            return bytes(self.mem)
        assert self.file is not None
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        b = self.budget
        if self.mem is not None:
            b.memory_used -= len(self.mem)
            self.mem = None
        elif self.file is not None:
            b.disk_used -= self.size
            self.file.close()
            self.file = None
