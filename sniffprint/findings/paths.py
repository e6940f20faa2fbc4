"""Print paths: the names the migration view gives a print flow's protocol, in clear or protected.

A migration (move the queues to TLS, then disable the cleartext protocols) is tracked per path: a
printer and the protocol a client reaches it over. The names are a closed vocabulary shared by
the printer and client records and by ``diff``:

- in clear: ``raw9100`` (JetDirect/AppSocket), ``lpd``, ``ipp``, ``smb``, ``dcerpc`` (print RPC
  below packet privacy), ``http-admin`` (the printer's web interface); a flow whose content was
  not recognised is named by its print port (9100, 515, 631), else by its service;
- protected: ``ipps`` (TLS on 631, or on 443/8443 to a print service), ``raw-tls`` (TLS-wrapped
  9100), ``lpd-tls`` (TLS on 515), ``smb3-encrypted``, ``rpc-privacy``; TLS on any other port is
  ``tls:PORT``.

These are the ``offers`` names of the inventory where both exist (``raw``/``raw-tls`` there name
what a printer offers; here ``raw9100`` names what a client used, as the job records do).
"""
from __future__ import annotations

from ..model import PRINT_SERVICES, Protection, Service
from ..records import FlowRecord

CLEAR_BY_PORT = {9100: "raw9100", 515: "lpd", 631: "ipp"}
TLS_BY_PORT = {631: "ipps", 443: "ipps", 8443: "ipps", 9100: "raw-tls", 515: "lpd-tls"}
PROTECTED_BY = {Protection.SMB3: "smb3-encrypted", Protection.RPC_PRIVACY: "rpc-privacy"}
# the print port of each cleartext protocol, in the order a migration note lists them
PRINT_PORT_ORDER = (9100, 515, 631)


def clear_name(flow: FlowRecord) -> str:
    """The cleartext protocol of a flow: its print or admin service, else its print port."""
    if flow.service in PRINT_SERVICES or flow.service is Service.HTTP_ADMIN:
        return str(flow.service.value)
    return CLEAR_BY_PORT.get(flow.server_port, str(flow.service.value))


def protected_name(flow: FlowRecord) -> str:
    """The protected protocol of a flow (its protection is not ``none``)."""
    if flow.protection is Protection.TLS:
        return TLS_BY_PORT.get(flow.server_port, f"tls:{flow.server_port}")
    return PROTECTED_BY.get(flow.protection, str(flow.protection.value))


def port_order(port: int) -> tuple[int, int]:
    """Sort key of ports in a note: the print ports first (9100, 515, 631), then the others."""
    return (PRINT_PORT_ORDER.index(port), 0) if port in PRINT_PORT_ORDER else (len(PRINT_PORT_ORDER), port)
