"""Reassembly properties: permutation, duplication, loss, wrap-around, conflicting overlaps."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sniffprint.engine.reassembly import Stream, seq_delta


class Sink:
    def __init__(self, stream: Stream) -> None:
        self.out: list = []
        self.notes: list = []
        stream.on_data = lambda b: self.out.append(bytes(b))
        stream.on_gap = lambda n: self.out.append(n)
        stream.on_note = lambda k, d: self.notes.append(k)

    def data(self) -> bytes:
        return b"".join(x for x in self.out if isinstance(x, bytes))

    def gaps(self) -> list[int]:
        return [x for x in self.out if isinstance(x, int)]


def segments(data: bytes, cuts: list[int]) -> list[tuple[int, bytes]]:
    points = sorted({0, len(data), *[c % (len(data) + 1) for c in cuts]})
    return [(a, data[a:b]) for a, b in zip(points, points[1:], strict=False) if b > a]


@settings(max_examples=300, deadline=None)
@given(data=st.binary(min_size=1, max_size=3000), cuts=st.lists(st.integers(0, 10_000), max_size=30),
       isn=st.integers(0, 2**32 - 1), order=st.randoms(use_true_random=False), dups=st.integers(0, 10))
def test_any_permutation_and_duplication_reassembles_the_original(data, cuts, isn, order, dups):
    segs = segments(data, cuts)
    segs += [order.choice(segs) for _ in range(dups)]
    order.shuffle(segs)
    s = Stream()
    sink = Sink(s)
    s.syn(isn)
    for off, chunk in segs:
        s.add((isn + 1 + off) & 0xFFFFFFFF, chunk, len(chunk))
    s.close()
    assert sink.data() == data
    assert sink.gaps() == []
    assert s.delivered == len(data)
    assert s.missed == 0
    assert "rexmit_inconsistency" not in sink.notes


@settings(max_examples=300, deadline=None)
@given(data=st.binary(min_size=3, max_size=3000), cuts=st.lists(st.integers(0, 10_000), min_size=2, max_size=30),
       isn=st.integers(0, 2**32 - 1), order=st.randoms(use_true_random=False), fin=st.booleans())
def test_dropping_one_segment_gives_exactly_one_gap_of_its_length(data, cuts, isn, order, fin):
    segs = segments(data, cuts)
    if len(segs) < 2:
        return
    drop = order.randrange(len(segs) - (0 if fin else 1))  # without a FIN the tail cannot be known
    lost_off, lost = segs.pop(drop)
    order.shuffle(segs)
    s = Stream()
    sink = Sink(s)
    s.syn(isn)
    for off, chunk in segs:
        s.add((isn + 1 + off) & 0xFFFFFFFF, chunk, len(chunk))
    if fin:
        s.add((isn + 1 + len(data)) & 0xFFFFFFFF, b"", 0, fin=True)
    s.close()
    assert sink.gaps() == [len(lost)]
    assert s.missed == len(lost)
    before = data[:lost_off]
    after = data[lost_off + len(lost):]
    assert sink.out == [x for x in (before, len(lost), after) if x != b""] or \
        sink.data() == before + after  # chunking of delivered data may differ
    pos = sink.out.index(len(lost))
    assert b"".join(x for x in sink.out[:pos] if isinstance(x, bytes)) == before
    assert b"".join(x for x in sink.out[pos + 1:] if isinstance(x, bytes)) == after


def test_sequence_wraparound():
    isn = 2**32 - 10
    data = bytes(range(256)) * 4
    s = Stream()
    sink = Sink(s)
    s.syn(isn)
    for off in range(0, len(data), 100):
        s.add((isn + 1 + off) & 0xFFFFFFFF, data[off:off + 100], len(data[off:off + 100]))
    s.close()
    assert sink.data() == data and s.missed == 0


def test_seq_delta_is_modular():
    assert seq_delta(5, 2**32 - 5) == 10
    assert seq_delta(2**32 - 5, 5) == -10
    assert seq_delta(100, 100) == 0


def test_conflicting_retransmission_first_copy_wins():
    s = Stream()
    sink = Sink(s)
    s.syn(0)
    s.add(1, b"hello world", 11)
    s.add(1, b"HELLO", 5)  # retransmission with different bytes
    s.close()
    assert sink.data() == b"hello world"
    assert sink.notes.count("rexmit_inconsistency") == 1


def test_conflicting_overlap_in_out_of_order_store_first_copy_wins():
    s = Stream()
    sink = Sink(s)
    s.syn(0)
    s.add(11, b"WORLD", 5)  # out of order, arrives first
    s.add(8, b"lo world", 8)  # overlaps with different bytes at 11..16
    s.add(1, b"hello w", 7)
    s.close()
    assert sink.data() == b"hello wlo WORLD"
    assert "rexmit_inconsistency" in sink.notes


def test_identical_retransmission_is_not_an_anomaly():
    s = Stream()
    sink = Sink(s)
    s.syn(0)
    s.add(1, b"abcdef", 6)
    s.add(3, b"cdefgh", 6)
    s.close()
    assert sink.data() == b"abcdefgh" and sink.notes == [] and s.rexmits == 1


def test_mid_stream_start_begins_at_first_seen_sequence():
    s = Stream()
    sink = Sink(s)
    s.add(123456, b"middle", 6)
    s.add(123462, b"-end", 4)
    s.close()
    assert sink.data() == b"middle-end" and not s.syn_seen


def test_snaplen_cut_is_a_gap_not_zeros():
    s = Stream()
    sink = Sink(s)
    s.syn(0)
    s.add(1, b"abc", 10)  # 7 bytes not captured
    s.add(11, b"xyz", 3)
    s.close()
    assert sink.out == [b"abc", 7, b"xyz"]


def test_acked_but_never_seen_tail_is_a_gap():
    s = Stream()
    sink = Sink(s)
    s.syn(0)
    s.add(1, b"abc", 3)
    s.last_ack = 1 + 3 + 500  # the peer acknowledged 500 more bytes than the capture holds
    s.close()
    assert sink.gaps() == [500]


def test_ooo_cap_declares_a_gap_and_bounds_memory():
    s = Stream(ooo_max_bytes=1000, ooo_max_segs=100)
    sink = Sink(s)
    s.syn(0)
    s.add(1, b"a" * 10, 10)
    for i in range(20):  # hole of 100 bytes at 11..111, then lots of data above it
        s.add(111 + i * 100, b"b" * 100, 100)
    assert s.ooo_bytes <= 1000 + 100
    s.close()
    assert sink.gaps() == [100]
    assert s.delivered == 10 + 2000
    assert "reassembly_limit" in sink.notes


def test_depth_limit_counts_but_stops_feeding():
    s = Stream(depth=50)
    sink = Sink(s)
    s.syn(0)
    for i in range(10):
        s.add(1 + i * 20, b"x" * 20, 20)
    s.close()
    assert len(sink.data()) == 50 and s.delivered == 200 and "depth_limit" in sink.notes


def test_count_only_mode_keeps_ranges_without_bytes():
    s = Stream()
    sink = Sink(s)
    s.syn(0)
    s.content = False
    s.add(101, b"y" * 100, 100)
    s.add(1, b"x" * 100, 100)
    s.close()
    assert sink.data() == b"" and s.delivered == 200 and s.missed == 0


def test_an_identical_retransmission_after_a_gap_is_not_an_anomaly():
    """The remembered bytes end at the hole: a retransmission after it must not be compared with
    bytes from before it (issue 9: a false rexmit_inconsistency)."""
    s = Stream(ooo_max_bytes=300, ooo_max_segs=100)
    sink = Sink(s)
    s.syn(0)
    s.add(1, b"A" * 100, 100)  # delivered
    for i in range(5):  # a 100-byte hole at 101..200, then data above it until the cap declares the gap
        s.add(201 + i * 100, bytes([66 + i]) * 100, 100)
    assert sink.gaps() == [100]
    s.add(101, b"Z" * 100, 100)  # the missing segment arrives after its gap was declared: not comparable
    s.add(201, b"B" * 100, 100)  # the first segment after the hole, retransmitted unchanged
    s.add(301, b"CCCXX" + b"C" * 95, 100)  # a real conflict is still caught
    s.close()
    assert sink.notes.count("rexmit_inconsistency") == 1
