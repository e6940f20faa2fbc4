"""``Report``: everything one run found, as typed records; their JSON form and their frames.

- ``to_json(record)`` / ``from_json(dict)``: the JSON-lines contract, derived from each record's
  schema (``records.col``): field name = key, enums as their values, tuples as lists, nested
  records as objects, ``sparse`` fields only when known. Every JSON line sniffprint writes goes
  through ``to_json``; ``read_report`` reads them back with ``from_json``.
- ``*_frame()``: pandas DataFrames with one column per record field and the dtype its schema
  declares, even when empty (zat's explicit-dtype idea); pandas is imported only there.
"""
from __future__ import annotations

import dataclasses
import enum
import types
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .records import (
    RECORD_TYPES,
    Anomaly,
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
def to_json(rec: Any, *, top: bool = True) -> dict[str, Any]:
    """The JSON object of a record (with its ``type`` when ``top``)."""
    out: dict[str, Any] = {"type": rec.TYPE} if top else {}
    for f in dataclasses.fields(rec):
        v = getattr(rec, f.name)
        if v is None and f.metadata.get("sparse"):
            continue
        out[f.name] = _jsonable(v)
    if isinstance(rec, Finding) and rec.evidence is None:
        out["evidence"] = {}  # the contract: an object, empty when there is no document evidence
    return out


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)) and not isinstance(v, enum.Enum):
        return v
    if isinstance(v, enum.Enum):
        return v.value
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


# ------------------------------------------------------------------------------------ Report
@dataclass(slots=True)
class Report:
    flows: list[FlowRecord] = field(default_factory=list)
    jobs: list[JobRecord] = field(default_factory=list)
    anomalies: list[Anomaly] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    printers: list[PrinterRecord] = field(default_factory=list)
    stats: Summary | None = None

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

    @property
    def print_flows(self) -> list[FlowRecord]:
        return [f for f in self.flows if f.print is not False]


_LISTS: dict[type, Any] = {FlowRecord: lambda r: r.flows, JobRecord: lambda r: r.jobs,
                           Anomaly: lambda r: r.anomalies, Finding: lambda r: r.findings,
                           PrinterRecord: lambda r: r.printers}


def _frame(rows: list[Any], cls: type) -> pd.DataFrame:
    import pandas as pd

    schema = columns(cls)
    data: dict[str, Any] = {}
    for c in schema:
        values = [_cell(getattr(r, c.name)) for r in rows]
        if c.dtype.startswith("datetime64"):
            data[c.name] = pd.to_datetime(pd.Series([v if v is not None else float("nan") for v in values],
                                                    dtype="float64"), unit="s", utc=True).astype(c.dtype)
        elif c.dtype == "object":
            data[c.name] = pd.Series(values, dtype="object")
        else:
            data[c.name] = pd.Series(values, dtype=c.dtype if c.dtype != "category" else "object").astype(c.dtype)
    return pd.DataFrame(data, columns=[c.name for c in schema])


def _cell(v: Any) -> Any:
    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, tuple):
        return list(v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return to_json(v, top=False)
    return v
