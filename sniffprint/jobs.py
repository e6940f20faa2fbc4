"""Print jobs assembled from a dissector's job events.

A ``Job`` gathers one document's metadata fields and bytes: its size, whether it is partial, and
the head of the document (bounded by ``HEAD_BYTES``) from which the print languages are named.
Later stages (evidence) hang off the same record; the document itself is never held whole here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import classify

HEAD_BYTES = 64 * 1024


@dataclass(slots=True)
class Job:
    uid: str
    index: int
    protocol: str
    fields: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    bytes: int = 0
    missed: int = 0
    partial: bool = False
    ended: bool = False
    head: bytearray = field(default_factory=bytearray)

    def add(self, data: bytes) -> None:
        self.bytes += len(data)
        room = HEAD_BYTES - len(self.head)
        if room > 0:
            self.head += data[:room]

    def gap(self, length: int) -> None:
        self.missed += length
        self.partial = True

    def languages(self) -> list[str]:
        langs = classify.detect_all(bytes(self.head))
        return langs if langs else (["unknown"] if self.bytes else [])

    def record(self) -> dict[str, Any]:
        langs = self.languages()
        body = [x for x in langs if x != "PJL"]
        return {
            "type": "job",
            "uid": self.uid,
            "job_index": self.index,
            "protocol": self.protocol,
            "language": body[0] if body else (langs[0] if langs else None),
            "languages": langs,
            "user": self.fields.get("user"),
            "host": self.fields.get("host"),
            "job_name": self.fields.get("job_name"),
            "document_name": self.fields.get("document_name"),
            "title": self.fields.get("title"),
            "bytes": self.bytes,
            "missed_bytes": self.missed,
            "partial": self.partial or not self.ended,
        }
