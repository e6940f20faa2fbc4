"""Tests for sniffprint/dissectors/http.py: HTTP/1.1 framing (RFC 9112), IPP jobs over it (RFC
8010/8011) and the RFC 2817 upgrade to TLS.

IPP bodies come from the encoder in test_ipp.py; HTTP messages are written out here.
"""
from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import zlib
from collections.abc import Callable, Sequence

import pytest

from sniffprint.dissectors import http, ipp
from sniffprint.dissectors.events import (
    ContentDone,
    DocumentData,
    DocumentGap,
    Event,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
    ServiceSeen,
)
from sniffprint.dissectors.http import HttpDissector
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, Protection, Service
from tests.conftest import SHARED
from tests.dissectors.test_ipp import Enc
from tests.dissectors.tls.vectors import client_hello, server_hello
from tests.helpers import bytewise, feed_every_way, fuzz, key, merge_data, random_splits, whole

C2S, S2C = Direction.C2S, Direction.S2C
IPP_HELLO = [ServiceSeen(Service.IPP), PrintSeen(True)]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PS = b"%!PS-Adobe-3.0\n%%Title: t\nshowpage\n"


def post(body: bytes, *, extra: str = "", chunked: bool = False, path: str = "/ipp/print",
         ctype: str = "application/ipp", chunk_size: int = 100) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: 10.0.0.2:631\r\nContent-Type: {ctype}\r\n{extra}"
    if chunked:
        return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + chunk(body, chunk_size) + b"0\r\n\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def chunk(data: bytes, size: int = 100) -> bytes:
    out = b""
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out


def response(body: bytes = b"", status: str = "200 OK", extra: str = "",
             ctype: str = "application/ipp") -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n{extra}Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body


def ipp_ok(job_id: int | None = None, request_id: int = 1) -> bytes:
    e = Enc(0x0000, request_id).ops()
    if job_id is not None:
        e.group(0x02).int("job-id", job_id)
    return e.end()


def print_job(doc: bytes = PDF, **attrs: str) -> bytes:
    attrs.setdefault("requesting_user_name", "alice")
    attrs.setdefault("job_name", "offer.pdf")
    attrs.setdefault("document_format", "application/pdf")
    return Enc(0x0002).ops(**attrs).end(doc)


def factory(port: int = 631) -> Callable[[], HttpDissector]:
    return lambda: HttpDissector(key(port))


def job_events(fields: Sequence[tuple[str, str]], doc: bytes, partial: bool = False) -> list[Event]:
    out: list[Event] = [JobStarted("ipp")]
    out += [JobField(n, v, "ipp") for n, v in fields]
    if doc:
        out.append(DocumentData(doc))
    out.append(JobEnded(partial=partial))
    return out


PJ_FIELDS = [("user", "alice"), ("job_name", "offer.pdf"), ("document_format", "application/pdf")]


# ----------------------------------------------------------------- probe
def test_probe() -> None:
    k = key(631)
    assert HttpDissector.probe(b"POST /ipp HTTP/1.1\r\n", b"", k) >= 0.9
    assert HttpDissector.probe(b"\r\nGET / HTTP/1.0\r\n", b"", key(80)) >= 0.75
    assert HttpDissector.probe(b"POST /ip", b"", key(12345)) >= 0.75  # line not complete yet
    assert HttpDissector.probe(b"POST something else\n", b"", k) == 0.0
    assert HttpDissector.probe(b"\x16\x03\x01\x00\x10", b"", k) == 0.0
    assert HttpDissector.probe(b"", b"HTTP/1.1 200 OK\r\n", k) == 0.5


# ----------------------------------------------------------------- IPP jobs
def test_print_job_content_length() -> None:
    ev = feed_every_way(factory(), [(C2S, post(print_job())), (S2C, response(ipp_ok(5)))])
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF)


