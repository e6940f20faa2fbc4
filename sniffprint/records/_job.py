"""The job record: one print job (one document and its metadata) as it crossed the wire.

Invariant: ``TEXT_FIELDS`` are the free-text fields the document or the protocol carried; they are
masked unless ``--reveal`` (``evidence.redact``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..model import JobDirection, Protection
from ._schema import col


# ---------------------------------------------------------------------------------------- job
@dataclass(slots=True, frozen=True, kw_only=True)
class JobRecord:
    """One print job (one document and its metadata) as it crossed the wire."""

    TYPE: ClassVar[str] = "job"
    uid: str = col("uid of its flow", "string")
    capture: str | None = col("the capture in which its flow started", "string", None)
    job_index: int = col("index of the job in its flow", "UInt32")
    protocol: str = col("raw9100, lpd, ipp, smb or dcerpc", "category")
    language: str | None = col("print language of the document body", "category")
    languages: tuple[str, ...] = col("every language seen in it (PJL first when present)", "object")
    user: str | None = col("user name as sent (masked unless --reveal)", "string")
    host: str | None = col("client host name as sent (masked)", "string")
    job_name: str | None = col("job name (masked)", "string")
    document_name: str | None = col("document name (masked)", "string")
    title: str | None = col("title (masked)", "string")
    bytes: int = col("document bytes captured", "UInt64")
    missed_bytes: int = col("document bytes missing from the capture", "UInt64")
    partial: bool = col("its end was not seen: cut by a gap, or still open when the capture ended", "boolean")
    protection: Protection = col("protection of the flow when the job started", "category")
    author: str | None = col("author the document states (masked)", "string", None)
    creator: str | None = col("creating application (masked)", "string", None)
    producer: str | None = col("producing library (PDF; masked)", "string", None)
    creation_date: str | None = col("creation date the document states", "string", None)
    pages: int | None = col("page count: as the document states it, else as its text extraction counted",
                            "UInt32", None)
    lpd_print_type: str | None = col("LPD control-file print type", "string", None)
    pjl_device_info: str | None = col("PJL device reply seen during the job", "string", None)
    holdkey_present: bool = col("a PJL HOLDKEY PIN was sent (never the PIN)", "boolean", False)
    compression: str | None = col("compression of the document as sent (IPP compression, or gzip seen); the "
                                  "document is analysed decompressed", "string", None)
    sources: dict[str, str] = col("where each field stood: pjl, dsc, pdf-info, xmp, lpd, ipp, smb, spoolss, "
                                  "dcerpc, emfspool", "object",
                                  factory=dict)
    sha256: str | None = col("SHA-256 of the captured document bytes", "string", None)
    direction: JobDirection = col("c2s: sent to the printer; s2c: sent back by the printer (PJL FSUPLOAD)",
                                  "category", JobDirection.C2S)
    document_format: str | None = col("document format as the envelope states it (IPP document-format, PJL "
                                      "ENTER LANGUAGE, LPD print type)", "string", None)
    file_transfer: str | None = col("PJL file-system command that carried it: FSDOWNLOAD/FSAPPEND (a file "
                                    "written to the printer, not a print document) or FSUPLOAD (read back)",
                                    "string", None, sparse=True)

    # free text the document or the protocol carried: masked unless --reveal
    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("user", "host", "job_name", "document_name", "title", "author",
                                              "creator", "producer")
