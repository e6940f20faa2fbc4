"""Command line: ``sniffprint scan`` / ``verify`` / ``live``. The only module that exits.

It parses arguments into a frozen ``Options`` and ``SourceSpec``s, lets ``api.Pipeline`` run, and
renders. Exit codes (``findings.verdict.ExitCode``, README "Exit codes"):

- ``scan`` and ``live``: 0 the run completed (whatever it found); 2 usage error or unreadable
  input (missing path, empty file, not a capture, no capture privilege, missing interface, bad
  policy); 4 internal error.
- ``verify``: 0 print traffic seen and all of it protected; 1 a finding at or above ``--fail-on``;
  2 usage/unreadable input; 3 inconclusive; 4 internal error (``findings.verdict`` explains 0/1/3).
  ``--exit-zero`` turns 1 into 0 but never hides 2, 3 or 4.

A bug never exits 0 or 1: Python's default crash status 1 is caught and becomes 4, with a
one-line message (``--debug`` shows the traceback). Human summaries go to stderr, machine output
to stdout or ``-o``.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import os
import signal
import sys
import threading
import time
import traceback
from typing import IO, TYPE_CHECKING, Any

import click

from ._version import __version__
from .errors import CaptureError, OptionsError, OutputError
from .findings.verdict import ExitCode
from .model import Severity
from .outputs.base import TextSink, Writer
from .outputs.escape import safe
from .outputs.guard import Output
from .outputs.line import LineWriter

if TYPE_CHECKING:  # pragma: no cover
    from .api import Pipeline
    from .findings.verdict import Verdict
    from .options import Options
    from .records import PrinterRecord, Summary
    from .sources import SourceSpec

SEVERITIES = tuple(s.value for s in Severity)


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


def _formats() -> list[str]:
    from .outputs import OUTPUTS

    return sorted(OUTPUTS)


# ---------------------------------------------------------------------------- building a run
def _options(*, reveal: bool, keywords: tuple[str, ...], policy_path: str | None, max_flows: int | None,
             hash_key_file: str | None, max_buffer: int | None = None, evidence_dir: str | None = None,
             carve: bool = False) -> Options:
    """The run's frozen options, validated once."""
    from .evidence.sitekey import read_key_file
    from .findings.policy import load
    from .options import Options

    limits: dict[str, Any] = {"max_flows": max_flows} if max_flows else {}
    if max_buffer:
        limits["max_buffer"] = max_buffer << 20
    return Options(reveal=reveal, keywords=keywords, policy=load(policy_path) if policy_path else None,
                   evidence_dir=evidence_dir, carve=carve,
                   hash_key=read_key_file(hash_key_file) if hash_key_file else None, **limits)


def _with_jobs(options: Options, requested: int | None, specs: list[SourceSpec], *,
               single: str | None = None) -> Options:
    from .parallel import choose_jobs

    jobs, note = choose_jobs(requested, specs, evidence=options.evidence_dir is not None, single=single)
    if note:
        _say(f"sniffprint: {note}: running in one process")
    return dataclasses.replace(options, jobs=jobs)


def _specs(captures: tuple[str, ...]) -> list[SourceSpec]:
    from .api import parse_sources

    return parse_sources(captures)


def _writer(fmt: str, fp: TextSink, **kw: Any) -> Writer:
    from .outputs import OUTPUTS

    return OUTPUTS[fmt](fp, **kw)


def _output(fmt: str, output: str | None, table: str | None) -> tuple[Output, dict[str, Any]]:
    """Where the machine output goes: ``-o FILE`` or standard output, or a folder for the formats
    that write one file per table (Parquet always, CSV when ``-o`` names a folder)."""
    import io

    from .outputs import OUTPUTS
    from .outputs.csv import wants_directory

    if table is not None and fmt != "csv":
        raise click.UsageError("--table chooses the table of --format csv")
    mode = OUTPUTS[fmt].DIRECTORY
    if mode == "always" or mode == "asked" and wants_directory(output):
        if not output:
            raise click.UsageError(f"--format {fmt} writes one file per table: give -o DIR")
        return Output(io.StringIO(), output), {"directory": output}
    return _open_output(output), {}


def _pipeline(options: Options, writer: Writer, specs: list[SourceSpec], **hooks: Any) -> Pipeline:
    from .api import Pipeline

    writer.begin()
    pipeline = Pipeline(options, [writer], sources=specs, **hooks)
    if pipeline.site_key.notice:  # the site key file was just created (once per site), or is unusable
        _say(f"sniffprint: {pipeline.site_key.notice}")
    return pipeline


