"""Tests for sniffprint/dissectors/http/chunked.py: the chunked transfer coding (RFC 9112
section 7.1), through the dissector and step by step."""
from __future__ import annotations

import pytest

from sniffprint.dissectors._buffer import Buffer
from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    FlowFact,
    JobEnded,
)
from sniffprint.dissectors.http.chunked import Chunked, Step
from sniffprint.errors import ProtocolViolation
from tests.dissectors.http.vectors import (
    C2S,
    IPP_HELLO,
    PDF,
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
from tests.helpers import feed_every_way


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


def test_gap_in_chunked_data() -> None:
    req = post(print_job(PS * 10), chunked=True)
    cut = req.index(b"%!PS") + 3
    ev = every_way_gaps([(C2S, req[:cut]), (C2S, 4), (C2S, req[cut + 4:])])
    assert DocumentGap(4) in ev and ev[-1] == JobEnded(True)


def test_gap_in_trailer_fields_keeps_the_complete_job() -> None:
    req = post(print_job(PS), chunked=True)[:-2] + b"X-Trailer: 1234567890\r\n\r\n"
    cut = len(req) - 20
    ev = every_way_gaps([(C2S, req[:cut]), (C2S, 8), (C2S, req[cut + 8:] + post(print_job()))])
    assert [e for e in ev if isinstance(e, (DocumentData, DocumentGap, JobEnded))] == [
        DocumentData(PS), JobEnded(False), DocumentData(PDF), JobEnded(False)]


# ----------------------------------------------------------------- the decoder step by step
def _decode(data: bytes, sizes: list[int]) -> tuple[bytes, bool, bytes]:
    """Feed ``data`` in pieces of ``sizes`` (cycled): (chunk data, ended, bytes after the body)."""
    ch = Chunked(Buffer(max_size=1 << 16))
    got, at, i = b"", 0, 0
    while at < len(data):
        n = sizes[i % len(sizes)]
        i += 1
        view = memoryview(data[at:at + n])
        at += n
        while view:
            view, piece, ended = ch.read(view)
            if piece is not None:
                got += bytes(piece)
            if ended:
                return got, True, bytes(view) + data[at:]
    return got, False, b""


@pytest.mark.parametrize("sizes", [[10_000], [1], [3, 1, 7]])
def test_decoder_alone(sizes: list[int]) -> None:
    body = b"5;ext=1\r\nhello\r\nA\r\n0123456789\n0\r\nX-T: 1\r\n\r\nNEXT"
    assert _decode(body, sizes) == (b"hello0123456789", True, b"NEXT")


def test_decoder_gap_inside_data_only() -> None:
    ch = Chunked(Buffer())
    rest, piece, _ = ch.read(memoryview(b"8\r\nab"))  # one step: the size line only
    assert piece is None and bytes(rest) == b"ab"
    assert bytes(ch.read(rest)[1] or b"") == b"ab"
    assert ch.step is Step.DATA and ch.remaining == 6
    assert ch.gap(6) and ch.step is Step.DATA_END  # exactly to the end of the chunk
    assert not ch.gap(1)  # a hole in the CRLF: the framing is lost


def test_malformed_chunk_size_is_not_quoted() -> None:
    with pytest.raises(ProtocolViolation, match="chunk-size") as info:
        Chunked(Buffer()).read(memoryview(b"salary_review\r\n"))
    assert "salary" not in info.value.reason and "(13 bytes, ASCII text)" in info.value.reason
