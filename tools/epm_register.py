#!/usr/bin/python3
"""Add an ncacn_ip_tcp endpoint for an interface to Samba's endpoint-mapper database (lab only).

    /usr/bin/python3 tools/epm_register.py LOCKDIR/epmdb.tdb UUID/0xVERSION PORT

Samba 4.17 serves MS-RPRN only on ``ncacn_np`` and ``ncalrpc`` (the endpoints named in its IDL),
so its endpoint mapper has no TCP tower for spoolss.  The capture lab relays a TCP port to
``rpcd_spoolss``'s ncalrpc socket (the same connection-oriented DCE/RPC PDUs) and adds that port
here, so that Samba's real endpoint mapper on 135 answers ept_map with it.

Since 4.16 samba-dcerpcd keeps the map in ``epmdb.tdb``: key ``"<uuid>/0x<version>\\0"``, value the
interface name and its bindings, each NUL-terminated; ``rpcd_epmapper`` reads it for every lookup,
and Samba's ept_insert is a stub that always refuses.  Uses Debian's python3-tdb, hence the
system interpreter.
"""

from __future__ import annotations

import os
import sys

import tdb  # python3-tdb (Debian), a dependency of samba


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1].strip(), file=sys.stderr)
        return 2
    path, syntax, port = argv
    db = tdb.Tdb(path, 0, tdb.DEFAULT, os.O_RDWR)
    key = syntax.encode() + b"\0"
    value = db.get(key)
    if value is None:
        print(f"{syntax} is not in {path}", file=sys.stderr)
        return 1
    binding = f"ncacn_ip_tcp:[{int(port)}]".encode() + b"\0"
    if binding not in value.split(b"\0"):
        db.store(key, value + binding, tdb.REPLACE)
    db.close()
    print("registered", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
