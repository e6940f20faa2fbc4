"""SMB1 (CIFS, NT LM 0.12): obsolete and never encrypted, dissected for what it carries to printers.

Read from: MS-CIFS 2.2 (messages), MS-SMB 2.2 (the NT LM 0.12 extensions: extended security,
large reads and writes), RFC 1002 (NetBIOS sessions on 139, ``..nbss``).

- ``header``: the SMB1 header, parameter/data blocks, AndX, strings, command codes and statuses.
- ``packet``: one command block as a parser sees it.
- ``dispatch``: the AndX walk and the REQUESTS / RESPONSES / ANSWERS tables.
- ``negotiate``, ``session_setup``, ``tree_connect``, ``create`` (NT_CREATE_ANDX, OPEN_ANDX),
  ``write`` (WRITE_ANDX, WRITE), ``read`` (READ_ANDX), ``transaction`` (TRANSACT_NMPIPE),
  ``print_file`` (OPEN/WRITE_PRINT_FILE), ``close`` (CLOSE, CLOSE_PRINT_FILE): one module per command.

They share ``state.Connection`` with SMB2: a file on an "LPT1:" tree, or a print file, is a print
job (``printjob``); ``\\spoolss`` on "IPC" feeds the same DCE/RPC parser as over SMB2 (``pipe``).
Adding a command is one module plus one line in a table of ``dispatch``.
"""
from __future__ import annotations

from .dispatch import handle
from .header import PROTOCOL_ID, Smb1Header

__all__ = ["PROTOCOL_ID", "Smb1Header", "handle"]
