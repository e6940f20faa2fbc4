"""The dissector registry: sans-IO protocol parsers chosen per flow by content (ports only hint).

Adding a protocol is one new module (a ``Dissector`` subclass, see ``base.py`` for the contract)
plus one line in ``DISSECTORS``. The order breaks ties between equal probe scores. TCP flows are
offered the stream dissectors, UDP pseudo-flows the datagram ones (``Dissector.datagram``).
"""
from __future__ import annotations

from . import cups_browse, dcerpc, http, llmnr, lpd, mdns, nbns, raw9100, smb, snmp, tls
from .base import Dissector

DISSECTORS: list[type[Dissector]] = [
    tls.TlsDissector,
    smb.SmbDissector,
    dcerpc.DcerpcDissector,
    lpd.LpdDissector,
    http.HttpDissector,
    raw9100.Raw9100Dissector,
    snmp.SnmpDissector,
    mdns.MdnsDissector,
    cups_browse.CupsBrowseDissector,
    nbns.NbnsDissector,
    llmnr.LlmnrDissector,
]
STREAM_DISSECTORS: list[type[Dissector]] = [d for d in DISSECTORS if not d.datagram]
DATAGRAM_DISSECTORS: list[type[Dissector]] = [d for d in DISSECTORS if d.datagram]

