"""The CLI's side of the conversation with the person: one escaped line on stderr per message, and
the guard that turns every failure into one line and the right exit status.

Invariants:

- Every character from the wire or the user goes through ``outputs.escape.safe`` before it
  reaches the terminal.
- A bug never exits 0 or 1 (``verify`` defines 1 as EXPOSED): it is one line and exit 4
  (INTERNAL), and ``--debug`` adds the traceback. Bad input or an unwritable output is exit 2.
"""
from __future__ import annotations

import functools
import logging
import signal
import sys
import threading
import traceback
from typing import TYPE_CHECKING, Any

import click

from ..errors import CaptureError, OptionsError, OutputError
from ..model import ExitCode
from ..outputs.escape import safe

if TYPE_CHECKING:  # pragma: no cover
    from ..options import Options
    from ..records import Summary


def _say(msg: str) -> None:
    """One line on stderr, every character from the wire or the user escaped (``outputs.escape``)."""
    click.echo(safe(msg), err=True)


def _fail(msg: str, code: ExitCode) -> None:
    _say(f"sniffprint: {msg}")
    sys.exit(int(code))


def _guard(fn: Any) -> Any:
    """Turn every failure into a one-line message and the right exit status; ``--debug`` wires
    logging to stderr (the tracebacks of internal errors caught during the run) and prints the
    traceback of a crash, which still exits 4, never 1."""

    @functools.wraps(fn)
    def wrapper(*a: Any, **kw: Any) -> Any:
        debug = kw.get("debug", False)
        if debug:
            logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                                format="sniffprint: %(levelname)s %(name)s: %(message)s")
        try:
            return fn(*a, **kw)
        except (CaptureError, OptionsError, OutputError) as exc:
            _fail(str(exc), ExitCode.USAGE)
        except click.ClickException:
            raise  # click prints it and exits 2 (usage)
        except KeyboardInterrupt:
            _fail("interrupted", ExitCode.INTERNAL)
        except Exception as exc:  # a bug
            if debug:
                traceback.print_exc()
            _fail(f"internal error: {type(exc).__name__}: {exc} -- please report it "
                  "(run again with --debug for the traceback)", ExitCode.INTERNAL)

    return wrapper


def _tty(stream: Any) -> bool:
    """Whether a person reads ``stream`` (a terminal)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _carve_warning(options: Options) -> None:
    if options.carve:
        _say(f"sniffprint: warning: {options.evidence_dir} now holds the reassembled print documents "
             "and their text in clear (files mode 0600): protect it, delete it when done")


def _ready(bpf: str | None) -> Any:
    def say(iface: str) -> None:
        _say(f"sniffprint: capturing on {iface}" + (f" (filter: {bpf})" if bpf else ""))

    return say


def _stop_on_signals() -> threading.Event:
    """SIGINT and SIGTERM end a live capture cleanly (final summary, flushed files)."""
    stop = threading.Event()

    def handler(_signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def _verbose(stats: Summary) -> None:
    """``-v``: what was read."""
    from ..outputs.htmltext import human_span, utc_time

    for c in stats.captures:
        span = human_span(c.last_ts - c.first_ts) if c.first_ts is not None and c.last_ts is not None else "-"
        _say(f"sniffprint: {c.path}: {c.format}, {c.frames} packets, {c.bytes} bytes, from "
             f"{utc_time(c.first_ts)} over {span}" + (f", SHA-256 {c.sha256}" if c.sha256 else ""))
    rate = stats.frames / stats.elapsed_s if stats.elapsed_s else 0.0
    _say(f"sniffprint: {stats.frames} packets, {stats.flows} TCP flows, {stats.anomalies} anomalies in "
         f"{stats.elapsed_s:.2f} s ({rate:,.0f} packets/s)")
