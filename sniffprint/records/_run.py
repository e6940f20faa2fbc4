"""The records a run makes about itself and its input: ``Anomaly`` (Zeek's weird.log: recorded,
never raised) and the closing ``Summary`` with a ``CaptureSummary`` per capture read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import Severity
from ._schema import _TS, col


# ------------------------------------------------------------------------------------ anomaly
@dataclass(slots=True, frozen=True, kw_only=True)
class Anomaly:
    """Something odd about the input (Zeek's weird.log): recorded, never raised."""

    TYPE: ClassVar[str] = "anomaly"
    ts: float | None = col("when (seconds since the epoch), or null", _TS)
    uid: str | None = col("flow it belongs to, or null", "string")
    capture: str | None = col("the capture being read when it was recorded", "string", None)
    layer: str = col("capture, decode, flow, reassembly, dissector, evidence or internal", "category")
    kind: str = col("e.g. truncated_capture, bad_ip_header, content_gap, flow_evicted (an open set)", "string")
    detail: str = col("what and where, never bytes of the traffic", "string")


# ------------------------------------------------------------------------------------ summary
@dataclass(slots=True, frozen=True, kw_only=True)
class CaptureSummary:
    TYPE: ClassVar[str] = "capture"
    path: str = col("the capture as given", "string")
    format: str | None = col("pcap, pcapng, or live", "category")
    frames: int = col("frames read", "UInt64")
    bytes: int = col("bytes read", "UInt64")
    truncated: bool = col("the file ends inside a record", "boolean")
    damaged: bool = col("damaged records were skipped", "boolean")
    linktypes: tuple[int, ...] = col("link-layer types seen", "object")
    first_ts: float | None = col("first frame", _TS)
    drops: int | None = col("packets the kernel dropped (live)", "UInt64")
    last_ts: float | None = col("last frame", _TS)
    skipped_bytes: int = col("bytes of the capture no frame was read from (damage skipped)", "UInt64", 0)
    undeclared_frames: int = col("pcapng packets on an interface no IDB declared (decoded by best evidence)",
                                 "UInt64", 0)
    raw_bytes: int = col("bytes read from the file as stored (compressed, for .gz)", "UInt64", 0)
    sha256: str | None = col("SHA-256 of the capture as stored (when an evidence folder is written)", "string",
                             None, sparse=True)
    read_error: str | None = col("the OS error that ended the input early", "string", None, sparse=True)


@dataclass(slots=True, frozen=True, kw_only=True)
class Summary:
    """The closing record of a run: capture statistics (and, from verify, the verdict)."""

    TYPE: ClassVar[str] = "summary"
    captures: tuple[CaptureSummary, ...] = col("each capture read", "object")
    frames: int = col("frames read", "UInt64")
    tcp_segments: int = col("TCP segments decoded", "UInt64")
    udp_datagrams: int = col("UDP datagrams", "UInt64")
    other_ip: int = col("other IP packets", "UInt64")
    non_ip: int = col("non-IP frames", "UInt64")
    ip_fragments: int = col("IP fragments (recorded, not reassembled)", "UInt64")
    bad_ip_checksums: int = col("bad IPv4 header checksums", "UInt64")
    bad_tcp_checksums: int = col("bad TCP checksums", "UInt64")
    undecodable: int = col("frames that could not be decoded", "UInt64")
    flows: int = col("TCP flows", "UInt64")
    udp_flows: int = col("UDP pseudo-flows", "UInt64", 0)
    flows_evicted: int = col("flows (TCP or UDP) evicted by a limit before they ended", "UInt64")
    anomalies: int = col("anomalies recorded", "UInt64")
    internal_errors: int = col("internal errors caught (bugs)", "UInt64")
    truncated: bool = col("a capture ends inside a record", "boolean")
    elapsed_s: float = col("run time in seconds", "Float64")
    verdict: str | None = col("exposed, protected, inconclusive or internal-error (findings.verdict)", "category",
                              None, sparse=True)
    exit_code: int | None = col("verify: its exit status (0 protected, 1 exposed, 3 inconclusive, 4 internal)",
                                "UInt8", None, sparse=True)
    reasons: tuple[str, ...] | None = col("why the verdict is what it is", "object", None, sparse=True)
    fail_on: Severity | None = col("the lowest severity that fails the run", "category", None, sparse=True)
