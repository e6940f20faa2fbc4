"""Tests for sniffprint/dissectors/http/dissector.py: probing, announcing HTTP or IPP, Basic
authentication reported without its value, the fuzz invariant, and the reference capture."""
from __future__ import annotations

import gzip
import json
import shutil
import subprocess

import pytest

from sniffprint.dissectors import ipp
from sniffprint.dissectors.events import (
    ContentDone,
    Event,
    FlowFact,
    JobEnded,
    PrintSeen,
    ServiceSeen,
)
from sniffprint.dissectors.http import HttpDissector
from sniffprint.dissectors.http.ipp_jobs import Exchange, IppJobs, Job
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Service
from tests.conftest import SHARED
from tests.dissectors.http.vectors import (
    C2S,
    HELLO,
    IPP_HELLO,
    PS,
    S2C,
    SWITCH,
    UPGRADE,
    factory,
    ipp_ok,
    post,
    print_job,
    response,
)
from tests.dissectors.test_ipp import Enc
from tests.helpers import feed_every_way, fuzz, key


def test_probe() -> None:
    k = key(631)
    assert HttpDissector.probe(b"POST /ipp HTTP/1.1\r\n", b"", k) >= 0.9
    assert HttpDissector.probe(b"\r\nGET / HTTP/1.0\r\n", b"", key(80)) >= 0.75
    assert HttpDissector.probe(b"POST /ip", b"", key(12345)) >= 0.75  # line not complete yet
    assert HttpDissector.probe(b"POST something else\n", b"", k) == 0.0
    assert HttpDissector.probe(b"\x16\x03\x01\x00\x10", b"", k) == 0.0
    assert HttpDissector.probe(b"", b"HTTP/1.1 200 OK\r\n", k) == 0.5


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


def test_basic_authentication_is_reported_without_its_value() -> None:
    secret = "YWxpY2U6aHVudGVyMg=="  # alice:hunter2
    script = [(C2S, post(print_job(), extra=f"Authorization: Basic {secret}\r\n")), (S2C, response(ipp_ok()))]
    ev = feed_every_way(factory(), script)
    assert FlowFact("http_basic_auth", True) in ev
    assert not any(secret in repr(e) for e in ev)


def test_digest_authentication_is_not_basic() -> None:
    script = [(C2S, post(print_job(), extra='Authorization: Digest username="alice"\r\n'))]
    assert not any(isinstance(e, FlowFact) and e.name == "http_basic_auth" for e in feed_every_way(factory(), script))


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


class _Recorder(IppJobs):
    """Keeps every decoded IPP message as (request-id, op-or-status, attribute names)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[int, int, bool, list[str]]] = []

    def _note(self, msg: ipp.IppMessage) -> None:
        # tshark's ipp.name leaves out attributes whose value is out-of-band ('no-value')
        self.seen.append((msg.request_id, msg.code, msg.is_request,
                          [a.name for _, attrs in msg.groups for a in attrs
                           if not all(isinstance(v, ipp.OutOfBand) for v in a.values)]))

    def request(self, msg: ipp.IppMessage, exchange: Exchange, out: list[Event]) -> Job | None:
        self._note(msg)
        return super().request(msg, exchange, out)

    def response(self, msg: ipp.IppMessage, exchange: Exchange) -> None:
        self._note(msg)
        super().response(msg, exchange)


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
        d = HttpDissector(key(631))
        d.jobs = recorder = _Recorder()
        follow = _tshark("-q", "-z", f"follow,tcp,raw,{stream}")
        for line in follow.splitlines():
            if not line.strip() or not all(c in "0123456789abcdef\t" for c in line):
                continue
            d.feed(S2C if line.startswith("\t") else C2S, bytes.fromhex(line.strip()))
        d.close()
        assert recorder.seen == want, f"tcp.stream {stream}"
