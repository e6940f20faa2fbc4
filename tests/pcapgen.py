"""Build frames and capture files for tests, independently of sniffprint's own decoder.

Frames carry correct IPv4/TCP checksums (RFC 1071) computed the plain way (a loop over 16-bit
words), so the decoder's big-integer shortcut is checked against a straightforward reference.
"""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = 0
    for (w,) in struct.iter_unpack("!H", data):
        s += w
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp(src: str, dst: str, sport: int, dport: int, seq: int, ack: int, flags: int, payload: bytes = b"",
        bad_csum: bool = False, window: int = 65535) -> bytes:
    """An IP packet (v4 or v6 by the address) carrying one TCP segment."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, window, 0, 0)
    seg = hdr + payload
    if s.version == 4:
        pseudo = s.packed + d.packed + struct.pack("!BBH", 0, 6, len(seg))
    else:
        pseudo = s.packed + d.packed + struct.pack("!IxxxB", len(seg), 6)
    c = csum(pseudo + seg)
    if bad_csum:
        c ^= 0x5A5A
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    if s.version == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0x4000, 64, 6, 0, s.packed, d.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return ip + seg
    return struct.pack("!IHBB16s16s", 6 << 28, len(seg), 6, 64, s.packed, d.packed) + seg


def udp(src: str, dst: str, sport: int, dport: int, payload: bytes = b"", length: int | None = None) -> bytes:
    """An IP packet (v4 or v6 by the address) carrying one UDP datagram (RFC 768); ``length``
    overrides the UDP length field (to build malformed headers)."""
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    ulen = 8 + len(payload)
    dgram = struct.pack("!HHHH", sport, dport, ulen if length is None else length, 0) + payload
    if s.version == 4:
        pseudo = s.packed + d.packed + struct.pack("!BBH", 0, 17, ulen)
    else:
        pseudo = s.packed + d.packed + struct.pack("!IxxxB", ulen, 17)
    dgram = dgram[:6] + struct.pack("!H", csum(pseudo + dgram) or 0xFFFF) + dgram[8:]
    if s.version == 4:
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(dgram), 1, 0x4000, 64, 17, 0, s.packed, d.packed)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return ip + dgram
    return struct.pack("!IHBB16s16s", 6 << 28, len(dgram), 17, 64, s.packed, d.packed) + dgram


def ether(ip_packet: bytes, vlans: tuple[int, ...] = (), ethertype: int | None = None) -> bytes:
    et = ethertype or (0x0800 if ip_packet[0] >> 4 == 4 else 0x86DD)
    out = b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb"
    for i, v in enumerate(vlans):
        out += struct.pack("!HH", 0x88A8 if (i == 0 and len(vlans) > 1) else 0x8100, v)
    return out + struct.pack("!H", et) + ip_packet


def sll(ip_packet: bytes) -> bytes:
    et = 0x0800 if ip_packet[0] >> 4 == 4 else 0x86DD
    return struct.pack("!HHH8sH", 0, 1, 6, b"\x00\x11\x22\x33\x44\x55\0\0", et) + ip_packet


def sll2(ip_packet: bytes) -> bytes:
    et = 0x0800 if ip_packet[0] >> 4 == 4 else 0x86DD
    return struct.pack("!HHIHBB8s", et, 0, 2, 1, 0, 6, b"\x00\x11\x22\x33\x44\x55\0\0") + ip_packet


def null_lo(ip_packet: bytes, big_endian: bool = False) -> bytes:
    fam = 2 if ip_packet[0] >> 4 == 4 else 30
    return struct.pack(">I" if big_endian else "<I", fam) + ip_packet


@dataclass
class Conversation:
    """A TCP conversation written as frames: handshake, data both ways, FIN teardown."""

    client: str = "10.0.0.1"
    server: str = "10.0.0.2"
    cport: int = 40000
    sport: int = 9100
    cisn: int = 1000
    sisn: int = 5000
    mss: int = 1000

    def handshake(self) -> list[bytes]:
        self.cseq, self.sseq = self.cisn + 1, self.sisn + 1
        return [tcp(self.client, self.server, self.cport, self.sport, self.cisn, 0, SYN),
                tcp(self.server, self.client, self.sport, self.cport, self.sisn, self.cseq, SYN | ACK),
                tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, ACK)]

    def c2s(self, data: bytes) -> list[bytes]:
        out = []
        for i in range(0, len(data), self.mss):
            chunk = data[i:i + self.mss]
            out.append(tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, PSH | ACK, chunk))
            self.cseq += len(chunk)
        return out

    def s2c(self, data: bytes) -> list[bytes]:
        out = []
        for i in range(0, len(data), self.mss):
            chunk = data[i:i + self.mss]
            out.append(tcp(self.server, self.client, self.sport, self.cport, self.sseq, self.cseq, PSH | ACK, chunk))
            self.sseq += len(chunk)
        return out

    def close(self) -> list[bytes]:
        out = [tcp(self.client, self.server, self.cport, self.sport, self.cseq, self.sseq, FIN | ACK),
               tcp(self.server, self.client, self.sport, self.cport, self.sseq, self.cseq + 1, FIN | ACK),
               tcp(self.client, self.server, self.cport, self.sport, self.cseq + 1, self.sseq + 1, ACK)]
        return out


def pcap(frames: list[bytes], linktype: int = 1, nano: bool = False, big_endian: bool = False,
         t0: float = 1_700_000_000.0, step: float = 0.001, snaplen: int = 262144,
         times: list[float] | None = None) -> bytes:
    """``times``: each frame's offset from ``t0`` in seconds (default: ``step`` apart)."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for i, f in enumerate(frames):
        t = t0 + (times[i] if times is not None else i * step)
        sec = int(t)
        frac = round((t - sec) * (1e9 if nano else 1e6))
        cap = f[:snaplen]
        out.append(struct.pack(e + "IIII", sec, frac, len(cap), len(f)) + cap)
    return b"".join(out)


