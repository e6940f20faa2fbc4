"""TLS (RFC 8446, RFC 5246): record framing, hellos, cipher-suite rules, certificate, session.

``record`` frames, ``handshake`` and ``certificate`` parse messages, ``suites`` names and judges,
``observer.TlsObserver`` runs one session (also for HTTP after an RFC 2817 upgrade), and
``dissector.TlsDissector`` is the registry's entry. Only the latter is exported here.
"""
from __future__ import annotations

from .dissector import TlsDissector

__all__ = ["TlsDissector"]
