"""Whole DCE/RPC association scripts and the helpers the ``RpcConversation`` tests share: a
conversation factory, and filters for the flow facts and the job events a run produced."""
from __future__ import annotations

import itertools

from sniffprint.dissectors.dcerpc.conversation import RpcConversation, RpcFacts
from sniffprint.dissectors.events import DocumentData, DocumentGap, FlowFact, JobEnded, JobField, JobStarted
from sniffprint.model import Direction
from tests.dissectors.dcerpc.vectors import (
    NTLM_NEGOTIATE,
    NTLMSSP,
    SIGNATURE,
    auth3,
    bind,
    bind_ack,
    fragments,
    handle_stub,
    ntlm_authenticate,
    open_printer_resp_stub,
    open_printer_stub,
    request,
    response,
    start_doc_stub,
    write_stub,
)

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
