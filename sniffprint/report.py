"""``Report``: everything one run found, for outputs, the Python API and notebooks.

Flows, jobs and anomalies are kept as the JSON-contract dicts the outputs write, so that what a
notebook sees and what ``scan --format json`` prints are the same records. ``*_frame()`` return
pandas DataFrames with a fixed column and dtype schema (the tables below), even when empty;
pandas is imported only there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

# column -> pandas dtype (zat's explicit dtype table idea)
FLOW_SCHEMA: dict[str, str] = {
    "uid": "string", "client_ip": "string", "client_port": "UInt16", "server_ip": "string",
    "server_port": "UInt16", "ip_version": "UInt8", "service": "category", "protection": "category",
    "print": "boolean", "c2s_bytes": "UInt64", "s2c_bytes": "UInt64", "c2s_packets": "UInt64",
    "s2c_packets": "UInt64", "missed_bytes": "UInt64", "history": "string", "state": "category",
    "orientation": "category", "ts_start": "datetime64[ns, UTC]", "ts_end": "datetime64[ns, UTC]",
    "duration": "Float64", "rexmit_bytes": "UInt64", "bad_checksums": "UInt64",
    "anomalies": "UInt64", "jobs": "UInt64", "tls_version": "string", "tls_cipher": "string",
    "sni": "string", "smb_dialect": "string",
}
JOB_SCHEMA: dict[str, str] = {
    "uid": "string", "job_index": "UInt32", "protocol": "category", "language": "category",
    "user": "string", "host": "string", "job_name": "string", "document_name": "string",
    "title": "string", "bytes": "UInt64", "missed_bytes": "UInt64", "partial": "boolean",
    "author": "string", "creator": "string", "pages": "string", "holdkey_present": "boolean",
}
FINDING_SCHEMA: dict[str, str] = {
    "uid": "string", "code": "category", "title": "string", "severity": "category", "confidence": "category",
    "client_ip": "string", "client_port": "UInt16", "server_ip": "string", "server_port": "UInt16",
    "protocol": "category", "language": "category", "bytes_exposed": "UInt64", "job_index": "UInt32",
    "detail": "string", "remediation": "string", "suppressed": "string", "ts": "datetime64[ns, UTC]",
}
PRINTER_SCHEMA: dict[str, str] = {
    "server_ip": "string", "verdict": "category", "clients": "UInt32", "flows": "UInt32",
    "print_flows": "UInt32", "jobs_clear": "UInt32", "bytes_clear": "UInt64", "bytes_protected": "UInt64",
}
ANOMALY_SCHEMA: dict[str, str] = {
    "ts": "datetime64[ns, UTC]", "uid": "string", "layer": "category", "kind": "category",
    "detail": "string",
}


@dataclass(slots=True)
class Report:
    flows: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    printers: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)

    # ---------------------------------------------------------------- frames
    def flows_frame(self) -> pd.DataFrame:
        return _frame(self.flows, FLOW_SCHEMA)

    def jobs_frame(self) -> pd.DataFrame:
        return _frame(self.jobs, JOB_SCHEMA)

    def anomalies_frame(self) -> pd.DataFrame:
        return _frame(self.anomalies, ANOMALY_SCHEMA)

    def findings_frame(self) -> pd.DataFrame:
        return _frame(self.findings, FINDING_SCHEMA)

    def printers_frame(self) -> pd.DataFrame:
        return _frame(self.printers, PRINTER_SCHEMA)

    @property
    def print_flows(self) -> list[dict[str, Any]]:
        return [f for f in self.flows if f["print"] is not False]


def _frame(rows: list[dict[str, Any]], schema: dict[str, str]) -> pd.DataFrame:
    import pandas as pd

    data: dict[str, Any] = {}
    for col, dtype in schema.items():
        values = [r.get(col) for r in rows]
        if dtype.startswith("datetime64"):
            data[col] = pd.to_datetime(pd.Series([v if v is not None else float("nan") for v in values],
                                                 dtype="float64"), unit="s", utc=True).astype(dtype)
        else:
            data[col] = pd.Series(values, dtype=dtype if dtype != "category" else "object").astype(dtype)
    return pd.DataFrame(data, columns=list(schema))
