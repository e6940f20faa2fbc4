"""The one error type of each layer.

Inputs never raise past their own stage: a source turns damage into an ``Anomaly`` and ends
cleanly, a dissector raises only ``ProtocolViolation`` (which the flow table records and turns into
a fallback), and only an unreadable *input* (not a capture at all, missing path) is a
``CaptureError``, which the CLI turns into a one-line message and exit status 2.
"""
from __future__ import annotations


class SniffprintError(Exception):
    """Base class of every error sniffprint raises on purpose."""


class CaptureError(SniffprintError):
    """The input cannot be read as a capture at all (missing, empty, not pcap/pcapng, no privilege)."""


class OutputError(SniffprintError):
    """An output cannot be written (full disk, read-only path): exit 2 with the path and the OS error."""


class OptionsError(SniffprintError):
    """An option or policy value is invalid (a usage error)."""


class ProtocolViolation(SniffprintError):
    """A dissector met bytes its protocol does not allow.

    ``offset`` is the position in the direction's stream where the violation was noticed, when the
    dissector knows it.
    """

    def __init__(self, reason: str, offset: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
