"""Bounded tables: a Capped map drops its oldest entry, and no table of an association grows past its cap."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc.calls import MAX_CALLS
from sniffprint.dissectors.dcerpc.printjobs import MAX_HANDLES
from sniffprint.dissectors.dcerpc.tables import Capped
from tests.dissectors.dcerpc.sessions import C, S, conv
from tests.dissectors.dcerpc.vectors import (
    bind,
    open_printer_resp_stub,
    open_printer_stub,
    request,
    response,
    write_stub,
)


def test_tables_stay_bounded():
    c = conv()
    c.feed(C, bind(1))
    for i in range(3 * MAX_HANDLES):
        c.feed(C, request(10 + i, 69, open_printer_stub("p")))
        c.feed(S, response(10 + i, open_printer_resp_stub(handle=i.to_bytes(20, "big"))))
        c.feed(C, request(1000 + i, 19, write_stub(b"x" * 8)[:30], flags=1))  # never finished
    assert len(c.jobs.handles) <= MAX_HANDLES and len(c.calls.requests) <= MAX_CALLS and len(c.jobs.open) <= MAX_HANDLES


def test_a_capped_map_drops_its_oldest_key():
    t: Capped[int, str] = Capped(3)
    for i in range(5):
        t[i] = str(i)
    assert list(t.items()) == [(2, "2"), (3, "3"), (4, "4")]
    t[3] = "three"  # a key held: replaced in place, nothing dropped
    assert list(t.items()) == [(2, "2"), (3, "three"), (4, "4")]
    del t[2]
    t[9] = "9"  # room again: nothing dropped
    assert list(t) == [3, 4, 9] and t.cap == 3
