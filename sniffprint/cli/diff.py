"""``sniffprint diff BEFORE... -- AFTER...``: what a migration moved, per printer and per workstation.

Each side is captures (analysed together, as one run) or saved reports (JSON lines of ``scan`` or
``verify --format json``, an evidence folder's ``findings.jsonl``, a ``--format parquet`` folder),
in any mix (``migration.load``); the rules are ``findings.diff``'s.

Exit codes (``findings.verdict.ExitCode``, README "Exit codes"): 0 nothing got worse; 1 a
cleartext path appeared or a protected one regressed; 3 the sets cannot be compared (no printer in
both); 2 usage error or unreadable input; 4 internal error (``console._guard``). ``--exit-zero``
turns 1 into 0 and nothing else. The table, JSON lines or HTML page goes to stdout or ``-o``; the
result line to stderr (unless ``-q`` or the table is already on the terminal).
"""
from __future__ import annotations

import sys
from typing import Any

import click

from ..model import ExitCode
from .console import _guard, _say, _tty
from .flags import _with_common
from .run import _open_output, _options

AFTER = "sniffprint.diff.after"  # where the arguments after ``--`` wait for the command


class _SplitAtDashes(click.Command):
    """A command whose arguments are two lists split at ``--``: click drops the separator itself,
    so the split is taken before click parses (options go before ``--``)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if "--" in args:
            i = args.index("--")
            ctx.meta[AFTER] = tuple(args[i + 1:])
            args = args[:i]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return [*super().collect_usage_pieces(ctx), "--", "AFTER..."]


@click.command(cls=_SplitAtDashes)
@click.argument("before", nargs=-1, metavar="BEFORE...")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
              help="Output format.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when something got worse (2, 3, 4 still show).")
@_with_common
@_guard
def diff(before: tuple[str, ...], fmt: str, exit_zero: bool, reveal: bool, keywords: tuple[str, ...],
         policy_path: str | None, output: str | None, max_flows: int | None, hash_key_file: str | None,
         max_buffer: int | None, quiet: bool, verbose: bool, debug: bool) -> None:
    """Compare BEFORE... with AFTER... (captures or saved reports): per printer and per workstation,
    what moved from exposed to protected, what is new or worse, what did not change.

    Exit 0 nothing got worse, 1 a cleartext path appeared or a protected one regressed, 2 usage
    error or unreadable input, 3 no printer in both sets (cannot compare), 4 internal error.
    """
    from .. import migration
    from ..outputs.diffview import write

    after: tuple[str, ...] | None = click.get_current_context().meta.get(AFTER)
    if after is None:
        raise click.UsageError("separate the two sets with --: sniffprint diff BEFORE... -- AFTER...")
    if not before or not after:
        raise click.UsageError(f"nothing {'before' if not before else 'after'} --: give captures or saved "
                               "reports on both sides")
    options = _options(reveal=reveal, keywords=keywords, policy_path=policy_path, max_flows=max_flows,
                       hash_key_file=hash_key_file, max_buffer=max_buffer)
    result = migration.diff(before, after, options=options)
    fp = _open_output(output)
    try:
        write(result, fp, fmt)
    finally:
        fp.close()
    fp.check()
    s = result.summary
    if not quiet and not (fmt == "table" and output is None and _tty(sys.stdout)):
        _summary(s.result, s.reasons)
    if verbose:
        _say(f"sniffprint: {s.printers_before} printer(s) before, {s.printers_after} after, "
             f"{s.clients_before} workstation(s) before, {s.clients_after} after")
    code = result.exit_code
    if exit_zero and code == ExitCode.EXPOSED:
        code = ExitCode.CLEAN
    sys.exit(int(code))


def _summary(result: str, reasons: Any) -> None:
    _say(f"sniffprint diff: {result.upper()} -- {'; '.join(reasons)}")
