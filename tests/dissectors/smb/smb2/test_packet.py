"""One SMB2 command as parsers see it: buffers addressed from its header, related FileIds."""
from __future__ import annotations

from sniffprint.dissectors.smb.smb2.header import RELATED_FID, Smb2Header
from sniffprint.dissectors.smb.smb2.packet import Chain, Packet, utf16
from sniffprint.dissectors.smb.state import Connection, File
from tests.dissectors.smb.wire import FID, write_req


def _packet(msg: bytes, off: int, chain: Chain) -> Packet:
    h = Smb2Header.parse(msg, off)
    assert h is not None
    return Packet(h, h.tree_id, h.session_id, msg, off, msg[off + 64:], None, chain)


def test_span_counts_from_the_commands_own_header():
    second = write_req(2, 1, FID, 0, b"DATA")
    msg = b"\x00" * 80 + second  # as if a first command of a compound took 80 bytes
    p = _packet(msg, 80, Chain())
    assert p.span(64 + 48, 4) == b"DATA"


def test_a_related_file_id_is_the_chains_file():
    conn = Connection()
    opened, known = File("chain.prn", None, 1), File("known", None, 1)
    conn.files[FID] = known
    p = _packet(write_req(2, 1, FID, 0, b""), 0, Chain(file=opened))
    assert p.file(conn, RELATED_FID) is opened
    assert p.file(conn, FID) is known
    assert p.file(conn, b"\x01" * 16) is None


def test_utf16_names():
    assert utf16("report.prn\x00".encode("utf-16-le")) == "report.prn"
    assert utf16(b"a\x00b") == "a\ufffd"  # an odd byte count is replaced, not raised
