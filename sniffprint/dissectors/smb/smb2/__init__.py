"""SMB2/3 (MS-SMB2): the header, one parser per command, and the dispatch tables that choose them.

- ``header``: the 64-byte SMB2 header (2.2.1), its flags, command codes and statuses.
- ``packet``: one command as a parser sees it, and what a compound chain carries (3.2.4.1.4).
- ``dispatch``: the walk over a compound message and the REQUESTS / RESPONSES / ANSWERS tables.
- ``negotiate``, ``session_setup``, ``tree_connect``, ``create``, ``close``, ``write``, ``read``,
  ``ioctl``: one module per command, each with its structures as ``struct.Struct`` tables and
  dataclasses, and its ``request`` / ``response`` parsers.
- ``transform``: the SMB3 TRANSFORM_HEADER (encrypted) and COMPRESSION_TRANSFORM_HEADER.

Adding a command is one module plus one line in a table of ``dispatch``.
"""
