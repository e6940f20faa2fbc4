"""CSV of the flow records: one row per flow, one column per field of the flow record's schema
(``records.FlowRecord``, so a new field is a new column and no list is kept here). Lists are joined
with ``;``, booleans are ``true``/``false``, unknown values are empty."""
from __future__ import annotations

import csv
import enum
from typing import Any

from ..records import FlowRecord, columns
from .base import Writer
from .table import matters

COLUMNS = [c.name for c in columns(FlowRecord)]


def cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, enum.Enum):
        return str(v.value)
    if isinstance(v, (tuple, list)):
        return ";".join(cell(x) for x in v)
    return str(v)


class CsvWriter(Writer):
    def begin(self) -> None:
        self.w = csv.writer(self.fp, lineterminator="\n")
        self.w.writerow(COLUMNS)

    def flow(self, rec: FlowRecord) -> None:
        if self.show_all or matters(rec):
            self.w.writerow([cell(getattr(rec, name)) for name in COLUMNS])
