"""SMB1 recognition (MS-CIFS 2.2.3.1): the header, dialects offered, a printer tree connect."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import (
    FlowFact,
    PrintSeen,
)
from sniffprint.dissectors.smb.smb1 import Smb1Header
from tests.dissectors.smb.wire import (
    C,
    S,
    nbss,
    negotiate_resp,
    new,
)
from tests.helpers import feed_every_way


def test_smb1_negotiate_is_flagged():
    smb1 = (b"\xffSMB" + bytes([0x72]) + b"\x00" * 4 + b"\x18" + b"\x00" * 22 + b"\x00"
            + struct.pack("<H", 24) + b"\x02NT LM 0.12\x00\x02SMB 2.002\x00")
    ev = feed_every_way(new, [(C, nbss(smb1))])
    assert FlowFact("smb1", True) in ev
    ev = feed_every_way(new, [(C, nbss(smb1)), (S, nbss(negotiate_resp(0x0202)))])
    assert FlowFact("smb1", False) in ev and FlowFact("smb1", True) not in ev
    d = new()
    d.feed(C, nbss(smb1))
    assert d.conn.offered == ["NT LM 0.12", "SMB 2.002"]


def test_smb1_print_share():
    reply = (b"\xffSMB" + bytes([0x75]) + b"\x00" * 4 + b"\x98" + b"\x00" * 22 + b"\x03"
             + b"\xff\x00\x00\x00\x01\x00" + struct.pack("<H", 8) + b"LPT1:\x00\x00\x00")
    ev = feed_every_way(new, [(S, nbss(reply))])
    assert PrintSeen(True) in ev and FlowFact("smb1", True) in ev


def smb1(command: int, *, reply: bool = False, words: bytes = b"", data: bytes = b"") -> bytes:
    """An SMB1 message (MS-CIFS 2.2.3.1): header, WordCount + words, ByteCount + bytes."""
    head = struct.pack("<4sBIBHH8sHHHHH", b"\xffSMB", command, 0, 0x98 if reply else 0x18, 0xC807, 0x0001,
                       b"\x00" * 8, 0, 0x0801, 0xFEFF, 0x0064, 0x0042)
    return head + bytes([len(words) // 2]) + words + struct.pack("<H", len(data)) + data


def test_header():
    h = Smb1Header.parse(smb1(0x2F, reply=True))
    assert h == Smb1Header(command=0x2F, status=0, flags=0x98, tid=0x0801, pid=0x1FEFF, uid=0x0064, mid=0x0042)
    assert h is not None and h.reply
    assert Smb1Header.parse(smb1(0x2F)[:31]) is None


def test_any_other_smb1_message_means_smb1_is_spoken_once():
    ev = feed_every_way(new, [(C, nbss(smb1(0x2F))), (S, nbss(smb1(0x2F, reply=True)))])
    assert ev.count(FlowFact("smb1", True)) == 1


def test_a_disk_tree_connect_is_not_print():
    reply = smb1(0x75, reply=True, words=b"\xff\x00\x00\x00\x01\x00", data=b"A:\x00NTFS\x00")
    ev = feed_every_way(new, [(S, nbss(reply))])
    assert FlowFact("smb1", True) in ev and PrintSeen(True) not in ev
    assert ev[-1] == PrintSeen(False)


def test_a_negotiate_reply_means_smb1_is_spoken():
    ev = feed_every_way(new, [(S, nbss(smb1(0x72, reply=True, words=b"\x05\x00")))])
    assert FlowFact("smb1", True) in ev
