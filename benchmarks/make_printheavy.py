#!/usr/bin/env python3
"""Print-heavy benchmark capture built from the project's own real captures in pcaps/.

    python3 benchmarks/make_printheavy.py --out /tmp/printheavy.pcap [--size-mb 100] [--seed 1]
        [--manifest jobs.json] [--summary-json summary.json] [--concurrency 200]
        [--weight lossy=2 --weight mixed-background=1] [--source extra.pcapng ...] [--verify]

The print-heavy mix of issue 14: what a span port on a print VLAN or a print server's uplink
sees.  Every TCP flow of the real captures in pcaps/ (made with CUPS, Ghostscript, groff,
ipptool, Samba and socat/OpenSSL in network namespaces, see tools/make_captures.py) is copied
many times, packet for packet, with

  * the client moved: each copy of a capture is played by one workstation of a pool
    (--clients, 10.64.0.0/16 and fd77:0:0:1::/64, its own MAC); the servers (the print server
    10.77.0.20 / fd77::20) stay where they are, as on a print server's uplink;
  * the client's ephemeral ports renumbered from that workstation's own port counter
    (reserved source ports below 1024, as LPD clients use, are kept);
  * a new initial sequence number per flow and direction (seq, ack and SACK blocks shifted);
  * times shifted: --concurrency copies are in progress at once from the first seconds to the
    end, every copy that ends is replaced a few milliseconds later, whatever the size, so a
    small and a large capture keep the same number of open flows;
  * IPv4 header and TCP checksums recomputed; Ethernet framing rebuilt, so pcapng sources,
    nanosecond timestamps, Linux cooked (SLL, SLL2), raw-IP and loopback link types all come
    out as one classic microsecond pcap with LINKTYPE_ETHERNET.

Payloads, segment sizes, the order of packets inside a flow, retransmissions and gaps are the
captured ones.  Non-TCP frames (ARP, ...) and IP fragments are left out.

The sources are copied equally often (one copy of each per round, in a seeded shuffled order);
--weight NAME=N copies NAME N times per round (0 leaves it out).  By default every capture in
pcaps/ that holds a print flow is used; captures without printing (mixed-background.pcap, the
admin-panel ones) are not (add one with --weight mixed-background=N for non-print background
traffic), and captures without TCP (SNMP, mDNS) are skipped with a note.

Same arguments and same source files -> byte-identical output (whatever --out is, and whatever
PYTHONHASHSEED); the manifest records the sha256 of every source.  Memory is bounded by the
sources (a few hundred KB) and the copies in progress: packets are written as they leave a heap
that merges the copies in time order.  Standard library only.

--manifest writes every copy (source, start, client addresses and ports, and for each flow its
protocol and, from the source's .truth.json, whether it carries a document, its kind, size and
sha256), streamed as the copies start.  --summary-json writes the figures printed at the end.
--verify re-reads the output and checks the link type, time order and every IPv4 header and TCP
checksum.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import heapq
import json
import os
import random
import struct
import sys
import time

GEN_VERSION = 1

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PCAPS = os.path.join(REPO, 'pcaps')
MiB = 1 << 20
M32 = 0xFFFFFFFF
BASE_EPOCH = 1710234000          # 2024-03-12 09:00:00 UTC, as make_capture.py
RAMP_S = 2.0                     # the first --concurrency copies start within this many seconds
CONCURRENCY = 200                # copies in progress at once (workstations printing)
CLIENTS = 4000                   # workstations in the pool
BACKGROUND = ('mixed-background',)   # sources without printing: weight 0 unless asked for

# link types (https://www.tcpdump.org/linktypes.html)
LT_NULL, LT_ETHERNET, LT_RAW, LT_LOOP, LT_SLL, LT_IPV4, LT_IPV6, LT_SLL2 = 0, 1, 101, 108, 113, 228, 229, 276
LT_RAW_ALIASES = (12, 14)        # DLT_RAW on some BSDs
ETH_IPV4, ETH_IPV6, ETH_VLAN, ETH_QINQ = 0x0800, 0x86DD, 0x8100, 0x88A8
SYN, ACK = 0x02, 0x10
TCPOPT_EOL, TCPOPT_NOP, TCPOPT_SACK = 0, 1, 5
# server ports of the protocols in the sources: the client side of a flow without a SYN
SERVER_PORTS = frozenset((9100, 9101, 9102, 515, 631, 445, 139, 80, 8080, 443, 5001))

REC = struct.Struct('<IIII')
PCAP_HDR = struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, LT_ETHERNET)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def csum_mod(b) -> int:
    """Ones'-complement sum of the 16-bit words of b, as an integer mod 0xFFFF (pads odd length).

    2**16 == 1 (mod 0xFFFF), so the sum of the words is congruent to the buffer read as one
    big-endian integer: one C-level conversion instead of a Python loop over words.
    """
    v = int.from_bytes(b, 'big')
    if len(b) & 1:
        v <<= 8
    return v % 0xFFFF


def fold(v: int) -> int:
    """Checksum field for a sum of 16-bit words that is known to be non-zero."""
    c = v % 0xFFFF
    return 0xFFFF - c if c else 0


# ---------------------------------------------------------------------------
# Reading the sources: pcap or pcapng, any supported link type -> IP packets
# ---------------------------------------------------------------------------

def _open(path):
    with open(path, 'rb') as f:
        magic = f.read(2)
    return gzip.open(path, 'rb') if magic == b'\x1f\x8b' else open(path, 'rb')


def read_frames(path):
    """Yield (ts_us, linktype, frame bytes) of every packet in a pcap or pcapng file."""
    with _open(path) as f:
        data = f.read()
    if len(data) < 4:
        raise ValueError('%s: not a capture file' % path)
    magic = data[:4]
    if magic == b'\x0a\x0d\x0d\x0a':
        yield from _read_pcapng(path, data)
        return
    for endian in '<>':
        m = struct.unpack(endian + 'I', magic)[0]
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError('%s: not a pcap or pcapng file' % path)
    nano = m == 0xA1B23C4D
    linktype = struct.unpack_from(endian + 'I', data, 20)[0] & 0x0FFFFFFF
    rec = struct.Struct(endian + 'IIII')
    p = 24
    while p + 16 <= len(data):
        sec, frac, incl, _orig = rec.unpack_from(data, p)
        p += 16
        frame = data[p:p + incl]
        p += incl
        yield sec * 1000000 + (frac // 1000 if nano else frac), linktype, frame


def _read_pcapng(path, data):
    endian = '<'
    ifaces = []                      # (linktype, units per second)
    p = 0
    n = len(data)
    while p + 12 <= n:
        btype = struct.unpack_from(endian + 'I', data, p)[0]
        if btype == 0x0A0D0D0A:      # section header: its byte-order magic sets the endianness
            bom = data[p + 8:p + 12]
            endian = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            ifaces = []
        blen = struct.unpack_from(endian + 'I', data, p + 4)[0]
        if blen < 12 or p + blen > n:
            raise ValueError('%s: damaged pcapng block at offset %d' % (path, p))
        body = data[p + 8:p + blen - 4]
        if btype == 1:               # interface description: link type, then options (if_tsresol)
            lt = struct.unpack_from(endian + 'H', body, 0)[0]
            ifaces.append((lt, _tsresol(body[8:], endian)))
        elif btype == 6:             # enhanced packet block
            ifid, hi, lo, incl, _orig = struct.unpack_from(endian + 'IIIII', body, 0)
            lt, units = ifaces[ifid]
            yield ((hi << 32) | lo) * 1000000 // units, lt, body[20:20 + incl]
        elif btype == 2:             # obsolete packet block
            ifid, _drops, hi, lo, incl, _orig = struct.unpack_from(endian + 'HHIIII', body, 0)
            lt, units = ifaces[ifid]
            yield ((hi << 32) | lo) * 1000000 // units, lt, body[20:20 + incl]
        elif btype == 3:             # simple packet block: no timestamp, first interface
            raise ValueError('%s: simple packet blocks carry no timestamp; not usable as a source' % path)
        p += blen


def _tsresol(opts, endian):
    p = 0
    while p + 4 <= len(opts):
        code, olen = struct.unpack_from(endian + 'HH', opts, p)
        if code == 0:
            break
        if code == 9 and olen >= 1:  # if_tsresol
            r = opts[p + 4]
            return 2 ** (r & 0x7F) if r & 0x80 else 10 ** r
        p += 4 + ((olen + 3) & ~3)
    return 1000000


def to_ip(linktype, frame):
    """(ethertype, src MAC, dst MAC, IP packet) of a frame, or None if it carries no IP.

    MACs are None where the link type has none (raw IP, loopback, cooked captures keep only
    the sender's address, which is not kept either: both are rebuilt from the IP addresses)."""
    if linktype == LT_ETHERNET:
        if len(frame) < 14:
            return None
        dst, src = frame[0:6], frame[6:12]
        et = struct.unpack_from('!H', frame, 12)[0]
        p = 14
        while et in (ETH_VLAN, ETH_QINQ) and len(frame) >= p + 4:   # VLAN tags are dropped
            et = struct.unpack_from('!H', frame, p + 2)[0]
            p += 4
        return (et, src, dst, frame[p:]) if et in (ETH_IPV4, ETH_IPV6) else None
    if linktype == LT_SLL:
        if len(frame) < 16:
            return None
        et = struct.unpack_from('!H', frame, 14)[0]
        return (et, None, None, frame[16:]) if et in (ETH_IPV4, ETH_IPV6) else None
    if linktype == LT_SLL2:
        if len(frame) < 20:
            return None
        et = struct.unpack_from('!H', frame, 0)[0]
        return (et, None, None, frame[20:]) if et in (ETH_IPV4, ETH_IPV6) else None
    if linktype in (LT_RAW, LT_IPV4, LT_IPV6) + LT_RAW_ALIASES:
        if not frame:
            return None
        v = frame[0] >> 4
        return ((ETH_IPV4 if v == 4 else ETH_IPV6), None, None, frame) if v in (4, 6) else None
    if linktype in (LT_NULL, LT_LOOP):
        if len(frame) < 5:
            return None
        v = frame[4] >> 4
        return ((ETH_IPV4 if v == 4 else ETH_IPV6), None, None, frame[4:]) if v in (4, 6) else None
    raise ValueError('link type %d is not supported' % linktype)


class TPacket:
    """One TCP packet of a source capture, split into the parts a copy rewrites."""
    __slots__ = ('ts', 'flow', 'd', 'v6', 'iph', 'ip_base', 'tcph', 'seq', 'ack', 'has_ack', 'sacks',
                 'payload', 'pay_sum', 'trailer', 'mac', 'first', 'last', 'wire')


class TFlow:
    """One TCP flow of a source: endpoints oriented client -> server."""
    __slots__ = ('cip', 'cport', 'sip', 'sport', 'v6', 'packets', 'payload', 'truth', 'client_mac', 'server_mac')


def _sack_positions(tcph):
    """Offsets (in the TCP header) of the 32-bit edges of SACK blocks."""
    out = []
    p = 20
    end = len(tcph)
    while p < end:
        kind = tcph[p]
        if kind == TCPOPT_EOL:
            break
        if kind == TCPOPT_NOP:
            p += 1
            continue
        if p + 1 >= end:
            break
        olen = tcph[p + 1]
        if olen < 2 or p + olen > end:
            break
        if kind == TCPOPT_SACK:
            out.extend(range(p + 2, p + olen - 3, 4))
        p += olen
    return tuple(out)


def _addr(ip, port):
    if len(ip) == 4:
        return '%d.%d.%d.%d:%d' % (ip[0], ip[1], ip[2], ip[3], port)
    import ipaddress
    return '[%s]:%d' % (ipaddress.IPv6Address(ip), port)


class Source:
    """A real capture reduced to its TCP flows, with times relative to its first TCP packet."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path).split('.')[0]
        with open(path, 'rb') as f:
            self.sha256 = hashlib.sha256(f.read()).hexdigest()
        self.truth = self._load_truth(path)
        self.skipped = {'non_ip': 0, 'non_tcp': 0, 'fragments': 0, 'ipv6_ext_headers': 0, 'malformed': 0}
        self.linktypes = set()
        self.flows = []
        self.packets = []
        self._parse()

    @staticmethod
    def _load_truth(path):
        stem = path
        for ext in ('.gz', '.pcapng', '.pcap'):
            if stem.endswith(ext):
                stem = stem[:-len(ext)]
        try:
            with open(stem + '.truth.json') as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _truth_flows(self):
        """'client'-'server' string pairs -> truth record (print flows and other TCP flows)."""
        out = {}
        if not self.truth:
            return out
        for rec in self.truth.get('print_flows', []) + self.truth.get('other_tcp_flows', []):
            c, s = rec.get('client'), rec.get('server')
            if c and s:
                out[(c, s)] = rec
        return out

    def _parse(self):
        raw = []                     # (ts, ethertype, src mac, dst mac, src ip, dst ip, sport, dport, ip pkt, ...)
        keys = {}                    # canonical endpoint pair -> flow index
        syn_from = {}                # flow index -> (ip, port) that sent the first SYN
        for ts, lt, frame in read_frames(self.path):
            self.linktypes.add(lt)
            r = to_ip(lt, frame)
            if r is None:
                self.skipped['non_ip'] += 1
                continue
            et, smac, dmac, pkt = r
            parsed = self._parse_ip(et, pkt)
            if parsed is None:
                continue
            src, dst, iph, tcp, trailer = parsed
            sport, dport, seq, ack, off_flags = struct.unpack_from('!HHIIH', tcp, 0)
            doff = (off_flags >> 12) * 4
            flags = off_flags & 0x3F
            if doff < 20 or len(tcp) < doff:
                self.skipped['malformed'] += 1
                continue
            a, b = (src, sport), (dst, dport)
            key = (a, b) if a <= b else (b, a)
            fi = keys.get(key)
            if fi is None:
                fi = keys[key] = len(keys)
            if flags & SYN and not flags & ACK and fi not in syn_from:
                syn_from[fi] = a
            raw.append((ts, fi, a, smac, dmac, iph, tcp[:doff], seq, ack, bool(flags & ACK), tcp[doff:], trailer))
        if not raw:
            raise ValueError('%s: no TCP packets' % self.path)
        truth = self._truth_flows()
        flows = [None] * len(keys)
        for key, fi in keys.items():
            a, b = key
            t_ab = truth.get((_addr(*a), _addr(*b)))
            t_ba = truth.get((_addr(*b), _addr(*a)))
            if fi in syn_from:
                cli = syn_from[fi]
            elif t_ab is not None or t_ba is not None:
                cli = a if t_ab is not None else b
            elif (a[1] in SERVER_PORTS) != (b[1] in SERVER_PORTS):
                cli = b if a[1] in SERVER_PORTS else a
            else:
                cli = a if a[1] > b[1] else b
            srv = b if cli == a else a
            fl = TFlow()
            fl.cip, fl.cport = cli
            fl.sip, fl.sport = srv
            fl.v6 = len(cli[0]) == 16
            fl.packets = 0
            fl.payload = 0
            fl.truth = truth.get((_addr(*cli), _addr(*srv)))
            fl.client_mac = fl.server_mac = None
            flows[fi] = fl
        t0 = min(r[0] for r in raw)
        last_ts = 0
        first_seen, last_index = set(), {}
        for i, (ts, fi, a, smac, dmac, iph, tcph, seq, ack, has_ack, payload, trailer) in enumerate(raw):
            fl = flows[fi]
            d = 0 if a == (fl.cip, fl.cport) else 1
            if smac is not None:
                if d == 0:
                    fl.client_mac, fl.server_mac = fl.client_mac or smac, fl.server_mac or dmac
                else:
                    fl.server_mac, fl.client_mac = fl.server_mac or smac, fl.client_mac or dmac
            p = TPacket()
            rel = ts - t0
            p.ts = last_ts = max(rel, last_ts)          # keep a source's order, even if its clock stepped back
            p.flow = fi
            p.d = d
            p.v6 = fl.v6
            p.iph = iph
            if not fl.v6:
                # header words without addresses and checksum: the copy adds its own addresses
                p.ip_base = csum_mod(iph[:10] + iph[20:])
            else:
                p.ip_base = 0
            p.tcph = tcph[:16] + b'\0\0' + tcph[18:]
            p.seq, p.ack, p.has_ack = seq, ack, has_ack
            p.sacks = _sack_positions(tcph)
            p.payload = payload
            p.pay_sum = csum_mod(payload)
            p.trailer = trailer
            p.mac = None
            p.first = fi not in first_seen
            first_seen.add(fi)
            last_index[fi] = i
            p.last = False
            p.wire = 16 + 14 + len(iph) + len(tcph) + len(payload) + len(trailer)
            fl.packets += 1
            fl.payload += len(payload)
            self.packets.append(p)
        for i in last_index.values():
            self.packets[i].last = True
        self.flows = flows
        self.duration_us = self.packets[-1].ts
        self.wire_bytes = sum(p.wire for p in self.packets)
        self.payload_bytes = sum(fl.payload for fl in flows)
        self.print_payload = sum(fl.payload for fl in flows if self.is_print(fl))
        self.doc_bytes = sum(((fl.truth or {}).get('document') or {}).get('size') or 0
                             for fl in flows if self.is_print(fl) and (fl.truth or {}).get('carries_document'))
        self.has_print = any(self.is_print(fl) for fl in flows)

    def is_print(self, fl):
        if self.truth is not None:
            return fl.truth is not None and fl.truth in self.truth.get('print_flows', [])
        return fl.sport in (9100, 9101, 9102, 515, 631, 445)

    def _parse_ip(self, et, pkt):
        """(src, dst, IP header, TCP segment, trailer) or None (counted in self.skipped)."""
        if et == ETH_IPV4:
            if len(pkt) < 20:
                self.skipped['malformed'] += 1
                return None
            ihl = (pkt[0] & 0x0F) * 4
            tot = struct.unpack_from('!H', pkt, 2)[0]
            if ihl < 20 or tot < ihl or len(pkt) < ihl:
                self.skipped['malformed'] += 1
                return None
            if pkt[9] != 6:
                self.skipped['non_tcp'] += 1
                return None
            if struct.unpack_from('!H', pkt, 6)[0] & 0x3FFF:
                self.skipped['fragments'] += 1
                return None
            end = min(tot, len(pkt))
            return pkt[12:16], pkt[16:20], pkt[:ihl], pkt[ihl:end], pkt[end:]
        if len(pkt) < 40:
            self.skipped['malformed'] += 1
            return None
        if pkt[6] != 6:
            if pkt[6] in (0, 43, 44, 60):
                self.skipped['ipv6_ext_headers'] += 1
            else:
                self.skipped['non_tcp'] += 1
            return None
        end = min(40 + struct.unpack_from('!H', pkt, 4)[0], len(pkt))
        return pkt[8:24], pkt[24:40], pkt[:40], pkt[40:end], pkt[end:]

    def describe(self):
        rel = os.path.relpath(self.path, REPO) if self.path.startswith(REPO + os.sep) else self.path
        return {'name': self.name, 'file': rel,
                'sha256': self.sha256, 'linktypes': sorted(self.linktypes), 'tcp_packets': len(self.packets),
                'tcp_flows': len(self.flows), 'wire_bytes': self.wire_bytes, 'tcp_payload_bytes': self.payload_bytes,
                'print_payload_bytes': self.print_payload, 'document_bytes': self.doc_bytes,
                'duration_s': round(self.duration_us / 1e6, 6),
                'skipped': {k: v for k, v in self.skipped.items() if v}}


# ---------------------------------------------------------------------------
# The client pool
# ---------------------------------------------------------------------------

class Client:
    __slots__ = ('index', 'ip4', 'ip6', 'mac', 'port')

    def __init__(self, index, rng):
        self.index = index
        k = index + 1
        self.ip4 = bytes((10, 64, (k >> 8) & 0xFF, k & 0xFF)) if k < 65536 else \
            bytes((10, 64 + (k >> 16), (k >> 8) & 0xFF, k & 0xFF))
        self.ip6 = bytes.fromhex('fd770000000000010000000000000000')[:12] + k.to_bytes(4, 'big')
        self.mac = b'\x02\x42' + k.to_bytes(4, 'big')
        self.port = rng.randrange(32768, 61000)

    def next_port(self):
        self.port += 1
        if self.port >= 61000:
            self.port = 32768
        return self.port


class Pool:
    def __init__(self, n, rng):
        self.rng = rng
        self.clients = [Client(i, rng) for i in range(n)]
        self.busy = set()

    def acquire(self):
        n = len(self.clients)
        if len(self.busy) >= n:
            raise SystemExit('all %d clients are busy: raise --clients or lower --concurrency' % n)
        i = self.rng.randrange(n)
        while i in self.busy:
            i = (i + 1) % n
        self.busy.add(i)
        return self.clients[i]

    def release(self, c):
        self.busy.discard(c.index)


# ---------------------------------------------------------------------------
# One copy of a source
# ---------------------------------------------------------------------------

class CopyFlow:
    __slots__ = ('cip', 'sip', 'cport', 'sport', 'off', 'addr_sum', 'eth', 'ports')


def plan_copy(src, pool, rng):
    """Choose the clients, ports and sequence offsets of one copy of src."""
    clients = {}                     # original client IP -> pool client (v4 and v6 of one host share one)
    order4, order6 = [], []
    for fl in src.flows:
        lst = order6 if fl.v6 else order4
        if fl.cip not in lst:
            lst.append(fl.cip)
    hosts = [pool.acquire() for _ in range(max(len(order4), len(order6)))]
    for lst in (order4, order6):
        for i, ip in enumerate(lst):
            clients[ip] = hosts[i]
    ports = {}
    cflows = []
    for fl in src.flows:
        host = clients[fl.cip]
        pkey = (fl.cip, fl.cport)
        if pkey not in ports:
            ports[pkey] = fl.cport if fl.cport < 1024 else host.next_port()
        cf = CopyFlow()
        cf.cip = host.ip6 if fl.v6 else host.ip4
        cf.sip = fl.sip
        cf.cport = ports[pkey]
        cf.sport = fl.sport
        cf.off = (rng.getrandbits(32), rng.getrandbits(32))
        cf.addr_sum = csum_mod(cf.cip) + csum_mod(cf.sip)
        smac = fl.server_mac or (b'\x02\x4d' + fl.sip[-4:])
        etype = b'\x86\xdd' if fl.v6 else b'\x08\x00'
        cf.eth = (smac + host.mac + etype, host.mac + smac + etype)    # by direction: c->s, s->c
        cf.ports = ((cf.cport, cf.sport), (cf.sport, cf.cport))
        cflows.append(cf)
    return hosts, cflows


PACK_PORTS_SEQ_ACK = struct.Struct('!HHII').pack
PACK_U32 = struct.Struct('!I').pack_into
PACK_U16 = struct.Struct('!H').pack


def copy_packets(src, cflows, start_us):
    """Yield (ts_us, frame, open delta) of one copy, in the source's order."""
    for p in src.packets:
        cf = cflows[p.flow]
        d = p.d
        off_own, off_peer = cf.off[d], cf.off[1 - d]
        sport, dport = cf.ports[d]
        ack = ((p.ack + off_peer) & M32) if p.has_ack else p.ack
        tcph = p.tcph
        if p.sacks:
            h = bytearray(tcph)
            for pos in p.sacks:
                PACK_U32(h, pos, (int.from_bytes(h[pos:pos + 4], 'big') + off_peer) & M32)
            tcph = bytes(h)
        tcph = PACK_PORTS_SEQ_ACK(sport, dport, (p.seq + off_own) & M32, ack) + tcph[12:]
        tcp_len = len(tcph) + len(p.payload)
        if d == 0:
            s_ip, d_ip = cf.cip, cf.sip
        else:
            s_ip, d_ip = cf.sip, cf.cip
        c = fold(cf.addr_sum + 6 + tcp_len + csum_mod(tcph) + p.pay_sum)
        tcph = tcph[:16] + PACK_U16(c) + tcph[18:]
        iph = p.iph
        if p.v6:
            iph = iph[:8] + s_ip + d_ip
        else:
            iph = iph[:10] + PACK_U16(fold(p.ip_base + cf.addr_sum)) + s_ip + d_ip + iph[20:]
        delta = (1 if p.first else 0) - (1 if p.last else 0)
        yield start_us + p.ts, cf.eth[d] + iph + tcph + p.payload + p.trailer, delta


# ---------------------------------------------------------------------------
# The mix
# ---------------------------------------------------------------------------

def default_sources():
    out = sorted(glob.glob(os.path.join(PCAPS, '*.pcap')) + glob.glob(os.path.join(PCAPS, '*.pcapng')))
    if not out:
        raise SystemExit('no captures in %s' % PCAPS)
    return out


def parse_weights(items, names):
    w = {}
    for it in items or ():
        name, sep, val = it.partition('=')
        if not sep or not val.strip().isdigit():
            raise SystemExit('--weight wants NAME=N (N >= 0), got %r' % it)
        if name not in names:
            raise SystemExit('--weight: no source named %r (have: %s)' % (name, ', '.join(sorted(names))))
        w[name] = int(val)
    return w


class Builder:
    def __init__(self, sources, target_bytes, seed, concurrency, n_clients, manifest_fp=None):
        self.sources = sources
        self.target = target_bytes
        self.seed = seed
        self.concurrency = concurrency
        self.rng = random.Random('printheavy:%d' % seed)
        self.pool = Pool(n_clients, random.Random('printheavy-clients:%d' % seed))
        self.manifest_fp = manifest_fp
        self.round = []
        self.copies = 0
        self.copies_by_source = {s.name: 0 for s, _w in sources}
        self.planned = len(PCAP_HDR)
        self.jobs = 0
        self.doc_bytes = 0
        self.print_payload = 0
        self.payload = 0
        self.print_flows = 0
        self.flows = 0

    def next_source(self):
        if not self.round:
            self.round = [s for s, w in self.sources for _ in range(w)]
            self.rng.shuffle(self.round)
            self.round.reverse()       # pop() from the end = shuffled order from the start
        return self.round.pop()

    def start_copy(self, t_us):
        src = self.next_source()
        hosts, cflows = plan_copy(src, self.pool, self.rng)
        self.copies += 1
        self.copies_by_source[src.name] += 1
        self.planned += src.wire_bytes
        self.payload += src.payload_bytes
        self.print_payload += src.print_payload
        self.doc_bytes += src.doc_bytes
        self.flows += len(src.flows)
        for fl in src.flows:
            if src.is_print(fl):
                self.print_flows += 1
                if (fl.truth or {}).get('carries_document'):
                    self.jobs += 1
        if self.manifest_fp is not None:
            self._manifest(src, cflows, t_us)
        return src, hosts, copy_packets(src, cflows, t_us)

    def _manifest(self, src, cflows, t_us):
        flows = []
        for fl, cf in zip(src.flows, cflows, strict=True):
            tr = fl.truth or {}
            rec = {'client': _addr(cf.cip, cf.cport), 'server': _addr(cf.sip, cf.sport),
                   'source_client': _addr(fl.cip, fl.cport),
                   'protocol': tr.get('protocol') or tr.get('ground_truth') or 'tcp/%d' % fl.sport,
                   'print': src.is_print(fl), 'packets': fl.packets, 'payload_bytes': fl.payload}
            if 'encrypted' in tr:
                rec['encrypted'] = tr['encrypted']
            if tr.get('carries_document'):
                doc = tr.get('document') or {}
                rec['document'] = {k: doc.get(k) for k in ('kind', 'size', 'sha256', 'languages') if k in doc}
            flows.append(rec)
        entry = {'copy': self.copies - 1, 'source': src.name, 'start': round(BASE_EPOCH + t_us / 1e6, 6),
                 'flows': flows}
        self.manifest_fp.write((',\n' if self.copies > 1 else '\n') + json.dumps(entry, separators=(',', ':')))

    def generate(self, out):
        rng = self.rng
        heap = []
        push, pop = heapq.heappush, heapq.heappop
        rec = REC.pack
        counter = 0
        packets = 0
        written = len(PCAP_HDR)
        out.write(PCAP_HDR)
        spawns = sorted(int(rng.uniform(0.0, RAMP_S) * 1e6) for _ in range(self.concurrency))
        spawning = True
        open_flows = 0
        max_open = 0
        open_area = 0                # integral of open flows over time (flow-microseconds)
        last_t = None
        active = {}                  # heap counter of a copy's generator -> its hosts
        max_active = 0
        buf = []
        buf_bytes = 0
        tmax = 0
        while True:
            if spawns and (not heap or spawns[0] <= heap[0][0]):
                t0 = heapq.heappop(spawns)
                if self.copies and self.planned >= self.target:
                    spawns = []
                    spawning = False
                    continue
                src, hosts, gen = self.start_copy(t0)
                first = next(gen)
                cid = counter
                counter += 1
                active[cid] = hosts
                max_active = max(max_active, len(active))
                push(heap, (first[0], cid, gen, first[1], first[2]))
                continue
            if not heap:
                break
            t, cid, gen, frame, delta = pop(heap)
            if last_t is not None:
                open_area += open_flows * (t - last_t)
            last_t = t
            open_flows += delta
            if open_flows > max_open:
                max_open = open_flows
            n = len(frame)
            buf.append(rec(BASE_EPOCH + t // 1000000, t % 1000000, n, n))
            buf.append(frame)
            buf_bytes += n + 16
            packets += 1
            nxt = next(gen, None)
            if nxt is not None:
                push(heap, (nxt[0], cid, gen, nxt[1], nxt[2]))
            else:
                for h in active.pop(cid):
                    self.pool.release(h)
                if spawning:
                    heapq.heappush(spawns, t + int(rng.expovariate(200.0) * 1e6))
            if buf_bytes > 4 * MiB:
                out.write(b''.join(buf))
                written += buf_bytes
                buf = []
                buf_bytes = 0
            tmax = t
        out.write(b''.join(buf))
        written += buf_bytes
        dur = tmax
        return {'packets': packets, 'bytes': written, 'duration_s': round(dur / 1e6, 3),
                'max_open_flows': max_open, 'mean_open_flows': round(open_area / dur, 1) if dur else 0,
                'max_copies_in_progress': max_active}


# ---------------------------------------------------------------------------
# Verification of an output file
# ---------------------------------------------------------------------------

def verify(path):
    """Check link type, time order and every IPv4 header / TCP checksum; return problems."""
    problems = []
    with open(path, 'rb') as f:
        hdr = f.read(24)
        magic, _vmaj, _vmin, _tz, _sig, _snap, lt = struct.unpack('<IHHiIII', hdr)
        if magic != 0xA1B2C3D4 or lt != LT_ETHERNET:
            return ['not a microsecond little-endian Ethernet pcap']
        last = 0
        n = 0
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            sec, usec, incl, orig = REC.unpack(h)
            frame = f.read(incl)
            n += 1
            t = sec * 1000000 + usec
            if t < last:
                problems.append('packet %d: time goes back' % n)
            last = t
            et = struct.unpack_from('!H', frame, 12)[0]
            ip = frame[14:]
            if et == ETH_IPV4:
                ihl = (ip[0] & 0x0F) * 4
                tot = struct.unpack_from('!H', ip, 2)[0]
                if csum_mod(ip[:ihl]) != 0:
                    problems.append('packet %d: bad IPv4 header checksum' % n)
                seg = ip[ihl:tot]
                pseudo = ip[12:20] + struct.pack('!BBH', 0, 6, len(seg))
            elif et == ETH_IPV6:
                seg = ip[40:40 + struct.unpack_from('!H', ip, 4)[0]]
                pseudo = ip[8:40] + struct.pack('!IxxxB', len(seg), 6)
            else:
                problems.append('packet %d: not IP' % n)
                continue
            if (csum_mod(pseudo) + csum_mod(seg)) % 0xFFFF != 0:
                problems.append('packet %d: bad TCP checksum' % n)
            if len(problems) > 20:
                problems.append('... stopping')
                break
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--size-mb', type=float, default=100.0, help='approximate capture size in MiB (default 100)')
    ap.add_argument('--out', required=True, help='output pcap path')
    ap.add_argument('--seed', type=int, default=1, help='seed (default 1)')
    ap.add_argument('--concurrency', type=int, default=CONCURRENCY,
                    help='copies in progress at once (default %d)' % CONCURRENCY)
    ap.add_argument('--clients', type=int, default=CLIENTS, help='workstations in the pool (default %d)' % CLIENTS)
    ap.add_argument('--source', action='append', metavar='CAPTURE',
                    help='source capture (repeatable; default: every pcaps/*.pcap and *.pcapng); a '
                         'NAME.truth.json beside it labels its flows')
    ap.add_argument('--weight', action='append', metavar='NAME=N',
                    help='copies of source NAME per round (default 1, 0 for %s)' % ', '.join(BACKGROUND))
    ap.add_argument('--manifest', help='write every copy and its jobs (JSON) here')
    ap.add_argument('--summary-json', help='write the summary (JSON) here')
    ap.add_argument('--verify', action='store_true', help='re-read the output and check checksums and order')
    ap.add_argument('--quiet', action='store_true', help='no summary on stdout')
    args = ap.parse_args(argv)
    if args.clients < args.concurrency * 2:
        raise SystemExit('--clients must be at least twice --concurrency (a copy may need two workstations)')

    t_start = time.perf_counter()
    paths = args.source or default_sources()
    srcs = []
    for p in paths:
        try:
            srcs.append(Source(os.path.abspath(p)))
        except ValueError as e:  # a UDP-only capture (SNMP, mDNS): nothing to copy into a TCP mix
            if args.source:
                raise SystemExit(str(e)) from None
            print('make_printheavy: skipped %s' % e, file=sys.stderr)
    names = {s.name for s in srcs}
    if len(names) != len(srcs):
        raise SystemExit('two sources share a name: %s' % ', '.join(sorted(s.name for s in srcs)))
    weights = parse_weights(args.weight, names)
    chosen = []
    for s in srcs:
        background = s.name in BACKGROUND or not s.has_print  # admin panels, discovery: no printing
        w = weights.get(s.name, 0 if background and not args.source else 1)
        if w:
            chosen.append((s, w))
    if not chosen:
        raise SystemExit('every source has weight 0')
    mf = None
    if args.manifest:
        mf = open(args.manifest, 'w')
        head = {'generator': 'benchmarks/make_printheavy.py', 'generator_version': GEN_VERSION, 'seed': args.seed,
                'size_mb': args.size_mb, 'concurrency': args.concurrency, 'clients': args.clients,
                'sources': [dict(s.describe(), weight=w) for s, w in chosen]}
        mf.write(json.dumps(head, indent=1)[:-2] + ',\n "copies": [')
    b = Builder(chosen, int(args.size_mb * MiB), args.seed, args.concurrency, args.clients, mf)
    with open(args.out, 'wb', buffering=0) as f:
        res = b.generate(f)
    elapsed = time.perf_counter() - t_start
    size = os.path.getsize(args.out)
    summary = {
        'generator': 'make_printheavy.py',
        'generator_version': GEN_VERSION,
        'seed': args.seed,
        'size_mb_requested': args.size_mb,
        'bytes': size,
        'packets': res['packets'],
        'flows': b.flows,
        'print_flows': b.print_flows,
        'print_jobs': b.jobs,
        'copies': b.copies,
        'copies_by_source': b.copies_by_source,
        'tcp_payload_bytes': b.payload,
        'print_payload_bytes': b.print_payload,
        'document_bytes': b.doc_bytes,
        'print_payload_share': round(b.print_payload / size, 3),
        'document_share': round(b.doc_bytes / size, 3),
        'capture_duration_s': res['duration_s'],
        'max_open_flows': res['max_open_flows'],
        'mean_open_flows': res['mean_open_flows'],
        'max_copies_in_progress': res['max_copies_in_progress'],
        'generation_s': round(elapsed, 2),
        'sources': {s.name: s.sha256 for s, _w in chosen},
    }
    if mf is not None:
        mf.write('\n ],\n "summary": ' + json.dumps(summary, indent=1).replace('\n', '\n ') + '\n}\n')
        mf.close()
    if args.summary_json:
        with open(args.summary_json, 'w') as f:
            json.dump(summary, f, indent=1)
    if not args.quiet:
        print('wrote %s: %.1f MiB, %d packets, %d flows (%d print), %d documents, %d copies of %d sources, '
              '%.1f s of traffic' % (args.out, size / MiB, res['packets'], b.flows, b.print_flows, b.jobs,
                                     b.copies, len(chosen), res['duration_s']))
        print('bytes: %.1f %% TCP payload of print flows, %.1f %% documents; flows open at once: mean %.0f, '
              'max %d (%d copies in progress); generated in %.1f s'
              % (100.0 * b.print_payload / size, 100.0 * b.doc_bytes / size, res['mean_open_flows'],
                 res['max_open_flows'], res['max_copies_in_progress'], elapsed))
    if args.verify:
        problems = verify(args.out)
        for p in problems:
            log('verify: ' + p)
        if problems:
            return 1
        log('verify: %d packets, Ethernet, in time order, every IPv4 header and TCP checksum valid' % res['packets'])
    return 0


if __name__ == '__main__':
    sys.exit(main())
