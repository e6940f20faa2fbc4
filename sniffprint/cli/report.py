"""``sniffprint report``: one self-contained HTML report of captures (``outputs.html``), with the
verdict ``verify`` would exit with; exits as ``scan`` does (0 completed, 2 usage or unreadable
input, 4 internal error).

Invariant: the page embeds thumbnails rendered in a private temporary evidence folder (removed
at the end, whatever happens) unless ``--evidence`` names a folder to keep or ``--no-thumbnails``.
"""
from __future__ import annotations

import os
import sys

import click

from .console import _guard, _say, _tty, _verbose
from .flags import SEVERITIES, _dask, _jobs, _with_common
from .run import _dask_client, _failures, _options, _run, _specs, _with_jobs


@click.command("report")
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
