"""Tests for sniffprint/dissectors/http/framing.py: HTTP/1.1 message framing (RFC 9112) of a
connection: keep-alive, pipelining, 100-continue, bodyless responses, tunnels, gaps and resync."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from sniffprint.dissectors.events import (
    ContentDone,
    DocumentData,
    DocumentGap,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ServiceSeen,
)
from sniffprint.dissectors.http import HttpDissector, framing
from sniffprint.dissectors.http.sink import MessageHead
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Service
from tests.dissectors.http.vectors import (
    C2S,
    IPP_HELLO,
    PDF,
    PJ_FIELDS,
    PS,
    S2C,
    Script,
    every_way_gaps,
    factory,
    ipp_ok,
    job_events,
    post,
    print_job,
    response,
)
from tests.dissectors.test_ipp import Enc
from tests.helpers import feed_every_way, key


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
    assert d.pairs == 5 and d.framing.sides[1].state is framing.State.HEAD


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


def test_gap_inside_document_keeps_framing() -> None:
    req = post(print_job())
    cut = len(req) - len(PDF) + 10
    script = [(C2S, req[:cut]), (C2S, 5), (C2S, req[cut + 5:] + post(print_job(PS)))]
    ev = every_way_gaps(script)
    first = [e for e in ev if isinstance(e, (DocumentData, DocumentGap, JobEnded))]
    assert first == [DocumentData(PDF[:10]), DocumentGap(5), DocumentData(PDF[15:]), JobEnded(True),
                     DocumentData(PS), JobEnded(False)]


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


def test_gap_in_a_response_does_not_touch_jobs() -> None:
    resp = response(ipp_ok(7))
    ev = every_way_gaps([(C2S, post(print_job())), (S2C, resp[:-10]), (S2C, 10),
                         (C2S, post(print_job(PS))), (S2C, resp)])
    assert [e for e in ev if isinstance(e, JobEnded)] == [JobEnded(False), JobEnded(False)]


def test_no_message_start_after_a_gap_is_a_violation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(framing, "RESYNC_MAX", 10_000)
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


# ----------------------------------------------------------------- the framing alone
class _Calls:
    """A FramingSink that records the name of each call (and the heads), and can raise."""

    def __init__(self, raise_on: str = "") -> None:
        self.calls: list[str] = []
        self.heads: list[MessageHead] = []
        self.raise_on = raise_on

    def __getattr__(self, name: str) -> Callable[..., None]:
        if not name.startswith("on_"):
            raise AttributeError(name)

        def record(*args: object) -> None:
            self.calls.append(name[3:])
            if args and isinstance(args[0], MessageHead):
                self.heads.append(args[0])
            if name[3:] == self.raise_on:
                raise ProtocolViolation("the sink refused this")
        return record


def test_calls_of_a_pipelined_exchange() -> None:
    sink = _Calls()
    conn = framing.Connection(sink)  # type: ignore[arg-type]
    conn.feed(C2S, b"HEAD / HTTP/1.1\r\n\r\n" + post(b"abc") + post(b"xyz", chunked=True))
    assert sink.calls == ["head", "body_end", "head", "body_data", "body_end", "head", "body_data", "body_end"]
    assert [h.request.method for h in sink.heads] == [b"HEAD", b"POST", b"POST"]
    sink.calls.clear()
    conn.feed(S2C, b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n" + b"HTTP/1.1 100 Continue\r\n\r\n"
              + response(b"ok") + b"HTTP/1.1 200 OK\r\n\r\nuntil close")
    # the HEAD response has no body despite its Content-Length; the 100 is interim
    assert sink.calls == ["head", "body_end", "head", "body_data", "body_end", "head", "body_data"]
    assert [h.has_body for h in sink.heads[3:]] == [False, True, True]
    assert sink.heads[4].request is sink.heads[1].request  # responses meet their requests
    sink.calls.clear()
    conn.close()
    assert sink.calls == ["body_end"]  # the end of the connection ends that body


def test_a_sink_that_raises_stops_the_parse_there() -> None:
    sink = _Calls(raise_on="body_end")
    conn = framing.Connection(sink)  # type: ignore[arg-type]
    with pytest.raises(ProtocolViolation, match="the sink refused"):
        conn.feed(C2S, post(b"abc") + b"GARBAGE\r\n\r\n")  # the malformed request is not reached
    assert sink.calls == ["head", "body_data", "body_end"]


def test_gap_while_a_chunked_expect_body_waits_is_a_resync() -> None:
    # A gap that cut a Content-Length body used to leave its remaining count behind; a later
    # chunked Expect: 100-continue request then took it for its own length and lost the framing.
    first = post(b"x" * 100, ctype="text/plain")
    second = (b"POST /ipp/print HTTP/1.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
              b"Expect: 100-continue\r\n\r\n")
    script: Script = [(C2S, first[:-90]), (C2S, 500), (C2S, second), (C2S, 5),
                      (C2S, b"5\r\nhello\r\n0\r\n\r\n" + post(print_job(PS)))]
    ev = every_way_gaps(script)
    assert DocumentData(PS) in ev and ev[-1] == JobEnded(False)
