"""One DCE/RPC association end to end: whole print sessions fed every way, the endpoint mapper, fuzz."""
from __future__ import annotations

import random

from sniffprint.dissectors.events import (
    DocumentData,
    EndpointExpected,
    JobEnded,
    JobField,
    JobStarted,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.model import Service
from tests.dissectors.dcerpc.sessions import DOC, INTEGRITY, C, S, conv, facts, jobs, rprn_session
from tests.dissectors.dcerpc.vectors import (
    BTFN,
    EPM,
    MS_PAR,
    MS_RPRN,
    NDR,
    NDR64,
    NTLM_NEGOTIATE,
    NTLMSSP,
    PAR_OBJECT,
    auth3,
    bind,
    bind_ack,
    ept_map_resp_stub,
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


def test_the_endpoint_mapper_names_a_dynamic_port():
    script = [(C, bind(1, [(0, EPM, [NDR])])), (S, bind_ack(1, sec_addr=b"135\x00")),
              (C, request(2, 3, b"\x00" * 60)),
              (S, response(2, ept_map_resp_stub([tower(MS_RPRN, 49160), tower(MS_PAR, 49161)])))]
    ev = feed_every_way(conv, script)
    assert [e for e in ev if isinstance(e, EndpointExpected)] == [
        EndpointExpected(49160, Service.DCERPC, "MS-RPRN"), EndpointExpected(49161, Service.DCERPC, "MS-PAR")]
    assert facts(ev) == {"rpc_interfaces": ["EPM"]} and PrintSeen(True) not in ev


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
