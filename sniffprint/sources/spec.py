"""``SourceSpec``: where a run's frames come from, parsed once from what the user typed.

``SourceSpec.parse(text)``: ``-`` is standard input, ``live:IFACE`` a live interface, anything
else a capture file (pcap or pcapng, gzip-compressed or not). Every other module takes the parsed
spec, so the ``live:`` prefix is read here and nowhere else. Live capture parameters (BPF filter,
duration, packet count) travel with the spec.
"""
from __future__ import annotations

import enum
import glob
import os
from dataclasses import dataclass

from ..errors import CaptureError

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz")
GLOB_CHARS = frozenset("*?[")


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


def expand(text: str) -> list[SourceSpec]:
    """What the user named: ``-``, ``live:IF``, a capture file, a directory (its capture files,
    sorted, not recursive) or a glob (``'captures/*.pcap*'``, sorted). A directory without
    captures or a glob matching nothing is a ``CaptureError``."""
    spec = SourceSpec.parse(text)
    if spec.kind is not SourceKind.FILE or os.path.isfile(text):
        return [spec]
    if os.path.isdir(text):
        names = sorted(os.path.join(text, n) for n in os.listdir(text) if n.lower().endswith(CAPTURE_SUFFIXES))
        names = [n for n in names if os.path.isfile(n)]
        if not names:
            raise CaptureError(f"{text}: a directory with no capture files ({', '.join(CAPTURE_SUFFIXES)})")
        return [SourceSpec(kind=SourceKind.FILE, name=n) for n in names]
    if GLOB_CHARS & set(text):
        names = sorted(n for n in glob.glob(text) if os.path.isfile(n))
        if not names:
            raise CaptureError(f"{text}: no capture matches this pattern")
        return [SourceSpec(kind=SourceKind.FILE, name=n) for n in names]
    return [spec]  # a missing path: the readability check names it
