"""What a dissector's events do to a TCP flow (``flows.Flow``): its service, print and protection,
its facts, the endpoints it announces, its secrets, its TLS handshake time, and its jobs.

- **Facts**: a ``FlowFact`` must name a documented field of ``records.FlowRecord`` (``FACTS``); an
  undocumented one is a bug (``AssertionError``, caught per flow as an ``internal_error``).
- **Print**: once a dissector said True, a later False or None does not undo it.
- **Expected endpoints**: an ``EndpointExpected`` (an RPC endpoint mapper naming a dynamic port)
  goes to the table's ``expect.Expectations``, which hints the probe of later flows to it.
- **Job ends**: a job is whole only when its own end is seen (the protocol marks it, or the
  connection's FIN/RST follows it). A job the dissector ends at ``close()`` only because its
  stream stopped (``JobEnded.eof``) on a connection with no FIN or RST (still open when the
  capture ended, or evicted) is partial, and so is every job no one ended (``end_all_jobs``).
- **Directions**: a document the server sends back (``JobStarted`` with direction S2C, keyed)
  is a job of its own beside the client's current job.
- **Bounds**: at most ``MAX_KEYED_JOBS`` keyed jobs open at once (the oldest ends partial) and
  ``MAX_SECRETS`` distinct secrets per flow.
- **Secrets** (``SecretSeen``: an HTTP password, a session cookie) are kept in ``Flow.secrets``,
  apart from the facts, so no record the engine makes can carry one; the composition root
  redacts them into the record's ``credentials``.
- **TLS handshake time**: the dissector reports milestones (``TlsProgress``) and the flow, which
  knows the packet times, stamps them: ``tls_handshake_ms`` is from the packet that completed the
  ClientHello to the later of the packets that carried each direction's first protected record.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..dissectors.events import (
    ContentDone,
    DocumentData,
    DocumentGap,
    EndpointExpected,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
    SecretSeen,
    ServiceSeen,
    TlsProgress,
)
from ..model import Direction, JobDirection
from ..records import FlowRecord
from .jobs import Job

if TYPE_CHECKING:  # pragma: no cover
    from .flows import Flow

ENDED = 0b111100  # Flow.state_flags bits: a FIN or a RST from either side (the connection ended)
MAX_KEYED_JOBS = 16  # jobs a dissector may keep open at once in one flow (each keeps its document)
MAX_SECRETS = 16  # distinct credentials kept per flow (a client resends the same one on every request)
S2C = Direction.S2C


def absorb(flow: Flow, ev: object) -> None:
    """Apply one dissector event to ``flow``."""
    t = type(ev)
    if t is DocumentData:
        key = ev.key  # type: ignore[attr-defined]
        if key is not None:
            job = flow.keyed.get(key)
            if job is not None:  # else pushed out by the cap: it ended partial
                add_document(flow, job, ev.data)  # type: ignore[attr-defined]
            return
        if flow.job is None:
            start_job(flow, flow.service.value if flow.service else "unknown")
        add_document(flow, flow.job, ev.data)  # type: ignore[arg-type,attr-defined]
    elif t is DocumentGap:
        job = flow.keyed.get(ev.key) if ev.key is not None else flow.job  # type: ignore[attr-defined]
        if job is not None:
            job.gap(ev.length)  # type: ignore[attr-defined]
    elif t is JobStarted:
        if ev.direction is S2C and ev.key is not None:  # type: ignore[attr-defined]
            # a document the server sends back runs beside the client's job, never ends it
            start_job(flow, ev.protocol, ev.key, JobDirection.S2C)  # type: ignore[attr-defined]
            return
        if flow.job is not None and flow.job.key is None:
            end_job(flow, flow.job)
        start_job(flow, ev.protocol, ev.key)  # type: ignore[attr-defined]
    elif t is JobField:
        if ev.key is not None:  # type: ignore[attr-defined]
            target = flow.keyed.get(ev.key)  # type: ignore[attr-defined]
            if target is None:
                return  # that job was already ended (pushed out by the cap): nothing to name
        elif flow.job is None:
            start_job(flow, flow.service.value if flow.service else "unknown")
            target = flow.job
        else:
            target = flow.job
        target.fields.setdefault(ev.name, ev.value)  # type: ignore[union-attr,attr-defined]
        target.sources.setdefault(ev.name, ev.source)  # type: ignore[union-attr,attr-defined]
    elif t is JobEnded:
        job = flow.keyed.get(ev.key) if ev.key is not None else flow.job  # type: ignore[attr-defined]
        if job is not None:
            # ended only by the end of its stream: whole only if the connection really ended
            cut = ev.eof and not flow.state_flags & ENDED  # type: ignore[attr-defined]
            job.partial = job.partial or ev.partial or cut  # type: ignore[attr-defined]
            end_job(flow, job)
    elif t is PrintSeen:
        v = ev.value  # type: ignore[attr-defined]
        if v is True or flow.print is not True:
            flow.print = v
    elif t is ProtectionSeen:
        flow.protection = ev.protection  # type: ignore[attr-defined]
    elif t is EndpointExpected:
        flow.table.expected.expect(flow.key.server_ip, ev.port, ev.service)  # type: ignore[attr-defined]
    elif t is ServiceSeen:
        flow.service = ev.service  # type: ignore[attr-defined]
    elif t is FlowFact:
        if ev.name not in FlowRecord.FACTS:  # type: ignore[attr-defined]
            raise AssertionError(f"undocumented flow fact {ev.name!r}")  # type: ignore[attr-defined]
        flow.facts[ev.name] = ev.value  # type: ignore[attr-defined]
    elif t is ContentDone:
        flow.content_done()
    elif t is Note:
        flow.note(ev.kind, ev.detail, "dissector")  # type: ignore[attr-defined]
    elif t is SecretSeen:
        if ev not in flow.secrets and len(flow.secrets) < MAX_SECRETS:
            flow.secrets.append(ev)  # type: ignore[arg-type]
    elif t is TlsProgress:
        _tls_progress(flow, ev)  # type: ignore[arg-type]

def _tls_progress(flow: Flow, ev: TlsProgress) -> None:
    """Stamp a handshake milestone with the time of the packet being processed."""
    marks = flow.tls_marks
    if ev.step == "hello":
        if marks is None:  # the first ClientHello (a second one follows a HelloRetryRequest)
            flow.tls_marks = [flow.last_ts, None, None]
        return
    if marks is None or marks[1 + ev.direction] is not None:
        return
    marks[1 + ev.direction] = flow.last_ts
    c, s = marks[1], marks[2]
    if c is not None and s is not None and marks[0] is not None:
        flow.facts["tls_handshake_ms"] = round((max(c, s) - marks[0]) * 1000.0, 3)

def add_document(flow: Flow, job: Job, data: bytes) -> None:
    """Document bytes to ``job``; the run's document budget running out is said once per job."""
    was = job.trimmed
    job.add(data)
    if job.trimmed and not was:
        b = flow.table.budget
        flow.note("limit_exceeded", f"job {job.index}: the run's document budget ({b.disk >> 20} MiB on disk, "
                  f"{b.memory >> 20} MiB in memory) is spent: the rest of this document is counted and hashed, "
                  "not kept (its evidence is incomplete)")

