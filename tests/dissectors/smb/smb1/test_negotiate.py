"""SMB1 NEGOTIATE (MS-CIFS 2.2.4.52): dialects offered, the one picked, security mode."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact
from tests.dissectors.smb.smb1.wire1 import negotiate_req, negotiate_resp
from tests.dissectors.smb.wire import C, S, nbss, new
from tests.dissectors.smb.wire import negotiate_resp as smb2_negotiate_resp
from tests.helpers import feed_every_way


def test_nt_lm_0_12_under_either_name():
    for index in (0, 1):
        ev = feed_every_way(new, [(C, nbss(negotiate_req(["NT LANMAN 1.0", "NT LM 0.12"]))),
                                  (S, nbss(negotiate_resp(index, mode=0x0B)))])
        assert ev[:4] == [FlowFact("smb_dialect", "NT LM 0.12"), FlowFact("smb_signing", True),
                          FlowFact("smb_encryption_capable", False), FlowFact("smb1", True)]


def test_offered_only_and_moved_to_smb2():
    d = new()
    assert d.feed(C, nbss(negotiate_req(["NT LM 0.12", "SMB 2.002"]))) == []
    assert d.conn.offered == ["NT LM 0.12", "SMB 2.002"] and d.close()[0] == FlowFact("smb1", True)
    ev = feed_every_way(new, [(C, nbss(negotiate_req(["NT LM 0.12", "SMB 2.002"]))),
                              (S, nbss(smb2_negotiate_resp(0x0202)))])
    assert FlowFact("smb1", False) in ev and FlowFact("smb1", True) not in ev


def test_plaintext_passwords_and_no_dialect():
    d = new()
    d.feed(C, nbss(negotiate_req(["LANMAN1.0"])))
    d.feed(S, nbss(negotiate_resp(0, mode=0x01)))
    assert d.conn.plaintext_passwords is True and d.conn.dialect == "LANMAN1.0"
    d = new()
    d.feed(C, nbss(negotiate_req(["X"])))
    assert d.feed(S, nbss(negotiate_resp(0xFFFF))) == [FlowFact("smb1", True)]