def _failures(fp: Output, pipeline: Pipeline | None, exposed: bool = False) -> None:
    """Exit 2 for an input an OS error cut short, or an output that could not be written (-o, the
    evidence folder), naming the path and the error, once everything else was flushed (every
    output was written from what was read); when an exposure was proven (exit 1 wins), only say
    what was lost."""
    failures: list[Exception] = [*(pipeline.read_errors if pipeline is not None else ())]
    failures += [f for f in (fp.failure, pipeline.write_failure() if pipeline is not None else None) if f]
    if not failures:
        return
    if not exposed:
        for f in failures[1:]:
            _say(f"sniffprint: {f}")
        raise failures[0]
    for f in failures:
        _say(f"sniffprint: {f}")


def _dask_client(address: str | None) -> Any:
    """A client of the Dask scheduler at ``address`` (None: no cluster)."""
    if not address:
        return None
    try:
        from distributed import Client
    except ImportError:
        raise OptionsError("--dask needs dask[distributed]: pip install 'sniffprint[dask]'") from None
    try:
        return Client(address, timeout=30)  # type: ignore[no-untyped-call]
    except OSError as exc:
        raise OptionsError(f"--dask {address}: cannot reach the scheduler ({exc})") from None


def _carve_warning(options: Options) -> None:
    if options.carve:
        _say(f"sniffprint: warning: {options.evidence_dir} now holds the reassembled print documents "
             "and their text in clear (files mode 0600): protect it, delete it when done")


def _open_output(output: str | None) -> Output:
    if output:
        try:
            fp: IO[str] = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise OutputError(f"{output}: cannot write ({exc.strerror})") from None
        return Output(fp, output)
    return Output(sys.stdout, "standard output")


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


_common = [
    click.option("--reveal", is_flag=True, help="Show job metadata (user, job and document names) as sent; "
                 "never document text."),
    click.option("-k", "--keyword", "keywords", multiple=True, metavar="WORD",
                 help="A sensitive keyword to count in extracted text (repeatable)."),
    click.option("--policy", "policy_path", type=click.Path(dir_okay=False), default=None,
                 help="Verification policy (TOML)."),
    click.option("-o", "--output", type=click.Path(), default=None,
                 help="Write the machine output to this file instead of standard output (a folder for "
                      "--format parquet, and for csv of every table: -o DIR/)."),
    click.option("--max-flows", type=click.IntRange(min=100), default=None, metavar="N",
                 help="Live flows kept at once (about 3 KB each; default 100000): the least recently "
                      "active one is evicted, as an anomaly, beyond it."),
    click.option("--hash-key-file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
                 help="Key of the hashes that stand for user, job and document names (default: "
                      "$SNIFFPRINT_HASH_KEY, else the site key in ~/.config/sniffprint/hash.key, created "
                      "on first use)."),
    click.option("--max-buffer", type=click.IntRange(min=1), default=None, metavar="MIB",
                 help="Memory the documents of all open print jobs may hold together (default 256 MiB); "
                      "beyond it they spill to temporary files."),
    click.option("-q", "--quiet", is_flag=True, help="No progress line and no summary on stderr (errors and "
                 "warnings still show)."),
    click.option("-v", "--verbose", is_flag=True, help="Also say on stderr what was read: each capture's "
                 "packets, bytes, time span, and the run's speed."),
    click.option("--debug", is_flag=True, help="Log what happens and show tracebacks of internal errors."),
]
_table = click.option("--table", type=click.Choice(["flows", "jobs", "findings", "printers", "anomalies", "summary"]),
                      default=None, help="With --format csv: the table to write (default flows); -o DIR/ "
                      "writes every table.")
_jobs = click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, metavar="N",
                     help="Worker processes sharing the flows (default: every core when the captures "
                          "total 64 MiB or more; one for live capture, stdin or --evidence).")
_dask = click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
                     help="Analyse each capture file as a task on this Dask scheduler (tcp://host:8786); the "
                          "files must be readable at the same path on its workers (pip install "
                          "'sniffprint[dask]').")


def _with_common(fn: Any) -> Any:
    for opt in reversed(_common):
        fn = opt(fn)
    return fn


# ---------------------------------------------------------------------------- commands
@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sniffprint")
def main() -> None:
    """Find print traffic that crosses the network in cleartext, and prove when none does."""


@main.command()
@click.argument("captures", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(_formats()), default="table", show_default=True,
              help="Output format.")
@click.option("--all", "show_all", is_flag=True, help="List every flow, not only those that matter.")
@click.option("--evidence", "evidence_dir", type=click.Path(file_okay=False), default=None,
              help="Write findings, redacted evidence and a chain-of-custody manifest to this folder.")
