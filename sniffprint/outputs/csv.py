"""CSV of the report's tables: one row per record, one column per column of its frame
(``report.frame_columns``: the record's schema, a finding's evidence flattened), so a new field
is a new column and no list is kept here.

- To standard output or ``-o FILE``: one table, the flows by default (``--table`` chooses another
  of ``report.TABLES``), streamed as the records become known.
- ``-o DIR/`` (an existing directory, or a path ending in ``/``): every table, one file each
  (``DIR/flows.csv``, ``jobs.csv``, ``findings.csv``, ``printers.csv``, ``anomalies.csv``,
  ``summary.csv``, ``clients.csv``).

Without ``--all`` the flows table holds the flows that matter (as the human table does). Lists are
joined with ``;``, objects (a printer's ``worst``, the summary's ``captures``) are JSON, booleans
are ``true``/``false``, timestamps are seconds since the epoch, unknown values are empty.

CSV is opened in spreadsheets and read in terminals, so text cells are made safe for both:
- control and format characters are escaped by ``escape.safe`` (the human outputs' one escaping
  function): ESC, NUL, CR/LF inside a value, bidi overrides... become ``\\x1b``, ``\\u202e``, and a
  backslash ``\\\\`` (a NUL cannot even be written by Python 3.10's ``csv`` module);
- CSV injection (OWASP): a spreadsheet runs a cell that starts with ``=``, ``+``, ``-``, ``@``, TAB or
  CR as a formula, and a certificate subject or a name from the wire can start that way. Such a
  cell gets a leading ``'`` (shown as text, never evaluated), and so does a cell that already starts
  with ``'``.
Reading a cell back: drop one leading ``'`` if there is one, then undo the escapes (Python:
``codecs.decode(s.encode("latin-1", "backslashreplace"), "unicode_escape")``). Numbers are never
changed.
"""
from __future__ import annotations

import csv
import enum
import json
import os
from pathlib import Path
from typing import IO, Any

from ..errors import OutputError
from ..records import Anomaly, ClientRecord, Finding, FlowRecord, JobRecord, PrinterRecord, Summary, columns
from ..report import TABLES, frame_columns, frame_row
from .base import Writer
from .escape import safe
from .table import matters

COLUMNS = [c.name for c in columns(FlowRecord)]
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")  # "'" too: so that unquoting is exact


def neutral(text: str) -> str:
    """A text cell that no spreadsheet evaluates (see the module docstring)."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, enum.Enum):
        return str(v.value)
    if isinstance(v, (tuple, list)) and not any(isinstance(x, dict) for x in v):
        return neutral(safe(";".join(_plain(x) for x in v)))
    if isinstance(v, (dict, list, tuple)):
        return neutral(safe(json.dumps(v, separators=(",", ":"), ensure_ascii=False, default=str)))
    if isinstance(v, (int, float)):
        return str(v)
    return neutral(safe(str(v)))


def _plain(v: Any) -> str:
    """An item of a list cell, before the cell as a whole is neutralised."""
    if isinstance(v, enum.Enum):
        return str(v.value)
    return "" if v is None else str(v)


class CsvWriter(Writer):
    DIRECTORY = "asked"

    def begin(self) -> None:
        self.files: list[IO[str]] = []
        self.writers: dict[str, Any] = {}
        if self.directory is None:
            self.writers[self.table] = self._start(self.fp, self.table)
            return
        try:
            root = Path(self.directory)
            root.mkdir(parents=True, exist_ok=True)
            for table in TABLES:
                fp = open(root / f"{table}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
                self.files.append(fp)
                self.writers[table] = self._start(fp, table)
        except OSError as exc:
            self._failed(exc)

    @staticmethod
    def _start(fp: Any, table: str) -> Any:
        w = csv.writer(fp, lineterminator="\n")
        w.writerow([name for name, _ in frame_columns(TABLES[table])])
        return w

    def _failed(self, exc: OSError) -> None:
        if self.failure is None:
            self.failure = OutputError(f"{self.directory}: cannot write ({exc.strerror or exc})")
        self.writers = {}

    def _row(self, table: str, rec: Any) -> None:
        w = self.writers.get(table)
        if w is not None:
            try:
                w.writerow([cell(v) for v in frame_row(rec)])
            except OSError as exc:
                self._failed(exc)

    def flow(self, rec: FlowRecord) -> None:
        if self.show_all or matters(rec):
            self._row("flows", rec)

    def job(self, rec: JobRecord) -> None:
        self._row("jobs", rec)

    def anomaly(self, rec: Anomaly) -> None:
        self._row("anomalies", rec)

    def finding(self, rec: Finding) -> None:
        self._row("findings", rec)

    def printer(self, rec: PrinterRecord) -> None:
        self._row("printers", rec)

    def client(self, rec: ClientRecord) -> None:
        self._row("clients", rec)

    def end(self, stats: Summary) -> None:
        self._row("summary", stats)
        for fp in self.files:
            try:
                fp.close()
            except OSError as exc:
                self._failed(exc)


def wants_directory(output: str | None) -> bool:
    """``-o`` names a folder: it exists as one, or the path ends with a separator."""
    return output is not None and output != "" and (output.endswith((os.sep, "/")) or os.path.isdir(output))
