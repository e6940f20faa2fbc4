"""SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE (MS-SMB2 2.2.31 / 2.2.32)."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact, JobField, JobStarted
from sniffprint.dissectors.smb.smb2 import ioctl
from sniffprint.dissectors.smb.smb2.header import Command, Smb2Header
from sniffprint.dissectors.smb.smb2.ioctl import FSCTL_PIPE_TRANSCEIVE, IoctlRequest, IoctlResponse
from sniffprint.dissectors.smb.smb2.packet import Chain, Packet
from sniffprint.dissectors.smb.state import Pending
from tests.dissectors.smb.wire import (
    BIND_ACK_CONNECT,
    FID,
    PIPE_TID,
    SPOOL_FID,
    C,
    S,
    ioctl_req,
    ioctl_resp,
    nbss,
    new,
    pipe_open,
    start_doc,
)
from tests.helpers import feed_every_way

FSCTL_PIPE_PEEK = 0x0011400C


def test_parse():
    req = IoctlRequest.parse(ioctl_req(1, 7, FID, FSCTL_PIPE_TRANSCEIVE, b"abcd")[64:])
    assert req == IoctlRequest(FSCTL_PIPE_TRANSCEIVE, FID, input_offset=64 + 56, input_count=4)
    assert IoctlRequest.parse(b"\x00" * 55) is None
    resp = IoctlResponse.parse(ioctl_resp(1, 7, FID, FSCTL_PIPE_TRANSCEIVE, b"xy")[64:])
    assert resp == IoctlResponse(FSCTL_PIPE_TRANSCEIVE, FID, output_offset=64 + 48, output_count=2)
    assert IoctlResponse.parse(b"\x00" * 47) is None


def test_transceive_input_goes_to_the_pipe_other_controls_do_not():
    ev = feed_every_way(new, pipe_open() + [
        (C, nbss(ioctl_req(12, PIPE_TID, SPOOL_FID, FSCTL_PIPE_PEEK, start_doc("peek.txt")))),
        (C, nbss(ioctl_req(13, PIPE_TID, FID, FSCTL_PIPE_TRANSCEIVE, start_doc("nofile.txt")))),
    ])
    assert not [e for e in ev if isinstance(e, (JobStarted, JobField))]
    ev = feed_every_way(new, pipe_open() + [
        (C, nbss(ioctl_req(12, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, start_doc("t.txt")))),
    ])
    assert JobField("document_name", "t.txt", "spoolss") in ev


def test_the_response_parser_reads_the_output_into_the_pipe():
    d = new()
    for direction, data in pipe_open():
        d.feed(direction, data)
    raw = ioctl_resp(12, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, BIND_ACK_CONNECT)
    h = Smb2Header.parse(raw)
    assert h is not None
    p = Packet(h, h.tree_id, h.session_id, raw, 0, raw[64:], None, Chain())
    assert ioctl.response(d.conn, p, Pending(Command.IOCTL)) == [FlowFact("spoolss_auth_level", "connect")]


def test_a_transceive_response_from_the_wire_is_not_read_yet():
    """Pins today's behaviour (issue 10 changes it): the IOCTL request records no Pending, so the
    dispatch never hands its response to ``ioctl.response`` and RPC replies through TRANSCEIVE are lost."""
    ev = feed_every_way(new, pipe_open() + [
        (C, nbss(ioctl_req(12, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, start_doc("t.txt")))),
        (S, nbss(ioctl_resp(12, PIPE_TID, SPOOL_FID, FSCTL_PIPE_TRANSCEIVE, BIND_ACK_CONNECT))),
    ])
    assert FlowFact("spoolss_auth_level", "connect") not in ev
