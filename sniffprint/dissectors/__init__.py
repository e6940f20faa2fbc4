"""The dissector registry: sans-IO protocol parsers chosen per flow by content (ports only hint).

Adding a protocol is one new module (a ``Dissector`` subclass, see ``base.py`` for the contract)
plus one line in ``DISSECTORS``. The order breaks ties between equal probe scores.
"""
from __future__ import annotations

from . import dcerpc, http, lpd, raw9100, smb, tls
from .base import Dissector

DISSECTORS: list[type[Dissector]] = [
    tls.TlsDissector,
    smb.SmbDissector,
    dcerpc.DcerpcDissector,
    lpd.LpdDissector,
    http.HttpDissector,
    raw9100.Raw9100Dissector,
]

