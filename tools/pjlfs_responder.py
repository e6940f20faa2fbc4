#!/usr/bin/env python3
"""A PJL file-system TEST RESPONDER for the capture lab.  It is not a printer and emulates none.

    python3 tools/pjlfs_responder.py --port 9100 --volume DIR

No free printer implementation answers the PJL file-system commands, so the lab uses this small
server to put realistic printer-side replies on the wire.  It answers, as the HP PJL Technical
Reference describes them, the commands a client sends on a JetDirect port:

* ``@PJL INFO ID`` and ``@PJL INFO USTATUS``;
* ``@PJL FSINIT VOLUME="0:"``, ``FSMKDIR NAME=``, ``FSDELETE NAME=`` (no reply unless in error);
* ``@PJL FSDIRLIST NAME= ENTRY= COUNT=`` (entries ``name TYPE=DIR`` / ``name TYPE=FILE SIZE=n``);
* ``@PJL FSQUERY NAME=`` (``TYPE=FILE SIZE=n``, ``TYPE=DIR`` or ``FILEERROR=3``);
* ``@PJL FSUPLOAD NAME= OFFSET= SIZE=``: the stored file's bytes, printer to client, after a
  ``@PJL FSUPLOAD FORMAT:BINARY ...`` header line;
* ``@PJL FSDOWNLOAD FORMAT:BINARY SIZE=n NAME=``: the n bytes after the command line are a file
  the client writes to the printer; they are stored under the volume directory.

Volume ``0:`` is the directory ``--volume``; paths use ``\\`` (``/`` accepted).  Replies end with
a form feed (0x0C), except the ``INFO ID`` reply, which ends with a Universal Exit Language
sequence (ESC %-12345X) instead, as some devices do.  One client at a time; runs until killed.
"""

from __future__ import annotations

import argparse
import re
import socket
import sys
from pathlib import Path

UEL = b"\x1b%-12345X"
FF = b"\x0c"
DEVICE_ID = b'"HP LaserJet M605"'
ARG = re.compile(rb'(\w+)\s*(?:=\s*("[^"]*"|\S+)|:(\w+))')


def args_of(line: bytes) -> dict[str, str]:
    out = {}
    for key, val, fmt in ARG.findall(line):
        out[key.decode().upper()] = (val or fmt).strip(b'"').decode("latin-1")
    return out


class Volume:
    def __init__(self, root: Path):
        self.root = root

    def path(self, name: str) -> Path:
        if not name.startswith("0:"):
            raise KeyError(name)
        parts = [p for p in re.split(r"[\\/]", name[2:]) if p and p not in (".", "..")]
        return self.root.joinpath(*parts)


class Session:
    def __init__(self, sock: socket.socket, vol: Volume):
        self.sock, self.vol, self.buf = sock, vol, b""

    def line(self) -> bytes | None:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r")

    def take(self, n: int) -> bytes:
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def run(self) -> None:
        while (line := self.line()) is not None:
            while line.startswith(UEL):
                line = line[len(UEL):]
            if not line.upper().startswith(b"@PJL"):
                continue
            words = line[4:].split()
            if not words:
                continue
            cmd = words[0].upper().split(b":")[0]
            handler = getattr(self, "do_" + cmd.decode("latin-1", "replace"), None)
            if handler is not None:
                handler(line, args_of(line[4 + line[4:].upper().find(cmd) + len(cmd):]))

    # ---- commands -----------------------------------------------------------------------------
    def do_INFO(self, line: bytes, a: dict) -> None:
        what = line.split()[2].upper() if len(line.split()) > 2 else b""
        if what == b"ID":
            self.sock.sendall(b"@PJL INFO ID\r\n" + DEVICE_ID + b"\r\n" + UEL)
        elif what == b"USTATUS":
            self.sock.sendall(b"@PJL INFO USTATUS\r\nDEVICE=ON\r\nJOB=ON\r\nPAGE=OFF\r\n"
                              b"TIMED=0\r\n" + FF)

    def do_FSINIT(self, line: bytes, a: dict) -> None:
        self.vol.root.mkdir(parents=True, exist_ok=True)

    def do_FSMKDIR(self, line: bytes, a: dict) -> None:
        self.vol.path(a["NAME"]).mkdir(parents=True, exist_ok=True)

    def do_FSDELETE(self, line: bytes, a: dict) -> None:
        p = self.vol.path(a["NAME"])
        if p.is_file():
            p.unlink()
        elif p.is_dir():
            p.rmdir()
        else:
            self.sock.sendall(b'@PJL FSDELETE NAME="' + a["NAME"].encode() + b'"\r\nFILEERROR=3\r\n'
                              + FF)

    def do_FSQUERY(self, line: bytes, a: dict) -> None:
        name = a["NAME"].encode()
        p = self.vol.path(a["NAME"])
        if p.is_file():
            what = b"TYPE=FILE SIZE=%d" % p.stat().st_size
        elif p.is_dir():
            what = b"TYPE=DIR"
        else:
            what = b"FILEERROR=3"
        self.sock.sendall(b'@PJL FSQUERY NAME="' + name + b'" ' + what + b"\r\n" + FF)

    def do_FSDIRLIST(self, line: bytes, a: dict) -> None:
        p = self.vol.path(a["NAME"])
        head = b'@PJL FSDIRLIST NAME="' + a["NAME"].encode() + b'" ENTRY=' \
            + a.get("ENTRY", "1").encode() + b"\r\n"
        if not p.is_dir():
            self.sock.sendall(head + b"FILEERROR=3\r\n" + FF)
            return
        rows = [b". TYPE=DIR", b".. TYPE=DIR"]
        for child in sorted(p.iterdir()):
            if child.is_dir():
                rows.append(child.name.encode() + b" TYPE=DIR")
            else:
                rows.append(child.name.encode() + b" TYPE=FILE SIZE=%d" % child.stat().st_size)
        first = int(a.get("ENTRY", "1")) - 1
        rows = rows[first:first + int(a.get("COUNT", "65535"))]
        self.sock.sendall(head + b"".join(r + b"\r\n" for r in rows) + FF)

    def do_FSUPLOAD(self, line: bytes, a: dict) -> None:
        p = self.vol.path(a["NAME"])
        if not p.is_file():
            self.sock.sendall(b'@PJL FSUPLOAD NAME="' + a["NAME"].encode() + b'"\r\nFILEERROR=3\r\n'
                              + FF)
            return
        data = p.read_bytes()
        off = int(a.get("OFFSET", "0"))
        data = data[off:off + int(a.get("SIZE", str(len(data))))]
        self.sock.sendall(b'@PJL FSUPLOAD FORMAT:BINARY NAME="' + a["NAME"].encode()
                          + b'" OFFSET=%d SIZE=%d\r\n' % (off, len(data)) + data + FF)

    def do_FSDOWNLOAD(self, line: bytes, a: dict) -> None:
        data = self.take(int(a["SIZE"]))
        p = self.vol.path(a["NAME"])
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--volume", type=Path, required=True, help="directory served as 0:")
    args = ap.parse_args(argv)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", args.port))
    srv.listen(4)
    vol = Volume(args.volume)
    while True:
        conn, _ = srv.accept()
        with conn:
            Session(conn, vol).run()


if __name__ == "__main__":
    sys.exit(main())
