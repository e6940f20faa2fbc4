"""Command line: ``sniffprint scan`` / ``verify`` / ``live``. The only module that exits.

Exit codes (``ExitCode``, README "Exit codes"):

- ``scan`` and ``live``: 0 the run completed (whatever it found); 2 usage error or unreadable
  input (missing path, empty file, not a capture, no capture privilege, missing interface, bad
  policy); 4 internal error.
- ``verify``: 0 print traffic seen and all of it protected; 1 a finding at or above ``--fail-on``;
  2 usage/unreadable input; 3 inconclusive; 4 internal error (``verdict`` explains 0/1/3).
  ``--exit-zero`` turns 1 into 0 but never hides 2, 3 or 4.

A bug never exits 0 or 1: Python's default crash status 1 is caught and becomes 4, with a
one-line message (``--debug`` shows the traceback). Human summaries go to stderr, machine output
to stdout or ``-o``.
"""
from __future__ import annotations

import enum
import functools
import signal
import sys
import threading
import time
from typing import IO, Any

import click

from ._version import __version__
from .errors import CaptureError, OptionsError
from .outputs.base import Writer

SEVERITIES = ("info", "low", "medium", "high", "critical")


class ExitCode(enum.IntEnum):
    CLEAN = 0
    EXPOSED = 1
    USAGE = 2
    INCONCLUSIVE = 3
    INTERNAL = 4


def _fail(msg: str, code: ExitCode) -> None:
    click.echo(f"sniffprint: {msg}", err=True)
    sys.exit(int(code))


def _guard(fn: Any) -> Any:
    """Turn every failure into a one-line message and the right exit status."""

    @functools.wraps(fn)
    def wrapper(*a: Any, **kw: Any) -> Any:
        debug = kw.get("debug", False)
        try:
            return fn(*a, **kw)
        except (CaptureError, OptionsError) as exc:
            _fail(str(exc), ExitCode.USAGE)
        except click.ClickException:
            raise  # click prints it and exits 2 (usage)
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


class Run:
    """One analysis wired to a writer, an optional evidence folder and a policy."""

    def __init__(self, fmt: str | Writer, fp: IO[str], *, specs: list[str], show_all: bool = False,
                 reveal: bool = False,
                 policy_path: str | None = None, keywords: tuple[str, ...] = (), evidence_dir: str | None = None,
                 carve: bool = False, max_flows: int | None = None) -> None:
        from .api import Engine, check_readable
        from .evidence.folder import EvidenceFolder
        from .evidence.stage import EvidenceStage
        from .findings.policy import Policy, load
        from .options import Options
        from .outputs import OUTPUTS

        for spec in specs:
            check_readable(spec)
        policy = load(policy_path) if policy_path else Policy()
        if carve and not evidence_dir:
            raise OptionsError("--carve needs --evidence DIR (the folder the documents are written to)")
        self.folder = EvidenceFolder(evidence_dir, carve=carve, sources=specs) if evidence_dir else None
        self.writer = fmt if isinstance(fmt, Writer) else OUTPUTS[fmt](fp, show_all=show_all, reveal=reveal)
        self.writer.begin()
        self.specs = specs
        self.findings: list[dict[str, Any]] = []
        stage = EvidenceStage(keywords=keywords, folder=self.folder, reveal=reveal)
        options = Options(reveal=reveal)
        if max_flows:
            options.max_flows = max_flows
        self.engine = Engine(options, on_flow=self.writer.flow, on_job=self.writer.job,
                             on_anomaly=self.writer.anomaly, on_finding=self._finding, on_printer=self._printer,
                             policy=policy, evidence=stage)

    def _finding(self, rec: dict[str, Any]) -> None:
        self.writer.finding(rec)
        if self.folder is not None:
            self.folder.record(rec)

    def _printer(self, rec: dict[str, Any]) -> None:
        self.writer.printer(rec)
        if self.folder is not None:
            self.folder.record(rec)

    def run(self, **source_kw: Any) -> dict[str, Any]:
        self.engine.run(self.specs, **source_kw)
        return self.engine.stats()

    def end(self, stats: dict[str, Any]) -> None:
        self.writer.end(stats)
        if self.folder is not None:
            self.folder.finish(stats)
            if self.folder.carve:
                click.echo(f"sniffprint: warning: {self.folder.root} now holds the reassembled print documents "
                           "and their text in clear (files mode 0600): protect it, delete it when done", err=True)


