"""``sniffprint verify``: prove from a separate vantage point that no print job crosses in clear.

Exit codes (``findings.verdict.ExitCode``, README "Exit codes"): 0 print traffic seen and all of
it protected; 1 a finding at or above ``--fail-on``; 2 usage error or unreadable input; 3
inconclusive; 4 internal error (``findings.verdict`` explains 0/1/3). ``--exit-zero`` turns 1
into 0 but never hides 2, 3 or 4, and an exposure still exits 1 when an input or output failed
(proof is proof). On a terminal the human table ends with the verdict; otherwise a summary of
the verdict and the printers goes to stderr.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..model import ExitCode
from .console import _guard, _ready, _say, _stop_on_signals, _tty, _verbose
from .flags import SEVERITIES, _dask, _formats, _jobs, _table, _with_common
from .run import _dask_client, _failures, _options, _run, _specs, _with_jobs

if TYPE_CHECKING:  # pragma: no cover
    from ..records import PrinterRecord


@click.command()
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
    from ..sources import SourceSpec

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


def _summary(printers: list[PrinterRecord], word: str, reasons: tuple[str, ...]) -> None:
    _say(f"sniffprint verify: {word.upper()} -- {'; '.join(reasons)}")
    for p in printers:
        verdict = p.verdict.value
        extra = f" ({p.worst.code} {p.worst.title})" if p.worst and verdict in ("exposed", "weak") else ""
        _say(f"  {p.server_ip:<16} {verdict:<9} {','.join(p.protocols) or '-'}{extra}")
