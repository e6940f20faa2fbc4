"""Crafted damaged captures (issue 9), made by code and never edited by hand.

    python3 -m tests.hostile.make_hostile --out DIR    # write every capture, plus DIR/index.json

Most captures tell the same story: a protected TLS session to a printer (10.0.0.2:9100, from
10.0.0.1:39999), then damage, then a cleartext PostScript job to the same printer (from
10.0.0.1:40000), then unrelated background traffic (10.0.0.1:50000 -> 10.0.0.9:80). Read right,
every one of them shows the job (finding SP101); a reader that loses what follows the damage makes
the capture look protected. ``Hostile.after`` lists the frames that must be delivered.

The tests build the captures in memory from these functions (``CAPTURES``), so nothing binary is
kept in the repository and a change here is reviewed as code.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests import pcapgen as g

T0 = 1_700_000_000.0
STEP = 0.001
SNAPLEN = 262_144
PRINTER = "10.0.0.2"


# ----------------------------------------------------------------------------- traffic
def _tls_record(ct: int, body: bytes, ver: int = 0x0303) -> bytes:
    return struct.pack("!BHH", ct, ver, len(body)) + body


def _handshake(t: int, body: bytes) -> bytes:
    return bytes([t]) + len(body).to_bytes(3, "big") + body


def tls_frames() -> list[bytes]:
    """A TLS 1.2 session to the printer's 9100: ClientHello, ServerHello, CCS, encrypted data."""
    hello = struct.pack("!H", 0x0303) + bytes(32) + b"\x00" + struct.pack("!HH", 2, 0xC02F) + b"\x01\x00"
    server = struct.pack("!H", 0x0303) + b"\x11" * 32 + b"\x00" + struct.pack("!HB", 0xC02F, 0)
    ccs = _tls_record(20, b"\x01")
    c = g.Conversation(cport=39999, cisn=70_000, sisn=90_000)
    frames = (c.handshake() + c.c2s(_tls_record(22, _handshake(1, hello), 0x0301))
              + c.s2c(_tls_record(22, _handshake(2, server)) + ccs)
              + c.c2s(ccs + _tls_record(23, bytes(range(256)) * 12)) + c.close())
    return [g.ether(f) for f in frames]


JOB = (b"\x1b%-12345X@PJL JOB NAME=\"quarterly\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n"
       b"%!PS-Adobe-3.0\n%%Title: quarterly\n/Helvetica findfont 12 scalefont setfont\n"
       + b"".join(b"72 %d moveto (Quarterly payroll line %d) show\n" % (700 - 12 * i, i) for i in range(50))
       + b"showpage\n\x1b%-12345X@PJL EOJ\r\n\x1b%-12345X")


def job_frames() -> list[bytes]:
    """The cleartext job (about 2.5 KB of PostScript over 3 data segments)."""
    c = g.Conversation(cport=40000)
    return [g.ether(f) for f in c.handshake() + c.c2s(JOB) + c.close()]


def background_frames() -> list[bytes]:
    c = g.Conversation(client="10.0.0.1", server="10.0.0.9", cport=50000, sport=80, mss=1400)
    body = b"GET / HTTP/1.1\r\nHost: intranet\r\n\r\n"
    reply = b"HTTP/1.1 200 OK\r\nContent-Length: 4000\r\n\r\n" + b"x" * 4000
    return [g.ether(f) for f in c.handshake() + c.c2s(body) + c.s2c(reply) + c.close()]