def _open_output(output: str | None) -> IO[str]:
    if output:
        try:
            return open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise OptionsError(f"{output}: cannot write ({exc.strerror})") from None
    return sys.stdout


def _ready(bpf: str | None) -> Any:
    def say(iface: str) -> None:
        click.echo(f"sniffprint: capturing on {iface}" + (f" (filter: {bpf})" if bpf else ""), err=True)

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
    click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
                 help="Write the machine output to a file instead of standard output."),
    click.option("--max-flows", type=click.IntRange(min=100), default=None, metavar="N",
                 help="Live flows kept at once (about 3 KB each; default 100000): the least recently "
                      "active one is evicted, as an anomaly, beyond it."),
    click.option("--debug", is_flag=True, help="Show tracebacks of internal errors."),
]


def _with_common(fn: Any) -> Any:
    for opt in reversed(_common):
        fn = opt(fn)
    return fn


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
@_with_common
@_guard
def scan(captures: tuple[str, ...], fmt: str, show_all: bool, evidence_dir: str | None, carve: bool,
         reveal: bool, keywords: tuple[str, ...], policy_path: str | None, output: str | None,
         max_flows: int | None, debug: bool) -> None:
    """Analyse pcap/pcapng CAPTURES (gzip allowed, - for stdin) and report print flows and findings."""
    fp = _open_output(output)
    try:
        run = Run(fmt, fp, specs=list(captures), show_all=show_all, reveal=reveal, policy_path=policy_path,
                  keywords=keywords, evidence_dir=evidence_dir, carve=carve, max_flows=max_flows)
        run.end(run.run())
    finally:
        if fp is not sys.stdout:
            fp.close()


@main.command()
@click.argument("captures", nargs=-1)
@click.option("-i", "--interface", default=None, help="Verify live on this interface instead of captures.")
@click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
              help="With --interface: seconds to watch (required).")
@click.option("--bpf", default=None, help="With --interface: BPF capture filter.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="medium", show_default=True,
              help="Lowest severity that makes the run fail (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail the run (2, 3, 4 still show).")
@click.option("--format", "fmt", type=click.Choice(_formats()), default="json", show_default=True,
              help="Machine output format (stdout or -o).")
@click.option("--evidence", "evidence_dir", type=click.Path(file_okay=False), default=None,
              help="Also write an evidence folder.")
@_with_common
@_guard
def verify(captures: tuple[str, ...], interface: str | None, duration: float | None, bpf: str | None,
           fail_on: str, exit_zero: bool, fmt: str, evidence_dir: str | None, reveal: bool,
           keywords: tuple[str, ...], policy_path: str | None, output: str | None, max_flows: int | None,
           debug: bool) -> None:
    """Prove from a separate vantage point that no print job crosses in clear.

    Exit 0 protected, 1 exposed (a finding at or above --fail-on), 2 usage error or unreadable
    input, 3 inconclusive, 4 internal error.
    """
    from .findings.verdict import decide

    if bool(captures) == bool(interface):
        raise click.UsageError("give either CAPTURE files or --interface (not both)")
    if interface and not duration:
        raise click.UsageError("--interface needs --duration SECONDS")
    specs = list(captures) if captures else [f"live:{interface}"]
    fp = _open_output(output)
    try:
        run = Run(fmt, fp, specs=specs, reveal=reveal, policy_path=policy_path, keywords=keywords,
                  evidence_dir=evidence_dir, max_flows=max_flows)
        kw: dict[str, Any] = {}
        if interface:
            kw = {"bpf": bpf, "duration": duration, "stop": _stop_on_signals(), "ready": _ready(bpf)}
        stats = run.run(**kw)
        v = decide(run.engine.findings, stats, fail_on)
        stats.update({"verdict": v.word, "exit_code": v.exit_code, "reasons": list(v.reasons)})
        run.end(stats)
    finally:
        if fp is not sys.stdout:
            fp.close()
    _summary(run, v.word, v.reasons)
    code = v.exit_code
    if exit_zero and code == ExitCode.EXPOSED:
        code = ExitCode.CLEAN
    sys.exit(code)


