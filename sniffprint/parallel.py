"""Every core: the flows of one run shared among worker processes, the findings made once.

``run_parallel(pipeline, specs, n)`` forks ``n`` workers. Each reads every capture and decodes
every frame's headers (cheap: struct over the bytes), but hands on to its flow table only the
frames of its own flows: a flow belongs to worker ``(sport + dport + last byte of each address)
mod n``, the same for both directions, so a flow never straddles workers. Reassembly, dissection,
jobs and the evidence stage (the expensive part: text, PII) run in the workers; each finished flow
goes to the parent with its jobs and their evidence, in batches over a pipe. The parent, which
owns the sinks and the one ``Findings``, judges each flow as it arrives, then adds the capture-
level findings and the printer records once, from the merged summary.

Invariants:
- The records are those of a single process (order aside): the uids, the flow and job records,
  the evidence and the findings are computed from the same bytes by the same code. (A job's
  finding is emitted with its flow instead of the moment the job ends.)
- Capture and frame anomalies and the decoder's counters come from worker 0 only; every worker
  reports the anomalies of its own flows. Per-kind limits apply to the merged stream.
- A worker that dies or fails is an internal error of the run (never a silent loss): the parent
  raises, and the CLI exits 4.
Not parallel (the caller keeps one process): live capture, standard input, an evidence folder,
``live --write-pcap``.
"""
from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from typing import Any

from .api import Pipeline
from .errors import CaptureError
from .records import Anomaly, Evidence, FlowRecord, JobRecord, Summary
from .sources import SourceSpec

BATCH = 64  # flows per message from a worker
FlowItem = tuple[FlowRecord, list[tuple[JobRecord, Evidence | None]]]


def owner(seg: tuple[Any, ...], n: int) -> int:
    """The worker of a decoded segment's flow: symmetric in the two endpoints."""
    src, dst, sport, dport = seg[0], seg[1], seg[2], seg[3]
    return int(sport + dport + src[-1] + dst[-1]) % n


class WorkerPart:
    """One worker's share (an ``api.Part``): its flows, batched to the parent. On a live interface
    the kernel already shares the packets out by flow (PACKET_FANOUT), so a worker owns all it gets."""

    def __init__(self, index: int, n: int, conn: multiprocessing.connection.Connection, *, live: bool = False) -> None:
        self.index = index
        self.n = n
        self.conn = conn
        self.live = live
        self.flows: list[FlowItem] = []
        self.anomalies: list[Anomaly] = []
        self.last_status = 0.0
        self.last_progress = 0.0

    def owns(self, seg: tuple[Any, ...]) -> bool:
        return self.live or owner(seg, self.n) == self.index

    def flow(self, rec: FlowRecord, jobs: list[tuple[JobRecord, Evidence | None]]) -> None:
        self.flows.append((rec, jobs))
        if len(self.flows) >= (1 if self.live else BATCH):  # live: a finding is due the moment it is known
            self.flush()

    def anomaly(self, a: Anomaly) -> None:
        self.anomalies.append(a)
        if len(self.anomalies) >= (1 if self.live else BATCH):
            self.flush()

    def flush(self) -> None:
        if self.anomalies:
            self.conn.send(("anomalies", self.anomalies))
            self.anomalies = []
        if self.flows:
            self.conn.send(("flows", self.flows))
            self.flows = []

    def progress(self, worker: Pipeline) -> None:
        """Files: what worker 0 has read, for the parent's progress line, at most 5 times a second."""
        now = time.monotonic()
        if now - self.last_progress >= 0.2:
            self.last_progress = now
            self.conn.send(("progress", worker.read_so_far()))

    def status(self, worker: Pipeline) -> None:
        """Live: the worker's counters for the parent's status line, about once a second."""
        now = time.monotonic()
        if now - self.last_status < 1.0:
            return
        self.last_status = now
        cap = worker.captures[-1] if worker.captures else None
        self.conn.send(("status", {"frames": cap.frames if cap else 0, "drops": (cap.drops or 0) if cap else 0,
                                   "flows": worker.table.flows_total, "open": len(worker.table),
                                   "anomalies": worker.sink.total()}))


@dataclasses.dataclass(slots=True, frozen=True)
class WorkerDone:
    stats: Summary
    counts: Counter[str]
    read_errors: list[str]


