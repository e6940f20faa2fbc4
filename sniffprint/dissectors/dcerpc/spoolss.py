"""The print interfaces: MS-RPRN (spoolss, ``12345678-1234-abcd-ef00-0123456789ab``) and MS-PAR
(IRemoteWinspool, ``76f03f96-cdfd-44fc-a22c-64950a001209``): the names of their calls, the calls
that make a job, and the request stubs that are read.

Read from: MS-RPRN 3.1.4 (the method table and opnums), 3.1.4.2.2 / 3.1.4.2.14 (RpcOpenPrinter,
RpcOpenPrinterEx), 3.1.4.9.1-3.1.4.9.7 (RpcStartDocPrinter, RpcStartPagePrinter,
RpcWritePrinter, RpcEndPagePrinter, RpcAbortPrinter, RpcEndDocPrinter), 2.2.1.2.1 / 2.2.1.2.14 /
2.2.1.7.1 (DOC_INFO_CONTAINER, SPLCLIENT_CONTAINER, DOC_INFO_1, SPLCLIENT_INFO_1/3), 2.2.1.2.1
(DEVMODE_CONTAINER); MS-PAR 3.1.4 (RpcAsync* opnums; each async method takes the stub of its
MS-RPRN counterpart, RpcAsyncOpenPrinter that of RpcOpenPrinterEx without the binding handle,
which is not on the wire); MS-RPCE 2.2.4.5 (ms_union: the discriminant of a non-encapsulated
union is marshalled before the arm, so DOC_INFO_CONTAINER carries its Level twice).

What a job is, over RPC: RpcStartDocPrinter on a printer handle starts it (DOC_INFO_1: the
document name, the output file, the datatype), RpcWritePrinter carries its bytes (the document as
the driver rendered it: RAW PCL/PostScript, EMF spool, XPS), RpcEndDocPrinter (or RpcAbortPrinter,
or RpcClosePrinter of the handle) ends it. RpcOpenPrinterEx names the client machine and user
(SPLCLIENT_INFO_1/3), used when the authentication names nobody (Kerberos).

Invariants: the parsers read a complete stub with ``ndr.Ndr`` and return None when it does not
fit the IDL (never raise); WritePrinter's data is not parsed here, only where it starts.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import Enum

from .ndr import Ndr, NdrError

MS_RPRN = uuid.UUID("12345678-1234-abcd-ef00-0123456789ab")  # MS-RPRN 1.9, version 1.0
MS_PAR = uuid.UUID("76f03f96-cdfd-44fc-a22c-64950a001209")  # MS-PAR 1.9, version 1.0
INTERFACE_NAMES = {MS_RPRN: "MS-RPRN", MS_PAR: "MS-PAR"}
FAMILY = {"MS-RPRN": "spoolss", "MS-PAR": "winspool"}  # how findings name the calls of each


class Role(Enum):
    """What a call does to a job."""

    OPEN = "open"  # OpenPrinter(Ex) / AsyncOpenPrinter: a handle, and who asks for it
    START_DOC = "start_doc"
    WRITE = "write"
    END_DOC = "end_doc"
    ABORT = "abort"
    CLOSE = "close"  # ClosePrinter: a job still open on the handle is over


# MS-RPRN 3.1.4, opnum -> method name without "Rpc" (opnums "NotUsedOnWire" are left out)
RPRN_CALLS = {
    0: "EnumPrinters", 1: "OpenPrinter", 2: "SetJob", 3: "GetJob", 4: "EnumJobs", 5: "AddPrinter",
    6: "DeletePrinter", 7: "SetPrinter", 8: "GetPrinter", 9: "AddPrinterDriver", 10: "EnumPrinterDrivers",
    11: "GetPrinterDriver", 12: "GetPrinterDriverDirectory", 13: "DeletePrinterDriver", 14: "AddPrintProcessor",
    15: "EnumPrintProcessors", 16: "GetPrintProcessorDirectory", 17: "StartDocPrinter", 18: "StartPagePrinter",
    19: "WritePrinter", 20: "EndPagePrinter", 21: "AbortPrinter", 22: "ReadPrinter", 23: "EndDocPrinter",
    24: "AddJob", 25: "ScheduleJob", 26: "GetPrinterData", 27: "SetPrinterData", 28: "WaitForPrinterChange",
    29: "ClosePrinter", 30: "AddForm", 31: "DeleteForm", 32: "GetForm", 33: "SetForm", 34: "EnumForms",
    35: "EnumPorts", 36: "EnumMonitors", 39: "DeletePort", 40: "CreatePrinterIC", 41: "PlayGdiScriptOnPrinterIC",
    42: "DeletePrinterIC", 46: "AddMonitor", 47: "DeleteMonitor", 48: "DeletePrintProcessor",
    51: "EnumPrintProcDatatypes", 52: "ResetPrinter", 53: "GetPrinterDriver2", 56: "FindClosePrinterChangeNotification",
    58: "ReplyOpenPrinter", 59: "RouterReplyPrinter", 60: "ReplyClosePrinter", 61: "AddPortEx",
    62: "RemoteFindFirstPrinterChangeNotification", 65: "RemoteFindFirstPrinterChangeNotificationEx",
    66: "RouterReplyPrinterEx", 67: "RouterRefreshPrinterChangeNotification", 69: "OpenPrinterEx",
    70: "AddPrinterEx", 71: "SetPort", 72: "EnumPrinterData", 73: "DeletePrinterData", 77: "SetPrinterDataEx",
    78: "GetPrinterDataEx", 79: "EnumPrinterDataEx", 80: "EnumPrinterKey", 81: "DeletePrinterDataEx",
    82: "DeletePrinterKey", 84: "DeletePrinterDriverEx", 85: "AddPerMachineConnection",
    86: "DeletePerMachineConnection", 87: "EnumPerMachineConnections", 88: "XcvData", 89: "AddPrinterDriverEx",
    96: "FlushPrinter", 97: "SendRecvBidiData", 102: "GetCorePrinterDrivers", 104: "GetPrinterDriverPackagePath",
    110: "GetJobNamedPropertyValue", 111: "SetJobNamedProperty", 112: "DeleteJobNamedProperty",
    113: "EnumJobNamedProperties", 116: "LogJobInfoForBranchOffice", 117: "RegeneratePrintDeviceCapabilities",
    119: "IppCreateJobOnPrinter", 120: "IppGetJobAttributes", 121: "IppSetJobAttributes",
    122: "IppGetPrinterAttributes", 123: "IppSetPrinterAttributes",
}
# MS-PAR 3.1.4, opnum -> method name without "Rpc"
PAR_CALLS = {
    0: "AsyncOpenPrinter", 1: "AsyncAddPrinter", 2: "AsyncSetJob", 3: "AsyncGetJob", 4: "AsyncEnumJobs",
    5: "AsyncAddJob", 6: "AsyncScheduleJob", 7: "AsyncDeletePrinter", 8: "AsyncSetPrinter", 9: "AsyncGetPrinter",
    10: "AsyncStartDocPrinter", 11: "AsyncStartPagePrinter", 12: "AsyncWritePrinter", 13: "AsyncEndPagePrinter",
    14: "AsyncEndDocPrinter", 15: "AsyncAbortPrinter", 16: "AsyncGetPrinterData", 17: "AsyncGetPrinterDataEx",
    18: "AsyncSetPrinterData", 19: "AsyncSetPrinterDataEx", 20: "AsyncClosePrinter", 21: "AsyncAddForm",
    22: "AsyncDeleteForm", 23: "AsyncGetForm", 24: "AsyncSetForm", 25: "AsyncEnumForms",
    26: "AsyncGetPrinterDriver", 27: "AsyncEnumPrinterData", 28: "AsyncEnumPrinterDataEx",
    29: "AsyncEnumPrinterKey", 30: "AsyncDeletePrinterData", 31: "AsyncDeletePrinterDataEx",
    32: "AsyncDeletePrinterKey", 33: "AsyncXcvData", 34: "AsyncSendRecvBidiData", 35: "AsyncCreatePrinterIC",
    36: "AsyncPlayGdiScriptOnPrinterIC", 37: "AsyncDeletePrinterIC", 38: "AsyncEnumPrinters",
    39: "AsyncAddPrinterDriver", 40: "AsyncEnumPrinterDrivers", 41: "AsyncGetPrinterDriverDirectory",
    42: "AsyncDeletePrinterDriver", 43: "AsyncDeletePrinterDriverEx", 44: "AsyncAddPrintProcessor",
    45: "AsyncEnumPrintProcessors", 46: "AsyncGetPrintProcessorDirectory", 47: "AsyncEnumPorts",
    48: "AsyncEnumMonitors", 49: "AsyncAddPort", 50: "AsyncSetPort", 51: "AsyncAddMonitor",
    52: "AsyncDeleteMonitor", 53: "AsyncDeletePrintProcessor", 54: "AsyncEnumPrintProcessorDatatypes",
    55: "AsyncAddPerMachineConnection", 56: "AsyncDeletePerMachineConnection",
    57: "AsyncEnumPerMachineConnections", 58: "SyncRegisterForRemoteNotifications",
    59: "SyncUnRegisterForRemoteNotifications", 60: "SyncRefreshRemoteNotifications",
    61: "AsyncGetRemoteNotifications", 62: "AsyncInstallPrinterDriverFromPackage",
    63: "AsyncUploadPrinterDriverPackage", 64: "AsyncGetCorePrinterDrivers", 65: "AsyncCorePrinterDriverInstalled",
    66: "AsyncGetPrinterDriverPackagePath", 67: "AsyncDeletePrinterDriverPackage", 68: "AsyncReadPrinter",
    69: "AsyncResetPrinter", 70: "AsyncGetJobNamedPropertyValue", 71: "AsyncSetJobNamedProperty",
    72: "AsyncDeleteJobNamedProperty", 73: "AsyncEnumJobNamedProperties", 74: "AsyncLogJobInfoForBranchOffice",
}
CALLS = {"MS-RPRN": RPRN_CALLS, "MS-PAR": PAR_CALLS}
# opnum -> role, per interface; RpcOpenPrinter (1) has no SPLCLIENT_CONTAINER, OpenPrinterEx (69) has
ROLES = {
    "MS-RPRN": {1: Role.OPEN, 69: Role.OPEN, 17: Role.START_DOC, 19: Role.WRITE, 21: Role.ABORT, 23: Role.END_DOC,
                29: Role.CLOSE},
    "MS-PAR": {0: Role.OPEN, 10: Role.START_DOC, 12: Role.WRITE, 15: Role.ABORT, 14: Role.END_DOC, 20: Role.CLOSE},
}
OPEN_EX = {("MS-RPRN", 69), ("MS-PAR", 0)}  # the open calls that carry an SPLCLIENT_CONTAINER
MAX_DEVMODE = 1 << 16  # a DEVMODE is a few hundred bytes to a few KiB


def call_name(interface: str, opnum: int) -> str:
    return CALLS.get(interface, {}).get(opnum, f"opnum {opnum}")


@dataclass(slots=True, frozen=True)
class DocInfo:
    """DOC_INFO_1 (MS-RPRN 2.2.1.7.1)."""

    document_name: str | None
    output_file: str | None
    datatype: str | None


@dataclass(slots=True, frozen=True)
class ClientInfo:
    """What an open call says: the printer asked for, and SPLCLIENT_INFO's machine and user."""

    printer: str | None
    machine: str | None = None
    user: str | None = None


