"""Connection-oriented DCE/RPC (MS-RPCE, C706) and the print interfaces it carries.

Read from: C706 chapters 12-14 (PDUs, authentication, NDR), MS-RPCE 2.2 (extensions: NDR64,
sec_trailer, auth levels), MS-RPRN and MS-PAR (the print spooler's interfaces), C706 Appendix O
(the endpoint mapper).

The way through the package:
- ``pdu``: the common header, the sec_trailer, bind / bind_ack / request / response headers.
- ``ndr``: a bounded NDR 2.0 / NDR64 reader for the stubs read by hand.
- ``spoolss``: MS-RPRN and MS-PAR: call names, the calls that make a job, their stubs.
- ``epm``: ept_map responses: the dynamic ports the endpoint mapper names.
- ``framing``: one direction's bytes cut into PDUs, and resync after a hole.
- ``binding``: presentation contexts (bind, bind_ack, alter_context) and the authentication.
- ``calls``: requests and responses reassembled by call id.
- ``printjobs``: the jobs the spooler calls make, per printer handle.
- ``facts``: ``RpcFacts``, the flow facts (interfaces, auth type and level, protection).
- ``tables``: the bounded map every per-association table is kept in.
- ``conversation``: ``RpcConversation``, one association (a TCP connection or an SMB named pipe),
  the orchestrator of the parts above.
- ``dissector``: ``DcerpcDissector``, DCE/RPC over TCP (``ncacn_ip_tcp``), found by content.

The SMB dissector feeds each followed pipe's bytes to its own ``RpcConversation``
(``smb.pipe``); a TCP flow gets one from ``DcerpcDissector``.
"""
from __future__ import annotations

from .conversation import RpcConversation
from .dissector import DcerpcDissector
from .facts import RpcFacts
from .spoolss import MS_PAR, MS_RPRN

SPOOLSS_UUID = MS_RPRN.bytes_le  # the MS-RPRN interface UUID as a little-endian bind carries it

__all__ = ["DcerpcDissector", "MS_PAR", "MS_RPRN", "RpcConversation", "RpcFacts", "SPOOLSS_UUID"]
