"""outputs/guard.py: a closed pipe is silent, a write error is kept for check()."""
from __future__ import annotations

import io

import pytest

from sniffprint.errors import OutputError
from sniffprint.outputs.guard import Output


class _Broken(io.StringIO):
    def __init__(self, exc: OSError) -> None:
        super().__init__()
        self.exc = exc

    def write(self, s: str) -> int:
        raise self.exc


def test_a_closed_pipe_discards_the_rest_without_error():
    out = Output(_Broken(BrokenPipeError()), "standard output")
    assert out.write("x" * 10) == 10 and out.dead
    out.write("more")
    out.close()
    out.check()  # nothing to report: the reader went away


def test_a_write_error_is_reported_once_the_run_is_over():
    out = Output(_Broken(OSError(28, "No space left on device")), "/dev/full")
    out.write("x")
    out.write("y")  # not retried
    out.close()
    with pytest.raises(OutputError, match="/dev/full: cannot write .No space left on device."):
        out.check()


def test_writes_go_through_until_closed():
    fp = io.StringIO()
    out = Output(fp, "f")
    out.write("a")
    out.flush()
    assert fp.getvalue() == "a"
    out.close()
    assert fp.closed  # -o FILE is closed with the output (standard output is left open)