def _work(pipeline: Pipeline, specs: Sequence[SourceSpec], index: int, n: int,
          conn: multiprocessing.connection.Connection, live: dict[str, Any]) -> None:  # pragma: no cover
    """A worker process's run (in the child)."""
    try:
        part = WorkerPart(index, n, conn, live=bool(live))
        options = dataclasses.replace(pipeline.options, jobs=1, max_buffer=max(1, pipeline.options.max_buffer // n))
        if live:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers (``stop``)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            live = {**live, "ready": lambda iface: conn.send(("ready", iface))}
        progress = part.progress if index == 0 and pipeline.on_progress is not None and not live else None
        worker = Pipeline(options, part=part, on_tick=part.status if live else None, on_progress=progress)
        stats = worker.run(specs, **live)
        part.flush()
        conn.send(("done", WorkerDone(stats, worker.sink.counts, [str(e) for e in worker.read_errors])))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the run (exit 4)
        try:
            conn.send(("error", traceback.format_exc()))
        except OSError:
            pass
    finally:
        conn.close()


class WorkerFailed(RuntimeError):
    """A worker process failed or died: the run's results are incomplete (an internal error)."""


LIVE_COUNTERS = ("frames", "tcp_segments", "udp_datagrams", "other_ip", "non_ip", "ip_fragments", "bad_ip_checksums",
                 "bad_tcp_checksums", "undecodable")


def run_parallel(pipeline: Pipeline, specs: Sequence[SourceSpec], n: int, **live: Any) -> Summary:
    """Run ``specs`` on ``n`` workers; the parent ``pipeline`` judges and writes (module docstring).

    A live interface (``specs`` = one live spec, ``live`` = its controls) is shared by the kernel:
    each worker opens its own socket in one PACKET_FANOUT group; ``stop`` (set by a signal) ends
    them all, ``ready`` is said once every socket is open, and ``pipeline.live_status`` holds the
    workers' latest counters for status lines."""
    ctx = multiprocessing.get_context("fork")  # the workers inherit the parsed options and specs
    t0 = time.perf_counter()
    is_live = bool(specs) and not specs[0].is_file and str(specs[0]).startswith("live:")
    stop = live.pop("stop", None)
    ready = live.pop("ready", None)
    worker_live: dict[str, Any] = {}
    mp_stop = None
    if is_live:
        mp_stop = ctx.Event()
        worker_live = {"stop": mp_stop, "fanout": (os.getpid() ^ 0x5350) & 0xFFFF}
    readers, procs = [], []
    for index in range(n):
        recv, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_work, args=(pipeline, specs, index, n, send, worker_live), daemon=True)
        proc.start()
        send.close()
        readers.append(recv)
        procs.append(proc)
    done: dict[int, WorkerDone] = {}
    open_readers = {id(r): i for i, r in enumerate(readers)}
    by_id = {id(r): r for r in readers}
    n_ready = 0
    statuses: dict[int, dict[str, int]] = {}
    try:
        while open_readers:
            if stop is not None and mp_stop is not None and stop.is_set():
                mp_stop.set()
            ready_conns = multiprocessing.connection.wait([x for x in readers if id(x) in open_readers],
                                                          timeout=0.5 if is_live else None)
            for conn in ready_conns:
                r = by_id[id(conn)]
                index = open_readers[id(r)]
                try:
                    kind, payload = r.recv()
                    message: Any = payload
                except EOFError:
                    del open_readers[id(r)]
                    if index not in done:
                        raise WorkerFailed(f"worker {index} ended without its results "
                                           f"(exit status {procs[index].exitcode})") from None
                    continue
                if kind == "flows":
                    for rec, jobs in message:
                        pipeline.emit_flow(rec, jobs)
                elif kind == "anomalies":
                    for a in message:
                        pipeline.sink.absorb(a)
                elif kind == "done":
                    done[index] = message
                elif kind == "ready":
                    n_ready += 1
                    if n_ready == n and ready is not None:
                        ready(message)
                elif kind == "progress":
                    pipeline.read_status = message
                    if pipeline.on_progress is not None:
                        pipeline.on_progress(pipeline)
                elif kind == "status":
                    statuses[index] = message
                    pipeline.live_status = {k: sum(st[k] for st in statuses.values()) for k in message}
                    if pipeline.on_tick is not None:
                        pipeline.on_tick(pipeline)
                else:
                    raise WorkerFailed(f"worker {index} failed:\n{message}")
    finally:
        if mp_stop is not None:
            mp_stop.set()
        for proc in procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
    for d in done.values():
        pipeline.sink.merge_counts(d.counts)
    first = done[0].stats
    summed = {name: sum(getattr(d.stats, name) for d in done.values()) for name in LIVE_COUNTERS} if is_live else {}
    captures = first.captures
    if is_live:  # each worker saw its share of the interface's packets: the capture is their sum
        caps = [d.stats.captures[0] for d in done.values() if d.stats.captures]
        captures = (dataclasses.replace(caps[0], frames=sum(c.frames for c in caps), bytes=sum(c.bytes for c in caps),
                                        drops=sum(c.drops or 0 for c in caps),
                                        first_ts=min((c.first_ts for c in caps if c.first_ts), default=None),
                                        last_ts=max((c.last_ts for c in caps if c.last_ts), default=None)),)
    stats = dataclasses.replace(
        first,
        captures=captures,
        flows=sum(d.stats.flows for d in done.values()),
        udp_flows=sum(d.stats.udp_flows for d in done.values()),
        flows_evicted=sum(d.stats.flows_evicted for d in done.values()),
        anomalies=pipeline.sink.total(),
        internal_errors=pipeline.sink.total("internal_error"),
        elapsed_s=round(time.perf_counter() - t0, 3),
        **summed,
    )
    pipeline.read_errors += [CaptureError(msg) for msg in done[0].read_errors]
    pipeline.conclude(stats)
    pipeline.elapsed = time.perf_counter() - t0
    return stats


AUTO_BYTES = 64 << 20  # below this much capture, one process is faster than starting workers


def choose_jobs(requested: int | None, specs: Sequence[SourceSpec], *, evidence: bool,
                single: str | None = None) -> tuple[int, str | None]:
    """How many workers a run gets, and why fewer than asked (a note for the user).

    ``None`` (the default) means every core when the capture files are large, one process on a
    live interface (ask for more with ``--jobs``: the kernel then shares the packets out by flow).
    Standard input, an evidence folder or ``single`` (a reason from the caller: ``--count``,
    ``--write-pcap``) keep one process."""
    if requested == 1:
        return 1, None
    why = single
    if any(s.kind.value == "stdin" for s in specs):
        why = "standard input is read by one process"
    elif evidence:
        why = "an evidence folder is written by one process"
    if why is not None:
        return 1, (f"--jobs {requested}: {why}" if requested else None)
    if requested is None:
        if not all(s.is_file for s in specs):
            return 1, None
        size = sum(os.path.getsize(s.name) for s in specs if os.path.isfile(s.name))
        return (max(1, os.cpu_count() or 1) if size >= AUTO_BYTES else 1), None
    return requested, None


# ---------------------------------------------------------------------------------------- Dask
class CollectPart:
    """A Dask task's share: every flow of its capture, collected for the client."""

    index = 0

    def __init__(self) -> None:
        self.flows: list[FlowItem] = []
        self.anomalies: list[Anomaly] = []

    def owns(self, seg: tuple[Any, ...]) -> bool:
        return True

    def flow(self, rec: FlowRecord, jobs: list[tuple[JobRecord, Evidence | None]]) -> None:
        self.flows.append((rec, jobs))

    def anomaly(self, a: Anomaly) -> None:
        self.anomalies.append(a)


def analyze_capture(options: Any, spec: SourceSpec, index: int) -> tuple[list[FlowItem], list[Anomaly], WorkerDone]:
    """One capture file, analysed on a Dask worker: its flows (with jobs and evidence), its
    anomalies and its summary; the client judges them (``run_dask``)."""
    part = CollectPart()
    worker = Pipeline(dataclasses.replace(options, jobs=1), part=part, first_capture=index)
    stats = worker.run([spec])
    return part.flows, part.anomalies, WorkerDone(stats, worker.sink.counts, [str(e) for e in worker.read_errors])


def run_dask(pipeline: Pipeline, specs: Sequence[SourceSpec], client: Any) -> Summary:
    """One task per capture on the cluster behind ``client``; the results are merged here in the
    order of the captures, exactly as ``run_parallel`` merges its workers'. A flow that continues
    from one capture file into the next is two flows here (each task starts with an empty table)."""
    if any(not s.is_file for s in specs):
        raise CaptureError("a Dask cluster reads capture files (at the same path on every worker), "
                           "not live capture or standard input")
    t0 = time.perf_counter()
    futures = [client.submit(analyze_capture, pipeline.options, spec, i, pure=False) for i, spec in enumerate(specs)]
    results: list[WorkerDone] = []
    for fut in futures:  # in capture order: the records stream out in the order of the inputs
        flows, anomalies, done = fut.result()
        for rec, jobs in flows:
            pipeline.emit_flow(rec, jobs)
        for a in anomalies:
            pipeline.sink.absorb(a)
        results.append(done)
    for d in results:
        pipeline.sink.merge_counts(d.counts)
    counters = ("frames", "tcp_segments", "udp_datagrams", "other_ip", "non_ip", "ip_fragments",
                "bad_ip_checksums", "bad_tcp_checksums", "undecodable", "flows", "udp_flows", "flows_evicted")
    stats = dataclasses.replace(
        results[0].stats,
        captures=tuple(c for d in results for c in d.stats.captures),
        truncated=any(d.stats.truncated for d in results),
        anomalies=pipeline.sink.total(),
        internal_errors=pipeline.sink.total("internal_error"),
        elapsed_s=round(time.perf_counter() - t0, 3),
        **{name: sum(getattr(d.stats, name) for d in results) for name in counters},
    )
    pipeline.read_errors += [CaptureError(msg) for d in results for msg in d.read_errors]
    pipeline.conclude(stats)
    pipeline.elapsed = time.perf_counter() - t0
    return stats
