"""SMB3 TRANSFORM_HEADER (MS-SMB2 2.2.41) and COMPRESSION_TRANSFORM_HEADER (2.2.42)."""
from __future__ import annotations

import struct

from sniffprint.dissectors.events import (
    Note,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.dissectors.smb.smb2.session_setup import SESSION_ENCRYPT_DATA
from sniffprint.dissectors.smb.smb2.transform import TransformHeader
from sniffprint.model import Protection
from tests.dissectors.smb.wire import (
    DOC,
    SID,
    C,
    S,
    login,
    nbss,
    new,
    print_job,
    transform,
)
from tests.helpers import feed_every_way


def test_transform_header_hides_printing():
    script = login(session_flags=SESSION_ENCRYPT_DATA) + [(C, nbss(transform())), (S, nbss(transform()))]
    ev = feed_every_way(new, script)
    assert ProtectionSeen(Protection.SMB3, C) in ev
    assert ev.count(PrintSeen(None)) == 2  # at the first transform, and again at close
    assert PrintSeen(True) not in ev
    d = new()
    for direction, data in script:
        d.feed(direction, data)
    assert d.conn.encryption_required is True


def test_transform_after_a_clear_print_share_keeps_print_true():
    script = login() + print_job(DOC) + [(C, nbss(transform()))]
    ev = feed_every_way(new, script)
    assert ProtectionSeen(Protection.SMB3, C) in ev
    assert PrintSeen(None) not in ev


def test_compression_transform_recognised():
    ev = feed_every_way(new, login() + [(C, nbss(b"\xfcSMB" + struct.pack("<IHHI", 200, 1, 0, 0) + b"z" * 40))])
    assert [e.kind for e in ev if isinstance(e, Note)] == ["smb_compressed"]


def test_transform_header():
    th = TransformHeader.parse(transform(100))
    assert th == TransformHeader(original_size=100, flags=1, session_id=SID)
    assert TransformHeader.parse(transform(0)[:51]) is None
    assert TransformHeader.parse(b"\xfcSMB" + transform(0)[4:]) is None


def test_the_named_session_is_marked_encrypted_unknown_ones_are_not_created():
    d = new()
    for direction, data in login():
        d.feed(direction, data)
    other = transform(10)[:44] + struct.pack("<Q", 77) + b"\x99" * 10
    d.feed(C, nbss(other))
    assert 77 not in d.conn.sessions and not d.conn.sessions[SID].encrypted
    d.feed(C, nbss(transform()))
    assert d.conn.sessions[SID].encrypted


def test_a_cut_transform_header_still_means_encrypted():
    ev = feed_every_way(new, [(C, nbss(b"\xfdSMB" + b"\x00" * 10))])
    assert ProtectionSeen(Protection.SMB3, C) in ev and ev.count(PrintSeen(None)) == 2
