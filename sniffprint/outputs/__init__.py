"""Output formats: one file each, one line each in ``OUTPUTS`` (``--format`` choices follow).

A writer is streaming: ``begin()``, then ``flow()``, ``job()``, ``anomaly()`` as records become
known, then ``end(stats)``. Records are typed (``sniffprint.records``); their JSON form is documented in docs/json.md.
"""
from __future__ import annotations

from . import csv as csv_out
from . import html, jsonl, junit, line, parquet, sarif, table
from .base import Writer

OUTPUTS: dict[str, type[Writer]] = {
    "table": table.TableWriter,
    "json": jsonl.JsonLinesWriter,
    "csv": csv_out.CsvWriter,
    "junit": junit.JunitWriter,
    "sarif": sarif.SarifWriter,
    "line": line.LineWriter,
    "html": html.HtmlWriter,
    "parquet": parquet.ParquetWriter,
}
