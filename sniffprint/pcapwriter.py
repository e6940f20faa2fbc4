"""A minimal pcap writer (classic format, microsecond timestamps) for ``live --write-pcap`` and
evidence slices. Files are created with mode 0600: they hold cleartext print data."""
from __future__ import annotations

import os
import struct
from types import TracebackType

PCAP_MAGIC_US = 0xA1B2C3D4
MAX_SNAPLEN = 262_144


class PcapWriter:
    def __init__(self, path: str, linktype: int, *, exclusive: bool = False) -> None:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        self.fp = os.fdopen(os.open(path, flags, 0o600), "wb")
        os.chmod(path, 0o600)  # an existing file keeps its mode otherwise
        self.linktype = linktype
        self.frames = 0
        self.fp.write(struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, MAX_SNAPLEN, linktype))

    def write(self, ts: float, data: bytes, wirelen: int | None = None) -> None:
        sec = int(ts)
        usec = min(999_999, int(round((ts - sec) * 1e6)))
        self.fp.write(struct.pack("<IIII", sec, usec, len(data), wirelen or len(data)))
        self.fp.write(data)
        self.frames += 1

    def flush(self) -> None:
        self.fp.flush()

    def close(self) -> None:
        self.fp.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, t: type[BaseException] | None, v: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
