"""``sniffprint scan``: analyse captures and report print flows and findings.

It always exits 0 once the run completed, whatever it found (2 usage error or unreadable input,
4 internal error); its outputs still state the verdict ``verify`` would exit with, at ``--fail-on``.
"""
from __future__ import annotations

import click

from .console import _carve_warning, _guard, _verbose
from .flags import SEVERITIES, _dask, _formats, _jobs, _table, _with_common
from .run import _dask_client, _failures, _options, _run, _specs, _with_jobs


@click.command()
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
