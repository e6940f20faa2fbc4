"""Building and running one analysis for a command: the frozen ``Options`` and the ``SourceSpec``s
from its arguments, the writer and where its output goes, ``api.Pipeline`` run to its verdict,
and what could not be read or written reported at the end.

Invariants:

- The pipeline, the outputs and the sources are imported inside the functions, so that
  ``sniffprint --help`` and the import of the CLI stay fast (no pandas, matplotlib or scapy).
- Every output of a run is handed the same verdict, the one ``verify`` exits with.
- An input an OS error cut short, or an output that could not be written, is exit 2 only once
  everything else was flushed; when an exposure was proven, exit 1 wins and the loss is only said.
"""
from __future__ import annotations

import dataclasses
import sys
from typing import IO, TYPE_CHECKING, Any

import click

from ..errors import OptionsError, OutputError
from ..model import Severity
from ..outputs.base import TextSink, Writer
from ..outputs.guard import Output
from .console import _say

if TYPE_CHECKING:  # pragma: no cover
    from ..api import Pipeline
    from ..findings.verdict import Verdict
    from ..options import Options
    from ..records import Summary
    from ..sources import SourceSpec


def _options(*, reveal: bool, keywords: tuple[str, ...], policy_path: str | None, max_flows: int | None,
             hash_key_file: str | None, max_buffer: int | None = None, evidence_dir: str | None = None,
             carve: bool = False) -> Options:
    """The run's frozen options, validated once."""
    from ..evidence.sitekey import read_key_file
    from ..findings.policy import load
    from ..options import Options

    limits: dict[str, Any] = {"max_flows": max_flows} if max_flows else {}
    if max_buffer:
        limits["max_buffer"] = max_buffer << 20
    return Options(reveal=reveal, keywords=keywords, policy=load(policy_path) if policy_path else None,
                   evidence_dir=evidence_dir, carve=carve,
                   hash_key=read_key_file(hash_key_file) if hash_key_file else None, **limits)


def _with_jobs(options: Options, requested: int | None, specs: list[SourceSpec], *,
               single: str | None = None) -> Options:
    from ..parallel import choose_jobs

    jobs, note = choose_jobs(requested, specs, evidence=options.evidence_dir is not None, single=single)
    if note:
        _say(f"sniffprint: {note}: running in one process")
    return dataclasses.replace(options, jobs=jobs)


def _specs(captures: tuple[str, ...]) -> list[SourceSpec]:
    from ..api import parse_sources

    return parse_sources(captures)


def _writer(fmt: str, fp: TextSink, **kw: Any) -> Writer:
    from ..outputs import OUTPUTS

    return OUTPUTS[fmt](fp, **kw)


def _output(fmt: str, output: str | None, table: str | None) -> tuple[Output, dict[str, Any]]:
    """Where the machine output goes: ``-o FILE`` or standard output, or a folder for the formats
    that write one file per table (Parquet always, CSV when ``-o`` names a folder)."""
    import io

    from ..outputs import OUTPUTS
    from ..outputs.csv import wants_directory

    if table is not None and fmt != "csv":
        raise click.UsageError("--table chooses the table of --format csv")
    mode = OUTPUTS[fmt].DIRECTORY
    if mode == "always" or mode == "asked" and wants_directory(output):
        if not output:
            raise click.UsageError(f"--format {fmt} writes one file per table: give -o DIR")
        return Output(io.StringIO(), output), {"directory": output}
    return _open_output(output), {}


def _open_output(output: str | None) -> Output:
    if output:
        try:
            fp: IO[str] = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed by the caller
        except OSError as exc:
            raise OutputError(f"{output}: cannot write ({exc.strerror})") from None
        return Output(fp, output)
    return Output(sys.stdout, "standard output")


def _pipeline(options: Options, writer: Writer, specs: list[SourceSpec], **hooks: Any) -> Pipeline:
    from ..api import Pipeline

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


def _run(options: Options, specs: list[SourceSpec], fmt: str, output: str | None, *, fail_on: str,
         show_all: bool = False, table: str | None = None, quiet: bool = False, exit_code: bool = False,
         live: dict[str, Any] | None = None, dask: Any = None) -> tuple[Pipeline, Verdict, Summary, Output]:
    """One run from the sources to the writer: the progress line while reading files, the verdict
    at ``fail_on`` handed to every output, the output closed; a writer's own failure (a folder it
    could not write) becomes the output's, so it is reported the same way."""
    from ..outputs.progress import Progress

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
