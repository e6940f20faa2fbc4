"""``SourceSpec``: where a run's frames come from, parsed once from what the user typed.

``SourceSpec.parse(text)``: ``-`` is standard input, ``live:IFACE`` a live interface, anything
else a capture file (pcap or pcapng, gzip-compressed or not). Every other module takes the parsed
spec, so the ``live:`` prefix is read here and nowhere else. Live capture parameters (BPF filter,
duration, packet count) travel with the spec.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass


class SourceKind(str, enum.Enum):
    FILE = "file"
    STDIN = "stdin"
    LIVE = "live"


LIVE_PREFIX = "live:"


@dataclass(slots=True, frozen=True, kw_only=True)
class SourceSpec:
    kind: SourceKind
    name: str  # the path, "-", or the interface name
    bpf: str | None = None  # live only
    duration: float | None = None  # live only: seconds to capture
    count: int | None = None  # live only: packets to capture

    @classmethod
    def parse(cls, text: str) -> SourceSpec:
        if text == "-":
            return cls(kind=SourceKind.STDIN, name="-")
        if text.startswith(LIVE_PREFIX):
            return cls(kind=SourceKind.LIVE, name=text[len(LIVE_PREFIX):])
        return cls(kind=SourceKind.FILE, name=text)

    @classmethod
    def live(cls, iface: str, *, bpf: str | None = None, duration: float | None = None,
             count: int | None = None) -> SourceSpec:
        return cls(kind=SourceKind.LIVE, name=iface, bpf=bpf, duration=duration, count=count)

    @property
    def is_file(self) -> bool:
        """A capture file on disk (not a stream): it can be hashed and sliced afterwards."""
        return self.kind is SourceKind.FILE

    def __str__(self) -> str:
        """How the spec is named in records (``captures[].path``)."""
        return f"{LIVE_PREFIX}{self.name}" if self.kind is SourceKind.LIVE else self.name
