"""Tests for sniffprint/dissectors/http/ipp_jobs.py: IPP operations over HTTP into jobs (RFC
8011): Print-Job, Create-Job + Send-Document, document compression."""
from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest

from sniffprint.dissectors import ipp
from sniffprint.dissectors.events import (
    DocumentData,
    Event,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
)
from sniffprint.dissectors.http.ipp_jobs import MAX_CREATED, MAX_OPERATIONS, Exchange, IppJobs
from tests.dissectors.http.vectors import (
    C2S,
    IPP_HELLO,
    PDF,
    PJ_FIELDS,
    PS,
    S2C,
    every_way_gaps,
    factory,
    ipp_ok,
    job_events,
    post,
    print_job,
    response,
)
from tests.dissectors.test_ipp import Enc
from tests.helpers import feed_every_way


def test_print_job_content_length() -> None:
    ev = feed_every_way(factory(), [(C2S, post(print_job())), (S2C, response(ipp_ok(5)))])
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF)


def test_create_job_then_send_document() -> None:
    create = Enc(0x0005, 1).ops(requesting_user_name="alice", job_name="A3_salary_review.ps").end()
    send = Enc(0x0006, 2).ops(job_id="42", requesting_user_name="alice",
                               document_name="salary_review.ps",
                               document_format="application/postscript").end(PS)
    # a closing empty Send-Document (last-document) adds no second job
    close = Enc(0x0006, 3).ops(job_id="42", requesting_user_name="alice").end()
    get = Enc(0x0009, 4).ops(job_id="42").end()
    script = [(C2S, post(create)), (S2C, response(ipp_ok(42, 1))),
              (C2S, post(send, chunked=True)), (S2C, response(ipp_ok(42, 2))),
              (C2S, post(close)), (S2C, response(ipp_ok(42, 3))),
              (C2S, post(get)), (S2C, response(ipp_ok(42, 4)))]
    ev = feed_every_way(factory(), script)
    fields = [("user", "alice"), ("document_name", "salary_review.ps"),
              ("document_format", "application/postscript"), ("job_name", "A3_salary_review.ps")]
    ops = ["Create-Job", "Send-Document", "Get-Job-Attributes"]
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ops[:1]), FlowFact("ipp_operations", ops[:2])] \
        + job_events(fields, PS) + [FlowFact("ipp_operations", ops)]


def test_send_document_without_create_job_response_uses_last_create_job() -> None:
    create = Enc(0x0005, 1).ops(job_name="by-order").end()
    send = Enc(0x0006, 2).ops(job_id="9", requesting_user_name="bob").end(PS)
    ev = feed_every_way(factory(), [(C2S, post(create) + post(send))])
    assert JobField("job_name", "by-order", "ipp") in ev and JobField("user", "bob", "ipp") in ev