def _summary(run: Run, word: str, reasons: tuple[str, ...]) -> None:
    printers = run.engine.findings.printer_records()
    click.echo(f"sniffprint verify: {word.upper()} -- {'; '.join(reasons)}", err=True)
    for p in printers:
        worst = p.get("worst") or {}
        extra = f" ({worst.get('code')} {worst.get('title')})" if p["verdict"] in ("exposed", "weak") else ""
        click.echo(f"  {p['server_ip']:<16} {p['verdict']:<9} {','.join(p['protocols']) or '-'}{extra}", err=True)


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
@_with_common
@_guard
def live(interface: str, bpf: str | None, duration: float | None, count: int | None, fmt: str,
         write_pcap: str | None, status_interval: float, reveal: bool, keywords: tuple[str, ...],
         policy_path: str | None, output: str | None, max_flows: int | None, debug: bool) -> None:
    """Watch INTERFACE and print findings the moment they are known; Ctrl-C/SIGTERM end with a summary."""
    from .engine.recorder import PrintFlowRecorder
    from .model import LINKTYPE_ETHERNET

    fp = _open_output(output)
    # no writer that accumulates rows (the table): live runs for days
    writer: str | Writer = "json" if fmt == "json" else _LineWriter(fp, reveal=reveal)
    run = Run(writer, fp, specs=[f"live:{interface}"], reveal=reveal, policy_path=policy_path, keywords=keywords,
              max_flows=max_flows)
    if write_pcap:
        run.engine.recorder = PrintFlowRecorder(write_pcap, LINKTYPE_ETHERNET)
    last = [time.monotonic()]

    def status(engine: Any) -> None:
        if status_interval and time.monotonic() - last[0] >= status_interval:
            last[0] = time.monotonic()
            st = engine.captures[-1]
            n_print = sum(1 for p in engine.findings.printers.values() for _ in range(p.print_flows))
            click.echo(f"sniffprint live: {st.frames} packets, {engine.table.flows_total} flows "
                       f"({len(engine.table)} open), {n_print} print flows, {engine.sink.total()} anomalies, "
                       f"{st.drops or 0} dropped by the kernel", err=True)

    run.engine.on_tick = status
    try:
        stats = run.run(bpf=bpf, duration=duration, count=count, stop=_stop_on_signals(), ready=_ready(bpf))
        run.end(stats)
    finally:
        if run.engine.recorder is not None:
            run.engine.recorder.close()
        if fp is not sys.stdout:
            fp.close()
    printers = run.engine.findings.printer_records()
    click.echo(f"sniffprint live: done: {stats['frames']} packets, {stats['flows']} flows, "
               f"{len(printers)} printers: " + (", ".join(f"{p['server_ip']} {p['verdict']}" for p in printers)
                                                or "none"), err=True)


class _LineWriter(Writer):
    """``live --format line``: one line per finding, as soon as it is known."""

    def flow(self, rec: dict[str, Any]) -> None:
        return None

    def printer(self, rec: dict[str, Any]) -> None:
        self.fp.write(f"printer {rec['server_ip']}: {rec['verdict']}\n")

    def finding(self, rec: dict[str, Any]) -> None:
        ts = time.strftime("%H:%M:%S", time.localtime(rec["ts"])) if rec.get("ts") else "--:--:--"
        where = f"{rec['client_ip']} -> {rec['server_ip']}:{rec['server_port']}" if rec.get("server_ip") else "capture"
        self.fp.write(f"{ts} {rec['code']} {rec['severity']:<8} {where} {rec['title']}"
                      f"{': ' + rec['detail'] if rec.get('detail') else ''}\n")
        self.fp.flush()

    def end(self, stats: dict[str, Any]) -> None:
        self.fp.flush()


if __name__ == "__main__":  # pragma: no cover
    main()
