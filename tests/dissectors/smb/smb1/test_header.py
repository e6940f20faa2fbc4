"""The SMB1 header, blocks, AndX and strings (MS-CIFS 2.2.3, 2.2.1.1)."""
from __future__ import annotations

from sniffprint.dissectors.smb.smb1.header import Block, Smb1Header, oem, string
from tests.dissectors.smb.smb1.wire1 import FLAGS2, chain, header, message, nt_create_req, tree_connect_req


def test_header():
    h = Smb1Header.parse(header(0x2F, reply=True, tid=0x0801, pid=0x1FEFF, uid=0x64, mid=0x42, status=0x80000005))
    assert (h.command, h.tid, h.pid, h.uid, h.mid, h.flags2) == (0x2F, 0x0801, 0x1FEFF, 0x64, 0x42, FLAGS2)
    assert h.reply and h.unicode and h.ok and h.key == 0x1FEFF << 16 | 0x42
    assert not Smb1Header.parse(header(0x2F, status=0xC0000022)).ok
    assert Smb1Header.parse(header(0x2F)[:31]) is None
    assert Smb1Header.parse(b"\xfeSMB" + header(0x2F)[4:]) is None


def test_blocks_and_andx():
    msg = chain([tree_connect_req(r"\\SRV\IPC$"), nt_create_req("x")])
    b = Block.parse(msg, 32)
    assert b is not None and b.andx() == (0xA2, len(msg) - 1 - 48 - 2 - 3)
    nxt = Block.parse(msg, b.andx()[1])
    assert nxt is not None and nxt.u16(5) == 2 and nxt.u32(60) is None
    assert Block.parse(msg, len(msg)) is None and Block.parse(message(0x04)[:33], 32) is None


def test_strings():
    msg = b"\x00" * 34 + "Floor2\x00".encode("utf-16-le") + b"LPT1:\x00"
    assert string(msg, 33, True) == ("Floor2", 48)  # aligned to 34 first
    assert oem(msg, 48) == ("LPT1:", 54)
    assert string(b"no nul", 0, False) == ("no nul", 7)
