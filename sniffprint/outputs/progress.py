"""The progress line on stderr while captures are read: bytes of the total, packets per second,
print flows so far, redrawn in place and removed at the end.

Only for a person watching: drawn when stderr is a terminal (``isatty``), never in a pipe, a
file, CI (``CI`` set) or a dumb terminal (``TERM=dumb``), and not with ``-q``. At most
``INTERVAL`` seconds apart, cut to the terminal's width so it never wraps (a wrapped line could not
be redrawn in place). ``Pipeline(on_progress=...)`` calls it every few thousand frames.
"""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..api import Pipeline
    from ..sources import SourceSpec

CLEAR = "\r\x1b[K"  # carriage return, erase to the end of the line


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover


def wanted(stream: IO[str], *, quiet: bool = False) -> bool:
    """Whether a person is watching ``stream``."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not quiet and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    INTERVAL = 0.2

    def __init__(self, stream: IO[str], total: int | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.total = total  # bytes of every file to read, None when one is a pipe
        self.clock = clock
        self.start = self.clock()
        self.last = -1.0
        self.drawn = False

    @classmethod
    def for_run(cls, stream: IO[str], specs: Sequence[SourceSpec], *, quiet: bool = False) -> Progress | None:
        """A progress line for reading ``specs``, or None when nobody is watching or nothing is a file."""
        if not wanted(stream, quiet=quiet) or not any(s.is_file for s in specs):
            return None
        total: int | None = 0
        for s in specs:
            try:
                total = None if total is None or not s.is_file else total + os.path.getsize(str(s))
            except OSError:
                total = None
        return cls(stream, total)

    def line(self, done: int, packets: int, print_flows: int, elapsed: float) -> str:
        rate = packets / elapsed if elapsed > 0 else 0.0
        if self.total:
            read = f"{_size(done)} of {_size(self.total)} ({min(100.0, 100.0 * done / self.total):.0f}%)"
        else:
            read = f"{_size(done)} read"
        return f"sniffprint: {read}, {packets:,} packets ({rate:,.0f}/s), {print_flows} print flows"

    def __call__(self, pipeline: Pipeline) -> None:
        now = self.clock()
        if now - self.last < self.INTERVAL:
            return
        self.last = now
        done, frames = pipeline.read_so_far()
        text = self.line(done, frames, pipeline.print_flows_seen, now - self.start)
        width = shutil.get_terminal_size((80, 24)).columns - 1
        self.stream.write(CLEAR + text[:max(width, 20)])
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        """Remove the line (before anything else is written to the terminal)."""
        if self.drawn:
            self.stream.write(CLEAR)
            self.stream.flush()
            self.drawn = False
