"""CSV of the flow records: one row per flow, one column per field of the flow record's schema
(``records.FlowRecord``, so a new field is a new column and no list is kept here). Lists are joined
with ``;``, booleans are ``true``/``false``, unknown values are empty.

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
from typing import Any

from ..records import FlowRecord, columns
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
    if isinstance(v, (tuple, list)):
        return neutral(safe(";".join(_plain(x) for x in v)))
    if isinstance(v, (int, float)):
        return str(v)
    return neutral(safe(str(v)))


def _plain(v: Any) -> str:
    """An item of a list cell, before the cell as a whole is neutralised."""
    if isinstance(v, enum.Enum):
        return str(v.value)
    return "" if v is None else str(v)


class CsvWriter(Writer):
    def begin(self) -> None:
        self.w = csv.writer(self.fp, lineterminator="\n")
        self.w.writerow(COLUMNS)

    def flow(self, rec: FlowRecord) -> None:
        if self.show_all or matters(rec):
            self.w.writerow([cell(getattr(rec, name)) for name in COLUMNS])
