"""Parquet: one file per table of the report, in a folder (``--format parquet -o DIR``).

``DIR/flows.parquet``, ``jobs``, ``findings``, ``printers``, ``anomalies`` and ``summary``
(``report.TABLES``), each holding exactly the columns and dtypes of its frame
(``Report.*_frame()``: categoricals with every value declared, nullable integers, UTC
timestamps), so ``pd.read_parquet`` gives the frame back (an empty table's categoricals come
back without their categories: Parquet keeps a dictionary only with data). Columns whose values are lists of plain
values stay Parquet lists; those holding objects (a printer's ``worst`` and ``findings`` counts,
a job's ``sources``, the summary's ``captures``) are JSON text, named in the file's
``sniffprint`` metadata. The findings file adds an ``evidence`` column (the whole evidence object
as JSON) next to the flattened evidence columns, so ``read_parquet`` rebuilds every record exactly
(``sniffprint.read_report(DIR)``).

pyarrow is an optional extra (``pip install 'sniffprint[parquet]'``): ``require_pyarrow`` says so
in one line (the CLI exits 2). The writer keeps the records until the end of the run (as the
table does): memory grows with the records, not with the packets.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import CaptureError, OptionsError, OutputError
from ..records import Finding, Summary
from ..report import TABLES, Report, frame_columns, from_row, json_value, list_column, to_json
from .base import CollectingWriter

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

META_KEY = b"sniffprint"
MISSING = "Parquet needs pyarrow: pip install 'sniffprint[parquet]'"


def require_pyarrow() -> Any:
    """The pyarrow module, or ``OptionsError`` with the one line that says how to get it."""
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise OptionsError(MISSING) from None
    return pyarrow


def _json_columns(cls: type) -> list[str]:
    return [name for name, dtype in frame_columns(cls) if dtype == "object" and not list_column(cls, name)]


def table_frame(report: Report, table: str) -> pd.DataFrame:
    """The frame written for one table: its frame, object columns as JSON text, and for findings
    the whole evidence as JSON."""
    import pandas as pd

    cls = TABLES[table]
    df = report.frame(table)
    records = report.records(table)
    for name in _json_columns(cls):
        df[name] = pd.Series([None if (v := getattr(r, name)) is None else
                              json.dumps(json_value(v), separators=(",", ":"), ensure_ascii=False)
                              for r in records], dtype="object")
    if cls is Finding:
        df["evidence"] = pd.Series([json.dumps(to_json(f.evidence, top=False), separators=(",", ":"),
                                               ensure_ascii=False) if f.evidence is not None else None
                                    for f in report.findings], dtype="object")
    return df


def write_parquet(report: Report, directory: str | os.PathLike[str]) -> list[Path]:
    """Write the six tables into ``directory`` (created if missing); returns the paths written."""
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for table, cls in TABLES.items():
        df = table_frame(report, table)
        at = pa.Table.from_pandas(df, preserve_index=False)
        meta = {"table": table, "record": getattr(cls, "TYPE", table), "version": __version__,
                "json_columns": _json_columns(cls) + (["evidence"] if cls is Finding else [])}
        at = at.replace_schema_metadata({**(at.schema.metadata or {}), META_KEY: json.dumps(meta).encode()})
        path = root / f"{table}.parquet"
        pq.write_table(at, path)
        written.append(path)
    return written


def read_parquet(directory: str | os.PathLike[str]) -> Report:
    """The report a ``--format parquet`` folder holds: its records rebuilt from the rows, so its
    frames equal the frames written. Tables missing from the folder are empty."""
    pa = require_pyarrow()
    import pyarrow.parquet as pq

    report = Report()
    root = Path(directory)
    for table, cls in TABLES.items():
        path = root / f"{table}.parquet"
        if not path.exists():
            continue
        try:
            at = pq.read_table(path)
            meta = json.loads((at.schema.metadata or {}).get(META_KEY, b"{}"))
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise CaptureError(f"{path}: not a readable Parquet table ({exc})") from None
        json_cols = set(meta.get("json_columns", ()))
        columns: dict[str, list[Any]] = {}
        for name in at.column_names:
            col = at.column(name)
            if pa.types.is_timestamp(col.type):  # nanoseconds as integers: exact, then seconds
                columns[name] = [None if v is None else v / 1_000_000_000 for v in col.cast(pa.int64()).to_pylist()]
            elif name in json_cols:
                columns[name] = [None if v is None else json.loads(v) for v in col.to_pylist()]
            else:
                columns[name] = col.to_pylist()
        for i in range(at.num_rows):
            row = {name: values[i] for name, values in columns.items()}
            if cls is Finding and row.get("evidence") is None:
                row["evidence"] = {}
            try:
                report.add(from_row(cls, row))
            except (TypeError, ValueError, KeyError) as exc:
                raise CaptureError(f"{path} row {i}: not a sniffprint {table} record ({exc})") from None
    return report


class ParquetWriter(CollectingWriter):
    """``--format parquet -o DIR``: the tables, written when the run ends."""

    DIRECTORY = "always"

    def begin(self) -> None:
        require_pyarrow()
        super().begin()

    def end(self, stats: Summary) -> None:
        self.report.stats = stats
        try:
            write_parquet(self.report, self.directory or ".")
        except OSError as exc:
            self.failure = OutputError(f"{self.directory}: cannot write ({exc.strerror or exc})")
