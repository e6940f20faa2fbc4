"""SMB1 SESSION_SETUP_ANDX (MS-SMB 2.2.4.6, MS-CIFS 2.2.4.53): NTLMSSP or plain account fields."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact, Note
from tests.dissectors.smb.smb1.wire1 import (
    UID,
    chain,
    login,
    negotiate_req,
    negotiate_resp,
    session_setup_plain,
    session_setup_resp,
)
from tests.dissectors.smb.wire import C, S, nbss, new
from tests.helpers import feed_every_way


def test_ntlmssp_user_names_the_uid_the_response_gives():
    d = new()
    ev = []
    for direction, data in login("alice"):
        ev += d.feed(direction, data)
    assert FlowFact("smb_user", "alice") in ev
    assert d.conn.sessions[UID].auth is not None and d.conn.sessions[UID].auth.workstation == "WS-ALICE"


def test_plain_account_fields_unicode_and_oem():
    for unicode in (True, False):
        msg = chain([session_setup_plain("bob", "CORP", uni_pw=b"\x11" * 24, unicode=unicode)], uid=0, mid=2,
                    flags2=0xC803 if unicode else 0x4001)
        ev = feed_every_way(new, [(C, nbss(msg)), (S, nbss(chain([session_setup_resp()], reply=True, mid=2)))])
        assert FlowFact("smb_user", "bob") in ev


def test_a_plaintext_password_is_noted_never_shown():
    script = [(C, nbss(negotiate_req(["LANMAN1.0"]))), (S, nbss(negotiate_resp(0, mode=0x01))),
              (C, nbss(chain([session_setup_plain("bob", "CORP", oem_pw=b"hunter2\x00", unicode=False)],
                             uid=0, flags2=0x4001)))]
    notes = [e for e in feed_every_way(new, script) if isinstance(e, Note)]
    assert [n.kind for n in notes] == ["smb1_plaintext_password"] and "hunter2" not in notes[0].detail
