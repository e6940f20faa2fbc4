"""One DCE/RPC association: contexts, auth levels, calls by call id, print jobs, holes."""
from __future__ import annotations

import itertools
import random

import pytest

from sniffprint.dissectors.dcerpc.conversation import MAX_CALLS, MAX_HANDLES, MAX_SEARCH, RpcConversation, RpcFacts
from sniffprint.dissectors.events import (
    DocumentData,
    DocumentGap,
    EndpointExpected,
    FlowFact,
    JobEnded,
    JobField,
    JobStarted,
    Note,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, Protection, Service
from tests.dissectors.dcerpc.vectors import (
    ALTER,
    BTFN,
    EPM,
    HANDLE,
    HANDLE2,
    KERBEROS,
    MS_PAR,
    MS_RPRN,
    NDR,
    NDR64,
    NTLM_NEGOTIATE,
    NTLMSSP,
    PAR_OBJECT,
    SIGNATURE,
    auth3,
    bind,
    bind_ack,
    ept_map_resp_stub,
    fault,
    fragments,
    handle_stub,
    ntlm_authenticate,
    open_printer_resp_stub,
    open_printer_stub,
    request,
    response,
    start_doc_stub,
    tower,
    write_stub,
)
from tests.helpers import feed_every_way, fuzz

C, S = Direction.C2S, Direction.S2C
DOC = b"\x1b%-12345X@PJL JOB\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n%!PS-Adobe-3.0\n" + bytes(range(256)) * 30
INTEGRITY = (NTLMSSP, 5, SIGNATURE)


def conv(strict: bool = False) -> RpcConversation:
    n = itertools.count(1)
    return RpcConversation(RpcFacts(), "dcerpc", lambda: f"k{next(n)}", strict=strict)


def facts(events: list) -> dict:
    return {e.name: e.value for e in events if isinstance(e, FlowFact)}


def jobs(events: list) -> list:
    return [e for e in events if isinstance(e, (JobStarted, JobField, DocumentData, DocumentGap, JobEnded))]


def rprn_session(auth: tuple[int, int, bytes] | None = INTEGRITY) -> list[tuple[Direction, bytes]]:
    """Windows' way to print over RPC: bind (NTLMSSP at integrity), OpenPrinterEx, StartDocPrinter,
    WritePrinter in fragments, EndDocPrinter, ClosePrinter."""
    level = auth[1] if auth else None
    out = [
        (C, bind(1, auth=(NTLMSSP, level, NTLM_NEGOTIATE) if auth else None)),
        (S, bind_ack(1)),
    ]
    if auth:
        out.append((C, auth3(1, ntlm_authenticate("alice"), level)))
    out += [
        (C, request(2, 69, open_printer_stub("\\\\srv\\Floor2", user="bob"), auth=auth)),
        (S, response(2, open_printer_resp_stub(), auth=auth)),
        (C, request(3, 17, start_doc_stub("Microsoft Word - Budget.docx", "RAW"), auth=auth)),
        (C, request(4, 18, handle_stub(), auth=auth)),
    ]
    out += [(C, f) for f in fragments(5, 19, write_stub(DOC), 1000, auth=auth)]
    out += [(C, request(6, 20, handle_stub(), auth=auth)), (C, request(7, 23, handle_stub(), auth=auth)),
            (C, request(8, 29, handle_stub(), auth=auth))]
    return out


def test_a_print_job_over_rpc_every_way():
    ev = feed_every_way(conv, rprn_session())
    assert facts(ev) == {"rpc_interfaces": ["MS-RPRN"], "rpc_auth_type": "NTLMSSP", "rpc_auth_level": "integrity",
                         "rpc_calls": ["OpenPrinterEx", "StartDocPrinter", "StartPagePrinter", "WritePrinter",
                                       "EndPagePrinter", "EndDocPrinter", "ClosePrinter"]}
    assert PrintSeen(True) in ev and not [e for e in ev if isinstance(e, ProtectionSeen)]
    assert jobs(ev) == [
        JobStarted("dcerpc", key="k1"),
        JobField("user", "alice", "dcerpc", key="k1"), JobField("host", "WS-ALICE", "dcerpc", key="k1"),
        JobField("user", "bob", "spoolss", key="k1"), JobField("host", "WS-ALICE", "spoolss", key="k1"),
        JobField("document_name", "Microsoft Word - Budget.docx", "spoolss", key="k1"),
        JobField("document_format", "RAW", "spoolss", key="k1"),
        DocumentData(DOC, "k1"), JobEnded(key="k1")]


def test_without_rpc_authentication_the_open_printer_client_names_the_job():
    ev = feed_every_way(conv, rprn_session(auth=None))
    assert facts(ev)["rpc_auth_level"] == "none" and "rpc_auth_type" not in facts(ev)
    assert [e for e in jobs(ev) if isinstance(e, JobField) and e.name in ("user", "host")] == [
        JobField("user", "bob", "spoolss", key="k1"), JobField("host", "WS-ALICE", "spoolss", key="k1")]


def test_packet_privacy_seals_the_stubs():
    sealed = (NTLMSSP, 6, SIGNATURE)
    script = [(C, bind(1, auth=(NTLMSSP, 6, NTLM_NEGOTIATE))), (S, bind_ack(1)),
              (C, auth3(1, ntlm_authenticate("alice"), 6)),
              (C, request(2, 17, b"\x93" * 120, auth=sealed, pad_to=16)),
              (C, request(3, 19, b"\x17" * 400, auth=sealed, pad_to=16))]
    ev = feed_every_way(conv, script)
    assert facts(ev) == {"rpc_interfaces": ["MS-RPRN"], "rpc_auth_type": "NTLMSSP", "rpc_auth_level": "privacy"}
    assert ProtectionSeen(Protection.RPC_PRIVACY) in ev and jobs(ev) == []


def test_the_weakest_print_call_decides_and_protection_follows():
    c = conv()
    ev = c.feed(C, bind(1, auth=(NTLMSSP, 6, NTLM_NEGOTIATE)))
    assert ev[-2:] == [FlowFact("rpc_auth_level", "privacy"), ProtectionSeen(Protection.RPC_PRIVACY)]
    ev = c.feed(C, request(2, 0, b"\x00" * 8))  # EnumPrinters without a verifier: in clear
    assert ev == [FlowFact("rpc_auth_level", "none"), ProtectionSeen(Protection.NONE),
                  FlowFact("rpc_calls", ["EnumPrinters"])]
    # an association bound without auth and upgraded by alter_context: the calls' level counts
    c = conv()
    assert facts(c.feed(C, bind(1)))["rpc_auth_level"] == "none"
    c.feed(C, bind(2, auth=(NTLMSSP, 6, NTLM_NEGOTIATE), ptype=ALTER))
    ev = c.feed(C, request(3, 0, b"\x55" * 32, auth=(NTLMSSP, 6, SIGNATURE)))
    assert ev == [FlowFact("rpc_auth_level", "privacy"), ProtectionSeen(Protection.RPC_PRIVACY)]
    assert c.facts.cleartext_print() == [ProtectionSeen(Protection.NONE)]  # print also crossed in clear


def test_ms_par_over_ndr64_with_object_uuids():
    ctxs = [(0, MS_PAR, [NDR]), (1, MS_PAR, [NDR64]), (2, MS_PAR, [BTFN])]
    kw = {"ctx": 1, "obj": PAR_OBJECT, "auth": INTEGRITY}
    script = [
        (C, bind(1, ctxs, auth=(NTLMSSP, 5, NTLM_NEGOTIATE))), (S, bind_ack(1, [(2, NDR), (0, NDR64), (3, BTFN)])),
        (C, auth3(1, ntlm_authenticate("carol", ws="LAPTOP-7"), 5)),
        (C, request(2, 0, open_printer_stub("\\\\srv\\Floor2", ndr64=True), **kw)),
        (S, response(2, open_printer_resp_stub(), ctx=1, auth=INTEGRITY)),
        (C, request(3, 10, start_doc_stub("report.xps", "XPS_PASS", ndr64=True), **kw)),
        (C, request(4, 12, write_stub(b"PK\x03\x04" + b"z" * 300, ndr64=True), **kw)),
        (C, request(5, 14, handle_stub(), **kw)),
    ]
    ev = feed_every_way(conv, script)
    assert facts(ev)["rpc_interfaces"] == ["MS-PAR"]
    assert facts(ev)["rpc_calls"] == ["AsyncOpenPrinter", "AsyncStartDocPrinter", "AsyncWritePrinter",
                                      "AsyncEndDocPrinter"]
    assert jobs(ev) == [
        JobStarted("dcerpc", key="k1"), JobField("user", "carol", "dcerpc", key="k1"),
        JobField("host", "LAPTOP-7", "dcerpc", key="k1"), JobField("user", "alice", "spoolss", key="k1"),
        JobField("host", "WS-ALICE", "spoolss", key="k1"),
        JobField("document_name", "report.xps", "spoolss", key="k1"),
        JobField("document_format", "XPS_PASS", "spoolss", key="k1"),
        DocumentData(b"PK\x03\x04" + b"z" * 300, "k1"), JobEnded(key="k1")]


def test_two_printer_handles_print_at_once():
    script = [(C, bind(1)), (C, request(2, 17, start_doc_stub("one"))),
              (C, request(3, 17, start_doc_stub("two", handle=HANDLE2))),
              (C, request(4, 19, write_stub(b"AAAA"))), (C, request(5, 19, write_stub(b"BBBB", handle=HANDLE2))),
              (C, request(6, 23, handle_stub(HANDLE2))), (C, request(7, 21, handle_stub(HANDLE)))]  # abort
    ev = jobs(feed_every_way(conv, script))
    assert [e for e in ev if not isinstance(e, JobField)] == [
        JobStarted("dcerpc", key="k1"), JobStarted("dcerpc", key="k2"), DocumentData(b"AAAA", "k1"),
        DocumentData(b"BBBB", "k2"), JobEnded(key="k2"), JobEnded(key="k1")]


def test_bytes_of_a_job_whose_start_was_not_seen_and_close():
    c = conv()
    c.feed(C, bind(1))
    ev = c.feed(C, request(2, 19, write_stub(b"%!PS\n")))
    assert jobs(ev) == [JobStarted("dcerpc", key="k1"), DocumentData(b"%!PS\n", "k1")]
    assert c.close() == [JobEnded(partial=True, key="k1")]
    c.feed(C, request(3, 17, start_doc_stub("x")))
    assert jobs(c.feed(C, request(4, 29, handle_stub()))) == [JobEnded(key="k2")]  # ClosePrinter


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


def test_the_endpoint_mapper_names_a_dynamic_port():
    script = [(C, bind(1, [(0, EPM, [NDR])])), (S, bind_ack(1, sec_addr=b"135\x00")),
              (C, request(2, 3, b"\x00" * 60)),
              (S, response(2, ept_map_resp_stub([tower(MS_RPRN, 49160), tower(MS_PAR, 49161)])))]
    ev = feed_every_way(conv, script)
    assert [e for e in ev if isinstance(e, EndpointExpected)] == [
        EndpointExpected(49160, Service.DCERPC, "MS-RPRN"), EndpointExpected(49161, Service.DCERPC, "MS-PAR")]
    assert facts(ev) == {"rpc_interfaces": ["EPM"]} and PrintSeen(True) not in ev


def test_kerberos_names_no_user_and_responses_come_in_fragments():
    c = conv()
    c.feed(C, bind(1, auth=(KERBEROS, 5, b"\x60\x82" + b"k" * 40)))
    assert c.facts.auth_type == "Kerberos" and c.user is None
    c.feed(C, request(2, 69, open_printer_stub("p", user="dave"), auth=INTEGRITY))
    stub = open_printer_resp_stub()
    c.feed(S, response(2, stub[:10], flags=1) + response(2, stub[10:], flags=2))
    ev = c.feed(C, request(3, 17, start_doc_stub("k.txt"), auth=INTEGRITY))
    assert JobField("user", "dave", "spoolss", key="k1") in ev
    assert c.feed(S, fault(9)) == []


def test_tables_stay_bounded():
    c = conv()
    c.feed(C, bind(1))
    for i in range(3 * MAX_HANDLES):
        c.feed(C, request(10 + i, 69, open_printer_stub("p")))
        c.feed(S, response(10 + i, open_printer_resp_stub(handle=i.to_bytes(20, "big"))))
        c.feed(C, request(1000 + i, 19, write_stub(b"x" * 8)[:30], flags=1))  # never finished
    assert len(c.handles) <= MAX_HANDLES and len(c.calls[C]) <= MAX_CALLS and len(c.jobs) <= MAX_HANDLES


def test_fuzz_only_the_protocol_error_escapes():
    seeds = [b"".join(d for _, d in rprn_session()), bind(1) + request(2, 17, start_doc_stub("a")),
             bind(1, [(0, EPM, [NDR])]) + response(2, ept_map_resp_stub([tower(MS_RPRN, 1)]))]
    fuzz(lambda: conv(strict=True), seeds, cases=1500)
    rnd = random.Random(3)
    for _ in range(800):  # both directions, gaps, never strict: nothing escapes at all
        c = conv()
        b = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 6)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        for i in range(0, len(b), 29):
            d = rnd.choice((C, S))
            c.feed(d, bytes(b[i:i + 29])) if rnd.random() < 0.9 else c.gap(d, rnd.randint(1, 300))
        c.close()
