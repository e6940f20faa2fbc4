"""One SMB1 block as parsers see it: data windows (streamed past the buffer) and remembered requests."""
from __future__ import annotations

from sniffprint.dissectors.smb.nbss import Reader
from sniffprint.dissectors.smb.smb1.header import Block, Smb1Header
from sniffprint.dissectors.smb.smb1.packet import Packet
from sniffprint.dissectors.smb.state import Connection, Pending
from sniffprint.model import Direction
from tests.dissectors.smb.smb1.wire1 import chain, tree_connect_req


class Collect:
    def __init__(self) -> None:
        self.got: list[tuple[int, bytes]] = []

    def data(self, rel: int, b: bytes) -> list:
        self.got.append((rel, b))
        return []

    def gap(self, rel: int, n: int) -> list:
        return []


def packet(msg: bytes, stream: Reader | None = None) -> Packet:
    h = Smb1Header.parse(msg)
    b = Block.parse(msg, 32)
    assert h is not None and b is not None
    return Packet(h, h.command, msg, b, stream)


def test_window_hands_on_what_is_buffered_and_streams_the_rest():
    msg = chain([tree_connect_req("x")]) + b"DATA"
    t = Collect()
    p = packet(msg)
    p.window(len(msg) - 4, 4, t)
    assert t.got == [(0, b"DATA")] and p.streamed_beyond == 0
    r = Reader(Direction.C2S)
    r.left = 100
    t = Collect()
    packet(msg, r).window(len(msg) - 4, 54, t)
    assert t.got == [(0, b"DATA")] and r.sink is not None
    assert (r.sink.start, r.sink.end) == (len(msg) - 4, len(msg) + 50)


def test_remember_keys_by_pid_and_mid():
    conn = Connection()
    p = packet(chain([tree_connect_req("x")], mid=7))
    p.remember(conn, Pending(0x75))
    p.remember(conn, Pending(0xA2))
    assert [x.command for x in conn.pending1[p.header.key]] == [0x75, 0xA2]
