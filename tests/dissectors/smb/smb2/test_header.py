"""The SMB2 header (MS-SMB2 2.2.1): sync and async forms, and what parse refuses."""
from __future__ import annotations

from sniffprint.dissectors.smb.smb2.header import FLAG_RELATED, Command, Smb2Header
from tests.dissectors.smb.wire import SID, hdr


def test_sync_header():
    h = Smb2Header.parse(hdr(Command.CREATE, 42, tid=7, flags=FLAG_RELATED, nxt=120))
    assert h == Smb2Header(status=0, command=Command.CREATE, flags=FLAG_RELATED, next_command=120,
                           message_id=42, tree_id=7, async_id=None, session_id=SID)
    assert not h.response


def test_async_header_has_no_tree_id():
    h = Smb2Header.parse(hdr(Command.IOCTL, 9, resp=True, status=0x103, async_id=0xABCDEF))
    assert h is not None and h.response
    assert h.tree_id is None and h.async_id == 0xABCDEF and h.status == 0x103


def test_parse_at_an_offset_and_what_it_refuses():
    raw = hdr(Command.WRITE, 3, tid=1)
    assert Smb2Header.parse(b"pad" + raw, 3) == Smb2Header.parse(raw)
    assert Smb2Header.parse(memoryview(raw)) == Smb2Header.parse(raw)
    assert Smb2Header.parse(raw[:63]) is None
    assert Smb2Header.parse(b"\xfdSMB" + raw[4:]) is None  # not the SMB2 protocol id
    assert Smb2Header.parse(raw[:4] + b"\x40\x01" + raw[6:]) is None  # StructureSize 320


def test_command_codes_are_the_spec_values():
    assert [int(c) for c in Command] == list(range(0x13))
