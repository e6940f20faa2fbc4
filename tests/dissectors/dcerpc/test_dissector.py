"""DCE/RPC over TCP: found by content on any port, a hint from the endpoint mapper, whole sessions."""
from __future__ import annotations

from sniffprint.dissectors import DISSECTORS
from sniffprint.dissectors.base import CONFIDENT, choose
from sniffprint.dissectors.dcerpc import DcerpcDissector
from sniffprint.dissectors.events import FlowFact, JobEnded
from sniffprint.model import Service
from tests.dissectors.dcerpc.sessions import rprn_session
from tests.dissectors.dcerpc.vectors import EPM, NDR, bind, bind_ack, request, response
from tests.helpers import feed_every_way, fuzz, key

RANDOM_PORT = key(49668)


def test_a_bind_is_recognised_on_any_port():
    head = bind(1)
    assert DcerpcDissector.probe(head, b"", RANDOM_PORT) >= CONFIDENT
    assert DcerpcDissector.probe(bind(1, [(0, EPM, [NDR])]), b"", key(135)) > DcerpcDissector.probe(head, b"",
                                                                                                    RANDOM_PORT)
    assert choose(DISSECTORS, head, b"", RANDOM_PORT, final=False) == (DcerpcDissector, True)
    assert 0 < DcerpcDissector.probe(b"", bind_ack(1), RANDOM_PORT) < CONFIDENT


def test_what_is_not_a_bind():
    assert DcerpcDissector.probe(b"\x00\x00\x00\x45\xffSMBr" + b"\x00" * 60, b"", key(445)) == 0.0
    assert DcerpcDissector.probe(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"", key(443)) == 0.0
    assert DcerpcDissector.probe(b"POST /ipp/print HTTP/1.1\r\n", b"", key(631)) == 0.0
    assert DcerpcDissector.probe(bind(1)[:20], b"", RANDOM_PORT) == 0.0  # not enough of it yet
    odd = bytearray(bind(1))
    odd[4] = 0x20  # packed_drep no NDR defines
    assert DcerpcDissector.probe(bytes(odd), b"", RANDOM_PORT) == 0.0


def test_a_mid_stream_call_needs_the_endpoint_mappers_word():
    head = request(7, 0, b"\x00" * 40)  # no bind seen: plausible only
    assert choose(DISSECTORS, head, b"", RANDOM_PORT, final=False) == (None, False)
    assert choose(DISSECTORS, head, b"", RANDOM_PORT, final=False, hint=Service.DCERPC) == (DcerpcDissector, True)
    assert choose(DISSECTORS, head, b"", RANDOM_PORT, final=True) == (DcerpcDissector, True)
    assert choose(DISSECTORS, b"\x99" * 40, b"", RANDOM_PORT, final=False, hint=Service.DCERPC) == (None, False)


def test_a_whole_tcp_session():
    ev = feed_every_way(lambda: DcerpcDissector(RANDOM_PORT), rprn_session())
    assert FlowFact("rpc_auth_level", "integrity") in ev and JobEnded(key="rpc-job-1") in ev
    d = DcerpcDissector(RANDOM_PORT)
    d.feed(0, bind(1))
    d.feed(1, response(2, b"x"))  # a response to nothing
    assert d.gap(0, 10)[-1].kind == "dcerpc_gap" and d.close() == []


def test_fuzz():
    fuzz(lambda: DcerpcDissector(RANDOM_PORT), [b"".join(d for _, d in rprn_session())], cases=1000)
