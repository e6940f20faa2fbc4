"""Presentation contexts and authentication: transfer syntaxes accepted, levels, the RPC user."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc.binding import Binding, Offer
from sniffprint.dissectors.dcerpc.pdu import Header, SecTrailer
from sniffprint.dissectors.events import (
    JobField,
)
from tests.dissectors.dcerpc.sessions import INTEGRITY, C, S, conv
from tests.dissectors.dcerpc.vectors import (
    ALTER,
    EPM,
    KERBEROS,
    MS_PAR,
    NDR,
    NDR64,
    NTLM_NEGOTIATE,
    NTLMSSP,
    auth3,
    bind,
    bind_ack,
    fault,
    ntlm_authenticate,
    open_printer_resp_stub,
    open_printer_stub,
    request,
    response,
    start_doc_stub,
)


def test_kerberos_names_no_user_and_responses_come_in_fragments():
    c = conv()
    c.feed(C, bind(1, auth=(KERBEROS, 5, b"\x60\x82" + b"k" * 40)))
    assert c.facts.auth_type == "Kerberos" and c.binding.user is None
    c.feed(C, request(2, 69, open_printer_stub("p", user="dave"), auth=INTEGRITY))
    stub = open_printer_resp_stub()
    c.feed(S, response(2, stub[:10], flags=1) + response(2, stub[10:], flags=2))
    ev = c.feed(C, request(3, 17, start_doc_stub("k.txt"), auth=INTEGRITY))
    assert JobField("user", "dave", "spoolss", key="k1") in ev
    assert c.feed(S, fault(9)) == []


def _h(data: bytes) -> Header:
    h = Header.parse(data)
    assert h is not None
    return h


def _bound(b: Binding, data: bytes, first: bool = True) -> Offer:
    return b.bind(_h(data), data, first)


def _answer(b: Binding, data: bytes) -> None:
    b.answer(_h(data), data)


def test_the_bind_ack_decides_each_context_transfer_syntax():
    b = Binding()
    offer = _bound(b, bind(1, [(0, MS_PAR, [NDR]), (1, MS_PAR, [NDR64]), (2, EPM, [NDR, NDR64])]))
    assert offer == Offer(("MS-PAR", "MS-PAR", "EPM"), None)
    assert [(c.name, c.ndr64) for c in b.contexts.values()] == [("MS-PAR", False), ("MS-PAR", True), ("EPM", False)]
    _answer(b, bind_ack(1, [(2, NDR), (0, NDR64), (0, NDR64)]))  # 2: provider rejection
    assert 0 not in b.contexts and b.contexts[1].ndr64 and b.contexts[2].ndr64 and not b.offered
    _answer(b, bind_ack(7, [(0, NDR)]))  # an answer to no bind seen changes nothing
    assert sorted(b.contexts) == [1, 2]


def test_levels_bind_resets_alter_context_keeps_connect_covers_requests():
    b = Binding()
    _bound(b, bind(1, auth=(NTLMSSP, 2, NTLM_NEGOTIATE)))
    assert b.level == 2 and b.level_of(None) == 2  # at connect level requests carry no verifier
    _bound(b, bind(2, ptype=ALTER), first=False)
    assert b.level == 2
    signed = request(3, 0, b"\x00" * 8, auth=INTEGRITY)
    trailer = SecTrailer.parse(signed, _h(signed), 24)  # 24: the stub after the request header
    assert trailer is not None and b.level_of(trailer) == 5
    assert _bound(b, bind(4)).auth_type is None and b.level == 1 and b.level_of(None) == 1
    _bound(b, bind(5, auth=(NTLMSSP, 6, NTLM_NEGOTIATE)), first=False)
    assert b.level == 6 and b.level_of(None) == 1  # no verifier above connect: in clear


def test_the_user_comes_from_the_ntlmssp_authenticate():
    b = Binding()
    assert _bound(b, bind(1, auth=(NTLMSSP, 5, NTLM_NEGOTIATE))).auth_type == NTLMSSP and b.user is None
    data = auth3(1, ntlm_authenticate("erin", ws="PC-9"), 5)
    b.auth3(_h(data), data)
    assert b.user is not None and (b.user.user, b.user.workstation) == ("erin", "PC-9")