def _struct_align(r: Ndr) -> None:
    """A structure holding a pointer starts 4-byte aligned in NDR, 8-byte aligned in NDR64."""
    r.align(8 if r.ndr64 else 4)


def _union_arm(r: Ndr, level: int) -> int:
    """The pointer arm of a non-encapsulated union embedded after its ``Level`` field.

    ms_union (MS-RPCE 2.2.4.5) marshals the discriminant again before the arm; a stub with a
    single Level (the arm right after it) is accepted too, told apart by the second word: a
    repeated Level, or a referent id (never as small as a level).
    """
    save = r.pos
    again = r.u32()
    if again == level:
        return r.pointer()
    r.pos = save
    return r.pointer()


def start_doc(stub: bytes | memoryview, little: bool = True, ndr64: bool = False) -> tuple[bytes, DocInfo] | None:
    """RpcStartDocPrinter / RpcAsyncStartDocPrinter: the printer handle and DOC_INFO_1."""
    r = Ndr(stub, little, ndr64)
    try:
        handle = r.handle()
        _struct_align(r)
        level = r.u32()
        if level != 1:
            return None
        if not _union_arm(r, level):
            return handle, DocInfo(None, None, None)
        _struct_align(r)  # the deferred DOC_INFO_1: three embedded [string] pointers
        ptrs = (r.pointer(), r.pointer(), r.pointer())
        vals = [r.wstring() if p else None for p in ptrs]
    except NdrError:
        return None
    return handle, DocInfo(*vals)


