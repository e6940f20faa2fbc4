"""SMB2 READ on a pipe (MS-SMB2 2.2.19 / 2.2.20): the server's DCE/RPC bytes, however long."""
from __future__ import annotations

from sniffprint.dissectors.events import JobField, Note
from sniffprint.dissectors.smb.nbss import INLINE_MAX
from sniffprint.dissectors.smb.smb2.header import STATUS_BUFFER_OVERFLOW
from sniffprint.dissectors.smb.smb2.read import ReadRequest, ReadResponse
from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.wire import (
    DOC,
    FID,
    OPEN_PRINTER,
    OPEN_PRINTER_RESP,
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
    rpc_bind,
    start_doc,
    write_req,
)
from tests.helpers import feed_every_way


def opened() -> list:
    return pipe_open() + [(C, nbss(write_req(12, PIPE_TID, SPOOL_FID, 0, rpc_bind(None) + OPEN_PRINTER)))]


def users(ev: list) -> list[str]:
    return [e.value for e in ev if isinstance(e, JobField) and e.name == "user"]


def test_parse():
    assert ReadRequest.parse(read_req(1, 7, FID)[64:]) == ReadRequest(file_id=FID)
    assert ReadRequest.parse(b"\x00" * 47) is None
    assert ReadResponse.parse(read_resp(1, 7, b"abc")[64:]) == ReadResponse(data_offset=64 + 16, data_length=3)
    assert ReadResponse.parse(b"\x00" * 15) is None


def test_read_data_is_the_pipes_server_side():
    for status in (0, STATUS_BUFFER_OVERFLOW):  # an overflowing pipe read still carries data
        script = opened() + [
            (C, nbss(read_req(13, PIPE_TID, SPOOL_FID))),
            (S, nbss(read_resp(13, PIPE_TID, OPEN_PRINTER_RESP, status=status))),
            (C, nbss(write_req(14, PIPE_TID, SPOOL_FID, 0, start_doc("x")))),
        ]
        assert "bob" in users(feed_every_way(new, script))


def test_a_reply_of_a_megabyte_survives():
    """An EnumPrinters reply of 1 MiB in 4280-byte fragments read back in one READ: the framing streams
    it to the pipe, and the calls after it are still read."""
    big = b"".join(rpc.response(9, b"\x41" * 4256, flags=(1 if i == 0 else 0) | (2 if i == 245 else 0))
                   for i in range(246))
    assert len(big) > 1 << 20 > INLINE_MAX
    script = opened() + [
        (C, nbss(read_req(13, PIPE_TID, SPOOL_FID))), (S, nbss(read_resp(13, PIPE_TID, OPEN_PRINTER_RESP))),
        (C, nbss(read_req(14, PIPE_TID, SPOOL_FID, 1 << 21))), (S, nbss(read_resp(14, PIPE_TID, big))),
        (C, nbss(write_req(15, PIPE_TID, SPOOL_FID, 0, start_doc("after.txt")))),
    ]
    d = new()
    ev: list = []
    for direction, data in script:
        for i in range(0, len(data), 1448):
            ev += d.feed(direction, data[i:i + 1448])
    assert "bob" in users(ev) and not [e for e in ev if isinstance(e, Note)]
    assert [e.value for e in ev if isinstance(e, JobField) and e.name == "document_name"] == ["after.txt"]


def test_a_hole_in_a_streamed_reply_reaches_the_rpc_parser():
    big = b"".join(rpc.response(9, b"\x41" * 4256, flags=(1 if i == 0 else 0) | (2 if i == 29 else 0))
                   for i in range(30))
    d = new()
    for direction, data in opened() + [(C, nbss(read_req(13, PIPE_TID, SPOOL_FID, 1 << 20)))]:
        d.feed(direction, data)
    msg = nbss(read_resp(13, PIPE_TID, big))
    ev = d.feed(S, msg[:70000]) + d.gap(S, 5000) + d.feed(S, msg[75000:])
    assert [e.kind for e in ev if isinstance(e, Note)] == ["dcerpc_gap", "dcerpc_resync"]


def test_reads_that_are_not_read():
    d = new()
    for direction, data in pipe_open() + print_job(DOC)[:4]:
        d.feed(direction, data)
    d.feed(C, nbss(read_req(20, 7, FID)))  # a print file: not a pipe, nothing to pair
    assert 20 not in d.conn.pending
    assert d.feed(S, nbss(read_resp(21, PIPE_TID, OPEN_PRINTER_RESP))) == []  # no request 21
    d.feed(C, nbss(read_req(22, PIPE_TID, SPOOL_FID)))
    assert d.feed(S, nbss(read_resp(22, PIPE_TID, b"\x00" * 16, status=0xC000014B))) == []  # pipe broken
