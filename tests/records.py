"""Typed records with defaults, for tests that feed the findings stage directly."""
from __future__ import annotations

from typing import Any

from sniffprint.model import ConnState, Orientation, Protection, Service
from sniffprint.records import FlowRecord, JobRecord, Summary


def flow_record(**kw: Any) -> FlowRecord:
    base: dict[str, Any] = {
        "uid": "C1", "capture": "test.pcap", "community_id": "1:test", "proto": "tcp", "client_ip": "10.0.0.1",
        "client_port": 5000, "server_ip": "10.0.0.2",
        "server_port": 9100, "ip_version": 4, "service": Service.RAW9100, "service_violations": (),
        "protection": Protection.NONE, "print": True, "c2s_bytes": 100, "s2c_bytes": 0, "c2s_packets": 3,
        "s2c_packets": 2, "c2s_wire_bytes": 100, "s2c_wire_bytes": 0, "missed_bytes": 0, "history": "ShADFf",
        "state": ConnState.SF, "orientation": Orientation.SYN, "ts_start": 1_700_000_000.0,
        "ts_end": 1_700_000_001.0, "duration": 1.0, "rexmit_bytes": 0, "bad_checksums": 0, "anomalies": 0,
        "languages": (), "jobs": 0,
    }
    base.update(kw)
    for name, enum_type in (("service", Service), ("protection", Protection), ("state", ConnState)):
        if isinstance(base[name], str):
            base[name] = enum_type(base[name])
    for name in ("tls_weak", "ipp_operations", "languages", "rpc_interfaces", "rpc_calls"):
        if isinstance(base.get(name), list):
            base[name] = tuple(base[name])
    return FlowRecord(**base)


def job_record(**kw: Any) -> JobRecord:
    base: dict[str, Any] = {
        "uid": "C1", "job_index": 0, "protocol": "raw9100", "language": "PostScript", "languages": ("PostScript",),
        "user": None, "host": None, "job_name": None, "document_name": None, "title": None, "bytes": 100,
        "missed_bytes": 0, "partial": False, "protection": Protection.NONE, "sha256": "ab" * 32,
    }
    base.update(kw)
    if isinstance(base["protection"], str):
        base["protection"] = Protection(base["protection"])
    return JobRecord(**base)


def summary(**kw: Any) -> Summary:
    base: dict[str, Any] = {
        "captures": (), "frames": 10, "tcp_segments": 10, "udp_datagrams": 0, "other_ip": 0, "non_ip": 0,
        "ip_fragments": 0, "bad_ip_checksums": 0, "bad_tcp_checksums": 0, "undecodable": 0, "flows": 1,
        "flows_evicted": 0, "anomalies": 0, "internal_errors": 0, "truncated": False, "elapsed_s": 0.0,
    }
    base.update(kw)
    return Summary(**base)
