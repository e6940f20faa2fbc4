"""Tests for sniffprint/dissectors/http/upgrade.py: the RFC 2817 upgrade to TLS and the
handover to the TLS record parser."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.events import (
    ContentDone,
    Event,
    FlowFact,
    JobEnded,
    PrintSeen,
    ProtectionSeen,
    ServiceSeen,
)
from sniffprint.dissectors.http import HttpDissector
from sniffprint.dissectors.http.upgrade import TlsHandover, wants_tls
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Protection, Service
from tests.dissectors.http.vectors import (
    C2S,
    HELLO,
    IPP_HELLO,
    PDF,
    PJ_FIELDS,
    S2C,
    SERVER_HELLO,
    SWITCH,
    UPGRADE,
    factory,
    ipp_ok,
    job_events,
    post,
    print_job,
    response,
)
from tests.helpers import feed_every_way, key


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


# ----------------------------------------------------------------- the pieces alone
def test_wants_tls_reads_the_upgrade_tokens() -> None:
    assert wants_tls(["tls/1.2", "http/1.1"]) and wants_tls(["tls/1.0"])
    assert not wants_tls(["websocket"]) and not wants_tls([])


def test_handover_reports_protection_once_and_forwards() -> None:
    h = TlsHandover()
    assert h.feed(C2S, HELLO) == [] and h.close() == []  # nothing before TLS starts
    out: list[Event] = []
    h.start(out)
    h.start(out)  # seen from both directions
    assert out == [ProtectionSeen(Protection.TLS), FlowFact("http_upgrade_tls", True)]
    assert any(isinstance(e, FlowFact) and e.name == "tls_offered_versions" for e in h.feed(C2S, HELLO))
