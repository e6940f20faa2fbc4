"""SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE (MS-SMB2 2.2.31 / 2.2.32): paired by MessageId, async replies,
STATUS_BUFFER_OVERFLOW continued by READ, inputs longer than the framing buffers."""
from __future__ import annotations

from sniffprint.dissectors.events import DocumentData, JobField, JobStarted
from sniffprint.dissectors.smb.smb2 import ioctl
from sniffprint.dissectors.smb.smb2.header import STATUS_BUFFER_OVERFLOW, Command, Smb2Header
from sniffprint.dissectors.smb.smb2.ioctl import FSCTL_PIPE_TRANSCEIVE, IoctlRequest, IoctlResponse
from sniffprint.dissectors.smb.smb2.packet import Chain, Packet
from sniffprint.dissectors.smb.state import Pending
from tests.dissectors.dcerpc import vectors as rpc
from tests.dissectors.smb.wire import (
    BOB,
    FID,
    OPEN_PRINTER,
    OPEN_PRINTER_RESP,
    PIPE_TID,
    SPOOL_FID,
    C,
    S,
    doc_bytes,
    end_doc,
    interim,
    ioctl_req,
    ioctl_resp,
    nbss,
    new,
    pipe_open,
    read_req,
    read_resp,
    rpc_bind,
    start_doc,
    write_printer,
    write_req,
)
from tests.helpers import feed_every_way

FSCTL_PIPE_PEEK = 0x0011400C
T = FSCTL_PIPE_TRANSCEIVE


def bound() -> list:
    return pipe_open() + [(C, nbss(write_req(12, PIPE_TID, SPOOL_FID, 0, rpc_bind(None))))]


def test_parse():
    req = IoctlRequest.parse(ioctl_req(1, 7, FID, T, b"abcd")[64:])
    assert req == IoctlRequest(T, FID, input_offset=64 + 56, input_count=4)
    assert IoctlRequest.parse(b"\x00" * 55) is None
    resp = IoctlResponse.parse(ioctl_resp(1, 7, FID, T, b"xy")[64:])
    assert resp == IoctlResponse(T, FID, output_offset=64 + 48, output_count=2)
    assert IoctlResponse.parse(b"\x00" * 47) is None


def test_transceive_input_goes_to_the_pipe_other_controls_do_not():
    ev = feed_every_way(new, bound() + [
        (C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, FSCTL_PIPE_PEEK, start_doc("peek.txt")))),
        (C, nbss(ioctl_req(14, PIPE_TID, FID, T, start_doc("nofile.txt")))),
    ])
    assert not [e for e in ev if isinstance(e, (JobStarted, JobField))]
    ev = feed_every_way(new, bound() + [(C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, T, start_doc("t.txt"))))])
    assert [e.value for e in ev if isinstance(e, JobField) and e.name == "document_name"] == ["t.txt"]


def test_the_reply_is_paired_by_message_id_also_when_async():
    for replies in ([ioctl_resp(13, PIPE_TID, SPOOL_FID, T, OPEN_PRINTER_RESP)],
                    [interim(Command.IOCTL, 13), ioctl_resp(13, 0, SPOOL_FID, T, OPEN_PRINTER_RESP, async_id=77)],
                    # the response's FileId is not what pairs it: the request's file is used
                    [ioctl_resp(13, PIPE_TID, b"\xab" * 16, T, OPEN_PRINTER_RESP)]):
        ev = feed_every_way(new, bound() + [(C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, T, OPEN_PRINTER)))]
                            + [(S, nbss(r)) for r in replies]
                            + [(C, nbss(ioctl_req(14, PIPE_TID, SPOOL_FID, T, start_doc("x"))))])
        assert BOB.value in [e.value for e in ev if isinstance(e, JobField) and e.name == "user"]


def test_an_overflowing_reply_is_continued_by_read():
    script = bound() + [
        (C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, T, OPEN_PRINTER))),
        (S, nbss(ioctl_resp(13, PIPE_TID, SPOOL_FID, T, OPEN_PRINTER_RESP[:30], status=STATUS_BUFFER_OVERFLOW))),
        (C, nbss(read_req(14, PIPE_TID, SPOOL_FID))),
        (S, nbss(read_resp(14, PIPE_TID, OPEN_PRINTER_RESP[30:]))),
        (C, nbss(ioctl_req(15, PIPE_TID, SPOOL_FID, T, start_doc("x")))),
    ]
    ev = feed_every_way(new, script)
    assert "bob" in [e.value for e in ev if isinstance(e, JobField) and e.name == "user"]


def test_an_input_longer_than_the_framing_buffers_is_streamed():
    doc = bytes(range(256)) * 400  # 100 KiB in one WritePrinter (25 fragments) through one TRANSCEIVE
    write = b"".join(rpc.fragments(3, 19, rpc.write_stub(doc), 4256))
    d = new()
    ev: list = []
    for direction, data in bound() + [(C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, T, start_doc("big.prn")))),
                                      (C, nbss(ioctl_req(14, PIPE_TID, SPOOL_FID, T, write))),
                                      (C, nbss(ioctl_req(15, PIPE_TID, SPOOL_FID, T, end_doc())))]:
        for i in range(0, len(data), 1460):
            ev += d.feed(direction, data[i:i + 1460])
    assert doc_bytes(ev) == doc


def test_the_response_parser_reads_the_output_into_the_requests_file():
    d = new()
    for direction, data in bound() + [(C, nbss(ioctl_req(13, PIPE_TID, SPOOL_FID, T, OPEN_PRINTER)))]:
        d.feed(direction, data)
    raw = ioctl_resp(13, PIPE_TID, b"\x00" * 16, T, OPEN_PRINTER_RESP)
    h = Smb2Header.parse(raw)
    assert h is not None
    p = Packet(h, h.tree_id, h.session_id, raw, 0, raw[64:], None, Chain())
    assert ioctl.response(d.conn, p, Pending(Command.IOCTL)) == []  # no file: nothing to read into
    pipe_file = d.conn.files[SPOOL_FID]
    assert ioctl.response(d.conn, p, Pending(Command.IOCTL, file=pipe_file)) == []
    assert pipe_file.pipe is not None and len(pipe_file.pipe.rpc.jobs.handles) == 1
    assert not [e for e in d.feed(C, nbss(ioctl_req(14, PIPE_TID, SPOOL_FID, T, write_printer(b"x")))) if
                isinstance(e, DocumentData) and e.data != b"x"]
