"""L2-L4 decoding with ``struct`` over the frame bytes: no per-packet objects.

Link types: Ethernet II with any stack of 802.1Q / 802.1ad (QinQ) / 0x9100 tags, Linux cooked
capture v1 (SLL) and v2 (SLL2), raw IP (LINKTYPE_RAW, IPV4, IPV6 and the BSD DLT 12/14 aliases),
BSD loopback (DLT_NULL, host byte order) and OpenBSD loopback (DLT_LOOP, network order).

Network: IPv4 (RFC 791) with options; IPv6 (RFC 8200) with hop-by-hop, routing, destination
options, AH and atomic-fragment extension headers. Transport: TCP (RFC 9293) segments are
returned to the caller (the hot path); UDP datagrams (RFC 768) are handed to ``on_udp`` when one is
set (the UDP table), else only counted; other protocols are counted.

Decisions (each with its anomaly kind):
- **IP fragments are not reassembled**: a fragment is counted (``ip_fragment``) and skipped.
  TCP stacks send with DF and path-MTU discovery, so a fragmented TCP segment on a print path is
  rare, and itself a sign of evasion; the byte hole it leaves is reported by reassembly as an
  explicit content gap, never filled. An IPv6 *atomic* fragment (offset 0, no more fragments) is
  a whole packet and is decoded.
- **Bad checksums are counted, not dropped** (``bad_ip_checksum``, ``bad_tcp_checksum`` counters
  on the decoder and a ``C`` in the flow history): captures taken on a sending host carry
  offloaded, never-computed checksums. The ones'-complement sum is computed as the big integer of
  the bytes modulo 0xFFFF (2^16 = 1 mod 0xFFFF), which is one C loop instead of a Python loop.
- **Frames cut by snaplen** hand on the payload bytes captured plus the length the IP header
  claims, so reassembly can record the missing tail as a gap.
- Garbage headers (bad version, impossible lengths) add a ``bad_*`` anomaly and the frame is
  skipped; the run goes on.
- UDP checksums are not verified: optional in IPv4 (zero = none), and a datagram is parsed whole
  by its dissector, which refuses what its protocol does not allow. A datagram cut by snaplen is
  handed on with the length its header claims, so the UDP table counts the missing bytes.
"""
from __future__ import annotations

import struct
from collections.abc import Callable

from ..anomalies import AnomalySink
from ..model import (
    DLT_RAW_ALT,
    DLT_RAW_ALT2,
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_LOOP,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
)

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN_TAGS = frozenset({0x8100, 0x88A8, 0x9100, 0x9200})  # 802.1Q, 802.1ad (QinQ), legacy QinQ
AF_INET = 2
AF_INET6 = frozenset({10, 24, 28, 30})  # Linux, NetBSD/OpenBSD, FreeBSD, macOS

IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPV6_EXT_SIMPLE = frozenset({0, 43, 60})  # hop-by-hop, routing, destination options
IPV6_FRAGMENT = 44
IPV6_AH = 51
IPV6_NONE = 59

# TCP flag bits (RFC 9293 section 3.1)
TH_FIN = 0x01
TH_SYN = 0x02
TH_RST = 0x04
TH_PUSH = 0x08
TH_ACK = 0x10
TH_URG = 0x20

_IPV4 = struct.Struct("!BBHHHBBH4s4s")  # ver/ihl tos len id frag ttl proto csum src dst
_IPV6 = struct.Struct("!IHBB16s16s")  # ver/class/label, payload length, next header, hops, src, dst
_TCP = struct.Struct("!HHIIBBHHH")  # sport dport seq ack offset flags window csum urgent
_UDP = struct.Struct("!HHH")  # sport dport length (the checksum follows, unread)
_U16 = struct.Struct("!H")
_NULL_LE = struct.Struct("<I")
_NULL_BE = struct.Struct(">I")


def ones_sum_ok(data: bytes | memoryview, pseudo: int) -> bool:
    """True when the ones'-complement sum of ``data`` plus ``pseudo`` is all ones (valid)."""
    n = len(data)
    value = int.from_bytes(data, "big")
    if n & 1:
        value <<= 8  # pad an odd length with a zero byte on the right
    return (value + pseudo) % 0xFFFF == 0


# A decoded TCP segment, as a plain tuple (the hot path creates no objects that outlive it):
# (src_ip: bytes, dst_ip: bytes, sport, dport, seq, ack, flags, window, payload: bytes,
#  claimed_len: int, csum_bad: bool)
Segment = tuple[bytes, bytes, int, int, int, int, int, int, bytes, int, bool]
# What ``on_udp`` receives: (ts, src_ip: bytes, dst_ip: bytes, sport, dport, payload, claimed_len)
UdpHandler = Callable[[float, bytes, bytes, int, int, bytes, int], None]


