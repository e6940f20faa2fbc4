"""dissectors/ipp_names.py: operation and status names, unknown codes shown as hex."""
from __future__ import annotations

from sniffprint.dissectors.ipp_names import DOCUMENT_OPERATIONS, OP_PRINT_JOB, operation_name, status_name


def test_names_and_unknown_codes() -> None:
    assert status_name(0x0400) == "client-error-bad-request"
    assert status_name(0x0ABC) == "0x0ABC"
    assert operation_name(0x000B) == "Get-Printer-Attributes"
    assert operation_name(0x4002) == "CUPS-Get-Printers"
    assert operation_name(0x7777) == "0x7777"
    assert OP_PRINT_JOB in DOCUMENT_OPERATIONS