# ----------------------------------------------------------------------------- writers
def pcap_header(*, nano: bool = False, snaplen: int = SNAPLEN, linktype: int = 1, e: str = "<") -> bytes:
    return struct.pack(e + "IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype)


def pcap_records(frames: list[bytes], *, start: int = 0, e: str = "<") -> list[bytes]:
    out = []
    for i, f in enumerate(frames, start):
        us = round((T0 + i * STEP) * 1e6)
        out.append(struct.pack(e + "IIII", us // 1_000_000, us % 1_000_000, len(f), len(f)) + f)
    return out


def block(btype: int, body: bytes, e: str = "<") -> bytes:
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def shb(e: str = "<") -> bytes:
    return block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)


def idb(linktype: int = 1, e: str = "<") -> bytes:
    return block(1, struct.pack(e + "HHI", linktype, 0, 0), e)


def epbs(frames: list[bytes], *, start: int = 0, ifid: int = 0, e: str = "<") -> list[bytes]:
    out = []
    for i, f in enumerate(frames, start):
        ts = round((T0 + i * STEP) * 1e6)
        out.append(block(6, struct.pack(e + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f, e))
    return out


# ----------------------------------------------------------------------------- the captures
@dataclass
class Hostile:
    name: str  # file name
    shows: str  # what it demonstrates
    data: bytes
    after: list[bytes]  # frames after the damage that must be delivered, in order
    damaged: bool = True  # CaptureStats.damaged expected
    truncated: bool = False  # CaptureStats.truncated expected
    kinds: set[str] = field(default_factory=lambda: {"capture_damaged"})  # anomaly kinds expected
    job: bool = True  # the cleartext job must be found end to end (SP101)


def _story() -> tuple[list[bytes], list[bytes], list[bytes]]:
    return tls_frames(), job_frames(), background_frames()


def _ng(before_blocks: list[bytes], damage: bytes, after_blocks: list[bytes]) -> bytes:
    return shb() + idb() + b"".join(before_blocks) + damage + b"".join(after_blocks)


def ng_zero_length() -> Hostile:
    tls, job, bg = _story()
    damage = struct.pack("<II", 6, 0) + b"\0" * 8  # an EPB header claiming length 0
    return Hostile("ng-zero-length.pcapng", "a pcapng block with length 0 between a TLS session and a job",
                   _ng(epbs(tls), damage, epbs(job + bg, start=len(tls))), job + bg)


def ng_odd_length() -> Hostile:
    tls, job, bg = _story()
    blocks = epbs(tls)
    last = bytearray(blocks[-1])
    last[4:8] = struct.pack("<I", len(last) + 2)  # not a multiple of 4
    return Hostile("ng-odd-length.pcapng", "a block length that is not a multiple of 4",
                   _ng(blocks[:-1], bytes(last), epbs(job + bg, start=len(tls))), job + bg)


def ng_short_length() -> Hostile:
    tls, job, bg = _story()
    damage = struct.pack("<II", 6, 8) + b"\xee" * 20  # length below the 12-byte minimum, then junk
    return Hostile("ng-short-length.pcapng", "a block length below 12",
                   _ng(epbs(tls), damage, epbs(job + bg, start=len(tls))), job + bg)


def ng_length_beyond_file() -> Hostile:
    tls, job, bg = _story()
    blocks = epbs(tls)
    last = bytearray(blocks[-1])
    last[4:8] = struct.pack("<I", 0x00F0_0000)  # 15 MiB: beyond the end of the file
    return Hostile("ng-length-beyond-file.pcapng", "a block length beyond the end of the file",
                   _ng(blocks[:-1], bytes(last), epbs(job + bg, start=len(tls))), job + bg)


def ng_length_swallows() -> Hostile:
    """A block length within the file that swallows the job: only the trailer check catches it."""
    tls, job, bg = _story()
    blocks = epbs(tls)
    after = epbs(job + bg, start=len(tls))
    last = bytearray(blocks[-1])
    swallowed = len(last) + sum(len(b) for b in after[:len(job)])
    last[4:8] = struct.pack("<I", swallowed)
    return Hostile("ng-length-swallows.pcapng", "a block length that covers the job's blocks (trailer "
                   "mismatch)", _ng(blocks[:-1], bytes(last), after), job + bg)


def ng_garbage() -> Hostile:
    tls, job, bg = _story()
    junk = random.Random(9).randbytes(4099)
    return Hostile("ng-garbage.pcapng", "4099 random bytes between two blocks",
                   _ng(epbs(tls), junk, epbs(job + bg, start=len(tls))), job + bg)


def ng_bad_bom() -> Hostile:
    tls, job, bg = _story()
    bad = bytearray(shb())
    bad[8:12] = b"\xde\xad\xbe\xef"
    return Hostile("ng-bad-bom.pcapng", "a section header with a bad byte-order magic mid-file",
                   _ng(epbs(tls), bytes(bad), epbs(job + bg, start=len(tls))), job + bg)


def ng_unknown_block() -> Hostile:
    tls, job, bg = _story()
    unknown = block(0x0000_0F0F, b"vendor data" * 7)
    custom = block(0x0000_0BAD, struct.pack("<I", 32473) + b"custom")
    return Hostile("ng-unknown-block.pcapng", "unknown and custom blocks with sane lengths: skipped, "
                   "not damage", _ng(epbs(tls), unknown + custom, epbs(job + bg, start=len(tls))),
                   job + bg, damaged=False, kinds=set())


def ng_undeclared_interface() -> Hostile:
    tls, job, bg = _story()
    return Hostile("ng-undeclared-interface.pcapng", "the job's packets on interface 3, which no IDB "
                   "declared", _ng(epbs(tls), b"", epbs(job, start=len(tls), ifid=3)
                                   + epbs(bg, start=len(tls) + len(job))),
                   job + bg, kinds={"undeclared_interface"})


def ng_no_interface() -> Hostile:
    """No IDB at all: the packets are placed by content (Ethernet)."""
    tls, job, bg = _story()
    data = shb() + b"".join(epbs(tls + job + bg))
    return Hostile("ng-no-interface.pcapng", "packets with no IDB in the section",
                   data, job + bg, kinds={"undeclared_interface"})


def ng_new_section() -> Hostile:
    """A second section, big-endian, whose only interface is raw IP: a new interface list."""
    tls, job, bg = _story()
    raw_job = [f[14:] for f in job]  # the same packets without their Ethernet header
    second = shb(">") + idb(101, ">") + b"".join(epbs(raw_job, start=len(tls), e=">"))
    return Hostile("ng-new-section.pcapng", "a big-endian section with a raw-IP interface in the middle",
                   _ng(epbs(tls), second, []), raw_job, damaged=False, kinds=set())


def pcap_incl_above_orig() -> Hostile:
    """The TLS session's last record claims more captured bytes than its wire length, within the
    snaplen and within the file: a reader that trusts it swallows the whole job."""
    tls, job, bg = _story()
    recs = pcap_records(tls + job + bg)
    last = bytearray(recs[len(tls) - 1])
    job_bytes = sum(len(r) for r in recs[len(tls):len(tls) + len(job)])
    incl = len(last) - 16 + job_bytes + 100
    last[8:12] = struct.pack("<I", incl)
    recs[len(tls) - 1] = bytes(last)
    return Hostile("pcap-incl-above-orig.pcap", "incl_len within snaplen but above orig_len swallows "
                   "the records after it (read by orig_len: the next record starts there)",
                   pcap_header() + b"".join(recs), job + bg, kinds={"bad_record_length"})


def pcap_both_lengths_lie() -> Hostile:
    """As above, with orig_len lying too: nothing confirms either length, the header is skipped."""
    tls, job, bg = _story()
    recs = pcap_records(tls + job + bg)
    last = bytearray(recs[len(tls) - 1])
    incl = len(last) - 16 + sum(len(r) for r in recs[len(tls):len(tls) + len(job)]) + 100
    last[8:16] = struct.pack("<II", incl, incl + 7)
    recs[len(tls) - 1] = bytes(last)
    return Hostile("pcap-both-lengths-lie.pcap", "incl_len and orig_len both lie, within snaplen (the "
                   "job's first record, found inside the claimed data, ends the lying one)",
                   pcap_header() + b"".join(recs), job + bg, kinds={"bad_record_length"})


def pcap_incl_above_snaplen() -> Hostile:
    tls, job, bg = _story()
    recs = pcap_records(tls + job + bg)
    last = bytearray(recs[len(tls) - 1])
    last[8:16] = struct.pack("<II", 0x00F0_0000, 0x00F0_0000)
    recs[len(tls) - 1] = bytes(last)
    return Hostile("pcap-incl-above-snaplen.pcap", "a record length far above the snaplen",
                   pcap_header(snaplen=65535) + b"".join(recs), job + bg)


def pcap_garbage() -> Hostile:
    tls, job, bg = _story()
    recs = pcap_records(tls + job + bg)
    junk = random.Random(7).randbytes(3001)
    data = pcap_header() + b"".join(recs[:len(tls)]) + junk + b"".join(recs[len(tls):])
    return Hostile("pcap-garbage.pcap", "3001 random bytes between two records", data, job + bg)


def pcap_zeroed() -> Hostile:
    """A zeroed disk block over the end of the TLS session (records cut mid-way)."""
    tls, job, bg = _story()
    recs = pcap_records(tls + job + bg)
    data = bytearray(pcap_header() + b"".join(recs))
    start = 24 + sum(len(r) for r in recs[:len(tls) - 4]) + 30
    end = 24 + sum(len(r) for r in recs[:len(tls)]) - 10
    data[start:end] = bytes(end - start)
    return Hostile("pcap-zeroed.pcap", "a zeroed region ending inside the TLS session's last record",
                   bytes(data), job + bg)


def pcap_first_record_damaged() -> Hostile:
    """Damage before any good record: no timestamp to compare with, the chain decides."""
    tls, job, bg = _story()
    recs = pcap_records(job + bg)
    first = bytearray(recs[0])
    first[8:16] = b"\xff" * 8
    return Hostile("pcap-first-record-damaged.pcap", "the first record header is garbage",
                   pcap_header() + bytes(first) + b"".join(recs[1:]), job[1:] + bg)


def pcap_nano_big_endian_garbage() -> Hostile:
    tls, job, bg = _story()
    recs = []
    for i, f in enumerate(tls + job + bg):
        ns = round((T0 + i * STEP) * 1e9)
        recs.append(struct.pack(">IIII", ns // 10**9, ns % 10**9, len(f), len(f)) + f)
    junk = b"\x5a" * 513
    data = pcap_header(nano=True, e=">") + b"".join(recs[:len(tls)]) + junk + b"".join(recs[len(tls):])
    return Hostile("pcap-nano-be-garbage.pcap", "garbage in a big-endian nanosecond pcap", data, job + bg)


def gz_truncated() -> Hostile:
    """A gzip-compressed pcap cut at 85 %: everything inflated before the cut is read."""
    tls, job, bg = _story()
    raw = pcap_header() + b"".join(pcap_records(tls + job + bg))
    comp = gzip.compress(raw, compresslevel=9, mtime=0)
    cut = comp[:int(len(comp) * 0.85)]
    return Hostile("gz-truncated.pcap.gz", "a .pcap.gz cut before its end", cut, [],
                   damaged=False, truncated=True, kinds={"truncated_capture"}, job=False)


def gz_multi_member() -> Hostile:
    tls, job, bg = _story()
    raw = pcap_header() + b"".join(pcap_records(tls + job + bg))
    cut = 24 + sum(len(r) for r in pcap_records(tls))
    data = gzip.compress(raw[:cut], mtime=0) + gzip.compress(raw[cut:], mtime=0)
    return Hostile("gz-multi-member.pcap.gz", "two gzip members (cat a.gz b.gz)", data, job + bg,
                   damaged=False, kinds=set())


def gz_bomb(mib: int = 64) -> Hostile:
    """A pcap header, one real record, then ``mib`` MiB of zeros: about 1000:1."""
    d = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [d.compress(pcap_header() + pcap_records(job_frames()[:1])[0])]
    zeros = bytes(1 << 20)
    for _ in range(mib):
        parts.append(d.compress(zeros))
    parts.append(d.flush())
    return Hostile("gz-bomb.pcap.gz", f"{mib} MiB of zeros behind a pcap header, gzip-compressed",
                   b"".join(parts), [], truncated=True, kinds={"limit_exceeded"}, job=False)


CAPTURES: list[Callable[[], Hostile]] = [
    ng_zero_length, ng_odd_length, ng_short_length, ng_length_beyond_file, ng_length_swallows,
    ng_garbage, ng_bad_bom, ng_unknown_block, ng_undeclared_interface, ng_no_interface, ng_new_section,
    pcap_incl_above_orig, pcap_both_lengths_lie, pcap_incl_above_snaplen, pcap_garbage, pcap_zeroed,
    pcap_first_record_damaged, pcap_nano_big_endian_garbage, gz_truncated, gz_multi_member, gz_bomb,
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    index = {}
    for make in CAPTURES:
        h = make()
        (args.out / h.name).write_bytes(h.data)
        index[h.name] = {"shows": h.shows, "damaged": h.damaged, "truncated": h.truncated,
                         "anomalies": sorted(h.kinds), "job_after_damage": h.job}
    (args.out / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    print(f"{len(index)} captures in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
