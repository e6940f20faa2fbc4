"""The renderings of ``sniffprint diff`` (``findings.diff.Diff``): the human table and JSON lines.
The HTML page is ``htmlmigration.render_diff``.

- ``table``: the printers, then the workstations, each with its own row (verdict before -> after,
  the change and its direction, the change in words) and one row per protocol path under it, then
  the result line. Every value goes through ``escape.safe``.
- ``json``: one ``change`` record per row (``records.Change``), then the closing ``diff`` record
  (``records.DiffSummary``): the same contract rules as ``scan --format json`` (keys are the
  records' fields, documented in docs/json.md, added to and never renamed).

Invariant: nothing here judges; the rows, their order and the result are ``findings.diff``'s.
"""
from __future__ import annotations

import json

from ..findings.diff import Diff
from ..records import Change
from ..report import to_json
from .base import TextSink
from .escape import safe

FORMATS = ("table", "json", "html")
ARROW = {"better": "+", "worse": "!", "same": "=", "unknown": "?"}  # the mark of a row's direction


def write(diff: Diff, fp: TextSink, fmt: str) -> None:
    """Write ``diff`` to ``fp`` in ``fmt`` (one of ``FORMATS``)."""
    if fmt == "json":
        write_json(diff, fp)
    elif fmt == "html":
        from .htmlmigration import render_diff

        fp.write(render_diff(diff))
    else:
        write_table(diff, fp)


def write_json(diff: Diff, fp: TextSink) -> None:
    for rec in (*diff.changes, diff.summary):
        fp.write(json.dumps(to_json(rec), separators=(",", ":"), ensure_ascii=False) + "\n")


def _head(c: Change) -> str:
    who = c.printer if c.scope == "printer" else c.client
    names = f" ({', '.join(c.hostnames)})" if c.scope == "client" and c.hostnames else ""
    return (f"  {ARROW[c.direction]} {who}{names}  {c.before} -> {c.after}  {c.change} ({c.direction})\n"
            f"      {c.detail}")


def _path(c: Change) -> str:
    where = f"{c.protocol} to {c.printer}" if c.scope == "client-protocol" else str(c.protocol)
    uids = f"  [evidence: {', '.join(c.uids)}]" if c.uids else ""
    return (f"    {ARROW[c.direction]} {where:<24} {c.before:>9} -> {c.after:<9} {c.change:<9} "
            f"{c.detail}{uids}")


def write_table(diff: Diff, fp: TextSink) -> None:
    s = diff.summary
    for title, scope in (("printers", "printer"), ("workstations", "client")):
        rows = [c for c in diff.changes if c.scope.startswith(scope)]
        fp.write(f"{title}:\n")
        if not rows:
            fp.write("  (none seen)\n")
        for c in rows:
            for line in (_head(c) if c.scope == scope else _path(c)).split("\n"):
                fp.write(safe(line) + "\n")
        fp.write("\n")
    fp.write(f"{s.printers_compared} printer(s) in both sets ({s.printers_before} before, {s.printers_after} "
             f"after), {s.clients_before} workstation(s) before, {s.clients_after} after: {s.better} better, "
             f"{s.worse} worse, {s.same} unchanged, {s.unknown} seen on one side only\n")
    fp.write(safe(f"result: {s.result.upper()} -- {'; '.join(s.reasons)}") + "\n")
