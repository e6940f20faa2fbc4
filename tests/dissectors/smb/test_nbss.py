"""NBSS framing (RFC 1002 4.3.1, MS-SMB2 2.1): lengths, session packets, large messages streamed with
bounded memory, and resynchronisation after capture gaps."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    Event,
    JobEnded,
    JobField,
    JobStarted,
    Note,
)
from sniffprint.dissectors.smb.nbss import INLINE_MAX, LARGE_PREFIX, Reader, Sink, message_length
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction
from tests.dissectors.smb.wire import (
    DOC,
    C,
    S,
    doc_bytes,
    job_events,
    login,
    new,
    print_job,
)
from tests.helpers import bytewise, feed_every_way, merge_data, random_splits, run, whole


def test_netbios_139_session_request_and_keepalive():
    req = b"\x81\x00\x00\x44" + b"\x20" + b"CA" * 16 + b"\x00" + b"\x20" + b"EB" * 16 + b"\x00"
    script = [(C, req), (S, b"\x82\x00\x00\x00"), (C, b"\x85\x00\x00\x00")] + login() + print_job(DOC)
    ev = feed_every_way(new, script)
    assert doc_bytes(ev) == DOC


def test_bad_netbios_type_is_a_violation():
    with pytest.raises(ProtocolViolation):
        new().feed(C, b"\x42\x00\x00\x10" + b"x" * 16)


def test_large_write_is_streamed_with_bounded_memory():
    big = b"%!PS-Adobe-3.0\n" + bytes(range(256)) * 4000  # ~1 MiB in one WRITE
    script = login() + print_job(big)
    d = new()
    events: list = []
    peak = 0
    for direction, data in script:
        for i in range(0, len(data), 1460):
            events += d.feed(direction, data[i:i + 1460])
            peak = max(peak, len(d.readers[0].buf), len(d.readers[1].buf))
    events += d.close()
    assert doc_bytes(events) == big
    assert peak <= INLINE_MAX
    assert sum(isinstance(e, DocumentData) for e in events) > 10  # handed on in pieces
    assert run(new, script, whole) == feed_every_way(new, script)


def test_gap_inside_a_streamed_write_is_a_document_gap():
    big = b"A" * 300_000
    script = login() + print_job(big)
    d = new()
    events: list = []
    done = False
    for direction, data in script:
        if direction is C and len(data) > 100_000 and not done:
            done = True
            events += d.feed(C, data[:50_000])
            events += d.gap(C, 1000)
            events += d.feed(C, data[51_000:])
        else:
            events += d.feed(direction, data)
    assert DocumentGap(1000) in job_events(events)
    assert len(doc_bytes(events)) == len(big) - 1000
    assert JobEnded() in job_events(events)


def test_gap_between_messages_resynchronises():
    script = login() + print_job(DOC)
    d = new()
    events: list = []
    for n, (direction, data) in enumerate(script):
        if n == 8:  # the CREATE request is lost: a gap instead of its bytes
            events += d.gap(direction, len(data))
        else:
            events += d.feed(direction, data)
    assert [e.kind for e in events if isinstance(e, Note)] == ["smb_resync"]
    # the write still lands on the known print tree, as a job without a name
    assert merge_data(job_events(events)) == [JobStarted("smb"), JobField("user", "alice", "smb"),
                                  JobField("host", "WS-ALICE", "smb"), DocumentData(DOC), JobEnded()]


def test_resync_mid_message_with_following_messages_in_one_chunk():
    big = b"%!PS-Adobe-3.0\n" + b"B" * 150_000
    script = login() + print_job(big)
    c2s_tail = b"".join(d for dd, d in script[10:] if dd is C)  # writes and close, in one chunk
    d = new()
    events: list = []
    for direction, data in script[:8]:
        events += d.feed(direction, data)
    create = script[8][1]
    events += d.feed(C, create[:30])
    events += d.gap(C, 20)
    events += d.feed(S, script[9][1])  # the CREATE response finds no request: ignored
    events += d.feed(C, create[50:] + b"\x00junk" * 30_000 + c2s_tail)
    events += d.close()
    assert "smb_resync" in [e.kind for e in events if isinstance(e, Note)]
    assert doc_bytes(events) == big
    assert JobEnded() in job_events(events)
    assert len(d.readers[0].buf) < INLINE_MAX


# ----------------------------------------------------------------- the framing alone
class Recorder:
    """A deliver callback and a stream target that write down what they get."""

    def __init__(self, stream_window: tuple[int, int] | None = None) -> None:
        self.messages: list[tuple[bytes, bool]] = []
        self.window = stream_window
        self.got: list[tuple[str, int, object]] = []

    def deliver(self, msg: bytes, reader: Reader | None) -> list[Event]:
        self.messages.append((msg, reader is not None))
        if reader is not None and self.window is not None:
            reader.stream_rest(len(msg), *self.window, self)
        return []

    def data(self, rel: int, b: bytes) -> list[Event]:
        self.got.append(("data", rel, b))
        return []

    def gap(self, rel: int, n: int) -> list[Event]:
        self.got.append(("gap", rel, n))
        return []


def test_message_length_445_and_139():
    assert message_length(b"\x00\x01\x02\x03") == 0x010203  # 24 bits on direct TCP
    assert message_length(b"\x85\x01\x00\x10") == 0x10010  # E bit: the 17th bit
    assert message_length(b"\x81\xfe\x00\x44") == 0x44  # other flag bits are reserved
    with pytest.raises(ProtocolViolation) as e:
        message_length(b"\x86\x00\x00\x00", 1234)
    assert e.value.offset == 1234


def test_reader_delivers_session_messages_only():
    stream = (b"\x85\x00\x00\x00" + b"\x00\x00\x00\x05hello" + b"\x82\x00\x00\x00"
              + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x03abc")
    for split in (whole, bytewise, random_splits(3)):
        rec, r = Recorder(), Reader(Direction.C2S)
        for piece in split(stream):
            r.feed(piece, rec.deliver)
        assert rec.messages == [(b"hello", False), (b"abc", False)]  # empty message: nothing to read


def test_a_large_message_is_delivered_as_its_prefix_and_the_rest_streamed():
    body = bytes(range(256)) * 400  # 102400 bytes, over INLINE_MAX
    frame = b"\x00" + len(body).to_bytes(3, "big") + body
    window = (5000, 90000)  # message-relative, as a WRITE's data window would be
    for split in (whole, random_splits(1)):
        rec, r = Recorder(window), Reader(Direction.C2S)
        for piece in split(frame):
            r.feed(piece, rec.deliver)
        assert rec.messages == [(body[:LARGE_PREFIX - 4], True)]
        got = b"".join(b for kind, _rel, b in rec.got if kind == "data")  # type: ignore[misc]
        assert got == body[5000:90000]
        assert rec.got[0][1] == 0  # the first streamed byte is the window's first
        assert len(r.buf) == 0 and r.left == 0 and r.sink is None


def test_a_gap_inside_a_streamed_message_reaches_the_target():
    body = b"x" * 100_000
    frame = b"\x00" + len(body).to_bytes(3, "big") + body
    rec, r = Recorder((10_000, 100_000)), Reader(Direction.C2S)
    r.feed(frame[:50_000], rec.deliver)
    assert r.gap(1000) == []  # in step: nothing lost but the bytes themselves
    r.feed(frame[51_000:], rec.deliver)
    gaps = [(rel, n) for kind, rel, n in rec.got if kind == "gap"]
    assert gaps == [(50_000 - 4 - 10_000, 1000)]
    assert sum(len(b) for kind, _rel, b in rec.got if kind == "data") == 90_000 - 1000  # type: ignore[arg-type]


def test_sink_windows():
    rec = Recorder()
    sink = Sink(pos=10, start=12, end=20, target=rec)
    sink.push(b"ab")  # 10..12: before the window
    sink.push(b"cdef")  # 12..16
    sink.skip(2)  # 16..18 lost
    sink.push(b"ghij")  # 18..22: two bytes past the window
    assert rec.got == [("data", 0, b"cdef"), ("gap", 4, 2), ("data", 6, b"gh")]


def test_a_large_packet_that_is_not_a_session_message_is_a_violation():
    r = Reader(Direction.S2C)
    with pytest.raises(ProtocolViolation):
        r.feed(b"\x85\x01\xff\xff" + b"\x00" * LARGE_PREFIX, Recorder().deliver)


def test_resync_wants_an_smb2_structure_size():
    good = b"\x00\x00\x00\x48" + b"\xfeSMB\x40\x00" + b"\x00" * 66
    fake = b"\x00\x00\x00\x48\xfeSMB\x00\x00"  # an SMB2 id with StructureSize 0: not a header
    rec, r = Recorder(), Reader(Direction.C2S)
    assert [e.kind for e in r.gap(10) if isinstance(e, Note)] == ["smb_resync"]
    r.feed(b"junk" + fake + b"more junk" + good, rec.deliver)
    assert rec.messages == [(good[4:], False)] and not r.lost


@pytest.mark.parametrize("split", [whole, bytewise, random_splits(7)])
def test_whole_messages_in_a_chunk_and_cut_ones_give_the_same_messages_and_offsets(split):
    # a chunk holding whole messages is delivered straight from it, a cut one through the buffer:
    # both must give the same messages, stream offsets and violation offset, however it is cut
    msgs = [b"hello", b"", b"x" * 3000, b"abc", b"y" * (INLINE_MAX - 4)]
    stream = b"\x85\x00\x00\x00" + b"".join(len(m).to_bytes(4, "big") + m for m in msgs)
    bad_at = len(stream)
    stream += b"\x42\x00\x00\x10" + b"z" * 16
    rec, r = Recorder(), Reader(Direction.C2S)
    with pytest.raises(ProtocolViolation) as e:
        for piece in split(stream):
            r.feed(piece, rec.deliver)
    assert rec.messages == [(m, False) for m in msgs if m]
    assert e.value.offset == bad_at
    assert r.buf.consumed + len(r.buf) <= len(stream)
