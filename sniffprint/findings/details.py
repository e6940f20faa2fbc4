"""The ``detail`` line of a finding: what a job, a file transfer or a protocol exchange that
crossed in clear was, and what it held, in words; and which jobs are no print documents (a PJL
status query, ``query_only``; a file written to the printer, ``WRITTEN``).

Invariant: a detail never repeats a name or a path in clear: job, document and file names and
printer file-system paths appear only as keyed hashes (``evidence.redact.mask`` with the run's
site key), sensitive data only as counts per kind.
"""
from __future__ import annotations

from ..evidence.redact import mask
from ..model import JobDirection
from ..records import Evidence, FlowRecord, JobRecord

WRITTEN = frozenset({"FSDOWNLOAD", "FSAPPEND"})  # a file written to the printer: never a print document
MAX_PATHS_SHOWN = 16  # printer file-system paths named in an SP105 detail; the rest are counted
RPC_FAMILY = {"MS-RPRN": "spoolss", "MS-PAR": "winspool"}  # how the print RPC interfaces are called


def query_only(job: JobRecord) -> bool:
    """A PJL exchange that is no print job: PJL alone (no page description language) sent to the
    printer, no job or user name, no HOLDKEY, no file transfer (a status monitor's ``@PJL INFO`` /
    ``USTATUS``)."""
    return (job.languages == ("PJL",) and not job.holdkey_present and job.file_transfer is None
            and job.direction is JobDirection.C2S
            and not any(getattr(job, name) for name in JobRecord.TEXT_FIELDS))


def job_detail(job: JobRecord, ev: Evidence, key: bytes) -> str:
    """What a print job (or a document sent back) that crossed in clear was, and what it held."""
    lang = "unknown content" if job.language == "unknown" else job.language or "a document"
    parts = [f"{job.bytes} bytes of {lang}"]
    if job.direction is JobDirection.S2C:
        how = f" ({job.file_transfer} of {mask(job.document_name, key)})" if job.file_transfer else ""
        parts[0] += f" sent back by the printer{how}"
    return "; ".join(parts + _facts(job, ev))


def written_detail(job: JobRecord, ev: Evidence, key: bytes) -> str:
    """What a file written to the printer was: never its name or content in clear."""
    what = f"file written to the printer's file system in clear ({job.file_transfer} of {mask(job.document_name, key)})"
    return "; ".join([what, f"{job.bytes} bytes, not a print document"] + _facts(job, ev))


def _facts(job: JobRecord, ev: Evidence) -> list[str]:
    parts = []
    if ev.text_detail:
        parts.append(ev.text_detail)
    pii = {k: v for k, v in (ev.pii_counts or {}).items() if v}
    if pii:
        parts.append("sensitive data: " + ", ".join(f"{v} {k}" for k, v in sorted(pii.items())))
    if job.holdkey_present:
        parts.append("a PJL HOLDKEY PIN was sent in clear")
    if job.partial and job.missed_bytes:
        parts.append("partial (part of the job is missing from the capture)")
    elif job.partial:
        parts.append("partial (its end was not captured)")
    return parts


def fs_detail(flow: FlowRecord, jobs: list[JobRecord], key: bytes) -> str:
    """The commands, the paths by keyed hash, and what moved (never a path in clear)."""
    parts = ["PJL file-system commands in clear: " + ", ".join(flow.pjl_fs_commands or ())]
    paths = list(flow.pjl_fs_paths or ())
    if paths:
        shown = ", ".join(str(mask(p, key)) for p in paths[:MAX_PATHS_SHOWN])
        more = f" and {len(paths) - MAX_PATHS_SHOWN} more" if len(paths) > MAX_PATHS_SHOWN else ""
        parts.append(f"{len(paths)} paths named (keyed hashes): {shown}{more}")
    if flow.pjl_fs_listed:
        parts.append(f"{len(flow.pjl_fs_listed)} names listed by the printer")
    read = sum(1 for j in jobs if j.file_transfer == "FSUPLOAD")
    written = sum(1 for j in jobs if j.file_transfer in WRITTEN)
    if read:
        parts.append(f"{read} file(s) read back (FSUPLOAD)")
    if written:
        parts.append(f"{written} file(s) written to the printer")
    return "; ".join(parts)


def query_detail(flow: FlowRecord) -> str:
    """What a print protocol exchange without a job asked or said (SP302)."""
    if flow.ipp_operations:
        return "IPP operations in clear: " + ", ".join(map(str, flow.ipp_operations))
    if flow.lpd_queue:
        return "LPD command in clear (queue state or control, no job)"
    if flow.pjl_device_info:
        return "PJL status exchange in clear"
    if flow.rpc_interfaces and any(i in RPC_FAMILY for i in flow.rpc_interfaces):
        family = " and ".join(dict.fromkeys(RPC_FAMILY[i] for i in flow.rpc_interfaces if i in RPC_FAMILY))
        if flow.rpc_calls:
            return f"{family} calls in clear: " + ", ".join(flow.rpc_calls)
        return f"{family} bound in clear (no call seen)"
    return "print protocol exchange in clear without a job"
