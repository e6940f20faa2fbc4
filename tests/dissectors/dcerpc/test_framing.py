"""PDU framing per direction: holes inside a PDU keep the framing, holes between PDUs resynchronise,
bytes that are not DCE/RPC stop a direction."""
from __future__ import annotations

import pytest

from sniffprint.dissectors.dcerpc.framing import MAX_SEARCH, Framer
from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    JobEnded,
    Note,
)
from sniffprint.errors import ProtocolViolation
from tests.dissectors.dcerpc.sessions import DOC, C, conv, jobs
from tests.dissectors.dcerpc.vectors import (
    bind,
    fragments,
    handle_stub,
    request,
    start_doc_stub,
    write_stub,
)


def test_a_hole_inside_a_write_fragment_keeps_the_framing():
    frags = fragments(5, 19, write_stub(DOC), 1000)
    c = conv()
    ev = c.feed(C, bind(1) + request(3, 17, start_doc_stub("x")) + frags[0] + frags[1][:100])
    ev += c.gap(C, 200)
    ev += c.feed(C, frags[1][300:] + b"".join(frags[2:]) + request(7, 23, handle_stub()))
    data = b"".join(e.data for e in ev if isinstance(e, DocumentData))
    assert DOC.startswith(data) and len(data) == 1000 - 24
    gaps = [e for e in ev if isinstance(e, DocumentGap)]
    assert gaps == [DocumentGap(len(DOC) - len(data), "k1")]  # the rest of that call was given up
    assert ev[-1] == JobEnded(key="k1") and not [e for e in ev if isinstance(e, Note)]


def test_a_hole_between_pdus_resynchronises_at_the_next_header():
    c = conv()
    ev = c.feed(C, bind(1) + request(3, 17, start_doc_stub("x")))
    ev += c.gap(C, 64)
    ev += c.feed(C, b"\x99" * 37 + request(4, 19, write_stub(b"DATA")) + request(5, 23, handle_stub()))
    assert [e.kind for e in ev if isinstance(e, Note)] == ["dcerpc_gap", "dcerpc_resync"]
    assert jobs(ev)[-2:] == [DocumentData(b"DATA", "k1"), JobEnded(key="k1")]
    dead = conv()
    dead.feed(C, bind(1))
    dead.gap(C, 10)
    ev = dead.feed(C, b"\x00" * (MAX_SEARCH + 100))
    assert [e.kind for e in ev if isinstance(e, Note)] == ["dcerpc_unparsed"]
    assert dead.feed(C, bind(2)) == []


def test_bytes_that_are_not_dcerpc():
    c = conv()
    ev = c.feed(C, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert [e.kind for e in ev if isinstance(e, Note)] == ["dcerpc_unparsed"] and c.feed(C, bind(1)) == []
    with pytest.raises(ProtocolViolation):
        conv(strict=True).feed(C, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")


def _pdus(items: list) -> list[bytes]:
    return [i[1] for i in items if isinstance(i, tuple)]


def test_the_framer_yields_whole_pdus_however_the_bytes_come():
    stream = [bind(1), request(2, 17, start_doc_stub("x")), request(3, 23, handle_stub(), little=False)]
    for size in (1, 7, 16, 1000):
        f = Framer("c2s")
        data = b"".join(stream)
        got: list = []
        for i in range(0, len(data), size):
            got += f.feed(data[i:i + size])
        assert _pdus(got) == stream and len(got) == 3 and not f.buf
        assert [h.call_id for h, _ in got] == [1, 2, 3] and [h.little for h, _ in got] == [True, True, False]


def test_a_hole_inside_a_pdu_names_it_and_the_rest_of_it_is_skipped():
    f = Framer("s2c")
    first = request(9, 19, write_stub(b"D" * 200))
    assert _pdus(list(f.feed(first[:40]))) == []
    h = f.gap(50)
    assert h is not None and not isinstance(h, Note) and h.call_id == 9
    after = request(10, 23, handle_stub())
    got = list(f.feed(first[90:] + after))
    assert got == [(got[0][0], after)] and f.drop == 0 and not f.lost
    assert f.gap(0) is None  # nothing missing, nothing lost
    assert isinstance(f.gap(1), Note) and f.lost  # between PDUs: the framing is lost


def test_a_hole_between_pdus_loses_the_framing_until_a_plausible_header():
    f = Framer("c2s")
    list(f.feed(bind(1)))
    note = f.gap(64)
    assert isinstance(note, Note) and note.kind == "dcerpc_gap" and note.detail.startswith("c2s: 64 bytes")
    # bytes that look like a header's start but are not plausible are passed over
    fake = b"\x05\x00\x00\x03\x10\x00\x00\x00" + b"\x00" * 8  # frag_length 0
    got = list(f.feed(b"\x99" * 5 + fake + request(4, 19, write_stub(b"x"))))
    assert [i.kind for i in got if isinstance(i, Note)] == ["dcerpc_resync"] and len(_pdus(got)) == 1
    assert got[0].detail == f"c2s: in step again after {5 + len(fake)} bytes"


def test_a_direction_given_up_stays_silent():
    f = Framer("c2s")
    assert [i.kind for i in f.feed(b"\x16\x03\x01" + b"\x00" * 20)] == ["dcerpc_unparsed"]
    assert f.dead and list(f.feed(bind(1))) == [] and f.gap(10) is None
    with pytest.raises(ProtocolViolation):
        list(Framer("c2s", strict=True).feed(b"\x16\x03\x01" + b"\x00" * 20))
    lost = Framer("c2s")
    assert isinstance(lost.gap(1), Note)
    got = list(lost.feed(b"\x00" * (MAX_SEARCH + 8)))
    assert [i.kind for i in got] == ["dcerpc_unparsed"] and lost.dead and not lost.buf
