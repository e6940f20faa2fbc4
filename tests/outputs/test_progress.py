"""outputs/progress.py and the CLI on a real terminal: a progress line on stderr only when a person
watches (a pty), redrawn in place and removed at the end; never in a pipe or CI; verify prints the
human table on a terminal and JSON lines into a pipe."""
from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys

import pytest

from sniffprint.outputs.progress import CLEAR, Progress, wanted
from tests import pcapgen
from tests.conftest import PCAPS, ROOT


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_wanted_only_on_a_terminal_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wanted(_Tty()) and not wanted(io.StringIO()) and not wanted(_Tty(), quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not wanted(_Tty())
    monkeypatch.delenv("CI")
    monkeypatch.setenv("TERM", "dumb")
    assert not wanted(_Tty())


def test_line_says_bytes_of_total_rate_and_print_flows():
    p = Progress(_Tty(), 4 << 20)
    assert p.line(1 << 20, 5000, 3, 2.0) == ("sniffprint: 1.0 MB of 4.0 MB (25%), 5,000 packets (2,500/s), "
                                            "3 print flows")
    assert Progress(_Tty(), None).line(2048, 10, 0, 0.0).startswith("sniffprint: 2.0 KB read, 10 packets (0/s)")


def test_redraws_at_most_every_interval_and_clears_at_the_end():
    class _P:  # what the line reads of a pipeline
        print_flows_seen = 2

        @staticmethod
        def read_so_far():
            return 500, 100

    now = [10.0]
    out = _Tty()
    p = Progress(out, 1000, clock=lambda: now[0])
    p(_P)
    now[0] += 0.05
    p(_P)  # too soon: not drawn
    now[0] += 0.2
    p(_P)
    assert out.getvalue().count(CLEAR) == 2 and "2 print flows" in out.getvalue()
    assert "500 B of 1000 B (50%), 100 packets" in out.getvalue()
    p.clear()
    assert out.getvalue().endswith(CLEAR) and not p.drawn
    p.clear()  # nothing drawn: nothing written
    assert out.getvalue().count(CLEAR) == 3


# ---------------------------------------------------------------------------- a real pty
def _big_capture(tmp_path) -> str:
    job = b"%!PS-Adobe-3.0\n" + b"72 700 moveto (a line of text) show\n" * 1500 + b"showpage\n"
    frames, _ = pcapgen.print_job_frames(job=job, mss=16)  # ~3,500 frames: more than PROGRESS_FRAMES
    path = tmp_path / "big.pcap"
    path.write_bytes(pcapgen.pcap(frames))
    return str(path)


def _run(args: list[str], *, stdout_tty: bool, stderr_tty: bool) -> tuple[int, bytes, bytes]:
    """Run the CLI with stdout and/or stderr on a pseudo-terminal; returns (status, tty bytes, pipe bytes)."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    # a fixed hash key: the one-off "created a site key" notice is not what these tests watch
    env.update(PYTHONPATH=str(ROOT), TERM="xterm", COLUMNS="120", SNIFFPRINT_HASH_KEY="progress-tests")
    proc = subprocess.Popen([sys.executable, "-m", "sniffprint", *args], cwd=ROOT, env=env,
                            stdin=subprocess.DEVNULL,
                            stdout=slave if stdout_tty else subprocess.PIPE,
                            stderr=slave if stderr_tty else subprocess.PIPE)
    os.close(slave)
    tty = b""
    pipe_stream = proc.stderr if stdout_tty else proc.stdout
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            proc.kill()
            pytest.fail("the CLI did not finish")
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every end of the terminal is closed
            break
        if not chunk:
            break
        tty += chunk
    os.close(master)
    piped = pipe_stream.read() if pipe_stream is not None else b""
    return proc.wait(timeout=60), tty, piped


def test_progress_line_on_a_terminal_and_cleared_at_the_end(tmp_path):
    cap = _big_capture(tmp_path)
    code, tty, out = _run(["scan", "--format", "json", cap], stdout_tty=False, stderr_tty=True)
    assert code == 0
    assert b"sniffprint: " in tty and b" packets (" in tty and b"print flows" in tty
    assert b" of " in tty and b"%)" in tty  # bytes of the file's size
    assert tty.endswith(CLEAR.encode())  # removed: the terminal is left as it was
    assert b"\n" not in tty  # redrawn in place, never a new line
    assert b'"type":"flow"' in out and b"\x1b" not in out


def test_progress_line_of_a_parallel_run(tmp_path):
    """--jobs: worker 0 reports what it has read, the parent draws the line."""
    cap = _big_capture(tmp_path)
    code, tty, out = _run(["scan", "-j", "2", "--format", "json", cap], stdout_tty=False, stderr_tty=True)
    assert code == 0
    assert b" packets (" in tty and b" of " in tty and tty.endswith(CLEAR.encode())
    assert b'"type":"flow"' in out


def test_no_progress_in_a_pipe_or_with_quiet(tmp_path):
    cap = _big_capture(tmp_path)
    code, tty, err = _run(["scan", "--format", "json", cap], stdout_tty=True, stderr_tty=False)
    assert code == 0 and b"\x1b[K" not in err and b"packets (" not in err
    code, tty, _ = _run(["scan", "-q", "--format", "json", cap], stdout_tty=False, stderr_tty=True)
    assert code == 0 and tty == b""


def test_verify_prints_the_table_on_a_terminal_and_json_into_a_pipe():
    cap = str(PCAPS / "lpd-cups.pcap")
    code, tty, err = _run(["verify", cap], stdout_tty=True, stderr_tty=False)
    assert code == 1
    assert b"findings:" in tty and b"verdict: EXPOSED" in tty and b'{"type"' not in tty
    assert b"sniffprint verify:" not in err  # the table already ends with the verdict
    code, tty, out = _run(["verify", cap], stdout_tty=False, stderr_tty=True)
    assert code == 1
    assert out.splitlines()[0].startswith(b'{"type":') and b"sniffprint verify: EXPOSED" in tty
    code, tty, _ = _run(["verify", "--format", "json", cap], stdout_tty=True, stderr_tty=False)
    assert code == 1 and tty.startswith(b'{"type":')  # asked for: JSON on a terminal too
