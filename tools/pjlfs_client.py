#!/usr/bin/env python3
"""A PJL file-system session on a JetDirect port, as printer-exploitation tools run one (lab).

    python3 tools/pjlfs_client.py --host H --port 9100 --out DIR --put LOCAL REMOTE \\
        --get REMOTE ... --delete REMOTE

Each command is sent after a Universal Exit Language sequence, as a separate PJL job would be:
INFO ID, INFO USTATUS, FSINIT, FSDIRLIST of the volume root and of every directory holding a
--get file, FSQUERY and FSUPLOAD (OFFSET=0, the size FSQUERY gave) of every --get file,
FSMKDIR and FSDOWNLOAD FORMAT:BINARY of the --put file, FSQUERY of it, then FSDELETE of every
--delete path and a last FSDIRLIST.  A reply is read up to its form feed, or up to an ESC
(UEL) for devices that end replies that way; an FSUPLOAD reply's data is read by the SIZE its
header line gives, since a file may itself hold form feeds.  Files read back are saved under
--out with their PJL path's last component; a JSON summary goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import sys
from pathlib import Path

UEL = b"\x1b%-12345X"
FF, ESC = b"\x0c", b"\x1b"


class Printer:
    def __init__(self, host: str, port: int):
        self.sock = socket.create_connection((host, port), timeout=20)
        self.buf = b""
        self.sent: list[str] = []
        self.terminators = {"FF": 0, "UEL": 0}

    def send(self, command: str, data: bytes = b"") -> None:
        self.sent.append(command)
        self.sock.sendall(UEL + b"@PJL " + command.encode("latin-1") + b"\r\n" + data)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise SystemExit("printer closed the connection")
        self.buf += chunk

    def reply(self) -> bytes:
        """Up to the form feed or the ESC that ends a reply (the terminator is consumed)."""
        while True:
            ends = [i for i in (self.buf.find(FF), self.buf.find(ESC)) if i >= 0]
            if ends:
                end = min(ends)
                if self.buf[end:end + 1] == ESC:
                    while len(self.buf) < end + len(UEL):
                        self._fill()
                    size, kind = len(UEL), "UEL"
                else:
                    size, kind = 1, "FF"
                out, self.buf = self.buf[:end], self.buf[end + size:]
                self.terminators[kind] += 1
                return out
            self._fill()

    def upload(self, name: str, size: int) -> bytes:
        self.send(f'FSUPLOAD NAME="{name}" OFFSET=0 SIZE={size}')
        while b"\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n", 1)
        m = re.search(rb"SIZE=(\d+)", head)
        if not head.startswith(b"@PJL FSUPLOAD") or m is None:
            raise SystemExit(f"FSUPLOAD {name}: {head!r}")
        n = int(m.group(1))
        while len(self.buf) < n + 1:
            self._fill()
        data, term, self.buf = self.buf[:n], self.buf[n:n + 1], self.buf[n + 1:]
        if term != FF:
            raise SystemExit(f"FSUPLOAD {name}: reply not ended by a form feed")
        self.terminators["FF"] += 1
        return data


def parent(name: str) -> str:
    head = name.rsplit("\\", 1)[0]
    return head + "\\" if head.endswith(":") else head


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=9100)
    ap.add_argument("--out", type=Path, required=True, help="where files read back are saved")
    ap.add_argument("--get", action="append", default=[], help="PJL path to read back")
    ap.add_argument("--put", nargs=2, metavar=("LOCAL", "REMOTE"), help="file to write")
    ap.add_argument("--delete", action="append", default=[], help="PJL path to delete")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    p = Printer(args.host, args.port)
    summary: dict = {"replies": {}, "read_back": {}, "written": None}

    def ask(command: str) -> str:
        p.send(command)
        text = p.reply().decode("latin-1")
        summary["replies"].setdefault(command.split()[0], []).append(text)
        return text

    ask("INFO ID")
    ask("INFO USTATUS")
    p.send('FSINIT VOLUME="0:"')
    ask('FSDIRLIST NAME="0:\\" ENTRY=1 COUNT=65535')
    for d in dict.fromkeys(parent(g) for g in args.get):
        ask(f'FSDIRLIST NAME="{d}" ENTRY=1 COUNT=65535')
    for name in args.get:
        m = re.search(r"SIZE=(\d+)", ask(f'FSQUERY NAME="{name}"'))
        if m is None:
            raise SystemExit(f"{name} is not on the printer")
        data = p.upload(name, int(m.group(1)))
        dest = args.out / name.rsplit("\\", 1)[-1]
        dest.write_bytes(data)
        summary["read_back"][name] = str(dest)
    if args.put:
        local, remote = Path(args.put[0]), args.put[1]
        data = local.read_bytes()
        p.send(f'FSMKDIR NAME="{parent(remote)}"')
        p.send(f'FSDOWNLOAD FORMAT:BINARY SIZE={len(data)} NAME="{remote}"', data)
        ask(f'FSQUERY NAME="{remote}"')
        summary["written"] = remote
    for name in args.delete:
        p.send(f'FSDELETE NAME="{name}"')
    if args.delete:
        ask(f'FSDIRLIST NAME="{parent(args.delete[0])}" ENTRY=1 COUNT=65535')
    p.sock.sendall(UEL)
    p.sock.close()
    summary["commands"] = p.sent
    summary["reply_terminators"] = p.terminators
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