@pytest.mark.parametrize("compression, packer", [
    ("gzip", gzip.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw RFC 1951
    ("deflate", zlib.compress),  # zlib-wrapped, as some clients send it
])
def test_ipp_compression(compression: str, packer: Callable[[bytes], bytes]) -> None:
    doc = PS * 200
    ev = feed_every_way(factory(), [(C2S, post(print_job(packer(doc), compression=compression),
                                                chunked=True))])
    assert DocumentData(doc) in ev and ev[-1] == JobEnded(False)
    assert JobField("compression", compression, "ipp") in ev


def test_broken_compression_is_a_note_and_a_partial_job() -> None:
    ev = feed_every_way(factory(), [(C2S, post(print_job(b"not gzip at all", compression="gzip")))])
    assert any(isinstance(e, Note) and e.kind == "ipp_compression_error" for e in ev)
    assert ev[-1] == JobEnded(partial=True)


def test_unsupported_compression_passes_bytes_through() -> None:
    ev = feed_every_way(factory(), [(C2S, post(print_job(b"\x1f\x9d...", compression="compress")))])
    assert DocumentData(b"\x1f\x9d...") in ev
    assert any(isinstance(e, Note) and e.kind == "ipp_compression_unsupported" for e in ev)


def test_collections_in_a_request() -> None:
    body = (Enc(0x0002).ops(requesting_user_name="carol").group(0x02)
            .raw(0x34, "media-col", b"").raw(0x4A, "", b"media-size").raw(0x34, "", b"")
            .raw(0x4A, "", b"x-dimension").int("", 21000).raw(0x37, "", b"").raw(0x37, "", b"")
            .end(PDF))
    ev = feed_every_way(factory(), [(C2S, post(body))])
    assert DocumentData(PDF) in ev and JobField("user", "carol", "ipp") in ev


def test_get_printer_attributes_records_the_operation_only() -> None:
    ev = feed_every_way(factory(), [(C2S, post(Enc(0x000B).ops().end())),
                                    (S2C, response(Enc(0, 1).ops().group(4).kw("printer-state", "idle").end()))])
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Get-Printer-Attributes"])]


def test_ipp_response_with_trailing_document_is_fine() -> None:
    # CUPS-Get-Document returns the document after the response attributes
    ev = feed_every_way(factory(), [(C2S, post(Enc(0x4027).ops().end())),
                                    (S2C, response(Enc(0, 1).ops().end(PDF)))])
    assert not any(isinstance(e, (JobStarted, DocumentData)) for e in ev)


def test_gap_in_attributes_loses_the_message_only() -> None:
    req = post(print_job())
    cut = req.index(b"\r\n\r\n") + 20
    ev = every_way_gaps([(C2S, req[:cut]), (C2S, 10), (C2S, req[cut + 10:] + post(print_job(PS)))])
    assert [e for e in ev if isinstance(e, (JobStarted, DocumentData, JobEnded))] == [
        JobStarted("ipp"), DocumentData(PS), JobEnded(False)]


def test_unsupported_compression_is_not_quoted() -> None:
    wire = "x-alice-salary"  # an attribute value off the wire
    ev = feed_every_way(factory(), [(C2S, post(print_job(PS, compression=wire)))])
    [note] = [e for e in ev if isinstance(e, Note)]
    assert note == Note("ipp_compression_unsupported", "unknown document compression (14 bytes) is not decoded")
    assert not any(isinstance(e, Note) and wire in e.detail for e in ev)
    assert DocumentData(PS) in ev  # the bytes are passed on as sent


def test_registered_compression_is_named() -> None:
    ev = feed_every_way(factory(), [(C2S, post(print_job(PS, compression="compress")))])
    assert Note("ipp_compression_unsupported", "document compression 'compress' is not decoded") in ev


# ----------------------------------------------------------------- the job state alone
def _msg(body: bytes, is_request: bool = True) -> ipp.IppMessage:
    msg, _ = ipp.IppDecoder(is_request).feed(body)
    assert msg is not None
    return msg


def test_operation_names_are_bounded() -> None:
    jobs = IppJobs()
    out: list[Event] = []
    for op in range(0x4100, 0x4100 + MAX_OPERATIONS + 10):
        jobs.request(_msg(Enc(op).ops().end()), Exchange(), out)
    assert len(jobs.operations) == MAX_OPERATIONS and len(out) == MAX_OPERATIONS


def test_create_job_fields_wait_for_their_job_id_bounded() -> None:
    jobs = IppJobs()
    out: list[Event] = []
    for jid in range(MAX_CREATED + 5):
        ex = Exchange()
        assert jobs.request(_msg(Enc(0x0005).ops(job_name=f"n{jid}").end()), ex, out) is None
        jobs.response(_msg(ipp_ok(jid), is_request=False), ex)
    assert len(jobs.created) == MAX_CREATED and 0 not in jobs.created  # the oldest went first
    job = jobs.request(_msg(Enc(0x0006).ops(job_id=str(MAX_CREATED)).end()), Exchange(), out)
    assert job is not None and ("job_name", f"n{MAX_CREATED}") in job.fields


def test_a_failed_create_job_names_nothing() -> None:
    jobs, ex = IppJobs(), Exchange()
    jobs.request(_msg(Enc(0x0005).ops(job_name="x").end()), ex, [])
    jobs.response(_msg(Enc(0x0400, 1).ops().group(2).int("job-id", 3).end(), is_request=False), ex)
    assert jobs.created == {}  # client-error-bad-request: no job 3 exists
