"""HTTP/1.x (RFC 9112) in both directions, IPP carried in it (RFC 8010 section 4, RFC 8011), and
the RFC 2817 upgrade to TLS.

The modules, in the order bytes pass through them:

- ``framing``: the sans-IO connection state machine: bytes of each direction into calls of a
  ``sink.FramingSink`` (heads, body data, gaps and ends, tunnels, the switch to TLS); keep-alive,
  pipelining, ``Expect: 100-continue`` and resynchronisation after a gap;
- ``head``: start lines, header fields and how a body is delimited (RFC 9112 sections 2-6);
- ``chunked``: the chunked transfer coding (RFC 9112 section 7.1), one step at a time;
- ``coding``: gzip and deflate removed incrementally, with a bound on output (bombs);
- ``ipp_jobs``: IPP operations and documents into job events (RFC 8011); the IPP wire format
  itself is ``dissectors/ipp.py``;
- ``upgrade``: RFC 2817 ``Upgrade: TLS`` and the handover to the TLS record parser;
- ``dissector``: ``HttpDissector``, the framing's sink, which decodes bodies, joins the rest and
  speaks the dissector contract.
"""
from __future__ import annotations

from .dissector import HttpDissector

__all__ = ["HttpDissector"]
