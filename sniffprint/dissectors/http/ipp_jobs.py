"""IPP operations to print jobs (RFC 8011), for IPP carried in HTTP (RFC 8010 section 4).

What it maps: each decoded IPP message (``ipp.IppDecoder``, the wire format) of one flow, and
the document bytes that follow a request's attributes, into job events.

- Every operation's name goes into the ``ipp_operations`` flow fact (at most ``MAX_OPERATIONS``).
- Print-Job and Send-Document carry a document (RFC 8011 sections 4.2.1 and 4.3.1): their
  operation attributes become job fields and the data after end-of-attributes the document,
  decompressed if the ``compression`` attribute says gzip or deflate (section 5.4.32).
- Create-Job (section 4.2.4) carries the job's name and user but no document; they carry over to
  the Send-Document of the same job-id on the same flow (the job-id comes in the Create-Job
  response), or to the next Send-Document when that response was not seen.
- A closing Send-Document with no data (``last-document`` only) after the job's document adds no
  job of its own.

Invariants:
- Rule 1: per-flow memory is bounded: ``MAX_OPERATIONS`` names, ``MAX_CREATED`` Create-Job
  field sets; document bytes are passed on, never kept.
- Rule 2: a job starts (``JobStarted`` and its fields) at its first document byte, gap or end,
  and ends exactly once (``JobEnded``), partial if any of its document was lost.
- Rule 3: anomaly details never quote an attribute value: an unsupported compression is named
  only if it is one of the keywords registered for it, else told by its length.
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import ipp, ipp_names
from ..events import DocumentData, DocumentGap, Event, FlowFact, JobEnded, JobField, JobStarted, Note
from .coding import DEFLATE, GZIP, CodingError, Data, Inflater

MAX_OPERATIONS = 64  # distinct IPP operation names kept per flow
MAX_CREATED = 256  # Create-Job field sets kept per flow, waiting for their Send-Document
# Job record field <- operation attribute (RFC 8011 section 4.2.1.1)
FIELDS = (("user", "requesting-user-name"), ("job_name", "job-name"),
          ("document_name", "document-name"), ("document_format", "document-format"),
          ("host", "job-originating-host-name"), ("compression", "compression"))
# compression keywords (RFC 8011 section 5.4.32, IANA IPP registry): what each removes
COMPRESSIONS = {"none": None, "gzip": GZIP, "deflate": DEFLATE, "compress": None}


@dataclass(slots=True)
class Exchange:
    """What a request taught about its exchange, kept for the response."""

    op: int | None = None  # IPP operation-id once decoded
    create_fields: list[tuple[str, str]] | None = None  # Create-Job: fields for Send-Document


@dataclass(slots=True)
class Job:
    fields: list[tuple[str, str]]
    op: int
    job_id: int | None
    inflater: Inflater | None = None
    started: bool = False
    partial: bool = False
    dropping: bool = False  # the document can no longer be decoded (coding error or gap)


def _job_id(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


class IppJobs:
    """The IPP job state of one flow."""

    def __init__(self) -> None:
        self.operations: list[str] = []
        self.created: dict[int, list[tuple[str, str]]] = {}  # job-id -> Create-Job fields
        self.last_created: list[tuple[str, str]] | None = None
        self.documented: set[int] = set()  # job-ids that already had a document on this flow

    def request(self, msg: ipp.IppMessage, exchange: Exchange, out: list[Event]) -> Job | None:
        """A request's attributes are decoded: the job its document (if any) belongs to."""
        exchange.op = msg.code
        name = msg.operation
        if name not in self.operations and len(self.operations) < MAX_OPERATIONS:
            self.operations.append(name)
            out.append(FlowFact("ipp_operations", list(self.operations)))
        fields = [(f, v) for f, attr in FIELDS if (v := msg.text(attr))]
        if msg.code == ipp_names.OP_CREATE_JOB:
            exchange.create_fields = fields
            self.last_created = fields
            return None
        if msg.code not in ipp_names.DOCUMENT_OPERATIONS:
            return None
        job_id = _job_id(msg.first("job-id"))
        if msg.code == ipp_names.OP_SEND_DOCUMENT:
            # RFC 8011 section 4.2.1.1: job-name etc. were given to Create-Job; the document
            # arrives here. Take them from that job's Create-Job on this flow.
            base = self.created.get(job_id) if job_id is not None else None
            if base is None:
                base = self.last_created or []
            have = {n for n, _ in fields}
            fields = fields + [f for f in base if f[0] not in have]
        job = Job(fields, msg.code, job_id)
        compression = msg.text("compression")
        kind = COMPRESSIONS.get(compression) if compression is not None else None
        if kind is not None:
            job.inflater = Inflater(kind)
        elif compression not in (None, "none"):
            out.append(Note("ipp_compression_unsupported", _undecoded(compression)))
        return job

    def response(self, msg: ipp.IppMessage, exchange: Exchange) -> None:
        """A response's attributes are decoded: a Create-Job's job-id names its fields."""
        if exchange.op == ipp_names.OP_CREATE_JOB and exchange.create_fields is not None and msg.code < 0x0100:
            jid = _job_id(msg.first("job-id"))
            if jid is not None:
                self.created[jid] = exchange.create_fields
                if len(self.created) > MAX_CREATED:
                    del self.created[next(iter(self.created))]

    def start(self, job: Job, out: list[Event]) -> None:
        if job.started:
            return
        job.started = True
        out.append(JobStarted("ipp"))
        out += [JobField(n, v, "ipp") for n, v in job.fields]
        if job.job_id is not None:
            self.documented.add(job.job_id)

    def document(self, job: Job, data: Data, out: list[Event]) -> None:
        if job.dropping:
            return
        self.start(job, out)
        if job.inflater is not None:
            try:
                data = job.inflater.feed(data)
            except CodingError as exc:
                out.append(Note("ipp_compression_error", str(exc)))
                job.dropping = job.partial = True
                return
        if data:
            out.append(DocumentData(bytes(data)))

    def gap(self, job: Job, length: int, out: list[Event]) -> None:
        self.start(job, out)
        job.partial = True
        if job.inflater is not None:
            job.dropping = True  # a compressed stream cannot be continued after a hole
        out.append(DocumentGap(length))

    def interrupted(self, job: Job, out: list[Event]) -> None:
        """The HTTP body carrying the document can no longer be decoded."""
        self.start(job, out)
        job.partial = True

    def end(self, job: Job, out: list[Event]) -> None:
        """The HTTP body carrying the request ended."""
        # An empty closing Send-Document (last-document only) after the job's document adds
        # no document of its own.
        if not job.started and not (job.op == ipp_names.OP_SEND_DOCUMENT and job.job_id in self.documented):
            self.start(job, out)
        if not job.started:
            return
        if job.inflater is not None and not job.dropping:
            try:
                tail = job.inflater.flush()
            except CodingError as exc:
                out.append(Note("ipp_compression_error", str(exc)))
                job.partial = True
                tail = b""
            if tail:
                out.append(DocumentData(tail))
        out.append(JobEnded(partial=job.partial))

    def cut(self, job: Job, out: list[Event]) -> None:
        """The HTTP body carrying the request was cut (a gap across its end, or the capture ended)."""
        self.start(job, out)
        out.append(JobEnded(partial=True))


def _undecoded(compression: str) -> str:
    # The value comes off the wire: name it only when it is a registered keyword.
    if compression in COMPRESSIONS:
        return f"document compression {compression!r} is not decoded"
    return f"unknown document compression ({len(compression.encode())} bytes) is not decoded"
