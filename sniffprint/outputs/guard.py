"""The guarded machine output of the CLI (standard output or ``-o FILE``).

A closed pipe (``verify ... | head -1``) discards the rest and never changes the exit status: the
run goes on and the verdict decides it. A write error (full disk, a device that refuses) stops the
writing, lets the run finish and flush what it found elsewhere (the evidence folder, the summary
on stderr), and is raised as ``OutputError`` by ``check()`` (exit 2 with the path and the OS error).
"""
from __future__ import annotations

import io
import os
import sys
from typing import IO

from ..errors import OutputError


class Output(io.TextIOBase):
    """The machine output: a closed pipe (``| head``) never changes the exit status (the run goes
    on and the verdict still decides it); a write error (full disk) stops the writing, lets the run
    finish, and is reported as exit 2 with the path and the OS error (``failure``)."""

    def __init__(self, fp: IO[str], name: str) -> None:
        super().__init__()
        self.fp = fp
        self.name = name
        self.dead = False  # the reader went away: discard the rest
        self.failure: OutputError | None = None
        self.done = False  # closed by us

    def write(self, s: str) -> int:
        if not self.dead and self.failure is None and not self.done:
            try:
                self.fp.write(s)
            except BrokenPipeError:
                self._pipe_closed()
            except OSError as exc:
                self.failure = OutputError(f"{self.name}: cannot write ({exc.strerror or exc})")
        return len(s)

    def flush(self) -> None:
        if not self.dead and self.failure is None and not self.done:
            try:
                self.fp.flush()
            except BrokenPipeError:
                self._pipe_closed()
            except OSError as exc:
                self.failure = OutputError(f"{self.name}: cannot write ({exc.strerror or exc})")

    def _pipe_closed(self) -> None:
        self.dead = True
        if self.fp is sys.stdout:  # no "Exception ignored ... BrokenPipeError" at interpreter exit
            try:
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            except (OSError, ValueError, io.UnsupportedOperation):
                pass

    def close(self) -> None:
        if self.done:
            return
        self.flush()
        self.done = True
        if self.fp is not sys.stdout:
            try:
                self.fp.close()
            except OSError as exc:
                if self.failure is None:
                    self.failure = OutputError(f"{self.name}: cannot write ({exc.strerror or exc})")
        super().close()

    def check(self) -> None:
        """Raise the write failure, if any, once the run has finished and flushed what it found."""
        if self.failure is not None:
            raise self.failure
