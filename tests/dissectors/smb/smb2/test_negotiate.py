"""SMB2 NEGOTIATE (MS-SMB2 2.2.3 / 2.2.4): dialects, signing, encryption capability and cipher."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.smb.smb2.header import Command
from sniffprint.dissectors.smb.smb2.negotiate import NegotiateRequest, NegotiateResponse, first_cipher
from tests.dissectors.smb.wire import (
    C,
    S,
    facts,
    login,
    msg,
    nbss,
    negotiate_req,
    negotiate_resp,
    new,
)
from tests.helpers import feed_every_way


def test_negotiate_offers_and_cipher():
    d = new()
    for direction, data in login():
        d.feed(direction, data)
    assert d.conn.offered == ["2.0.2", "2.1", "3.0", "3.0.2", "3.1.1"]
    assert d.conn.cipher == "AES-128-GCM"


def test_request_dialects_are_bounded_by_the_body():
    body = negotiate_req([0x0202, 0x0210, 0x0311])[64:]
    assert NegotiateRequest.parse(body) == NegotiateRequest((0x0202, 0x0210, 0x0311))
    lying = body[:2] + struct.pack("<H", 500) + body[4:]  # DialectCount says 500
    assert NegotiateRequest.parse(lying) == NegotiateRequest((0x0202, 0x0210, 0x0311))
    assert NegotiateRequest.parse(body[:35]) is None


def test_response_fields():
    r = NegotiateResponse.parse(negotiate_resp(0x0311, secmode=3, caps=0x44, cipher=2)[64:])
    assert r is not None
    assert (r.security_mode, r.dialect, r.context_count, r.capabilities, r.context_offset) == (3, 0x0311, 2, 0x44, 128)
    assert NegotiateResponse.parse(b"\x00" * 63) is None


def test_cipher_is_found_after_an_aligned_context_and_bounded():
    m = negotiate_resp(0x0311, cipher=4)
    assert first_cipher(m, 128, 2) == 4
    assert first_cipher(m, 128, 1) == 0  # only the preauth context was counted
    assert first_cipher(m[:-4], 128, 2) == 0  # the cipher list is cut
    assert first_cipher(m, len(m), 16) == 0


def test_smb30_capability_and_required_signing():
    ev = feed_every_way(new, [(C, nbss(negotiate_req([0x0300]))),
                              (S, nbss(negotiate_resp(0x0300, secmode=3, caps=0x40)))])
    assert ev == [FlowFact("smb_dialect", "3.0"), FlowFact("smb_signing", True),
                  FlowFact("smb_encryption_capable", True), PrintSeen(False)]


def test_unknown_dialect_and_failed_response():
    ev = feed_every_way(new, [(S, nbss(negotiate_resp(0x02FF)))])
    assert "smb_dialect" not in facts(ev) and facts(ev)["smb_encryption_capable"] is False
    failed = msg(Command.NEGOTIATE, 0, negotiate_resp(0x0311)[64:], resp=True, status=0xC0000022, sid=0)
    assert feed_every_way(new, [(S, nbss(failed))]) == [PrintSeen(False)]