def _block(btype: int, body: bytes, e: str = "<") -> bytes:
    body += b"\0" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def pcapng(frames: list[tuple[int, bytes]], linktypes: list[int], t0: float = 1_700_000_000.0,
           step: float = 0.001, simple: bool = False, big_endian: bool = False, tsresol: int | None = None) -> bytes:
    """frames: (interface index, frame bytes). ``simple`` writes Simple Packet Blocks (interface 0)."""
    e = ">" if big_endian else "<"
    out = [_block(0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1), e)]
    for lt in linktypes:
        opts = b""
        if tsresol is not None:
            opts = struct.pack(e + "HHB3x", 9, 1, tsresol) + struct.pack(e + "HH", 0, 0)
        out.append(_block(1, struct.pack(e + "HHI", lt, 0, 0) + opts, e))
    div = 10 ** (tsresol if tsresol is not None else 6)
    for i, (ifid, f) in enumerate(frames):
        if simple:
            out.append(_block(3, struct.pack(e + "I", len(f)) + f, e))
        else:
            ts = round((t0 + i * step) * div)
            out.append(_block(6, struct.pack(e + "IIIII", ifid, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f)) + f, e))
    return b"".join(out)


def print_job_frames(wrap=ether, job: bytes | None = None, **conv) -> tuple[list[bytes], bytes]:  # type: ignore[no-untyped-def]
    """A complete raw-9100 print connection: returns (frames, the job bytes)."""
    job = job or (b"\x1b%-12345X@PJL JOB NAME=\"payroll\"\r\n@PJL ENTER LANGUAGE=POSTSCRIPT\r\n"
                  b"%!PS-Adobe-3.0\n%%Title: payroll\n/Helvetica findfont 12 scalefont setfont\n"
                  b"72 700 moveto (Quarterly payroll) show showpage\n" * 20 + b"\x1b%-12345X")
    c = Conversation(**conv)
    frames = c.handshake() + c.c2s(job) + c.close()
    return [wrap(f) for f in frames], job
