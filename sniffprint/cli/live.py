"""``sniffprint live``: watch an interface and print findings the moment they are known, with a
status line on stderr every ``--status-interval`` seconds; Ctrl-C or SIGTERM end it with a summary.

Invariant: no writer that accumulates rows (the table): a live run lasts for days, so only the
streaming ``json`` and ``line`` formats are offered. Exits as ``scan`` does.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from ..outputs.line import LineWriter
from .console import _guard, _ready, _say, _stop_on_signals, _verbose
from .flags import _with_common
from .run import _failures, _open_output, _options, _pipeline, _with_jobs, _writer

if TYPE_CHECKING:  # pragma: no cover
    from ..api import Pipeline
    from ..outputs.base import Writer


@click.command()
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
    from ..engine.recorder import PrintFlowRecorder
    from ..model import LINKTYPE_ETHERNET
    from ..sources import SourceSpec

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