@click.option("--carve", is_flag=True, help="With --evidence: also write each whole document, its text and a "
              "pcap slice of its flow (the folder then holds the documents).")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="medium", show_default=True,
              help="The threshold of the verdict the outputs show (scan itself always exits 0).")
@_table
@_jobs
@_dask
@_with_common
@_guard
def scan(captures: tuple[str, ...], fmt: str, show_all: bool, evidence_dir: str | None, carve: bool,
         fail_on: str, table: str | None, jobs: int | None, dask_address: str | None, reveal: bool,
         keywords: tuple[str, ...], policy_path: str | None, output: str | None, max_flows: int | None,
         hash_key_file: str | None, max_buffer: int | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """Analyse pcap/pcapng CAPTURES (gzip allowed, - for stdin; directories and quoted globs too) and
    report print flows and findings."""
    options = _options(reveal=reveal, keywords=keywords, policy_path=policy_path, max_flows=max_flows,
                       hash_key_file=hash_key_file, max_buffer=max_buffer, evidence_dir=evidence_dir, carve=carve)
    specs = _specs(captures)
    options = _with_jobs(options, jobs, specs)
    # what verify would say: every output claims the verdict verify would exit with
    pipeline, _, stats, fp = _run(options, specs, fmt, output, fail_on=fail_on, show_all=show_all, table=table,
                                  quiet=quiet, dask=_dask_client(dask_address))
    _carve_warning(options)
    if verbose:
        _verbose(stats)
    _failures(fp, pipeline)


def _run(options: Options, specs: list[SourceSpec], fmt: str, output: str | None, *, fail_on: str,
         show_all: bool = False, table: str | None = None, quiet: bool = False, exit_code: bool = False,
         live: dict[str, Any] | None = None, dask: Any = None) -> tuple[Pipeline, Verdict, Summary, Output]:
    """One run from the sources to the writer: the progress line while reading files, the verdict
    at ``fail_on`` handed to every output, the output closed; a writer's own failure (a folder it
    could not write) becomes the output's, so it is reported the same way."""
    from .outputs.progress import Progress

    fp, where = _output(fmt, output, table)
    writer = _writer(fmt, fp, show_all=show_all, reveal=options.reveal, table=table or "flows",
                     evidence_dir=options.evidence_dir, **where)
    progress = None if live else Progress.for_run(sys.stderr, specs, quiet=quiet)
    try:
        pipeline = _pipeline(options, writer, specs, on_progress=progress, dask=dask)
        v, stats = pipeline.verdict(pipeline.run(specs, **(live or {})), Severity(fail_on), exit_code=exit_code)
        pipeline.close(stats)
    finally:
        if progress is not None:
            progress.clear()
        fp.close()
    if writer.failure is not None and fp.failure is None:
        fp.failure = writer.failure
    return pipeline, v, stats, fp


def _verbose(stats: Summary) -> None:
    """``-v``: what was read."""
    from .outputs.html import _span, _time

    for c in stats.captures:
        span = _span(c.last_ts - c.first_ts) if c.first_ts is not None and c.last_ts is not None else "-"
        _say(f"sniffprint: {c.path}: {c.format}, {c.frames} packets, {c.bytes} bytes, from "
             f"{_time(c.first_ts)} over {span}" + (f", SHA-256 {c.sha256}" if c.sha256 else ""))
    rate = stats.frames / stats.elapsed_s if stats.elapsed_s else 0.0
    _say(f"sniffprint: {stats.frames} packets, {stats.flows} TCP flows, {stats.anomalies} anomalies in "
         f"{stats.elapsed_s:.2f} s ({rate:,.0f} packets/s)")


@main.command()
@click.argument("captures", nargs=-1)
@click.option("-i", "--interface", default=None, help="Verify live on this interface instead of captures.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="With --interface: seconds to watch (required).")
@click.option("--bpf", default=None, help="With --interface: BPF capture filter.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="medium", show_default=True,
              help="Lowest severity that makes the run fail (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run (2, 3, 4 still show).")
@click.option("--format", "fmt", type=click.Choice(_formats()), default=None,
              help="Machine output format (stdout or -o)  [default: table on a terminal, json otherwise]")
@click.option("--evidence", "evidence_dir", type=click.Path(file_okay=False), default=None,
              help="Also write an evidence folder.")
@_table
@_jobs
@_dask
@_with_common
@_guard
def verify(captures: tuple[str, ...], interface: str | None, duration: float | None, bpf: str | None,
           fail_on: str, exit_zero: bool, fmt: str | None, evidence_dir: str | None, table: str | None,
           jobs: int | None, dask_address: str | None, reveal: bool, keywords: tuple[str, ...],
           policy_path: str | None, output: str | None, max_flows: int | None, hash_key_file: str | None,
           max_buffer: int | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """Prove from a separate vantage point that no print job crosses in clear.

    Exit 0 protected, 1 exposed (a finding at or above --fail-on), 2 usage error or unreadable
    input, 3 inconclusive, 4 internal error. Without --format: the human table when standard
    output is a terminal, JSON lines otherwise (a pipe, a file, -o), so scripts keep their JSON.
    """
    from .sources import SourceSpec

    if not captures and not interface:
        raise click.UsageError("give the CAPTURE files to verify, or --interface IF --duration SECONDS "
                               "to verify live")
    if captures and interface:
        raise click.UsageError("give either CAPTURE files or --interface, not both")
    if interface and not duration:
        raise click.UsageError("--interface needs --duration SECONDS")
    on_terminal = fmt is None and output is None and _tty(sys.stdout)
    fmt = fmt or ("table" if on_terminal else "json")
    options = _options(reveal=reveal, keywords=keywords, policy_path=policy_path, max_flows=max_flows,
                       hash_key_file=hash_key_file, max_buffer=max_buffer, evidence_dir=evidence_dir)
    specs = _specs(captures) if captures else [SourceSpec.live(interface or "", bpf=bpf, duration=duration)]
    options = _with_jobs(options, jobs, specs)
    live: dict[str, Any] | None = {"stop": _stop_on_signals(), "ready": _ready(bpf)} if interface else None
    pipeline, v, stats, fp = _run(options, specs, fmt, output, fail_on=fail_on, table=table, quiet=quiet,
                                  exit_code=True, live=live, dask=_dask_client(dask_address))
    if not quiet and not on_terminal:  # on a terminal the table already ends with the verdict
        _summary(pipeline.findings.printers.records(), v.word, v.reasons)
    if verbose:
        _verbose(stats)
    # exit 2 for what could not be read or written; proof is proof: an exposure still exits 1
    _failures(fp, pipeline, exposed=v.exit_code == ExitCode.EXPOSED)
    code = v.exit_code
    if exit_zero and code == ExitCode.EXPOSED:
        code = ExitCode.CLEAN
    sys.exit(int(code))


@main.command("report")
@click.argument("captures", nargs=-1, required=True)
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="medium", show_default=True,
              help="The threshold of the verdict the report states.")
@click.option("--evidence", "evidence_dir", type=click.Path(file_okay=False), default=None,
              help="Also keep the evidence folder (the report embeds its thumbnails either way).")
@click.option("--thumbnails/--no-thumbnails", default=True, show_default=True,
              help="Embed pixelated page-1 thumbnails of documents sent in clear (Ghostscript; rendered in a "
                   "private temporary evidence folder unless --evidence is given; an evidence folder keeps "
                   "the run in one process: --no-thumbnails lets a large capture use every core).")
@_jobs
@_dask
@_with_common
@_guard
def report(captures: tuple[str, ...], fail_on: str, evidence_dir: str | None, thumbnails: bool, jobs: int | None,
           dask_address: str | None, reveal: bool, keywords: tuple[str, ...], policy_path: str | None,
           output: str | None, max_flows: int | None, hash_key_file: str | None, max_buffer: int | None,
           quiet: bool, verbose: bool, debug: bool) -> None:
    """Write one self-contained HTML report of CAPTURES (-o report.html): the verdict and why, the
    printers, the findings with their redacted evidence, what to do, plots and the capture facts."""
    import shutil
    import tempfile

    if output is None and _tty(sys.stdout):
        raise click.UsageError("give -o FILE.html (or redirect standard output)")
    specs = _specs(captures)
    tmp = tempfile.mkdtemp(prefix="sniffprint-report-") if evidence_dir is None and thumbnails else None
    try:
        folder = evidence_dir or (os.path.join(tmp, "evidence") if tmp else None)
        options = _options(reveal=reveal, keywords=keywords, policy_path=policy_path, max_flows=max_flows,
                           hash_key_file=hash_key_file, max_buffer=max_buffer, evidence_dir=folder)
        options = _with_jobs(options, jobs, specs)
        pipeline, v, stats, fp = _run(options, specs, "html", output, fail_on=fail_on, quiet=quiet,
                                      dask=_dask_client(dask_address))
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    if not quiet:
        _say(f"sniffprint report: {v.word.upper()} -- {'; '.join(v.reasons)}"
             + (f"; written to {output}" if output else ""))
    if verbose:
        _verbose(stats)
    _failures(fp, pipeline)


def _summary(printers: list[PrinterRecord], word: str, reasons: tuple[str, ...]) -> None:
    _say(f"sniffprint verify: {word.upper()} -- {'; '.join(reasons)}")
    for p in printers:
        verdict = p.verdict.value
        extra = f" ({p.worst.code} {p.worst.title})" if p.worst and verdict in ("exposed", "weak") else ""
        _say(f"  {p.server_ip:<16} {verdict:<9} {','.join(p.protocols) or '-'}{extra}")


@main.command()
@click.option("-i", "--interface", required=True, help="Network interface to capture on.")
@click.option("--bpf", default=None, help="BPF capture filter, e.g. 'tcp port 9100 or tcp port 631'.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Stop after this many seconds (default: until Ctrl-C or SIGTERM).")
@click.option("--count", type=click.IntRange(min=1), default=None, help="Stop after this many packets.")
@click.option("--format", "fmt", type=click.Choice(["json", "line"]), default="line", show_default=True,
              help="json: JSON lines of every record; line: one line per finding.")
@click.option("--write-pcap", type=click.Path(dir_okay=False), default=None,
              help="Keep the packets of print flows in this pcap file (mode 0600).")
@click.option("--status-interval", type=click.FloatRange(min=0), default=10.0, show_default=True,
              help="Seconds between status lines on stderr (0: none).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True, metavar="N",
              help="Worker processes: the kernel shares the interface's packets among them by flow "
                   "(PACKET_FANOUT), for a link one core cannot follow.")
@_with_common
@_guard
def live(interface: str, bpf: str | None, duration: float | None, count: int | None, fmt: str,
         write_pcap: str | None, status_interval: float, jobs: int, reveal: bool, keywords: tuple[str, ...],
         policy_path: str | None, output: str | None, max_flows: int | None, hash_key_file: str | None,
         max_buffer: int | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """Watch INTERFACE and print findings the moment they are known; Ctrl-C/SIGTERM end with a summary."""
    from .engine.recorder import PrintFlowRecorder
    from .model import LINKTYPE_ETHERNET
    from .sources import SourceSpec

    options = _options(reveal=reveal, keywords=keywords, policy_path=policy_path, max_flows=max_flows,
                       hash_key_file=hash_key_file, max_buffer=max_buffer)
    specs = [SourceSpec.live(interface, bpf=bpf, duration=duration, count=count)]
    single = "--count counts one socket's packets" if count else "--write-pcap is written by one process" \
        if write_pcap else None
    options = _with_jobs(options, jobs, specs, single=single)
    fp = _open_output(output)
    # no writer that accumulates rows (the table): live runs for days
    writer: Writer = _writer("json", fp, reveal=reveal) if fmt == "json" else LineWriter(fp, reveal=reveal)
    recorder = PrintFlowRecorder(write_pcap, LINKTYPE_ETHERNET) if write_pcap else None
    last = [time.monotonic()]

    def status(p: Pipeline) -> None:
        if status_interval and not quiet and time.monotonic() - last[0] >= status_interval:
            last[0] = time.monotonic()
            n_print = sum(pr.print_flows for pr in p.findings.printers.values())
            if p.live_status is not None:  # --jobs: the workers' counters, summed
                s = p.live_status
                frames, flows, open_, anomalies, drops = (s["frames"], s["flows"], s["open"], s["anomalies"],
                                                          s["drops"])
            else:
                st = p.captures[-1]
                frames, flows, open_, anomalies, drops = (st.frames, p.table.flows_total, len(p.table),
                                                          p.sink.total(), st.drops or 0)
            _say(f"sniffprint live: {frames} packets, {flows} flows ({open_} open), {n_print} print flows, "
                 f"{anomalies} anomalies, {drops} dropped by the kernel")

    try:
        pipeline = _pipeline(options, writer, specs, on_tick=status, recorder=recorder)
        ready = _ready(bpf) if not quiet else (lambda _iface: None)
        _, stats = pipeline.verdict(pipeline.run(specs, stop=_stop_on_signals(), ready=ready))
        pipeline.close(stats)
    finally:
        if recorder is not None:
            recorder.close()
        fp.close()
    printers = pipeline.findings.printers.records()
    if verbose:
        _verbose(stats)
    if not quiet:
        _say(f"sniffprint live: done: {stats.frames} packets, {stats.flows} flows, "
             f"{len(printers)} printers: " + (", ".join(f"{p.server_ip} {p.verdict.value}" for p in printers)
                                              or "none"))
    _failures(fp, pipeline)


if __name__ == "__main__":  # pragma: no cover
    main()
