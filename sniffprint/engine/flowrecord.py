"""The record a TCP flow becomes: ``flow_record`` freezes what a ``flows.Flow`` knows into a
``records.FlowRecord``, and ``conn_state`` names its Zeek connection state.

Invariants: whether the flow is print traffic comes from the run's print rule
(``Flow.is_print``, ``Policy.is_print``), never from here; the record carries no secret of the
flow, only the ``credentials`` the composition root redacted; list-valued facts become tuples
(records are frozen and hashable).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..model import ConnState, Service
from ..records import Credential, FlowRecord
from .communityid import community_id

if TYPE_CHECKING:  # pragma: no cover
    from .flows import Flow


def conn_state(f: int) -> ConnState:
    """Zeek-style connection state from ``Flow.state_flags``."""
    syn, synack, fin_c, fin_s, rst_c, rst_s = (bool(f & (1 << i)) for i in range(6))
    if syn and not synack:
        if rst_s:
            return ConnState.REJ
        return ConnState.S0
    if not syn and not synack:
        return ConnState.OTH
    if rst_c:
        return ConnState.RSTO
    if rst_s:
        return ConnState.RSTR
    if fin_c and fin_s:
        return ConnState.SF
    if fin_c or fin_s:
        return ConnState.S2 if fin_c else ConnState.S3
    return ConnState.S1


def flow_record(flow: Flow, credentials: tuple[Credential, ...] | None) -> FlowRecord:
    """``flow`` as it stands (final once ``Flow.finish`` has run); ``credentials``: its secrets as
    the composition root redacted them (the engine never puts one into a record itself)."""
    c, s = flow.streams
    languages: list[str] = []
    for job in flow.jobs:
        for lang in job.record().languages:
            if lang not in languages:
                languages.append(lang)
    facts: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in flow.facts.items()}
    return FlowRecord(
        uid=flow.uid,
        capture=flow.capture,
        community_id=community_id("tcp", flow.key.client_ip, flow.key.client_port, flow.key.server_ip,
                                  flow.key.server_port),
        proto="tcp",
        client_ip=flow.key.client_ip,
        client_port=flow.key.client_port,
        server_ip=flow.key.server_ip,
        server_port=flow.key.server_port,
        ip_version=flow.ip_version,
        service=flow.service or Service.OTHER,
        service_violations=tuple(f"-{v}" for v in flow.violations),
        protection=flow.protection,
        print=flow.is_print(),
        c2s_bytes=c.delivered,
        s2c_bytes=s.delivered,
        c2s_packets=flow.packets[0],
        s2c_packets=flow.packets[1],
        c2s_wire_bytes=flow.wire_bytes[0],
        s2c_wire_bytes=flow.wire_bytes[1],
        missed_bytes=c.missed + s.missed,
        history="".join(flow.hist),
        state=conn_state(flow.state_flags),
        orientation=flow.orientation,
        ts_start=flow.first_ts,
        ts_end=flow.last_ts,
        duration=round(flow.last_ts - flow.first_ts, 6),
        rexmit_bytes=c.rexmit_bytes + s.rexmit_bytes,
        bad_checksums=flow.bad_checksums,
        anomalies=flow.anomalies,
        internal_errors=flow.internal_errors or None,
        languages=tuple(languages),
        jobs=len(flow.jobs),
        credentials=credentials,
        **facts,
    )
