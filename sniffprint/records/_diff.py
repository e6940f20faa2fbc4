"""The records of ``sniffprint diff``: one ``Change`` per printer, client or path that moved (or
did not) between a before and an after set, and the closing ``DiffSummary`` with the exit code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._schema import _IP, col


# --------------------------------------------------------------------------------------- diff
@dataclass(slots=True, frozen=True, kw_only=True)
class Change:
    """What moved between a before and an after set (``sniffprint diff``), for one printer, one of
    its protocols, one client, or one protocol a client used to reach a printer."""

    TYPE: ClassVar[str] = "change"
    scope: str = col("printer, printer-protocol, client or client-protocol", "category")
    printer: str | None = col("the printer (server address); null for a client's own row", _IP)
    client: str | None = col("the client (workstation address); null for printer rows", _IP)
    protocol: str | None = col("the path's protocol (names as in protocols_clear/protocols_protected); null for "
                               "printer and client rows", "category")
    before: str = col("its state before: exposed, weak, protected, unknown (printers, clients); exposed, open, "
                      "closed (a printer's cleartext protocol); printing, querying (a client's); protected; "
                      "unseen", "category")
    after: str = col("its state after, in the same words", "category")
    change: str = col("moved (cleartext gone, protected in use), closed, reduced (no job in clear any more, still "
                      "answering), new, regressed, unchanged, not-seen (only before: nothing can be said); rows of a "
                      "printer or client: improved, regressed, unchanged, new, not-seen, changed", "category")
    direction: str = col("better, worse, same or unknown (seen on one side only, nothing proven either way); "
                         "worse fails the diff (exit 1)", "category")
    detail: str = col("the change in words", "string")
    uids: tuple[str, ...] | None = col("after-set flows that show a cleartext path (evidence)", "object", None,
                                       sparse=True)
    hostnames: tuple[str, ...] | None = col("the client's names (masked unless the reports were made with "
                                            "--reveal)", "object", None, sparse=True)


@dataclass(slots=True, frozen=True, kw_only=True)
class DiffSummary:
    """The closing record of ``sniffprint diff``: what was compared and the result."""

    TYPE: ClassVar[str] = "diff"
    before: tuple[str, ...] = col("the before inputs (captures or saved reports) as given", "object")
    after: tuple[str, ...] = col("the after inputs as given", "object")
    printers_before: int = col("printers in the before set", "UInt32")
    printers_after: int = col("printers in the after set", "UInt32")
    printers_compared: int = col("printers seen in both sets", "UInt32")
    clients_before: int = col("clients in the before set", "UInt32")
    clients_after: int = col("clients in the after set", "UInt32")
    better: int = col("changes for the better", "UInt32")
    worse: int = col("changes for the worse", "UInt32")
    same: int = col("paths and verdicts that did not change", "UInt32")
    unknown: int = col("paths seen on one side only that prove nothing either way", "UInt32")
    result: str = col("better, worse, unchanged or incomparable (no printer in both sets)", "category")
    exit_code: int = col("0 nothing got worse, 1 a cleartext path appeared or a protected one regressed, 3 "
                         "incomparable", "UInt8")
    reasons: tuple[str, ...] = col("why the result is what it is", "object")