def test_print_job_chunked_with_extensions_and_trailers() -> None:
    body = print_job(PS, document_format="application/postscript", job_originating_host_name="ws1")
    req = (b"POST /ipp/print HTTP/1.1\r\nContent-Type: application/ipp\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n"
           + b"".join(f"{len(p):X};name=\"v\"\r\n".encode() + p + b"\r\n"
                      for p in (body[:50], body[50:51], body[51:]))
           + b"0;last\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n")
    ev = feed_every_way(factory(), [(C2S, req), (S2C, response(ipp_ok()))])
    fields = [("user", "alice"), ("job_name", "offer.pdf"), ("document_format", "application/postscript"),
              ("host", "ws1")]
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(fields, PS)


def test_bare_lf_line_ends_are_accepted() -> None:
    body = print_job()
    req = (b"POST /ipp/print HTTP/1.1\nContent-Type: application/ipp\nTransfer-Encoding: chunked\n\n"
           + f"{len(body):x}\n".encode() + body + b"\n0\n\n")
    ev = feed_every_way(factory(), [(C2S, req)])
    assert ev[-1] == JobEnded(False) and DocumentData(PDF) in ev


def test_expect_100_continue() -> None:
    req = post(print_job(), extra="Expect: 100-continue\r\n")
    head, body = req.split(b"\r\n\r\n", 1)
    script = [(C2S, head + b"\r\n\r\n"), (S2C, b"HTTP/1.1 100 Continue\r\n\r\n"), (C2S, body),
              (S2C, response(ipp_ok())), (C2S, post(Enc(0x000B).ops().end())), (S2C, response(ipp_ok()))]
    ev = feed_every_way(factory(), script)
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF) + [
        FlowFact("ipp_operations", ["Print-Job", "Get-Printer-Attributes"])]


def test_expect_body_skipped_after_final_status() -> None:
    # CUPS asks for authentication: 401 before the body; the client sends the request again.
    head = post(print_job(), extra="Expect: 100-continue\r\n").split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    script = [(C2S, head), (S2C, response(b"", "401 Unauthorized", ctype="text/html")),
              (C2S, post(print_job(), extra="Authorization: Basic YWxpY2U6eA==\r\n")),
              (S2C, response(ipp_ok()))]
    ev = feed_every_way(factory(), script)
    assert Note in {type(e) for e in ev}
    assert [e for e in ev if not isinstance(e, Note)] == IPP_HELLO + [
        FlowFact("http_basic_auth", True), FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF)


def test_keep_alive_two_jobs_and_pipelining() -> None:
    doc2 = b"%!PS-Adobe-3.0\nsecond\n"
    r1 = post(print_job())
    r2 = post(print_job(doc2, job_name="two.ps", document_format="application/postscript"), chunked=True)
    ev = feed_every_way(factory(), [(C2S, r1 + r2), (S2C, response(ipp_ok(1)) + response(ipp_ok(2)))])
    jobs = [e for e in ev if isinstance(e, (JobStarted, JobEnded, DocumentData))]
    assert jobs == [JobStarted("ipp"), DocumentData(PDF), JobEnded(False),
                    JobStarted("ipp"), DocumentData(doc2), JobEnded(False)]
    assert JobField("job_name", "two.ps", "ipp") in ev


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


def test_http_content_encoding_gzip() -> None:
    body = gzip.compress(print_job())
    ev = feed_every_way(factory(), [(C2S, post(body, extra="Content-Encoding: gzip\r\n"))])
    assert ev == IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF)


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