def write_head(stub: bytes | memoryview, little: bool = True, ndr64: bool = False) -> tuple[bytes, int, int] | None:
    """RpcWritePrinter / RpcAsyncWritePrinter ([in] handle, [in, size_is(cbBuf)] BYTE* pBuf, ...):
    the handle, the byte count and the offset where the bytes start; None until the stub holds
    them. pBuf is a top-level [ref] pointer: only the array's maximum count is on the wire."""
    r = Ndr(stub, little, ndr64)
    try:
        handle = r.handle()
        count = r.count()
    except NdrError:
        return None
    return handle, count, r.pos


def head_length(ndr64: bool) -> int:
    """Stub bytes ``write_head`` needs: the handle and the (aligned) count."""
    return 32 if ndr64 else 24


def open_printer(stub: bytes | memoryview, little: bool = True, ndr64: bool = False,
                 ex: bool = True) -> ClientInfo | None:
    """RpcOpenPrinter(Ex) / RpcAsyncOpenPrinter: the printer name and, with ``ex``, the client's
    SPLCLIENT_INFO (level 1 or 3: machine and user names)."""
    r = Ndr(stub, little, ndr64)
    try:
        printer = r.unique_wstring()
        r.unique_wstring()  # pDatatype
        _struct_align(r)  # DEVMODE_CONTAINER: cbBuf, then a [unique] pointer to the bytes
        r.u32()
        if r.pointer():
            r.skip(r.conformant_bytes(MAX_DEVMODE))
        r.u32()  # AccessRequired
        if not ex:
            return ClientInfo(printer)
        _struct_align(r)  # SPLCLIENT_CONTAINER
        level = r.u32()
        if level not in (1, 3) or not _union_arm(r, level):
            return ClientInfo(printer)
        if level == 1:  # dwSize, pMachineName, pUserName, build/major/minor, architecture
            _struct_align(r)
            r.u32()
            machine_p, user_p = r.pointer(), r.pointer()
            r.u32(), r.u32(), r.u32(), r.u16()
        else:  # level 3: cbSize, dwFlags, dwSize, pMachineName, pUserName, ..., hSplPrinter (hyper)
            r.align(8)
            r.u32(), r.u32(), r.u32()
            machine_p, user_p = r.pointer(), r.pointer()
            r.u32(), r.u32(), r.u32(), r.u16()
            r.u64()
        machine = r.wstring() if machine_p else None
        user = r.wstring() if user_p else None
    except NdrError:
        return None
    return ClientInfo(printer, machine, user)
