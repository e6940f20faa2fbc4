"""SMB over TCP: NetBIOS session framing, SMB1 (NT LM 0.12) and SMB2/3 (MS-SMB2) print jobs and pipes.

Read from: RFC 1002 4.3 (NetBIOS session service), MS-SMB2 2.1 (direct TCP transport), MS-SMB2 2.2
(messages), MS-CIFS 2.2 and MS-SMB 2.2 (SMB1), MS-NLMP (NTLMSSP, ``..ntlmssp``), MS-RPCE / MS-RPRN
(spoolss over a pipe, ``..dcerpc``).

The way through the package, in the order bytes take it:
- ``nbss``: NBSS framing per direction (RFC 1002 4.3.1); bounded buffering, streaming of large
  messages, resynchronisation after a capture gap.
- ``dissector``: ``SmbDissector``; routes each message by protocol id (0xFF SMB1, 0xFE SMB2,
  0xFD encrypted, 0xFC compressed) and settles the flow's print status at close.
- ``smb1``: SMB1, one parser per command behind dispatch tables (AndX chains): sessions, printer
  trees ("LPT1:"), print files, WRITE_ANDX / READ_ANDX / TRANSACT_NMPIPE on pipes.
- ``smb2``: the SMB2 header, one parser per command, and the dispatch tables keyed by command.
- ``state``: the typed per-connection state: sessions, trees, files, pending requests.
- ``printjob``: a print file's job, its WRITE data in file-offset order.
- ``pipe``: a named pipe's bytes (and holes) routed to its own DCE/RPC association (``..dcerpc``).

What decides ``print``: the TREE_CONNECT response's ShareType 0x03 (or SMB1's ``LPT1:`` service,
or an SMB1 print file), or a bind to a print RPC interface on a pipe.
A file created on a print share is a print job: JobStarted at its CREATE, its name as
``document_name``, the session's NTLMSSP user, its WRITE data as the document in file-offset
order, JobEnded at its CLOSE. Writes to a disk share are a file copy, not printing.
``\\PIPE\\spoolss`` on IPC$ is handed to a ``dcerpc.RpcConversation``: its calls are read
(RpcStartDocPrinter / WritePrinter / EndDocPrinter make a job with the pipe session's user; other
calls are print control), its auth level says whether it is sealed (``rpc-privacy``).
A session whose messages are all in transform headers hides its shares, so ``print`` is null
(unknown) unless a print share was seen in clear before.

Where new work goes: an SMB2 command is one module in ``smb2/`` plus one line in a table of
``smb2.dispatch`` (a response that needs its request records a ``state.Pending`` from the request
parser and is listed in ``ANSWERS``). SMB1 commands go in ``smb1.COMMANDS`` the same way (AndX
chains walk like SMB2 compounds), sharing ``state.Connection`` and the NBSS framing. Any parser
that moves bytes on a pipe file hands them to ``File.pipe.feed`` with their direction, or, for a
message too long to buffer, streams its data window to a ``pipe.PipeTarget``.

Invariants (each module states its own):
- Memory is bounded: messages are buffered up to ``nbss.INLINE_MAX``; longer ones are streamed or
  skipped; every per-connection table is capped (``state.MAX_TABLE``), and so are held writes.
- Only ``ProtocolViolation`` escapes, and only for framing that cannot be SMB; a damaged body of a
  well-framed message is skipped.
- After a capture gap inside a streamed message the stream goes on (DocumentGap for the missing
  document bytes); elsewhere the framing is resynchronised on the next plausible SMB header.
"""
from __future__ import annotations

from .dissector import SmbDissector

__all__ = ["SmbDissector"]
