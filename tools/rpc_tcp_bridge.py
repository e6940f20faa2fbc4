#!/usr/bin/env python3
"""Serve Samba's spoolss on a TCP port by carrying DCE/RPC PDUs to its \\spoolss pipe (lab only).

    python3 tools/rpc_tcp_bridge.py --listen 49160 --smb-host 127.0.0.1 --user U --password P

Samba 4.17 serves MS-RPRN only on ``ncacn_np`` and ``ncalrpc`` (the endpoints its IDL names), and
its spoolss refuses OpenPrinter over ncalrpc (it wants an IP address for the client).  So the
capture lab puts this bridge on the print server: it accepts ``ncacn_ip_tcp`` connections and
passes every connection-oriented DCE/RPC PDU unchanged, in both directions, to a \\spoolss pipe it
opens over SMB on the server's own loopback.  The client's bind (its NTLMSSP authentication at
any level, sealing included) is therefore answered by Samba itself; only the bind_ack's
secondary address reads ``\\PIPE\\spoolss`` where Windows would put the port.  One connection
at a time, one pipe per connection; it runs until terminated.
"""

from __future__ import annotations

import argparse
import contextlib
import socket
import struct
import sys

from impacket.smbconnection import SMBConnection

PFC_LAST_FRAG = 0x02
BIND, ALTER_CONTEXT, AUTH3, REQUEST, FAULT = 11, 14, 16, 0, 3
BIND_NAK = 13


def recv_exact(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


class Pipe:
    """The \\spoolss pipe, read PDU by PDU."""

    def __init__(self, args) -> None:
        self.conn = SMBConnection(args.smb_host, args.smb_host, sess_port=445)
        self.conn.login(args.user, args.password)
        self.tid = self.conn.connectTree("IPC$")
        self.fid = self.conn.openFile(self.tid, r"\spoolss")
        self.buf = b""

    def write(self, pdu: bytes) -> None:
        self.conn.writeFile(self.tid, self.fid, pdu)

    def read_pdu(self) -> bytes:
        while len(self.buf) < 10 or len(self.buf) < struct.unpack_from("<H", self.buf, 8)[0]:
            self.buf += self.conn.readFile(self.tid, self.fid, bytesToRead=65536)
        n = struct.unpack_from("<H", self.buf, 8)[0]
        pdu, self.buf = self.buf[:n], self.buf[n:]
        return pdu

    def close(self) -> None:
        for step in (lambda: self.conn.closeFile(self.tid, self.fid), self.conn.logoff):
            with contextlib.suppress(Exception):   # the client has gone; nothing to report
                step()


def serve(client: socket.socket, args) -> None:
    pipe = Pipe(args)
    try:
        while True:
            head = recv_exact(client, 16)
            pdu = head + recv_exact(client, struct.unpack_from("<H", head, 8)[0] - 16)
            pipe.write(pdu)
            ptype, flags = pdu[2], pdu[3]
            if ptype in (BIND, ALTER_CONTEXT):
                client.sendall(pipe.read_pdu())
            elif ptype == REQUEST and flags & PFC_LAST_FRAG:
                while True:             # every response fragment, up to the last one
                    out = pipe.read_pdu()
                    client.sendall(out)
                    if out[2] in (FAULT, BIND_NAK) or out[3] & PFC_LAST_FRAG:
                        break
    except EOFError:
        pass
    finally:
        pipe.close()
        client.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--smb-host", default="127.0.0.1")
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    args = ap.parse_args(argv)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", args.listen))
    srv.listen(4)
    print("listening", flush=True)
    while True:
        client, _ = srv.accept()
        serve(client, args)


if __name__ == "__main__":
    sys.exit(main())