class Decoder:
    """Turns frames into TCP segment tuples and keeps the counters of everything else."""

    __slots__ = ("sink", "verify_checksums", "frames", "tcp", "udp", "other_l4", "non_ip",
                 "ip_fragments", "bad_ip_checksum", "bad_tcp_checksum", "undecodable", "ipv6", "on_udp")

    def __init__(self, sink: AnomalySink, verify_checksums: bool = True, on_udp: UdpHandler | None = None) -> None:
        self.sink = sink
        self.verify_checksums = verify_checksums
        self.on_udp = on_udp
        self.frames = 0
        self.tcp = 0
        self.udp = 0
        self.other_l4 = 0
        self.non_ip = 0
        self.ip_fragments = 0
        self.bad_ip_checksum = 0
        self.bad_tcp_checksum = 0
        self.undecodable = 0
        self.ipv6 = 0

    def _bad(self, ts: float, kind: str, detail: str, index: int) -> None:
        self.undecodable += 1
        self.sink.add(ts, None, "decode", kind, f"frame {index}: {detail}")

    def decode(self, ts: float, linktype: int, data: bytes, index: int) -> Segment | None:
        """Return the TCP segment tuple of a frame, or None (counted or recorded as anomaly)."""
        self.frames += 1
        n = len(data)
        # ---- link layer: find the network protocol and offset
        if linktype == LINKTYPE_ETHERNET:
            if n < 14:
                self._bad(ts, "bad_link_header", f"{n}-byte Ethernet frame", index)
                return None
            etype = (data[12] << 8) | data[13]
            off = 14
            while etype in ETH_VLAN_TAGS:
                if n < off + 4:
                    self._bad(ts, "bad_link_header", "VLAN tag cut short", index)
                    return None
                etype = (data[off + 2] << 8) | data[off + 3]
                off += 4
        elif linktype == LINKTYPE_LINUX_SLL:
            if n < 16:
                self._bad(ts, "bad_link_header", f"{n}-byte Linux cooked header", index)
                return None
            etype = (data[14] << 8) | data[15]
            off = 16
        elif linktype == LINKTYPE_LINUX_SLL2:
            if n < 20:
                self._bad(ts, "bad_link_header", f"{n}-byte Linux cooked v2 header", index)
                return None
            etype = (data[0] << 8) | data[1]
            off = 20
        elif linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6, DLT_RAW_ALT, DLT_RAW_ALT2):
            if n < 1:
                self._bad(ts, "bad_ip_header", "empty raw IP frame", index)
                return None
            ver = data[0] >> 4
            etype = ETH_IPV4 if ver == 4 else ETH_IPV6 if ver == 6 else -1
            off = 0
        elif linktype == LINKTYPE_NULL or linktype == LINKTYPE_LOOP:
            if n < 4:
                self._bad(ts, "bad_link_header", "loopback header cut short", index)
                return None
            fam = _NULL_BE.unpack_from(data)[0] if linktype == LINKTYPE_LOOP else _NULL_LE.unpack_from(data)[0]
            if fam > 0xFFFF:  # written on a big-endian host
                fam = _NULL_BE.unpack_from(data)[0]
            etype = ETH_IPV4 if fam == AF_INET else ETH_IPV6 if fam in AF_INET6 else -1
            off = 4
        else:
            self.non_ip += 1
            self.sink.add(ts, None, "decode", "unsupported_linktype",
                          f"frame {index}: link type {linktype} is not decoded")
            return None
        # ---- network layer
        if etype == ETH_IPV4:
            if n < off + 20:
                self._bad(ts, "bad_ip_header", "IPv4 header cut short", index)
                return None
            vihl, _tos, total, _id, frag, _ttl, proto, _csum, src, dst = _IPV4.unpack_from(data, off)
            ihl = (vihl & 0x0F) * 4
            if vihl >> 4 != 4 or ihl < 20 or total < ihl or n < off + ihl:
                self._bad(ts, "bad_ip_header",
                          f"IPv4 version {vihl >> 4}, header {ihl}, total length {total}", index)
                return None
            if self.verify_checksums and not ones_sum_ok(data[off:off + ihl], 0):
                self.bad_ip_checksum += 1
            if frag & 0x3FFF:  # more-fragments flag or a fragment offset
                self.ip_fragments += 1
                self.sink.add(ts, None, "decode", "ip_fragment",
                              f"frame {index}: IPv4 fragment (offset {(frag & 0x1FFF) * 8}) skipped; "
                              "fragments are not reassembled")
                return None
            l4 = off + ihl
            end = off + total
            pseudo_len = total - ihl
        elif etype == ETH_IPV6:
            if n < off + 40:
                self._bad(ts, "bad_ip_header", "IPv6 header cut short", index)
                return None
            vcl, plen, proto, _hops, src, dst = _IPV6.unpack_from(data, off)
            if vcl >> 28 != 6:
                self._bad(ts, "bad_ip_header", f"IPv6 version {vcl >> 28}", index)
                return None
            self.ipv6 += 1
            l4 = off + 40
            end = l4 + plen
            while True:
                if proto in IPV6_EXT_SIMPLE:
                    if n < l4 + 2:
                        self._bad(ts, "bad_ip_header", "IPv6 extension header cut short", index)
                        return None
                    proto, hlen = data[l4], (data[l4 + 1] + 1) * 8
                    l4 += hlen
                elif proto == IPV6_AH:
                    if n < l4 + 2:
                        self._bad(ts, "bad_ip_header", "IPv6 AH cut short", index)
                        return None
                    proto, hlen = data[l4], (data[l4 + 1] + 2) * 4
                    l4 += hlen
                elif proto == IPV6_FRAGMENT:
                    if n < l4 + 8:
                        self._bad(ts, "bad_ip_header", "IPv6 fragment header cut short", index)
                        return None
                    fo = _U16.unpack_from(data, l4 + 2)[0]
                    if fo & 0xFFF9:  # offset != 0 or M flag: a real fragment
                        self.ip_fragments += 1
                        self.sink.add(ts, None, "decode", "ip_fragment",
                                      f"frame {index}: IPv6 fragment skipped; fragments are not reassembled")
                        return None
                    proto = data[l4]
                    l4 += 8
                else:
                    break
            if l4 > end:
                self._bad(ts, "bad_ip_header", "IPv6 extension headers overrun the payload", index)
                return None
            pseudo_len = end - l4
        else:
            self.non_ip += 1
            return None
        # ---- transport layer
        if proto != IPPROTO_TCP:
            if proto == IPPROTO_UDP:
                self.udp += 1
                if self.on_udp is not None:
                    self._udp(ts, data, l4, end, src, dst, index)
            else:
                self.other_l4 += 1
            return None
        if n < l4 + 20:
            self._bad(ts, "bad_tcp_header", "TCP header cut short", index)
            return None
        sport, dport, seq, ack, doff, flags, window, _csum, _urg = _TCP.unpack_from(data, l4)
        thl = (doff >> 4) * 4
        if thl < 20 or l4 + thl > end:
            self._bad(ts, "bad_tcp_header", f"TCP header length {thl}", index)
            return None
        flags |= (doff & 1) << 8  # NS bit
        self.tcp += 1
        claimed = end - l4 - thl
        if end <= n:
            payload = data[l4 + thl:end]  # drop Ethernet padding beyond the IP length
            csum_bad = False
            if self.verify_checksums:
                # RFC 9293 3.1 / RFC 8200 8.1 pseudo-header; summing the addresses as one big
                # integer equals summing their 16-bit words modulo 0xFFFF
                pseudo = int.from_bytes(src, "big") + int.from_bytes(dst, "big") + IPPROTO_TCP + pseudo_len
                if not ones_sum_ok(data[l4:end], pseudo):
                    csum_bad = True
                    self.bad_tcp_checksum += 1
        else:  # cut by snaplen: what is there, and how much the header says there was
            payload = data[l4 + thl:n] if n > l4 + thl else b""
            csum_bad = False
        return (src, dst, sport, dport, seq, ack, flags, window, payload, claimed, csum_bad)

    def _udp(self, ts: float, data: bytes, l4: int, end: int, src: bytes, dst: bytes, index: int) -> None:
        """Hand one UDP datagram (RFC 768) to ``on_udp``: off the TCP path, so TCP pays nothing."""
        n = len(data)
        if n < l4 + 8:
            self._bad(ts, "bad_udp_header", "UDP header cut short", index)
            return
        sport, dport, ulen = _UDP.unpack_from(data, l4)
        if ulen < 8 or l4 + ulen > end:
            # RFC 768: length counts the header; jumbograms (RFC 2675, length 0) are not decoded
            self._bad(ts, "bad_udp_header", f"UDP length {ulen} for {end - l4} bytes of IP payload", index)
            return
        stop = l4 + ulen
        payload = data[l4 + 8:min(stop, n)]
        assert self.on_udp is not None
        self.on_udp(ts, src, dst, sport, dport, payload, ulen - 8)
