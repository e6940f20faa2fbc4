#!/usr/bin/env python3
"""A print client speaking MS-RPRN (the Print System Remote Protocol, "spoolss"), for the lab.

    python3 tools/rprn_client.py --host 10.77.0.20 --transport np  --printer Floor2 \\
        --doc-name "Microsoft Word - salary_review.docx" --file job.pcl
    python3 tools/rprn_client.py --host 10.77.0.20 --transport tcp --auth privacy ...

It does what a Windows client does to print through a print server, in this order:
EnumPrinters (level 2, optional), RpcOpenPrinter, GetPrinter (level 2, optional),
RpcStartDocPrinter (DOC_INFO_1: document name, datatype), RpcStartPagePrinter, RpcWritePrinter
(the document in chunks), RpcEndPagePrinter, RpcEndDocPrinter, RpcClosePrinter.  Over ``tcp`` it
first asks the endpoint mapper on 135 (ept_map) for the port that serves MS-RPRN, as Windows does.

impacket (PyPI) gives the DCE/RPC runtime, the transports (``ncacn_np`` over SMB1/SMB2/3,
``ncacn_ip_tcp``), NTLMSSP at every auth level and the NDR types of the calls it ships
(EnumPrinters, OpenPrinter, ClosePrinter); the calls it lacks (GetPrinter, StartDocPrinter,
StartPagePrinter, WritePrinter, EndPagePrinter, EndDocPrinter) are declared here from the IDL in
[MS-RPRN] section 3.1.4.  Prints one JSON object describing what was done.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from impacket.dcerpc.v5 import epm, rprn, transport
from impacket.dcerpc.v5.dtypes import DWORD, LPWSTR, NULL, ULONG
from impacket.dcerpc.v5.ndr import NDRCALL, NDRPOINTER, NDRSTRUCT, NDRUNION
from impacket.dcerpc.v5.rpcrt import (
    PFC_LAST_FRAG,
    RPC_C_AUTHN_LEVEL_CONNECT,
    RPC_C_AUTHN_LEVEL_NONE,
    RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
    RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
    RPC_C_AUTHN_WINNT,
)
from impacket.nt_errors import STATUS_BUFFER_OVERFLOW
from impacket.smb import SMB_DIALECT
from impacket.smb3 import SessionError as SMB3SessionError
from impacket.smb3structs import FSCTL_PIPE_TRANSCEIVE, SMB2_0_IOCTL_IS_FSCTL, SMB2Ioctl_Response

AUTH_LEVELS = {"none": RPC_C_AUTHN_LEVEL_NONE, "connect": RPC_C_AUTHN_LEVEL_CONNECT,
               "integrity": RPC_C_AUTHN_LEVEL_PKT_INTEGRITY,
               "privacy": RPC_C_AUTHN_LEVEL_PKT_PRIVACY}
PRINTER_ACCESS_USE = 0x00000008
PRINTER_ENUM_LOCAL = 0x00000002


# ---- [MS-RPRN] 2.2.1.2.2 DOC_INFO_CONTAINER / 2.2.1.7.1 DOC_INFO_1 -----------------------------
class DOC_INFO_1(NDRSTRUCT):
    structure = (("pDocName", LPWSTR), ("pOutputFile", LPWSTR), ("pDatatype", LPWSTR))


class PDOC_INFO_1(NDRPOINTER):
    referent = (("Data", DOC_INFO_1),)


class DOC_INFO_UNION(NDRUNION):
    commonHdr = (("tag", ULONG),)
    union = {1: ("pDocInfo1", PDOC_INFO_1)}


class DOC_INFO_CONTAINER(NDRSTRUCT):
    structure = (("Level", DWORD), ("DocInfo", DOC_INFO_UNION))


# ---- calls impacket does not declare (opnums from [MS-RPRN] 3.1.4) ------------------------------
class RpcGetPrinter(NDRCALL):
    opnum = 8
    structure = (("hPrinter", rprn.PRINTER_HANDLE), ("Level", DWORD),
                 ("pPrinter", rprn.PBYTE_ARRAY), ("cbBuf", DWORD))


class RpcGetPrinterResponse(NDRCALL):
    structure = (("pPrinter", rprn.PBYTE_ARRAY), ("pcbNeeded", DWORD), ("ErrorCode", ULONG))


class RpcStartDocPrinter(NDRCALL):
    opnum = 17
    structure = (("hPrinter", rprn.PRINTER_HANDLE), ("pDocInfoContainer", DOC_INFO_CONTAINER))


class RpcStartDocPrinterResponse(NDRCALL):
    structure = (("pJobId", DWORD), ("ErrorCode", ULONG))


class RpcStartPagePrinter(NDRCALL):
    opnum = 18
    structure = (("hPrinter", rprn.PRINTER_HANDLE),)


class RpcStartPagePrinterResponse(NDRCALL):
    structure = (("ErrorCode", ULONG),)


class RpcWritePrinter(NDRCALL):
    opnum = 19
    # [in, size_is(cbBuf)] BYTE* pBuf: a top-level [in] pointer is a reference pointer, so the
    # conformant array is marshalled in place
    structure = (("hPrinter", rprn.PRINTER_HANDLE), ("pBuf", rprn.BYTE_ARRAY), ("cbBuf", DWORD))


class RpcWritePrinterResponse(NDRCALL):
    structure = (("pcWritten", DWORD), ("ErrorCode", ULONG))


class RpcEndPagePrinter(NDRCALL):
    opnum = 20
    structure = (("hPrinter", rprn.PRINTER_HANDLE),)


class RpcEndPagePrinterResponse(NDRCALL):
    structure = (("ErrorCode", ULONG),)


class RpcEndDocPrinter(NDRCALL):
    opnum = 23
    structure = (("hPrinter", rprn.PRINTER_HANDLE),)


class RpcEndDocPrinterResponse(NDRCALL):
    structure = (("ErrorCode", ULONG),)


class TransceiveTransport(transport.SMBTransport):
    """ncacn_np over SMB2/3 the way Windows' RPC runtime does it: each call's last fragment goes
    out in FSCTL_PIPE_TRANSCEIVE with a small MaxOutputResponse; a reply that does not fit comes
    back with STATUS_BUFFER_OVERFLOW and the rest of the pipe message is fetched with READ, as are
    further response fragments.  (impacket's own SMBTransport only WRITEs and READs the pipe.)"""

    def __init__(self, *a, max_output: int = 1024, **kw):
        super().__init__(*a, **kw)
        self.max_output = max_output
        self._buf = b""
        self.overflows = 0
        self.transceives = 0

    def _ids(self) -> tuple[int, object]:
        return self._SMBTransport__tid, self._SMBTransport__handle  # type: ignore[attr-defined]

    def send(self, data, forceWriteAndx=0, forceRecv=0):
        tid, fid = self._ids()
        conn = self.get_smb_connection()
        if not data[3] & PFC_LAST_FRAG:     # request fragments before the last one: WRITE
            conn.writeFile(tid, fid, data)
            return
        self.transceives += 1
        try:
            self._buf = conn.getSMBServer().ioctl(tid, fid, FSCTL_PIPE_TRANSCEIVE,
                                                  SMB2_0_IOCTL_IS_FSCTL, data,
                                                  maxOutputResponse=self.max_output)
        except SMB3SessionError as e:
            if e.get_error_code() != STATUS_BUFFER_OVERFLOW:
                raise
            self.overflows += 1
            self._buf = SMB2Ioctl_Response(e.get_error_packet()["Data"])["Buffer"]

    def recv(self, forceRecv=0, count=0):
        if self._buf:
            out, self._buf = self._buf, b""
            return out
        tid, fid = self._ids()
        return self.get_smb_connection().readFile(tid, fid, bytesToRead=self._max_recv_frag or 4280)


def check(resp, what: str) -> None:
    code = resp["ErrorCode"]
    if code != 0:
        raise SystemExit(f"{what} failed: WERROR 0x{code:08x}")


def connect(args) -> tuple[object, dict]:
    info: dict = {"transport": args.transport, "auth_level": args.auth}
    if args.transport == "tcp":
        # ept_map on 135 (unauthenticated, as Windows does) names the dynamic port
        binding = epm.hept_map(args.host, rprn.MSRPC_UUID_RPRN, protocol="ncacn_ip_tcp")
        info["epm_binding"] = binding
        info["port"] = int(binding.rsplit("[", 1)[1].rstrip("]"))
        trans = transport.DCERPCTransportFactory(binding)
        trans.set_credentials(args.user, args.password, args.domain)
    else:
        kind = transport.SMBTransport
        extra = {}
        if args.transceive:
            kind, extra = TransceiveTransport, {"max_output": args.transceive}
        trans = kind(args.remote_name or args.host, args.port, r"\spoolss",
                     username=args.user, password=args.password, domain=args.domain,
                     remote_host=args.host, **extra)
        if args.smb1:
            trans.preferred_dialect(SMB_DIALECT)
        info["port"] = args.port
        info["smb1"] = args.smb1
    dce = trans.get_dce_rpc()
    if args.auth != "none":
        dce.set_auth_type(RPC_C_AUTHN_WINNT)
        dce.set_auth_level(AUTH_LEVELS[args.auth])
    dce.connect()
    dce.bind(rprn.MSRPC_UUID_RPRN)
    return dce, info


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--transport", choices=("np", "tcp"), default="np")
    ap.add_argument("--port", type=int, default=445, help="SMB port for np (445 or 139)")
    ap.add_argument("--remote-name", help="NetBIOS name to call on 139 (default: --host)")
    ap.add_argument("--smb1", action="store_true", help="SMB1 (NT LM 0.12) for np")
    ap.add_argument("--transceive", type=int, metavar="MAX_OUT",
                    help="np over SMB2/3: FSCTL_PIPE_TRANSCEIVE with this MaxOutputResponse")
    ap.add_argument("--auth", choices=sorted(AUTH_LEVELS), default="none",
                    help="DCE/RPC auth level (NTLMSSP) of the bind; 'none' binds unauthenticated")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="")
    ap.add_argument("--domain", default="")
    ap.add_argument("--printer", default="Floor2")
    ap.add_argument("--server-name", help="server part of the printer name (default: --host)")
    ap.add_argument("--enum", action="store_true", help="EnumPrinters level 2 first")
    ap.add_argument("--getprinter", action="store_true", help="GetPrinter level 2 on the handle")
    ap.add_argument("--doc-name", help="RpcStartDocPrinter document name")
    ap.add_argument("--datatype", default="RAW")
    ap.add_argument("--file", type=Path, help="document to send with RpcWritePrinter")
    ap.add_argument("--chunk", type=int, default=4096, help="bytes per RpcWritePrinter call")
    args = ap.parse_args(argv)

    dce, info = connect(args)
    calls: list[str] = []
    if args.enum:
        resp = rprn.hRpcEnumPrinters(dce, PRINTER_ENUM_LOCAL, NULL, 2)
        info["enum_printers_returned"] = resp["pcReturned"]
        info["enum_printers_bytes"] = len(b"".join(resp["pPrinterEnum"]))
        calls.append("RpcEnumPrinters")
    server = f"\\\\{args.server_name or args.host}"
    resp = rprn.hRpcOpenPrinter(dce, f"{server}\\{args.printer}\x00",
                                accessRequired=PRINTER_ACCESS_USE)
    check(resp, "RpcOpenPrinter")
    handle = resp["pHandle"]
    calls.append("RpcOpenPrinter")
    if args.getprinter:
        req = RpcGetPrinter()
        req["hPrinter"], req["Level"], req["pPrinter"], req["cbBuf"] = handle, 2, NULL, 0
        first = dce.request(req, checkError=False)
        need = first["pcbNeeded"]
        req = RpcGetPrinter()
        req["hPrinter"], req["Level"], req["pPrinter"], req["cbBuf"] = handle, 2, b"\0" * need, need
        resp = dce.request(req)
        check(resp, "RpcGetPrinter")
        info["get_printer_bytes"] = need
        calls += ["RpcGetPrinter", "RpcGetPrinter"]
    if args.file is not None:
        data = args.file.read_bytes()
        req = RpcStartDocPrinter()
        req["hPrinter"] = handle
        req["pDocInfoContainer"]["Level"] = 1
        req["pDocInfoContainer"]["DocInfo"]["tag"] = 1
        di = req["pDocInfoContainer"]["DocInfo"]["pDocInfo1"]
        di["pDocName"] = args.doc_name + "\x00"
        di["pOutputFile"] = NULL
        di["pDatatype"] = args.datatype + "\x00"
        resp = dce.request(req)
        check(resp, "RpcStartDocPrinter")
        info["job_id"] = resp["pJobId"]
        calls.append("RpcStartDocPrinter")
        req = RpcStartPagePrinter()
        req["hPrinter"] = handle
        check(dce.request(req), "RpcStartPagePrinter")
        calls.append("RpcStartPagePrinter")
        written = 0
        for off in range(0, len(data), args.chunk):
            piece = data[off:off + args.chunk]
            req = RpcWritePrinter()
            req["hPrinter"], req["pBuf"], req["cbBuf"] = handle, piece, len(piece)
            resp = dce.request(req)
            check(resp, "RpcWritePrinter")
            written += resp["pcWritten"]
            calls.append("RpcWritePrinter")
        info["written"] = written
        for call in (RpcEndPagePrinter, RpcEndDocPrinter):
            req = call()
            req["hPrinter"] = handle
            check(dce.request(req), call.__name__)
            calls.append(call.__name__)
    check(rprn.hRpcClosePrinter(dce, handle), "RpcClosePrinter")
    calls.append("RpcClosePrinter")
    dce.disconnect()
    info["calls"] = calls
    trans = dce.get_rpc_transport()
    if isinstance(trans, TransceiveTransport):
        info["transceive_requests"] = trans.transceives
        info["transceive_buffer_overflows"] = trans.overflows
    print(json.dumps(info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
