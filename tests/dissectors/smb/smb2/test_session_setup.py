"""SMB2 SESSION_SETUP (MS-SMB2 2.2.5 / 2.2.6): the NTLMSSP user and the SessionFlags."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.smb.smb2.session_setup import (
    SESSION_ENCRYPT_DATA,
    SESSION_IS_GUEST,
    SessionSetupRequest,
    SessionSetupResponse,
)
from tests.dissectors.smb.wire import (
    SID,
    C,
    S,
    facts,
    login,
    nbss,
    negotiate_req,
    negotiate_resp,
    new,
    ntlm_auth,
    session_setup_req,
    session_setup_resp,
    spnego,
)
from tests.helpers import feed_every_way


def test_raw_ntlmssp_and_oem_strings():
    script = [(C, nbss(negotiate_req([0x0202]))), (S, nbss(negotiate_resp(0x0202))),
              (C, nbss(session_setup_req(1, ntlm_auth("bob", "D", "PC", unicode=False)))),
              (S, nbss(session_setup_resp(1)))]
    assert facts(feed_every_way(new, script))["smb_user"] == "bob"


def test_parse():
    req = SessionSetupRequest.parse(session_setup_req(1, b"token")[64:])
    assert req == SessionSetupRequest(buffer_offset=64 + 24, buffer_length=5)
    assert SessionSetupRequest.parse(b"\x00" * 23) is None
    assert SessionSetupResponse.parse(session_setup_resp(1, flags=SESSION_IS_GUEST)[64:]) == SessionSetupResponse(1)
    assert SessionSetupResponse.parse(b"\x00" * 7) is None


def test_the_user_stays_with_its_session_and_flags_require_encryption():
    d = new()
    ev = []
    for direction, data in login(session_flags=SESSION_ENCRYPT_DATA | SESSION_IS_GUEST):
        ev += d.feed(direction, data)
    assert FlowFact("smb_user", "alice") in ev
    assert ev[-2:] == [FlowFact("smb_session_flags", 5), FlowFact("smb_encryption_required", True)]
    session = d.conn.sessions[SID]
    assert session.auth is not None and session.auth.workstation == "WS-ALICE" and session.flags == 5


def test_a_token_outside_the_message_or_not_authenticate_is_ignored():
    blob = spnego(ntlm_auth("eve", "D", "PC"))
    req = session_setup_req(1, blob)
    past = req[:64 + 12] + len(req).to_bytes(2, "little") + req[64 + 14:]  # SecurityBufferOffset at the end
    ev = feed_every_way(new, [(C, nbss(past)), (C, nbss(session_setup_req(2, spnego(b"NTLMSSP\x00\x01\x00\x00\x00"))))])
    assert "smb_user" not in facts(ev)
    assert feed_every_way(new, [(S, nbss(session_setup_resp(1, flags=4, status=0xC000006D)))]) == [PrintSeen(False)]