# ----------------------------------------------------------------- plain HTTP
def test_plain_http_elsewhere_stops_after_the_first_exchange() -> None:
    ev = feed_every_way(factory(80), [(C2S, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                                      (S2C, response(b"<html>", ctype="text/html"))])
    assert ev == [ServiceSeen(Service.HTTP), PrintSeen(False), ContentDone()]


def test_port_631_keeps_reading_and_finds_ipp_later() -> None:
    script = [(C2S, b"GET /printers/ HTTP/1.1\r\n\r\n"), (S2C, response(b"<html>" * 50, ctype="text/html")),
              (C2S, post(print_job())), (S2C, response(ipp_ok()))]
    ev = feed_every_way(factory(631), script)
    assert ev[:2] == [ServiceSeen(Service.HTTP), PrintSeen(False)]
    assert ev[2:4] == IPP_HELLO and ContentDone() not in ev and ev[-1] == JobEnded(False)


def test_bodyless_responses() -> None:
    script = [(C2S, b"HEAD / HTTP/1.1\r\n\r\nGET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"
                    b"GET /c HTTP/1.1\r\n\r\n" + post(print_job())),
              (S2C, b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"
                    b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
                    b"HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    + response(ipp_ok()))]
    d = HttpDissector(key(631))
    for direction, data in script:
        d.feed(direction, data)
    assert d.pairs == 5 and d.sides[1].state is http.State.HEAD


def test_response_until_close() -> None:
    d = HttpDissector(key(631))
    d.feed(C2S, post(Enc(0x000B).ops().end()))
    d.feed(S2C, b"HTTP/1.0 200 OK\r\nContent-Type: application/ipp\r\n\r\n" + ipp_ok())
    assert d.pairs == 0
    d.close()
    assert d.pairs == 1


def test_connect_tunnel_is_opaque() -> None:
    ev = feed_every_way(factory(8080), [(C2S, b"CONNECT h:443 HTTP/1.1\r\n\r\n"),
                                        (S2C, b"HTTP/1.1 200 OK\r\n\r\n\x16\x03\x01"), (C2S, b"\x16\x03\x01")])
    assert ev == [ServiceSeen(Service.HTTP), PrintSeen(False), ContentDone()]


# ----------------------------------------------------------------- RFC 2817 upgrade
UPGRADE = b"OPTIONS * HTTP/1.1\r\nHost: p:631\r\nConnection: Upgrade\r\nUpgrade: TLS/1.2,TLS/1.1,TLS/1.0\r\n\r\n"
SWITCH = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: TLS/1.2,HTTP/1.1\r\n\r\n"
HELLO = client_hello()  # a well-formed TLS 1.2 ClientHello record
SERVER_HELLO = server_hello()  # TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256


def test_upgrade_to_tls_after_a_cleartext_job() -> None:
    script = [(C2S, post(print_job())), (S2C, response(ipp_ok())),
              (C2S, UPGRADE), (S2C, SWITCH + SERVER_HELLO), (C2S, HELLO),
              (C2S, b"\x14\x03\x03\x00\x01\x01" + b"\x17\x03\x03\x00\x10" + b"\xaa" * 16),
              (S2C, b"\x14\x03\x03\x00\x01\x01" + b"\x17\x03\x03\x00\x10" + b"\xbb" * 16)]
    ev = feed_every_way(factory(), script)
    before = IPP_HELLO + [FlowFact("ipp_operations", ["Print-Job"])] + job_events(PJ_FIELDS, PDF)
    assert ev[: len(before)] == before  # the job before the upgrade stays a cleartext job
    after = ev[len(before):]
    assert ProtectionSeen(Protection.TLS) in after and FlowFact("http_upgrade_tls", True) in after
    assert FlowFact("tls_version", "TLSv1.2") in after  # the TLS parser reads the upgraded session
    assert after[-1] == ContentDone()


def test_upgrade_seen_from_the_client_hello_alone() -> None:
    ev = feed_every_way(factory(), [(C2S, UPGRADE + HELLO)])
    assert ev[:4] == [ServiceSeen(Service.HTTP), PrintSeen(False), ProtectionSeen(Protection.TLS),
                      FlowFact("http_upgrade_tls", True)]
    assert any(isinstance(e, FlowFact) and e.name == "tls_offered_versions" for e in ev)


def test_declined_upgrade_stays_http() -> None:
    script = [(C2S, UPGRADE), (S2C, response(b"", ctype="text/plain")), (C2S, post(print_job()))]
    ev = feed_every_way(factory(), script)
    assert ProtectionSeen(Protection.TLS) not in ev and ev[-1] == JobEnded(False)


def test_upgrade_without_tls_record_is_a_violation() -> None:
    d = HttpDissector(key(631))
    d.feed(C2S, UPGRADE)
    d.feed(S2C, SWITCH)
    with pytest.raises(ProtocolViolation, match="not a TLS record"):
        d.feed(C2S, b"GET / HTTP/1.1\r\n")


# ----------------------------------------------------------------- gaps
Script = Sequence[tuple[Direction, "bytes | int"]]


def run_gaps(script: Script, splitter: Callable[[bytes], list[bytes]], port: int = 631) -> list[Event]:
    d = HttpDissector(key(port))
    ev: list[Event] = []
    for direction, item in script:
        if isinstance(item, int):
            ev += d.gap(direction, item)
        else:
            for piece in splitter(item):
                ev += d.feed(direction, piece)
    ev += d.close()
    return merge_data(ev)


def every_way_gaps(script: Script) -> list[Event]:
    expected = run_gaps(script, whole)
    assert run_gaps(script, bytewise) == expected
    for seed in range(3):
        assert run_gaps(script, random_splits(seed)) == expected
    return expected


def test_gap_inside_document_keeps_framing() -> None:
    req = post(print_job())
    cut = len(req) - len(PDF) + 10
    script = [(C2S, req[:cut]), (C2S, 5), (C2S, req[cut + 5:] + post(print_job(PS)))]
    ev = every_way_gaps(script)
    first = [e for e in ev if isinstance(e, (DocumentData, DocumentGap, JobEnded))]
    assert first == [DocumentData(PDF[:10]), DocumentGap(5), DocumentData(PDF[15:]), JobEnded(True),
                     DocumentData(PS), JobEnded(False)]


def test_gap_in_chunked_data() -> None:
    req = post(print_job(PS * 10), chunked=True)
    cut = req.index(b"%!PS") + 3
    ev = every_way_gaps([(C2S, req[:cut]), (C2S, 4), (C2S, req[cut + 4:])])
    assert DocumentGap(4) in ev and ev[-1] == JobEnded(True)


def test_gap_in_attributes_loses_the_message_only() -> None:
    req = post(print_job())
    cut = req.index(b"\r\n\r\n") + 20
    ev = every_way_gaps([(C2S, req[:cut]), (C2S, 10), (C2S, req[cut + 10:] + post(print_job(PS)))])
    assert [e for e in ev if isinstance(e, (JobStarted, DocumentData, JobEnded))] == [
        JobStarted("ipp"), DocumentData(PS), JobEnded(False)]


def test_gap_across_messages_resynchronises_at_the_next_request() -> None:
    r1 = post(print_job(PDF * 20), chunked=True, chunk_size=2000)
    r2 = post(print_job(PS, job_name="second"))
    cut = r1.index(b"%PDF") + 5  # inside the document, in the first chunk
    script = [(C2S, r1[:cut]), (C2S, 3000), (C2S, b"junk\r\nmore junk POST\r\n0\r\n\r\n" + r2)]
    ev = every_way_gaps(script)
    assert any(isinstance(e, Note) and e.kind == "http_resync" for e in ev)
    ends = [e for e in ev if isinstance(e, JobEnded)]
    assert ends == [JobEnded(True), JobEnded(False)]
    assert DocumentData(PS) in ev and JobField("job_name", "second", "ipp") in ev


def test_gap_then_request_right_at_the_hole_end() -> None:
    r1, r2 = post(print_job(), chunked=True), post(print_job(PS))
    ev = every_way_gaps([(C2S, r1[:40]), (C2S, len(r1) - 40), (C2S, r2)])
    assert DocumentData(PS) in ev and ev[-1] == JobEnded(False)


def test_gap_in_trailer_fields_keeps_the_complete_job() -> None:
    req = post(print_job(PS), chunked=True)[:-2] + b"X-Trailer: 1234567890\r\n\r\n"
    cut = len(req) - 20
    ev = every_way_gaps([(C2S, req[:cut]), (C2S, 8), (C2S, req[cut + 8:] + post(print_job()))])
    assert [e for e in ev if isinstance(e, (DocumentData, DocumentGap, JobEnded))] == [
        DocumentData(PS), JobEnded(False), DocumentData(PDF), JobEnded(False)]


def test_gap_in_a_response_does_not_touch_jobs() -> None:
    resp = response(ipp_ok(7))
    ev = every_way_gaps([(C2S, post(print_job())), (S2C, resp[:-10]), (S2C, 10),
                         (C2S, post(print_job(PS))), (S2C, resp)])
    assert [e for e in ev if isinstance(e, JobEnded)] == [JobEnded(False), JobEnded(False)]


def test_no_message_start_after_a_gap_is_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "RESYNC_MAX", 10_000)
    d = HttpDissector(key(631))
    d.feed(C2S, b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
    d.gap(C2S, 100)
    with pytest.raises(ProtocolViolation, match="no HTTP message start"):
        for _ in range(20):
            d.feed(C2S, b"\x00binary" * 100)


def test_close_mid_document_ends_the_job_partial() -> None:
    req = post(print_job())
    d = HttpDissector(key(631))
    ev = d.feed(C2S, req[:-5]) + d.close()
    assert ev[-1] == JobEnded(partial=True)


# ----------------------------------------------------------------- malformed
@pytest.mark.parametrize("data, reason", [
    (b"POST\r\n\r\n", "request line"),
    (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", "header field"),
    (b"POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n", "Content-Length"),
    (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "chunked"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk-size"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX", "CRLF"),
    (b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 20000, "header section"),
    (post(b"\x01\x01\x00\x02\x00\x00"), "truncated"),
])
def test_malformed(data: bytes, reason: str) -> None:
    d = HttpDissector(key(631))
    with pytest.raises(ProtocolViolation, match=reason):
        for i in range(0, len(data), 4096):
            d.feed(C2S, data[i:i + 4096])


def test_malformed_status_line() -> None:
    d = HttpDissector(key(631))
    d.feed(C2S, b"GET / HTTP/1.1\r\n\r\n")
    with pytest.raises(ProtocolViolation, match="status line"):
        d.feed(S2C, b"HTTP/1.1 OK\r\n\r\n")


# ----------------------------------------------------------------- fuzz
def _seeds() -> list[bytes]:
    return [
        post(print_job()),
        post(print_job(PS), chunked=True) + post(Enc(0x000B).ops().end()),
        post(gzip.compress(print_job()), extra="Content-Encoding: gzip\r\nExpect: 100-continue\r\n"),
        post(print_job(gzip.compress(PS), compression="gzip"), chunked=True),
        UPGRADE + HELLO,
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    ]


def test_fuzz_requests() -> None:
    fuzz(factory(631), _seeds(), cases=2500, rnd_seed=5)


def test_fuzz_responses() -> None:
    seeds = [response(ipp_ok(3)), b"HTTP/1.1 100 Continue\r\n\r\n" + response(ipp_ok()),
             b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", SWITCH + HELLO]
    fuzz(factory(631), seeds, cases=2000, rnd_seed=6, direction=S2C)


def test_fuzz_with_gaps() -> None:
    import random
    rnd = random.Random(9)
    seeds = _seeds()
    for _ in range(2000):
        data = rnd.choice(seeds)
        d = HttpDissector(key(631))
        try:
            at = 0
            while at < len(data):
                n = rnd.randint(1, 80)
                if rnd.random() < 0.15:
                    d.gap(C2S, n)
                else:
                    d.feed(C2S, data[at:at + n])
                at += n
            d.close()
        except ProtocolViolation:
            pass


# ----------------------------------------------------------------- the real capture
A3 = SHARED / "A3_ipp_ipptool.pcap"


def _scan(pcap: str) -> list[dict[str, object]]:
    from click.testing import CliRunner

    from sniffprint.cli import main

    result = CliRunner().invoke(main, ["scan", "--format", "json", "--reveal", pcap])
    recs = []
    for line in result.output.splitlines():
        line = line.strip()
        if line.startswith("{"):
            recs.append(json.loads(line))
    return recs


def test_a3_ipptool_capture() -> None:
    if not A3.exists():
        pytest.skip("reference captures absent")
    manifest = json.loads((SHARED / "MANIFEST.json").read_text())
    cap = next(c for c in manifest["captures"] if c["file"] == A3.name)
    recs = _scan(str(A3))
    flows = {f"{r['client_ip']}:{r['client_port']}": r for r in recs if r.get("type") == "flow"}
    jobs = [r for r in recs if r.get("type") == "job"]
    for pf in cap["print_flows"]:
        flow = flows[pf["client"]]
        assert flow["service"] == "ipp" and flow["print"] is True
        assert flow["ipp_operations"] == pf["ipp_operations"]
        mine = [j for j in jobs if j["uid"] == flow["uid"]]
        assert len(mine) == 1
        job = mine[0]
        assert job["user"] == pf["user"] == "alice"
        assert job["job_name"] == pf["job_name"]
        assert job["bytes"] == pf["document"]["size"] and not job["partial"]
        assert job["languages"] == pf["document"]["languages"]
    assert {j["language"] for j in jobs} == {"PDF", "PostScript"}


class _Recorder(HttpDissector):
    """Keeps every decoded IPP message as (request-id, op-or-status, attribute names)."""

    def __init__(self) -> None:
        super().__init__(key(631))
        self.seen: list[tuple[int, int, bool, list[str]]] = []

    def _note(self, msg: ipp.IppMessage) -> None:
        # tshark's ipp.name leaves out attributes whose value is out-of-band ('no-value')
        self.seen.append((msg.request_id, msg.code, msg.is_request,
                          [a.name for _, attrs in msg.groups for a in attrs
                           if not all(isinstance(v, ipp.OutOfBand) for v in a.values)]))

    def _on_request(self, body, msg, out):  # type: ignore[no-untyped-def]
        self._note(msg)
        super()._on_request(body, msg, out)

    def _on_response(self, body, msg):  # type: ignore[no-untyped-def]
        self._note(msg)
        super()._on_response(body, msg)


def _tshark(*args: str) -> str:
    return subprocess.run(["tshark", "-r", str(A3), *args], capture_output=True, text=True,
                          timeout=120).stdout


def test_a3_matches_tshark() -> None:
    """Every IPP message tshark decodes, our decoder decodes the same way (reassembled by tshark)."""
    if not A3.exists() or shutil.which("tshark") is None:
        pytest.skip("reference capture or tshark absent")
    rows = [ln.split("\t") for ln in _tshark("-Y", "ipp", "-T", "fields", "-e", "tcp.stream", "-e",
                                             "ipp.request_id", "-e", "ipp.operation_id", "-e",
                                             "ipp.status_code", "-e", "ipp.name").splitlines()]
    for stream in sorted({r[0] for r in rows}):
        want = [(int(r[1]), int(r[2] or r[3], 16), bool(r[2]), r[4].split(","))
                for r in rows if r[0] == stream]
        d = _Recorder()
        follow = _tshark("-q", "-z", f"follow,tcp,raw,{stream}")
        for line in follow.splitlines():
            if not line.strip() or not all(c in "0123456789abcdef\t" for c in line):
                continue
            d.feed(S2C if line.startswith("\t") else C2S, bytes.fromhex(line.strip()))
        d.close()
        assert d.seen == want, f"tcp.stream {stream}"


def test_basic_authentication_is_reported_without_its_value() -> None:
    secret = "YWxpY2U6aHVudGVyMg=="  # alice:hunter2
    script = [(C2S, post(print_job(), extra=f"Authorization: Basic {secret}\r\n")), (S2C, response(ipp_ok()))]
    ev = feed_every_way(factory(), script)
    assert FlowFact("http_basic_auth", True) in ev
    assert not any(secret in repr(e) for e in ev)


def test_digest_authentication_is_not_basic() -> None:
    script = [(C2S, post(print_job(), extra='Authorization: Digest username="alice"\r\n'))]
    assert not any(isinstance(e, FlowFact) and e.name == "http_basic_auth" for e in feed_every_way(factory(), script))
