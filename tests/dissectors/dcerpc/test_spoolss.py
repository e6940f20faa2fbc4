"""MS-RPRN / MS-PAR stubs read by hand: StartDocPrinter, WritePrinter, OpenPrinter(Ex)."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc import spoolss
from sniffprint.dissectors.dcerpc.spoolss import ClientInfo, DocInfo, Role
from tests.dissectors.dcerpc.vectors import HANDLE, open_printer_stub, start_doc_stub, write_stub


def test_start_doc_doc_info_1_every_layout():
    for ndr64 in (False, True):
        stub = start_doc_stub("Microsoft Word - Budget.docx", "NT EMF 1.008", "C:\\out.prn", ndr64=ndr64)
        assert spoolss.start_doc(stub, ndr64=ndr64) == (
            HANDLE, DocInfo("Microsoft Word - Budget.docx", "C:\\out.prn", "NT EMF 1.008"))
    single = start_doc_stub("a.txt", double_level=False)  # the arm right after one Level
    assert spoolss.start_doc(single) == (HANDLE, DocInfo("a.txt", None, "RAW"))
    assert spoolss.start_doc(start_doc_stub(None, None)) == (HANDLE, DocInfo(None, None, None))
    assert spoolss.start_doc(HANDLE + b"\x02\x00\x00\x00") is None  # level 2 does not exist
    assert spoolss.start_doc(start_doc_stub("cut.txt")[:50]) is None


def test_write_head_is_read_before_the_bytes():
    stub = write_stub(b"%!PS\n")
    assert spoolss.write_head(stub) == (HANDLE, 5, 24)
    assert stub[24:29] == b"%!PS\n"
    assert spoolss.write_head(stub[:23]) is None
    s64 = write_stub(b"%!PS\n", ndr64=True)
    assert spoolss.write_head(s64, ndr64=True) == (HANDLE, 5, 32) and spoolss.head_length(True) == 32


def test_open_printer_names_the_client():
    for ndr64 in (False, True):
        for level in (1, 3):
            stub = open_printer_stub("\\\\srv\\Floor2", level=level, devmode=b"D" * 30, ndr64=ndr64)
            assert spoolss.open_printer(stub, ndr64=ndr64) == ClientInfo("\\\\srv\\Floor2", "\\\\WS-ALICE", "alice")
    plain = open_printer_stub("\\\\srv\\Floor2", ex=False)
    assert spoolss.open_printer(plain, ex=False) == ClientInfo("\\\\srv\\Floor2")
    assert spoolss.open_printer(open_printer_stub(None, user=None)) == ClientInfo(None, "\\\\WS-ALICE", None)
    assert spoolss.open_printer(b"\x01\x00") is None


def test_call_tables():
    assert spoolss.call_name("MS-RPRN", 89) == "AddPrinterDriverEx"
    assert spoolss.call_name("MS-RPRN", 65) == "RemoteFindFirstPrinterChangeNotificationEx"
    assert spoolss.call_name("MS-PAR", 10) == "AsyncStartDocPrinter"
    assert spoolss.call_name("MS-PAR", 200) == "opnum 200"
    assert spoolss.ROLES["MS-PAR"][12] is Role.WRITE and spoolss.ROLES["MS-RPRN"][19] is Role.WRITE
    assert all(name == spoolss.RPRN_CALLS[op] for op, name in ((17, "StartDocPrinter"), (23, "EndDocPrinter")))