def start_job(flow: Flow, protocol: str, key: str | None = None,
               direction: JobDirection = JobDirection.C2S) -> None:
    # the protection in force when the job starts: a job sent before an RFC 2817 upgrade (or
    # before SMB encryption starts) stays a cleartext job whatever the flow becomes later
    job = Job(uid=flow.uid, capture=flow.capture, index=len(flow.jobs), protocol=protocol, key=key,
              keep_bytes=flow.table.options.keep_document_bytes, protection=flow.protection.value,
              budget=flow.table.budget, direction=direction)
    if key is not None:
        old = flow.keyed.pop(key, None)
        if old is not None:  # the same key again: the earlier job is over
            end_job(flow, old)
        if len(flow.keyed) >= MAX_KEYED_JOBS:  # bound what a hostile stream can keep open
            first = next(iter(flow.keyed.values()))
            first.partial = True
            end_job(flow, first)
        flow.keyed[key] = job
    if direction is JobDirection.C2S:
        flow.job = job
    flow.jobs.append(job)

def end_job(flow: Flow, job: Job) -> None:
    """``job`` is over: no more events reach it, and the table hands it on (evidence, findings)."""
    if job.ended and job.final is not None:
        return
    job.ended = True
    if flow.job is job:
        flow.job = None
    if job.key is not None and flow.keyed.get(job.key) is job:
        del flow.keyed[job.key]
    flow.table.job_done(flow, job)


def end_all_jobs(flow: Flow) -> None:
    """Whatever is still open was cut before its protocol ended it: partial."""
    for job in [*flow.keyed.values(), *([flow.job] if flow.job is not None else [])]:
        if not job.ended:
            job.partial = True
            end_job(flow, job)
