"""Run options, validated once: limits, timeouts and output choices.

Defaults follow the practice of flow meters (nfstream: 120 s idle / 1800 s active) adjusted for
printing: a printer that stalls a job while it warms up or waits for paper can hold a connection
silent for minutes, so the idle timeout is 300 s.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from .errors import OptionsError

if TYPE_CHECKING:  # pragma: no cover
    from .findings.policy import Policy


@dataclass(slots=True, frozen=True, kw_only=True)
class Options:
    """Everything one run needs, validated once; the composition root (``api``) hands each stage
    its part. Frozen: nothing changes an option after validation."""

    idle_timeout: float = 300.0  # s without a packet before an open flow is evicted
    active_timeout: float = 86_400.0  # s since the first packet before a flow is cut
    close_linger: float = 5.0  # s a closed flow waits for late retransmissions
    max_flows: int = 100_000  # live flows (about 3 KB each) before the least recently active is evicted
    max_stream_depth: int = 1 << 30  # bytes per direction handed to dissectors (then counted only)
    max_ooo_bytes: int = 4 << 20  # out-of-order bytes buffered per direction above a hole
    max_ooo_segments: int = 8192
    anomalies_per_kind: int = 200  # anomalies kept in full per kind; the rest are counted
    keep_document_bytes: int = 64 << 20  # per job, kept (memory, then disk) for evidence; 0: none
    max_buffer: int = 256 << 20  # document bytes all open jobs together keep in memory (then: disk)
    max_spill: int = 4 << 30  # document bytes all open jobs together keep on disk (then: trimmed, anomaly)
    verify_checksums: bool = True
    reveal: bool = False  # show job metadata exactly as sent (never document text)
    policy: Policy | None = None  # verification policy (findings.policy); None: the defaults
    keywords: tuple[str, ...] = ()  # sensitive keywords counted in extracted text
    evidence_dir: str | None = None  # write an evidence folder here
    carve: bool = False  # with evidence_dir: also the whole documents, their text, pcap slices
    extract_text: bool = True  # read the text of documents in clear (PII counts, masked excerpt)
    jobs: int = 1  # worker processes sharing the flows of capture files (parallel.py)

    ZERO_OK = frozenset({"keep_document_bytes"})

    def __post_init__(self) -> None:
        if self.carve and not self.evidence_dir:
            raise OptionsError("--carve needs --evidence DIR (the folder the documents are written to)")
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                if v < 0 or (v == 0 and f.name not in self.ZERO_OK):
                    raise OptionsError(f"option {f.name} must be positive, got {v}")
