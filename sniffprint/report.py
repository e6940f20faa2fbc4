"""``Report``: everything one run found, as typed records; their JSON form and their frames.

- ``to_json(record)`` / ``from_json(dict)``: the JSON-lines contract, derived from each record's
  schema (``records.col``): field name = key, enums as their values, tuples as lists, nested
  records as objects, ``sparse`` fields only when known. Every JSON line sniffprint writes goes
  through ``to_json``; ``read_report`` reads them back with ``from_json``.
- ``*_frame()``: pandas DataFrames with one column per record field and the dtype its schema
  declares, even when empty (zat's explicit-dtype idea); pandas is imported only there.
- ``TABLES``: the tables of a report (flows, jobs, findings, printers, anomalies, summary, clients) that
  the CSV and Parquet exports write one file each of; ``frame_row`` gives a record's values in its
  frame's columns, ``from_row`` builds a record back from a table row (JSON-like values).
"""
from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .evidence.pii import PII_KEYS
from .model import Service, Severity
from .records import (
    RECORD_TYPES,
    Anomaly,
    ClientRecord,
    Evidence,
    Finding,
    FlowRecord,
    JobRecord,
    PrinterRecord,
    Summary,
    columns,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


# ------------------------------------------------------------------------------- JSON codec
_FIELDS_OF: dict[type, tuple[tuple[str, bool], ...]] = {}
_PLAIN = (str, int, float, bool, type(None))


def _fields_of(cls: type) -> tuple[tuple[str, bool], ...]:
    """(name, sparse) of a record class, computed once per class: to_json runs per record."""
    got = _FIELDS_OF.get(cls)
    if got is None:
        got = _FIELDS_OF[cls] = tuple((f.name, bool(f.metadata.get("sparse"))) for f in dataclasses.fields(cls))
    return got


def to_json(rec: Any, *, top: bool = True) -> dict[str, Any]:
    """The JSON object of a record (with its ``type`` when ``top``)."""
    out: dict[str, Any] = {"type": rec.TYPE} if top else {}
    for name, sparse in _fields_of(type(rec)):
        v = getattr(rec, name)
        if v is None:
            if not sparse:
                out[name] = None
        elif type(v) in _PLAIN:  # the common case, without a call (an Enum is never exactly str)
            out[name] = v
        else:
            out[name] = _jsonable(v)
    if isinstance(rec, Finding) and rec.evidence is None:
        out["evidence"] = {}  # the contract: an object, empty when there is no document evidence
    return out


def json_value(v: Any) -> Any:
    """A field value as JSON data (enums as values, tuples as lists, records as objects)."""
    return _jsonable(v)


def _jsonable(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if dataclasses.is_dataclass(v):
        return to_json(v, top=False)
    return str(v)


def from_json(obj: dict[str, Any]) -> Any:
    """The typed record of one JSON object written by ``to_json`` (unknown keys are ignored, so a
    newer writer's additions do not break an older reader). Raises ``ValueError`` when ``obj`` is
    not a record."""
    cls = RECORD_TYPES.get(str(obj.get("type")))
    if cls is None:
        raise ValueError(f"not a sniffprint record type: {obj.get('type')!r}")
    return _build(cls, obj)


def _build(cls: type, obj: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    kw: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in obj:
            kw[f.name] = _convert(hints[f.name], obj[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            kw[f.name] = None
    if cls is Finding and kw.get("evidence") == {}:
        kw["evidence"] = None
    return cls(**kw)


def _convert(hint: Any, v: Any) -> Any:
    if v is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        for a in args:  # the first alternative that takes the value
            try:
                return _convert(a, v)
            except (TypeError, ValueError):
                continue
        return v
    if origin is tuple:
        item = typing.get_args(hint)[0]
        if not isinstance(v, list):
            raise TypeError("not a list")
        return tuple(_convert(item, x) for x in v)
    if origin is dict:
        if not isinstance(v, dict):
            raise TypeError("not an object")
        return dict(v)
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            return hint(v)
        if dataclasses.is_dataclass(hint):
            if not isinstance(v, dict):
                raise TypeError("not an object")
            return _build(hint, v) if v else None
        if hint is float and isinstance(v, int):
            return float(v)
        if hint in (int, str, bool, float) and not isinstance(v, hint):
            raise TypeError(f"not {hint.__name__}")
    return v


# ------------------------------------------------------------------------------- categories
# The values of the closed sets that are plain strings in the records (the enums declare their
# own): every frame declares them all, so frames of any captures concatenate with their dtypes.
def _closed_sets() -> dict[str, tuple[str, ...]]:
    from .content.classify import LANGUAGES
    from .findings.codes import TITLES

    # EMF and XPS are in LANGUAGES now; kept here too (deduplicated) so the set stays whole either way
    languages = tuple(dict.fromkeys((*(m.NAME for m in LANGUAGES), "EMF", "XPS", "gzip", "unknown")))
    return {
        "code": tuple(sorted(TITLES)),
        "confidence": ("low", "medium", "high"),
        "protocol": tuple(sv.value for sv in Service) + ("unknown",),
        "language": languages,
        "layer": ("capture", "decode", "flow", "reassembly", "dissector", "evidence", "internal"),
        "proto": ("tcp", "udp"),
        "status": ("ok", "no-ghostscript", "unsupported", "failed", "skipped"),
        "text_status": ("text", "raster", "no-text", "unsupported", "truncated", "not-kept", "error"),
        "format": ("pcap", "pcapng", "pcap-gzip", "pcapng-gzip", "live", "unknown"),
        "verdict": ("exposed", "protected", "inconclusive", "internal-error"),
    }


def category_dtype(cls: type, name: str) -> pd.CategoricalDtype:
    """The declared categories of a record field (enums: their values; Severity: ordered)."""
    import pandas as pd

    hint = typing.get_type_hints(cls)[name]
    for t in (hint, *typing.get_args(hint)):
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return pd.CategoricalDtype([m.value for m in t], ordered=t is Severity)
    if cls is PrinterRecord and name == "verdict":  # pragma: no cover - an enum, handled above
        raise AssertionError
    return pd.CategoricalDtype(list(_closed_sets()[name]), ordered=False)


# ------------------------------------------------------------------------------------ Report
# ------------------------------------------------------------------------------------ Report
@dataclass(slots=True)
class Report:
    flows: list[FlowRecord] = field(default_factory=list)
    jobs: list[JobRecord] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    printers: list[PrinterRecord] = field(default_factory=list)
    stats: Summary | None = None
    clients: list[ClientRecord] = field(default_factory=list)

    def add(self, rec: Any) -> None:
        """File a record in its list (the summary replaces ``stats``)."""
        if isinstance(rec, Summary):
            self.stats = rec
        else:
            _LISTS[type(rec)](self).append(rec)

    # ---------------------------------------------------------------- frames
    def flows_frame(self) -> pd.DataFrame:
        return _frame(self.flows, FlowRecord)

    def jobs_frame(self) -> pd.DataFrame:
        return _frame(self.jobs, JobRecord)

    def anomalies_frame(self) -> pd.DataFrame:
        return _frame(self.anomalies, Anomaly)

    def findings_frame(self) -> pd.DataFrame:
        return _frame(self.findings, Finding)

    def printers_frame(self) -> pd.DataFrame:
        return _frame(self.printers, PrinterRecord)

    def clients_frame(self) -> pd.DataFrame:
        """The workstation view: one row per client (``client_records()``)."""
        return _frame(self.client_records(), ClientRecord)

    def client_records(self) -> list[ClientRecord]:
        """The client records of the run; for a report saved without them (by an older sniffprint,
        or an evidence folder's findings), computed from its flow and job records."""
        if self.clients or not self.flows:
            return list(self.clients)
        from .findings.clients import clients_of

        return clients_of(self.flows, self.jobs)

    def summary_frame(self) -> pd.DataFrame:
        """The run summary as one row (none before the run ended); ``captures`` holds the per-capture
        facts as a list of objects (``pd.json_normalize`` them for a frame of their own)."""
        return _frame([self.stats] if self.stats is not None else [], Summary)

    def frame(self, table: str) -> pd.DataFrame:
        """The frame of one of ``TABLES`` by name."""
        return _frame(self.records(table), TABLES[table])

    def records(self, table: str) -> list[Any]:
        """The records of one of ``TABLES`` by name."""
        if table == "summary":
            return [self.stats] if self.stats is not None else []
        if table == "clients":
            return self.client_records()
        return list(getattr(self, table))

    @classmethod
    def concat(cls, reports: Iterable[Report]) -> Report:
        """One report of several (their records in order; the summaries' captures and counts summed,
        the verdict dropped: decide it again on the combined findings if needed)."""
        out = cls()
        stats: list[Summary] = []
        for r in reports:
            out.flows += r.flows
            out.jobs += r.jobs
            out.anomalies += r.anomalies
            out.findings += r.findings
            out.printers += r.printers
            out.clients += r.client_records()
            if r.stats is not None:
                stats.append(r.stats)
        if stats:
            counts = {f.name: sum(getattr(s, f.name) for s in stats) for f in dataclasses.fields(Summary)
                      if f.type in ("int", int)}
            out.stats = Summary(captures=tuple(c for s in stats for c in s.captures),
                                truncated=any(s.truncated for s in stats),
                                elapsed_s=round(sum(s.elapsed_s for s in stats), 3), **counts)
        return out

    @property
    def print_flows(self) -> list[FlowRecord]:
        return [f for f in self.flows if f.print is not False]


TABLES: dict[str, type] = {"flows": FlowRecord, "jobs": JobRecord, "findings": Finding, "printers": PrinterRecord,
                           "anomalies": Anomaly, "summary": Summary, "clients": ClientRecord}
_LISTS: dict[type, Any] = {FlowRecord: lambda r: r.flows, JobRecord: lambda r: r.jobs,
                           Anomaly: lambda r: r.anomalies, Finding: lambda r: r.findings,
                           PrinterRecord: lambda r: r.printers, ClientRecord: lambda r: r.clients}


def frame_columns(cls: type) -> list[tuple[str, str]]:
    """(column, dtype) of a record's frame: its fields, with a finding's evidence flattened."""
    cols = [(c.name, c.dtype) for c in columns(cls) if not (cls is Finding and c.name == "evidence")]
    if cls is Finding:
        cols += [(c.name, c.dtype) for c in columns(Evidence) if c.dtype != "object" and c.name not in
                 ("missed_bytes",)]
        cols += [(f"pii_{k}", "UInt32") for k in PII_KEYS]
    return cols


def _frame(rows: list[Any], cls: type) -> pd.DataFrame:
    import pandas as pd

    data: dict[str, Any] = {}
    for name, dtype in frame_columns(cls):
        values = [_cell(_value(r, name)) for r in rows]
        if dtype.startswith("datetime64"):
            # nanoseconds since 1970 hold 584 years: a timestamp outside that is missing, not a crash
            secs = [float(v) if v is not None and -9.2e9 < float(v) < 9.2e9 else float("nan") for v in values]
            data[name] = pd.to_datetime(pd.Series(secs, dtype="float64"), unit="s", utc=True).astype(dtype)
        elif dtype == "object":
            data[name] = pd.Series(values, dtype="object")
        elif dtype == "category":
            cat = category_dtype(cls if name in _FIELDS[cls] else Evidence, name)
            extra = sorted({str(v) for v in values if v is not None} - set(cat.categories))
            if extra:  # a value newer than this table (a new language): kept, never turned into NaN
                cat = pd.CategoricalDtype([*cat.categories, *extra], ordered=cat.ordered)
            data[name] = pd.Series(values, dtype="object").astype(cat)
        else:
            data[name] = pd.Series(values, dtype=dtype)
    return pd.DataFrame(data, columns=[n for n, _ in frame_columns(cls)])


_FIELDS: dict[type, set[str]] = {cls: {f.name for f in dataclasses.fields(cls)} for cls in RECORD_TYPES.values()}


def frame_row(rec: Any) -> list[Any]:
    """A record's values in the order of its frame's columns (``frame_columns``), as plain Python:
    enums as their values, tuples as lists, nested records as JSON objects, None when unknown."""
    return [_jsonable(_value(rec, name)) for name, _ in frame_columns(type(rec))]


def from_row(cls: type, row: dict[str, Any]) -> Any:
    """The record of class ``cls`` from one table row of JSON-like values (timestamps as seconds,
    lists, objects); columns that are no field of ``cls`` (a finding's flattened evidence) are
    ignored, as ``from_json`` ignores unknown keys."""
    return _build(cls, row)


def list_column(cls: type, name: str) -> bool:
    """Whether a record field is a list of plain values (else an ``object`` column holds objects)."""
    hint = typing.get_type_hints(cls)[name]
    for t in (hint, *typing.get_args(hint)):
        if typing.get_origin(t) is tuple:
            item = typing.get_args(t)[0]
            return item in (str, int, float, bool)
    return False


def _value(rec: Any, name: str) -> Any:
    if isinstance(rec, Finding) and name not in _FIELDS[Finding]:
        ev = rec.evidence
        if ev is None:
            return None
        if name.startswith("pii_"):
            return (ev.pii_counts or {}).get(name[4:])
        return getattr(ev, name)
    return getattr(rec, name)


def _cell(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, tuple):
        return list(v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return to_json(v, top=False)
    return v
