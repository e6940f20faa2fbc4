"""SMB2 READ on a pipe (MS-SMB2 2.2.19 / 2.2.20): the server's DCE/RPC bytes."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact
from sniffprint.dissectors.smb.smb2.header import STATUS_BUFFER_OVERFLOW
from sniffprint.dissectors.smb.smb2.read import ReadRequest, ReadResponse
from tests.dissectors.smb.wire import (
    BIND_ACK_CONNECT,
    DOC,
    FID,
    PIPE_TID,
    SPOOL_FID,
    C,
    S,
    nbss,
    new,
    pipe_open,
    print_job,
    read_req,
    read_resp,
)
from tests.helpers import feed_every_way


def test_parse():
    assert ReadRequest.parse(read_req(1, 7, FID)[64:]) == ReadRequest(file_id=FID)
    assert ReadRequest.parse(b"\x00" * 47) is None
    assert ReadResponse.parse(read_resp(1, 7, b"abc")[64:]) == ReadResponse(data_offset=64 + 16, data_length=3)
    assert ReadResponse.parse(b"\x00" * 15) is None


def test_read_data_is_the_pipes_server_side():
    for status in (0, STATUS_BUFFER_OVERFLOW):  # an overflowing pipe read still carries data
        script = pipe_open() + [
            (C, nbss(read_req(12, PIPE_TID, SPOOL_FID))),
            (S, nbss(read_resp(12, PIPE_TID, BIND_ACK_CONNECT, status=status))),
        ]
        assert FlowFact("spoolss_auth_level", "connect") in feed_every_way(new, script)


def test_reads_that_are_not_read():
    d = new()
    for direction, data in pipe_open() + print_job(DOC)[:4]:
        d.feed(direction, data)
    d.feed(C, nbss(read_req(20, 7, FID)))  # a print file: not a pipe, nothing to pair
    assert 20 not in d.conn.pending
    assert d.feed(S, nbss(read_resp(21, PIPE_TID, BIND_ACK_CONNECT))) == []  # no request 21
    d.feed(C, nbss(read_req(22, PIPE_TID, SPOOL_FID)))
    assert d.feed(S, nbss(read_resp(22, PIPE_TID, BIND_ACK_CONNECT, status=0xC000014B))) == []  # pipe broken
