"""A minimal pcap writer (classic format, microsecond timestamps, host byte order as libpcap
writes it) shared by ``live --write-pcap`` and evidence slices. Files it creates are mode 0600:
they hold cleartext print data."""
from __future__ import annotations

import os
import struct
from typing import IO

PCAP_MAGIC_US = 0xA1B2C3D4
MAX_SNAPLEN = 262_144
_HEADER = struct.Struct("=IHHiIII")  # magic, version 2.4, thiszone, sigfigs, snaplen, linktype
_RECORD = struct.Struct("=IIII")  # seconds, microseconds, captured length, original length


class PcapWriter:
    """Writes to an open binary file; ``create`` opens one with mode 0600."""

    def __init__(self, out: IO[bytes], linktype: int) -> None:
        self.fp = out
        self.linktype = linktype
        self.frames = 0
        self.fp.write(_HEADER.pack(PCAP_MAGIC_US, 2, 4, 0, 0, MAX_SNAPLEN, linktype))

    @classmethod
    def create(cls, path: str, linktype: int, *, exclusive: bool = False) -> PcapWriter:
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
        fp = os.fdopen(os.open(path, flags, 0o600), "wb")
        os.chmod(path, 0o600)  # an existing file keeps its mode otherwise
        return cls(fp, linktype)

    def write(self, ts: float, data: bytes, wirelen: int | None = None) -> None:
        self.write_us(max(0, round(ts * 1e6)), data, wirelen)

    def write_us(self, us: int, data: bytes, wirelen: int | None = None) -> None:
        sec, usec = divmod(us, 1_000_000)
        self.fp.write(_RECORD.pack(sec, usec, len(data), wirelen or len(data)))
        self.fp.write(data)
        self.frames += 1

    def flush(self) -> None:
        self.fp.flush()

    def close(self) -> None:
        self.fp.close()
