"""Command line: ``sniffprint scan`` / ``sniffprint live``. The only module that exits.

Exit codes (``ExitCode``): 0 the run completed; 2 usage error or unreadable input (missing path,
empty file, not a capture, no capture privilege); 4 internal error (a bug: the message asks for a
report, ``--debug`` shows the traceback). Python's default crash status 1 never leaks: 1 is
reserved for "exposure found" in ``verify``.
"""
from __future__ import annotations

import enum
import sys
from typing import IO, Any

import click

from . import __version__
from .errors import CaptureError, OptionsError


class ExitCode(enum.IntEnum):
    CLEAN = 0
    EXPOSED = 1
    USAGE = 2
    INCONCLUSIVE = 3
    INTERNAL = 4


def _fail(msg: str, code: ExitCode) -> None:
    click.echo(f"sniffprint: {msg}", err=True)
    sys.exit(int(code))


def _run(writer_name: str, specs: list[str], fp: IO[str], *, show_all: bool, reveal: bool,
         debug: bool, **source_kw: Any) -> dict[str, Any]:
    from .api import Engine, check_readable
    from .options import Options
    from .outputs import OUTPUTS

    for spec in specs:
        check_readable(spec)
    writer = OUTPUTS[writer_name](fp, show_all=show_all, reveal=reveal)
    writer.begin()
    engine = Engine(Options(reveal=reveal), on_flow=writer.flow, on_job=writer.job,
                    on_anomaly=writer.anomaly)
    engine.run(specs, **source_kw)
    stats = engine.stats()
    writer.end(stats)
    return stats


def _guard(fn: Any) -> Any:
    """Turn every failure into a one-line message and the right exit status."""
    import functools

    @functools.wraps(fn)
    def wrapper(*a: Any, **kw: Any) -> Any:
        debug = kw.get("debug", False)
        try:
            return fn(*a, **kw)
        except (CaptureError, OptionsError) as exc:
            _fail(str(exc), ExitCode.USAGE)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except KeyboardInterrupt:
            _fail("interrupted", ExitCode.INTERNAL)
        except Exception as exc:  # a bug
            if debug:
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} -- please report it "
                  "(run again with --debug for the traceback)", ExitCode.INTERNAL)

    return wrapper


def _formats() -> list[str]:
    from .outputs import OUTPUTS

    return sorted(OUTPUTS)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sniffprint")
def main() -> None:
    """Find print traffic that crosses the network in cleartext."""


@main.command()
@click.argument("captures", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(_formats()), default="table", show_default=True,
              help="Output format.")
@click.option("--all", "show_all", is_flag=True, help="List every flow, not only those that matter.")
@click.option("--reveal", is_flag=True, help="Show job metadata (user, job and document names) as sent.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the output to a file instead of standard output.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guard
def scan(captures: tuple[str, ...], fmt: str, show_all: bool, reveal: bool, output: str | None,
         debug: bool) -> None:
    """Analyse pcap/pcapng CAPTURES (gzip allowed, - for stdin) and report print flows."""
    if output:
        with open(output, "w", encoding="utf-8") as fp:
            _run(fmt, list(captures), fp, show_all=show_all, reveal=reveal, debug=debug)
    else:
        _run(fmt, list(captures), sys.stdout, show_all=show_all, reveal=reveal, debug=debug)


@main.command()
@click.option("-i", "--interface", required=True, help="Network interface to capture on.")
@click.option("--bpf", default=None, help="BPF capture filter, e.g. 'tcp port 9100 or tcp port 631'.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop after this many seconds.")
@click.option("--count", type=click.IntRange(min=1), default=None, help="Stop after this many packets.")
@click.option("--format", "fmt", type=click.Choice(_formats()), default="json", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="List every flow.")
@click.option("--reveal", is_flag=True, help="Show job metadata as sent.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guard
def live(interface: str, bpf: str | None, duration: float | None, count: int | None, fmt: str,
         show_all: bool, reveal: bool, debug: bool) -> None:
    """Capture on INTERFACE and report flows as they finish (Ctrl-C ends with a summary)."""
    _run(fmt, [f"live:{interface}"], sys.stdout, show_all=show_all, reveal=reveal, debug=debug,
         bpf=bpf, duration=duration, count=count)


if __name__ == "__main__":  # pragma: no cover
    main()
