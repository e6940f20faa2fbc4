"""Byte vectors and drivers shared by the tests of sniffprint/dissectors/http/ (and by the
findings tests that build HTTP/IPP flows).

IPP bodies come from the encoder in tests/dissectors/test_ipp.py; HTTP messages are written out here.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sniffprint.dissectors.events import DocumentData, Event, JobEnded, JobField, JobStarted, PrintSeen, ServiceSeen
from sniffprint.dissectors.http import HttpDissector
from sniffprint.model import Direction, Service
from tests.dissectors.test_ipp import Enc
from tests.dissectors.tls.vectors import client_hello, server_hello
from tests.helpers import bytewise, key, merge_data, random_splits, whole

C2S, S2C = Direction.C2S, Direction.S2C
IPP_HELLO = [ServiceSeen(Service.IPP), PrintSeen(True)]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PS = b"%!PS-Adobe-3.0\n%%Title: t\nshowpage\n"
PJ_FIELDS = [("user", "alice"), ("job_name", "offer.pdf"), ("document_format", "application/pdf")]

UPGRADE = b"OPTIONS * HTTP/1.1\r\nHost: p:631\r\nConnection: Upgrade\r\nUpgrade: TLS/1.2,TLS/1.1,TLS/1.0\r\n\r\n"
SWITCH = b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: TLS/1.2,HTTP/1.1\r\n\r\n"
HELLO = client_hello()  # a well-formed TLS 1.2 ClientHello record
SERVER_HELLO = server_hello()  # TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256


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


# ----------------------------------------------------------------- scripts with gaps
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
    """Like helpers.feed_every_way, for scripts that hold gaps (ints) between byte strings."""
    expected = run_gaps(script, whole)
    assert run_gaps(script, bytewise) == expected
    for seed in range(3):
        assert run_gaps(script, random_splits(seed)) == expected
    return expected
