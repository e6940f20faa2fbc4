"""The click options several commands share, declared once: the common ones (``--reveal``, ``-k``,
``--policy``, ``-o``, limits, ``-q``/``-v``/``--debug``), ``--table``, ``-j`` and ``--dask``.

Invariant: importing this module imports no output, no pipeline and nothing heavy; the
``--format`` choices are read from the ``OUTPUTS`` registry only when a command is declared.
"""
from __future__ import annotations

from typing import Any

import click

from ..model import Severity

SEVERITIES = tuple(s.value for s in Severity)


def _formats() -> list[str]:
    from ..outputs import OUTPUTS

    return sorted(OUTPUTS)


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
# report.TABLES, spelled out so that importing this module stays light (a test compares the two)
_table = click.option("--table", type=click.Choice(["flows", "jobs", "findings", "printers", "anomalies", "summary",
                                                    "clients"]),
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
