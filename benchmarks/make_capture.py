#!/usr/bin/env python3
"""Deterministic generator of a large mixed-traffic pcap for benchmarking sniffprint.

    python3 benchmarks/make_capture.py --size-mb 600 --out /tmp/bench.pcap [--seed 1]

Same arguments -> byte-identical file (the output path does not influence the
content).  Standard library only.  Output: classic little-endian pcap,
microsecond timestamps, LINKTYPE_ETHERNET, IPv4 (and a few IPv6) TCP flows with
valid IP and TCP checksums.  Memory use is constant: every flow is a Python
generator that produces its packets lazily, a heap merges the active flows in
time order, and packets are written as they come out of the heap.

Traffic mix (by bytes, roughly):
  30 %  clear-text print: raw JetDirect 9100 (PJL + PCL 5 / PostScript / PDF),
        IPP over HTTP on 631 (Print-Job, sometimes chunked / 100-continue),
        LPD on 515 (RFC 1179 receive-job with control and data file)
  70 %  other: bulk HTTP downloads (1-50 MB), small HTTP fetches, TLS on 443
        (small and large), IPPS (TLS on 631), SSH on 22.
Timing: 300 flows are kept open at once (--concurrency) for every capture size;
each flow that ends is replaced until the byte budget is planned, then the rest
drain.  No single flow exceeds 1/12 of the capture (50 MB at 600 MB), so a
small capture has the same mix and the same number of open flows as a large one.
Realism: full handshakes, 1448-byte segments (1428 over IPv6, TCP timestamps
on every segment), delayed ACKs every two segments, FIN teardown, ~0.5 % of
data segments retransmitted (lost after the capture point, dup-ACKed, then
resent with the same bytes), a few out-of-order pairs, and a handful of flows
with a segment missing from the capture (a real gap; the receiver ACKs it).

Optional outputs: --manifest PATH writes the ground truth of every print job
(JSON), --summary-json PATH the figures printed at the end.
"""
from __future__ import annotations

import argparse
import heapq
import json
import math
import os
import random
import struct
import sys
import time
from collections import deque

GEN_VERSION = 1

MiB = 1 << 20
M32 = 0xFFFFFFFF
BASE_EPOCH = 1710234000          # 2024-03-12 09:00:00 UTC
MSS4 = 1448                      # 1500 - 20 (IPv4) - 20 (TCP) - 12 (timestamps)
MSS6 = 1428                      # 1500 - 40 (IPv6) - 20 (TCP) - 12 (timestamps)
REC_OVERHEAD = 16                # pcap record header
FRAME_OVERHEAD4 = 14 + 20 + 32   # Ethernet + IPv4 + TCP with timestamps
FRAME_OVERHEAD6 = 14 + 40 + 32

FIN, SYN, PSH, ACK = 0x01, 0x02, 0x08, 0x10
C, S = 0, 1                      # direction: client->server, server->client

P_RETX = 0.005                   # per data segment
P_OOO = 0.00005                  # per data segment: swap with the next one
P_GAP_PRINT = 0.02               # per print flow: one segment missing
P_GAP_OTHER = 0.002              # per other flow with >= 40 segments
P_V6 = 0.03                      # share of flows over IPv6
CONCURRENCY = 300                # flows kept open at once (same for every capture size)
RAMP_S = 2.0                     # the first CONCURRENCY flows start within this many seconds

REC = struct.Struct('<IIII')
V4 = struct.Struct('!14sBBHHHBBH4s4sHHIIBBHHHIII')
V6 = struct.Struct('!14sIHBB16s16sHHIIBBHHHIII')
GATEWAY_MAC = bytes.fromhex('001b21a4c601')


def words(b: bytes) -> int:
    """Sum of the big-endian 16-bit words of b (len(b) even)."""
    return sum(struct.unpack('!%dH' % (len(b) // 2), b))


def csum_mod(b) -> int:
    """Ones'-complement sum of b, as an integer mod 0xFFFF (pads odd length).

    Because 2**16 == 1 (mod 0xFFFF), the ones'-complement sum of the 16-bit
    words of a buffer is congruent to the buffer read as one big integer.
    """
    v = int.from_bytes(b, 'big')
    if len(b) & 1:
        v <<= 8
    return v % 0xFFFF


def fold(v: int) -> int:
    """Checksum field from a (non-zero) sum of 16-bit words."""
    c = v % 0xFFFF
    return 0xFFFF - c if c else 0


def loguniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


# ---------------------------------------------------------------------------
# Random payload pool and segmentation
# ---------------------------------------------------------------------------

class Pool:
    """8 MiB of seeded random bytes used for every 'opaque' payload byte.

    Whole MSS-sized segments of random data are taken from precomputed,
    checksum-summed slices (fast path); partial fills are sliced from a
    rolling position.
    """
    SIZE = 8 * MiB

    def __init__(self, seed):
        self.data = random.Random('pool:%s' % seed).randbytes(self.SIZE)
        self._segs = {}

    def segments(self, mss):
        segs = self._segs.get(mss)
        if segs is None:
            d = self.data
            segs = []
            for i in range(0, self.SIZE - mss + 1, mss):
                b = d[i:i + mss]
                segs.append((b, csum_mod(b)))
            self._segs[mss] = segs
        return segs

    def take(self, rng, n):
        p = rng.randrange(self.SIZE - n)
        return self.data[p:p + n]


def segmenter(parts, mss, pool, rng):
    """Cut a stream of parts into (payload, checksum-mod) segments of <= mss.

    A part is either bytes (literal) or an int n (n opaque random bytes).
    """
    segs = pool.segments(mss)
    nseg = len(segs)
    data = pool.data
    dlen = len(data)
    idx = rng.randrange(nseg)
    pos = rng.randrange(dlen)
    buf = bytearray()
    for part in parts:
        if part.__class__ is int:
            n = part
            if buf:
                k = mss - len(buf)
                if k > n:
                    k = n
                if pos + k > dlen:
                    pos = 0
                buf += data[pos:pos + k]
                pos += k
                n -= k
                if len(buf) == mss:
                    b = bytes(buf)
                    buf.clear()
                    yield b, csum_mod(b)
            while n >= mss:
                yield segs[idx]
                idx += 1
                if idx == nseg:
                    idx = 0
                n -= mss
            if n:
                if pos + n > dlen:
                    pos = 0
                buf += data[pos:pos + n]
                pos += n
        else:
            buf += part
            blen = len(buf)
            if blen >= mss:
                i = 0
                while blen - i >= mss:
                    b = bytes(buf[i:i + mss])
                    i += mss
                    yield b, csum_mod(b)
                del buf[:i]
    if buf:
        b = bytes(buf)
        yield b, csum_mod(b)


def parts_len(parts):
    return sum(p if p.__class__ is int else len(p) for p in parts)


# ---------------------------------------------------------------------------
# Hosts
# ---------------------------------------------------------------------------

class Host:
    __slots__ = ('ip', 'mac', 'name', 'local', 'ttl', 'v6', 'port', 'lpd_port', 'user')

    def __init__(self, ip, name, local, ttl, rng, user=None):
        self.ip = ip
        self.v6 = len(ip) == 16
        self.mac = (b'\x02\x42' + ip[-4:]) if local else GATEWAY_MAC
        self.name = name
        self.local = local
        self.ttl = ttl
        self.port = rng.randrange(32768, 61000)
        self.lpd_port = rng.randrange(721, 732)
        self.user = user

    def next_port(self):
        self.port += 1
        if self.port >= 61000:
            self.port = 32768
        return self.port


FIRST = ('alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy '
         'rupert sybil trent victor walter yasmin zoe anna lukas marie jonas sofia emil '
         'clara noah lena felix hanna paul mia ben nora leon').split()
LAST = ('smith jones brown miller davis garcia wilson moore taylor martin lee walker hall '
        'young king wright lopez hill scott green adams baker nelson carter mitchell').split()
DOCWORDS = ('quarterly report budget invoice meeting agenda draft final review summary contract '
            'schedule minutes proposal timesheet roadmap offer order shipping label payroll '
            'statement audit travel expenses plan notes slides memo policy checklist').split()
LOREM = ('the of and to in is that for it as was with be by on not he this are or his from at '
         'which but have an they you were her she there been one all we their has would when if '
         'so no will more can about said out up them some could into other then time two these '
         'may only new first any like over such our also after most year made many before must '
         'through back years where much your way well down should because each just those people').split()


class World:
    def __init__(self, seed):
        rng = random.Random('hosts:%s' % seed)
        self.users = ['%s.%s' % (first, last) for first in FIRST for last in LAST[:6]]
        rng.shuffle(self.users)
        self.clients4 = []
        for i in range(400):
            ip = bytes((10, 20, i // 200, 10 + i % 200))
            self.clients4.append(Host(ip, 'ws-%04d' % i, True, 64, rng, self.users[i % len(self.users)]))
        self.clients6 = []
        for i in range(30):
            ip = bytes.fromhex('20010db8002000000000000000000000')[:14] + bytes((0, 0x10 + i))
            self.clients6.append(Host(ip, 'ws6-%02d' % i, True, 64, rng, self.users[(i * 7) % len(self.users)]))
        self.printers4 = []
        for i in range(40):
            ip = bytes((10, 30, 1, 10 + i))
            self.printers4.append(Host(ip, 'prn-%02d' % i, True, rng.choice((64, 64, 255)), rng))
        self.printers6 = []
        for i in range(8):
            ip = bytes.fromhex('20010db8003000000000000000000000')[:14] + bytes((0, 0x10 + i))
            self.printers6.append(Host(ip, 'prn6-%02d' % i, True, 64, rng))
        self.queues = ['lp', 'office', 'office-color', 'hp4250', 'plotter', 'labels', 'finance', 'floor2']
        self.servers4 = []
        for i in range(300):
            net = ((203, 0, 113), (198, 51, 100), (192, 0, 2))[i % 3]
            ip = bytes(net + (1 + i // 3,))
            self.servers4.append(Host(ip, 'srv%03d' % i, False, rng.randrange(48, 60), rng))
        self.servers6 = []
        for i in range(20):
            ip = bytes.fromhex('20010db80f0000000000000000000000')[:14] + bytes((0, 0x10 + i))
            self.servers6.append(Host(ip, 'srv6-%02d' % i, False, rng.randrange(48, 60), rng))
        self.domains = ['cdn.example.net', 'updates.example.com', 'www.example.org', 'static.example.com',
                        'api.example.net', 'mirror.example.org', 'files.example.com', 'img.example.net']

    def client(self, rng, v6):
        return rng.choice(self.clients6 if v6 else self.clients4)

    def printer(self, rng, v6):
        return rng.choice(self.printers6 if v6 else self.printers4)

    def server(self, rng, v6):
        return rng.choice(self.servers6 if v6 else self.servers4)


def ip_str(ip):
    if len(ip) == 4:
        return '.'.join(str(b) for b in ip)
    import ipaddress
    return str(ipaddress.IPv6Address(ip))


def job_name(rng):
    r = rng.random()
    w = rng.sample(DOCWORDS, 2)
    if r < 0.4:
        return '%s_%s_%d.%s' % (w[0].capitalize(), w[1], rng.randrange(2019, 2025),
                                rng.choice(('docx', 'xlsx', 'pdf', 'pptx')))
    if r < 0.6:
        return 'Microsoft Word - %s %s.docx' % (w[0].capitalize(), w[1])
    if r < 0.8:
        return '%s-%04d.pdf' % (w[0], rng.randrange(10000))
    return '%s %s' % (w[0].capitalize(), w[1])


def sentence(rng, n):
    return ' '.join(rng.choice(LOREM) for _ in range(n))


# ---------------------------------------------------------------------------
# Document bodies (each generator yields exactly n bytes: literals and ints)
# ---------------------------------------------------------------------------

def pcl_row_fill(rem):
    """Yield PCL raster rows (and CRs) totalling exactly rem bytes."""
    while rem > 0:
        if rem > 1200:
            h = b'\x1b*b1000W'
            yield h
            yield 1000
            rem -= len(h) + 1000
            continue
        for d in range(1, 5):
            k = rem - 4 - d
            if k >= 0 and len(str(k)) == d:
                yield b'\x1b*b%dW' % k
                if k:
                    yield k
                return
        yield b'\r'
        rem -= 1


def pcl_body(rng, n, title):
    head = (b'\x1bE\x1b&l0O\x1b&l26A\x1b&u600D\x1b*t600R\x1b&l1X\x1b&l1S'
            b'\x1b(19U\x1b(s1p12v0s0b4148T')
    tail = b'\x1bE'
    rem = n - len(head) - len(tail)
    yield head
    page = 0
    reserve = 2048
    while rem > reserve + 600:
        page += 1
        ph = [b'\x1b*p300x300Y', ('%s - page %d' % (title, page)).encode('ascii', 'replace')]
        y = 450
        for _ in range(rng.randrange(3, 12)):
            ph.append(b'\x1b*p300x%dY' % y)
            ph.append(sentence(rng, rng.randrange(6, 14)).encode())
            y += 60
        ph.append(b'\x1b*p300x%dY\x1b*r4800S\x1b*b2M\x1b*r1A' % (y + 100))
        ph = b''.join(ph)
        if len(ph) > rem - reserve - 16:
            break
        yield ph
        rem -= len(ph)
        rows = rng.randrange(100, 3000)
        while rows and rem > reserve + 1100:
            k = rng.randrange(120, 1000)
            h = b'\x1b*b%dW' % k
            yield h
            yield k
            rem -= len(h) + k
            rows -= 1
        yield b'\x1b*rC\x0c'
        rem -= 5
    yield from pcl_row_fill(rem)
    yield tail


def ps_comment_fill(rem):
    while rem > 0:
        if rem == 1:
            yield b'\n'
            return
        k = min(rem, 200)
        if rem - k == 1:
            k -= 1
        yield b'%' + b'.' * (k - 2) + b'\n'
        rem -= k


def ps_body(rng, pool, n, title, user):
    head = ('%%!PS-Adobe-3.0\n%%%%Creator: (Writer PostScript driver 3.2)\n%%%%Title: (%s)\n'
            '%%%%For: (%s)\n%%%%CreationDate: (D:20240312090000)\n%%%%BoundingBox: 0 0 595 842\n'
            '%%%%DocumentData: Clean7Bit\n%%%%LanguageLevel: 2\n%%%%Pages: (atend)\n%%%%EndComments\n'
            '%%%%BeginProlog\n/bd {bind def} bind def\n/F {findfont exch scalefont setfont} bd\n'
            '%%%%EndProlog\n%%%%BeginSetup\n<< /PageSize [595 842] >> setpagedevice\n%%%%EndSetup\n'
            % (title, user)).encode('ascii', 'replace')
    rem = n - len(head)
    yield head
    page = 0
    reserve = 1024
    while True:
        tail = b'%%%%Trailer\n%%%%Pages: %d\n%%%%EOF\n' % page
        if rem - len(tail) < reserve + 3000:
            break
        page += 1
        ph = [b'%%%%Page: %d %d\n' % (page, page), b'12 /Helvetica F\n']
        y = 780
        for _ in range(rng.randrange(4, 20)):
            ph.append(b'72 %d moveto (%s) show\n' % (y, sentence(rng, rng.randrange(5, 12)).encode()))
            y -= 16
        ph = b''.join(ph)
        yield ph
        rem -= len(ph)
        # an RGB image, ASCIIHex encoded, 256 px wide, 64 hex chars per line
        avail = rem - reserve - 200 - len(tail)
        h = min(rng.randrange(16, 400), max(1, avail // (256 * 3 * 2 + 256 * 3 // 32)))
        raw = 256 * 3 * h
        img_head = (b'gsave 72 100 translate 451 %d scale\n256 %d 8 [256 0 0 -%d 0 %d]\n'
                    b'currentfile /ASCIIHexDecode filter false 3 colorimage\n' % (min(h, 600), h, h, h))
        yield img_head
        rem -= len(img_head)
        done = 0
        while done < raw:
            k = min(32768, raw - done)
            chunk = pool.take(rng, k).hex('\n', 32).encode() + b'\n'
            yield chunk
            rem -= len(chunk)
            done += k
        end = b'>\ngrestore\nshowpage\n'
        yield end
        rem -= len(end)
    tail = b'%%%%Trailer\n%%%%Pages: %d\n%%%%EOF\n' % page
    yield from ps_comment_fill(rem - len(tail))
    yield tail


def pdf_body(rng, n, title):
    out = 0
    offsets = {}

    def obj(num, body):
        nonlocal out
        offsets[num] = out
        b = b'%d 0 obj\n' % num + body + b'\nendobj\n'
        out += len(b)
        return b

    def pages_obj(npages):
        kids = b' '.join(b'%d 0 R' % (4 + 2 * i) for i in range(npages))
        return b'2 0 obj\n<< /Type /Pages /Count %d /Kids [%s] >>\nendobj\n' % (npages, kids)

    def tail_len(nobj, xref_off):
        return (len(b'xref\n0 %d\n' % (nobj + 1)) + 20 * (nobj + 1)
                + len(b'trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n'
                      % (nobj + 1, xref_off)))

    head = b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'
    out += len(head)
    yield head
    yield obj(1, b'<< /Type /Catalog /Pages 2 0 R >>')
    yield obj(3, ('<< /Title (%s) /Producer (Quartz PDFContext) /CreationDate (D:20240312090000Z) >>'
                  % title).encode('ascii', 'replace'))
    npages = 0
    while True:
        nobj = 3 + 2 * npages
        reserve = len(pages_obj(npages + 1)) + tail_len(nobj + 2, n) + 700
        if n - out - reserve < 2000:
            break
        pnum = 4 + 2 * npages
        yield obj(pnum, b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R '
                        b'/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>'
                        % (pnum + 1))
        slen = min(rng.randrange(8000, 400000), n - out - reserve - 200)
        sh = b'%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n' % (pnum + 1, slen)
        offsets[pnum + 1] = out
        yield sh
        yield slen
        se = b'\nendstream\nendobj\n'
        yield se
        out += len(sh) + slen + len(se)
        npages += 1
    offsets[2] = out
    po = pages_obj(npages)
    out += len(po)
    yield po
    nobj = 3 + 2 * npages
    fill = n - out - tail_len(nobj, n)
    for _ in range(4):
        diff = n - (out + fill + tail_len(nobj, out + fill))
        if diff == 0:
            break
        fill += diff
    yield from ps_comment_fill(fill)
    xref_off = out + fill
    x = [b'xref\n0 %d\n' % (nobj + 1), b'0000000000 65535 f \n']
    for i in range(1, nobj + 1):
        x.append(b'%010d 00000 n \n' % offsets[i])
    x.append(b'trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (nobj + 1, xref_off))
    yield b''.join(x)


UEL = b'\x1b%-12345X'


def pjl_job(rng, pool, n, lang, job, user):
    """PJL-wrapped job of exactly n bytes; lang is PCL, POSTSCRIPT or PDF."""
    head = (UEL + b'@PJL JOB NAME="%s"\r\n@PJL SET USERNAME="%s"\r\n@PJL ENTER LANGUAGE=%s\r\n'
            % (job.encode('ascii', 'replace'), user.encode('ascii', 'replace'), lang.encode()))
    tail = UEL + b'@PJL EOJ NAME="%s"\r\n' % job.encode('ascii', 'replace') + UEL
    yield head
    yield from body(rng, pool, n - len(head) - len(tail), lang, job, user)
    yield tail


def body(rng, pool, n, lang, job, user):
    if lang == 'PCL':
        return pcl_body(rng, n, job)
    if lang == 'POSTSCRIPT':
        return ps_body(rng, pool, n, job, user)
    return pdf_body(rng, n, job)


# ---------------------------------------------------------------------------
# Protocol helpers: IPP, LPD, HTTP, TLS, SSH
# ---------------------------------------------------------------------------

def ipp_attr(tag, name, value):
    return struct.pack('!BH', tag, len(name)) + name + struct.pack('!H', len(value)) + value


def ipp_print_job(rng, reqid, uri, user, job, fmt):
    b = [struct.pack('!BBHI', 2, 0, 0x0002, reqid), b'\x01',
         ipp_attr(0x47, b'attributes-charset', b'utf-8'),
         ipp_attr(0x48, b'attributes-natural-language', b'en-us'),
         ipp_attr(0x45, b'printer-uri', uri.encode()),
         ipp_attr(0x42, b'requesting-user-name', user.encode()),
         ipp_attr(0x42, b'job-name', job.encode()),
         ipp_attr(0x49, b'document-format', fmt.encode())]
    if rng.random() < 0.5:
        b += [b'\x02', ipp_attr(0x21, b'copies', struct.pack('!i', rng.choice((1, 1, 1, 2, 3)))),
              ipp_attr(0x44, b'sides', rng.choice((b'one-sided', b'two-sided-long-edge'))),
              ipp_attr(0x44, b'media', rng.choice((b'iso_a4_210x297mm', b'na_letter_8.5x11in')))]
    b.append(b'\x03')
    return b''.join(b)


def ipp_print_job_response(reqid, uri, jobid):
    return b''.join([struct.pack('!BBHI', 2, 0, 0x0000, reqid), b'\x01',
                     ipp_attr(0x47, b'attributes-charset', b'utf-8'),
                     ipp_attr(0x48, b'attributes-natural-language', b'en-us'),
                     b'\x02',
                     ipp_attr(0x45, b'job-uri', ('%s/job-%d' % (uri, jobid)).encode()),
                     ipp_attr(0x21, b'job-id', struct.pack('!i', jobid)),
                     ipp_attr(0x23, b'job-state', struct.pack('!i', 3)),
                     ipp_attr(0x44, b'job-state-reasons', b'none'),
                     b'\x03'])


def http_chunked(parts, chunk):
    """Re-frame a part stream with HTTP/1.1 chunked transfer coding."""
    pend = []
    have = 0
    for p in parts:
        while True:
            plen = p if p.__class__ is int else len(p)
            if plen == 0:
                break
            room = chunk - have
            if plen < room:
                pend.append(p)
                have += plen
                break
            if p.__class__ is int:
                pend.append(room)
                p = plen - room
            else:
                pend.append(p[:room])
                p = p[room:]
            yield b'%x\r\n' % chunk
            yield from pend
            yield b'\r\n'
            pend = []
            have = 0
    if have:
        yield b'%x\r\n' % have
        yield from pend
        yield b'\r\n'
    yield b'0\r\n\r\n'


def http_date(t):
    return time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime(BASE_EPOCH + int(t))).encode()


def tls_client_hello(rng, sni, alpn):
    sn = sni.encode()
    ext = [struct.pack('!HHHBH', 0x0000, len(sn) + 5, len(sn) + 3, 0, len(sn)) + sn,
           struct.pack('!HH', 0x0017, 0),
           struct.pack('!HHH', 0x000a, 8, 6) + bytes.fromhex('001d00170018'),
           struct.pack('!HHB', 0x000b, 2, 1) + b'\x00']
    sig = bytes.fromhex('040308040401050308050501080606010201')
    ext.append(struct.pack('!HHH', 0x000d, len(sig) + 2, len(sig)) + sig)
    protos = b''.join(bytes((len(p),)) + p for p in alpn)
    ext.append(struct.pack('!HHH', 0x0010, len(protos) + 2, len(protos)) + protos)
    ext.append(struct.pack('!HHB', 0x002b, 5, 4) + bytes.fromhex('03040303'))
    ext.append(struct.pack('!HHB', 0x002d, 2, 1) + b'\x01')
    ext.append(struct.pack('!HHHHH', 0x0033, 38, 36, 0x001d, 32) + rng.randbytes(32))
    ext = b''.join(ext)
    suites = bytes.fromhex('130113021303c02bc02fc02cc030cca9cca8c013c014009c009d002f0035')
    body = (b'\x03\x03' + rng.randbytes(32) + b'\x20' + rng.randbytes(32) + struct.pack('!H', len(suites))
            + suites + b'\x01\x00' + struct.pack('!H', len(ext)) + ext)
    hs = b'\x01' + len(body).to_bytes(3, 'big') + body
    return b'\x16\x03\x01' + struct.pack('!H', len(hs)) + hs


def tls_server_hello(rng):
    ext = struct.pack('!HHH', 0x002b, 2, 0x0304) + struct.pack('!HHHH', 0x0033, 36, 0x001d, 32) + rng.randbytes(32)
    body = (b'\x03\x03' + rng.randbytes(32) + b'\x20' + rng.randbytes(32) + b'\x13\x01\x00'
            + struct.pack('!H', len(ext)) + ext)
    hs = b'\x02' + len(body).to_bytes(3, 'big') + body
    return b'\x16\x03\x03' + struct.pack('!H', len(hs)) + hs + b'\x14\x03\x03\x00\x01\x01'


def tls_app(rng, total, maxrec=16401, random_sizes=False):
    """Application-data records totalling exactly `total` bytes (>= 6)."""
    rem = total
    while rem > 0:
        p = rem - 5
        if p > maxrec:
            p = rng.randrange(200, maxrec) if random_sizes else maxrec
            if rem - 5 - p < 6:
                p = rem - 5 - 6
        yield b'\x17\x03\x03' + struct.pack('!H', p)
        yield p
        rem -= 5 + p


def ssh_packet(rng, payload):
    pad = 8 - ((len(payload) + 5) % 8)
    if pad < 4:
        pad += 8
    return struct.pack('!IB', len(payload) + pad + 1, pad) + payload + rng.randbytes(pad)


def ssh_kexinit(rng):
    def nl(s):
        return struct.pack('!I', len(s)) + s
    lists = [b'curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,'
             b'diffie-hellman-group14-sha256,ext-info-c',
             b'ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256',
             b'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com',
             b'chacha20-poly1305@openssh.com,aes128-ctr,aes256-gcm@openssh.com',
             b'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256',
             b'umac-64-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-256',
             b'none,zlib@openssh.com', b'none,zlib@openssh.com', b'', b'']
    payload = b'\x14' + rng.randbytes(16) + b''.join(nl(s) for s in lists) + b'\x00' + b'\x00\x00\x00\x00'
    return ssh_packet(rng, payload)


def ssh_string(b):
    return struct.pack('!I', len(b)) + b


def ssh_kex_reply(rng):
    """SSH_MSG_KEX_ECDH_REPLY: ed25519 host key, ephemeral key, signature."""
    hostkey = ssh_string(b'ssh-ed25519') + ssh_string(rng.randbytes(32))
    sig = ssh_string(b'ssh-ed25519') + ssh_string(rng.randbytes(64))
    return ssh_packet(rng, b'\x1f' + ssh_string(hostkey) + ssh_string(rng.randbytes(32)) + ssh_string(sig))


def chunks_of(total, size):
    while total > 0:
        k = min(size, total)
        yield k
        total -= k


# ---------------------------------------------------------------------------
# TCP connection engine
# ---------------------------------------------------------------------------

class Conn:
    """One TCP connection; run() is a generator of (time, frame bytes)."""

    def __init__(self, rng, pool, stats, cli, srv, sport, dport, rtt, rates, script, closer,
                 gap_seg=None, main_dir=C):
        self.rng = rng
        self.pool = pool
        self.stats = stats
        self.v6 = cli.v6
        self.mss = MSS6 if self.v6 else MSS4
        self.rtt = rtt
        self.rtt_ms = int(rtt * 1000)
        self.rate = rates
        self.script = script
        self.closer = closer
        self.gap_seg = gap_seg
        self.main_dir = main_dir
        self.main_count = 0
        self.owd = [rtt, rng.uniform(30e-6, 200e-6)]      # capture point close to the client
        self.off = [0, 0]
        isn = [rng.getrandbits(32), rng.getrandbits(32)]
        self.base = [(isn[0] + 1) & M32, (isn[1] + 1) & M32]
        self.tsb = [rng.getrandbits(32), rng.getrandbits(32)]
        self.ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        self.ttl = [cli.ttl, srv.ttl]
        self.win = [rng.choice((501, 502, 509, 512, 1024)), rng.choice((229, 235, 501, 2053, 8192))]
        self.ip = [cli.ip, srv.ip]
        self.port = [sport, dport]
        etype = b'\x86\xdd' if self.v6 else b'\x08\x00'
        self.eth = [srv.mac + cli.mac + etype, cli.mac + srv.mac + etype]
        self.ipk = [0, 0]
        self.tck = [0, 0]
        for d in (C, S):
            r = 1 - d
            ipw = words(self.ip[d]) + words(self.ip[r])
            self.ipk[d] = 0x4500 + 0x4000 + ((self.ttl[d] << 8) | 6) + ipw
            self.tck[d] = (ipw + 6 + self.port[d] + self.port[r] + 0x8000 + self.win[d]
                           + 0x0101 + 0x080A)
        self.build = self._build6 if self.v6 else self._build4

    # -- frame builders ------------------------------------------------------

    def _build4(self, d, seq_off, ack_off, flags, payload, mod, t):
        r = 1 - d
        tcp_len = 32 + len(payload)
        seq = (self.base[d] + seq_off) & M32
        ack = (self.base[r] + ack_off) & M32
        ms = int(t * 1000)
        tsv = (self.tsb[d] + ms) & M32
        tse = (self.tsb[r] + ms - self.rtt_ms) & M32
        ipid = self.ipid
        ident = ipid[d] = (ipid[d] + 1) & 0xFFFF
        tot = 20 + tcp_len
        c = (self.ipk[d] + tot + ident) % 0xFFFF
        s = (self.tck[d] + tcp_len + (seq >> 16) + (seq & 0xFFFF) + (ack >> 16) + (ack & 0xFFFF) + flags
             + (tsv >> 16) + (tsv & 0xFFFF) + (tse >> 16) + (tse & 0xFFFF) + mod) % 0xFFFF
        return V4.pack(self.eth[d], 0x45, 0, tot, ident, 0x4000, self.ttl[d], 6, 0xFFFF - c if c else 0,
                       self.ip[d], self.ip[r], self.port[d], self.port[r], seq, ack, 0x80, flags,
                       self.win[d], 0xFFFF - s if s else 0, 0, 0x0101080A, tsv, tse) + payload

    def _build6(self, d, seq_off, ack_off, flags, payload, mod, t):
        r = 1 - d
        tcp_len = 32 + len(payload)
        seq = (self.base[d] + seq_off) & M32
        ack = (self.base[r] + ack_off) & M32
        ms = int(t * 1000)
        tsv = (self.tsb[d] + ms) & M32
        tse = (self.tsb[r] + ms - self.rtt_ms) & M32
        s = (self.tck[d] + tcp_len + (seq >> 16) + (seq & 0xFFFF) + (ack >> 16) + (ack & 0xFFFF) + flags
             + (tsv >> 16) + (tsv & 0xFFFF) + (tse >> 16) + (tse & 0xFFFF) + mod) % 0xFFFF
        return V6.pack(self.eth[d], 0x60000000 | (self.port[C] * 31 & 0xFFFFF), tcp_len, 6, self.ttl[d],
                       self.ip[d], self.ip[r], self.port[d], self.port[r], seq, ack, 0x80, flags,
                       self.win[d], 0xFFFF - s if s else 0, 0, 0x0101080A, tsv, tse) + payload

    def build_syn(self, d, t):
        """SYN / SYN-ACK with MSS, SACK-permitted, timestamps, window scale."""
        r = 1 - d
        seq = (self.base[d] - 1) & M32
        ack = self.base[r] if d == S else 0
        flags = SYN | (ACK if d == S else 0)
        ms = int(t * 1000)
        tsv = (self.tsb[d] + ms) & M32
        tse = ((self.tsb[r] + ms - self.rtt_ms) & M32) if d == S else 0
        opts = struct.pack('!BBHBBBBIIBBBB', 2, 4, self.mss + 12, 4, 2, 8, 10, tsv, tse, 1, 3, 3, 7)
        win = 64240 if d == C else 65160
        hdr = struct.pack('!HHIIBBHHH', self.port[d], self.port[r], seq, ack, 0xA0, flags, win, 0, 0) + opts
        tcp_len = len(hdr)
        if self.v6:
            pseudo = self.ip[d] + self.ip[r] + struct.pack('!IxxxB', tcp_len, 6)
        else:
            pseudo = self.ip[d] + self.ip[r] + struct.pack('!xBH', 6, tcp_len)
        cs = fold(words(pseudo) + words(hdr))
        hdr = hdr[:16] + struct.pack('!H', cs) + hdr[18:]
        self.ipid[d] = ident = (self.ipid[d] + 1) & 0xFFFF
        if self.v6:
            iph = (struct.pack('!IHBB', 0x60000000 | (self.port[C] * 31 & 0xFFFFF), tcp_len, 6, self.ttl[d])
                   + self.ip[d] + self.ip[r])
        else:
            tot = 20 + tcp_len
            ipc = fold(self.ipk[d] + tot + ident)
            iph = struct.pack('!BBHHHBBH', 0x45, 0, tot, ident, 0x4000, self.ttl[d], 6, ipc) + self.ip[d] + self.ip[r]
        return self.eth[d] + iph + hdr

    # -- the connection ------------------------------------------------------

    def run(self, t0):
        rng = self.rng
        t = t0
        yield t, self.build_syn(C, t)
        t += self.rtt
        yield t, self.build_syn(S, t)
        t += rng.uniform(20e-6, 80e-6)
        yield t, self.build(C, 0, 0, ACK, b'', 0, t)
        last_dir = None
        for step in self.script:
            kind = step[0]
            if kind == 'send':
                d = step[1]
                if last_dir is not None and d != last_dir:
                    # turnaround: a server reply is seen one RTT after the request
                    if d == S:
                        t += self.rtt + rng.uniform(50e-6, 2e-3)
                    else:
                        t += rng.uniform(50e-6, 1e-3)
                t = yield from self.send(d, step[2], t)
                last_dir = d
            elif kind == 'wait':
                t += step[1]
        # teardown
        d = self.closer
        r = 1 - d
        t += rng.uniform(50e-6, 1e-3)
        yield t, self.build(d, self.off[d], self.off[r], FIN | ACK, b'', 0, t)
        self.off[d] += 1
        t += self.owd[d]
        yield t, self.build(r, self.off[r], self.off[d], FIN | ACK, b'', 0, t)
        self.off[r] += 1
        t += self.owd[r]
        yield t, self.build(d, self.off[d], self.off[r], ACK, b'', 0, t)

    def send(self, d, parts, t):
        """Send one application message from d; yields data and the peer's ACKs."""
        r = 1 - d
        rng = self.rng
        rand = rng.random
        build = self.build
        stats = self.stats
        off = self.off
        interval = self.mss / self.rate[d]
        owd = self.owd[d]
        main = d == self.main_dir
        gap_seg = self.gap_seg if main else None
        pending = deque()
        unacked = 0
        hole = None          # stream offset of a segment lost downstream (receiver dup-ACKs it)
        retx = None
        retx_after = 0
        last = t
        it = segmenter(parts, self.mss, self.pool, rng)
        cur = next(it, None)
        while cur is not None:
            nxt = next(it, None)
            t += interval * (0.5 + rand())
            while pending and pending[0][0] <= t:
                due, a = pending.popleft()
                if due < last:
                    due = last
                yield due, build(r, off[r], a, ACK, b'', 0, due)
                last = due
            payload, mod = cur
            n = len(payload)
            if main:
                self.main_count += 1
                if self.main_count == gap_seg:
                    # missing from the capture (the receiver got it: ACKs cover it)
                    stats['gap_segments'] += 1
                    off[d] += n
                    cur = nxt
                    unacked += 1
                    continue
            u = rand()
            if u < P_OOO and nxt is not None and retx is None:
                # the next segment overtakes this one
                p2, m2 = nxt
                nn = next(it, None)
                if main:
                    self.main_count += 1
                yield t, build(d, off[d] + n, off[r], PSH | ACK if nn is None else ACK, p2, m2, t)
                t += rng.uniform(10e-6, 60e-6)
                yield t, build(d, off[d], off[r], ACK, payload, mod, t)
                last = t
                off[d] += n + len(p2)
                stats['ooo_pairs'] += 1
                unacked += 2
                cur = nn
            else:
                yield t, build(d, off[d], off[r], PSH | ACK if nxt is None else ACK, payload, mod, t)
                last = t
                if u > 1.0 - P_RETX and retx is None:
                    retx = (off[d], payload, mod)
                    hole = off[d]
                    retx_after = rng.randrange(2, 5)
                off[d] += n
                unacked += 1
                cur = nxt
                if retx is not None:
                    if retx_after == 0 or cur is None:
                        t += max(self.rtt, 0.0005) * rng.uniform(1.0, 2.0)
                        ro, rp, rm = retx
                        yield t, build(d, ro, off[r], PSH | ACK if cur is None else ACK, rp, rm, t)
                        last = t
                        stats['retransmissions'] += 1
                        retx = hole = None
                        unacked = 2
                    else:
                        retx_after -= 1
            if unacked >= 2:
                pending.append((t + owd, off[d] if hole is None else hole))
                unacked = 0
        if unacked:
            pending.append((t + owd + rng.uniform(0, 0.04 if d == C else 0.0005), off[d]))
        for due, a in pending:
            if due < last:
                due = last
            yield due, build(r, off[r], a, ACK, b'', 0, due)
            last = due
        return last


# ---------------------------------------------------------------------------
# Flow factories
# ---------------------------------------------------------------------------

def est_wire(payload, mss, v6=False):
    segs = payload / mss + 1
    frame = REC_OVERHEAD + (FRAME_OVERHEAD6 if v6 else FRAME_OVERHEAD4)
    return payload + segs * frame * 1.5 + 8 * frame


# name: (share of bytes, min size, max size, is print)
CATEGORIES = {
    'raw9100':     (0.13, 50e3, 5e6, True),
    'ipp':         (0.09, 50e3, 5e6, True),
    'lpd':         (0.08, 50e3, 5e6, True),
    'http_bulk':   (0.30, 1e6, 50e6, False),
    'http_small':  (0.06, 500, 100e3, False),
    'tls443':      (0.07, 1e3, 150e3, False),
    'tls443_big':  (0.12, 1e6, 20e6, False),
    'ipps':        (0.05, 50e3, 5e6, False),
    'ssh':         (0.10, 10e3, 30e6, False),
}


class Generator:
    def __init__(self, size_bytes, seed, concurrency=CONCURRENCY):
        self.concurrency = concurrency
        self.target = size_bytes
        self.seed = seed
        self.rng = random.Random('flows:%s' % seed)
        self.pool = Pool(seed)
        self.world = World(seed)
        self.stats = {'retransmissions': 0, 'ooo_pairs': 0, 'gap_segments': 0}
        self.flow_counts = {k: 0 for k in CATEGORIES}
        self.cat_bytes = {k: 0.0 for k in CATEGORIES}
        self.planned = 24.0
        self.jobs = []
        self.gap_flows = []
        self.n_v6 = 0
        self.active_lpd = set()

    # -- category choice: weighted fair share of planned bytes --------------

    def pick_category(self):
        best = None
        for name, (share, _lo, _hi, _p) in CATEGORIES.items():
            v = self.cat_bytes[name] / share
            if best is None or v < best[0]:
                best = (v, name)
        return best[1]

    def new_flow(self, t0):
        rng = random.Random(self.rng.getrandbits(64))
        remaining = self.target - self.planned
        cat = self.pick_category()
        share, lo, hi, is_print = CATEGORIES[cat]
        # no single flow above 1/12 of the capture (50 MB at 600 MB): keeps the mix,
        # and the number of flows open at once, alike at every capture size
        size = int(loguniform(rng, lo, max(lo, min(hi, self.target / 12))))
        size = max(1000, min(size, int(remaining * 0.97)))
        v6 = rng.random() < P_V6
        flow = getattr(self, 'flow_' + cat)(rng, size, v6, t0)
        conn, manifest, payload = flow
        est = est_wire(payload, conn.mss, v6)
        self.planned += est
        self.cat_bytes[cat] += est
        self.flow_counts[cat] += 1
        if v6:
            self.n_v6 += 1
        if conn.gap_seg is not None:
            self.gap_flows.append({'category': cat, 'client': manifest_addr(conn, C), 'server': manifest_addr(conn, S)})
        if manifest is not None:
            manifest['start'] = round(BASE_EPOCH + t0, 6)
            manifest['client'] = manifest_addr(conn, C)
            manifest['server'] = manifest_addr(conn, S)
            manifest['ipv6'] = v6
            manifest['gap'] = conn.gap_seg is not None
            self.jobs.append(manifest)
        return conn

    def _gap(self, rng, payload, mss, is_print):
        nseg = payload // mss
        p = P_GAP_PRINT if is_print else (P_GAP_OTHER if nseg >= 40 else 0.0)
        if nseg >= 12 and rng.random() < p:
            return rng.randrange(5, nseg - 5)
        return None

    def _conn(self, rng, cli, srv, sport, dport, rtt, rates, script, closer, payload, is_print, main_dir=C):
        mss = MSS6 if cli.v6 else MSS4
        gap = self._gap(rng, payload, mss, is_print)
        return Conn(rng, self.pool, self.stats, cli, srv, sport, dport, rtt, rates, script, closer, gap, main_dir)

    # -- print ---------------------------------------------------------------

    def flow_raw9100(self, rng, size, v6, t0):
        w = self.world
        cli, prn = w.client(rng, v6), w.printer(rng, v6)
        user = cli.user if rng.random() < 0.9 else rng.choice(w.users)
        job = job_name(rng)
        lang = rng.choice(('PCL', 'PCL', 'POSTSCRIPT', 'POSTSCRIPT', 'PDF'))
        size = max(size, 8000)
        script = [('send', C, pjl_job(rng, self.pool, size, lang, job, user))]
        rate = loguniform(rng, 0.3e6, 4e6)
        conn = self._conn(rng, cli, prn, cli.next_port(), 9100, rng.uniform(0.0002, 0.002),
                          (rate, 1e6), script, C, size, True)
        return conn, {'protocol': 'raw9100', 'job_name': job, 'user': user, 'language': lang,
                      'document_bytes': size}, size

    def flow_ipp(self, rng, size, v6, t0):
        w = self.world
        cli, prn = w.client(rng, v6), w.printer(rng, v6)
        user = cli.user if rng.random() < 0.9 else rng.choice(w.users)
        job = job_name(rng)
        if rng.random() < 0.05:
            job = rng.choice(('Café menu', 'Übersicht Q3', 'Résumé final', '報告書'))
        fmt, lang, pjl = rng.choice((('application/pdf', 'PDF', False), ('application/pdf', 'PDF', False),
                                     ('application/postscript', 'POSTSCRIPT', False),
                                     ('application/vnd.hp-PCL', 'PCL', True),
                                     ('application/octet-stream', 'PCL', True),
                                     ('application/octet-stream', 'POSTSCRIPT', True)))
        size = max(size, 8000)
        host = ('[%s]' % ip_str(prn.ip)) if v6 else ip_str(prn.ip)
        if rng.random() < 0.8:
            path = '/ipp/print'
        else:
            path = '/printers/%s' % rng.choice(w.queues)
        uri = 'ipp://%s:631%s' % (host, path)
        reqid = rng.randrange(1, 1000)
        ipp = ipp_print_job(rng, reqid, uri, user, job, fmt)
        if pjl:
            doc = pjl_job(rng, self.pool, size, lang, job.encode('ascii', 'replace').decode(), user)
        else:
            doc = body(rng, self.pool, size, lang, job, user)
        chunked = rng.random() < 0.25
        expect = rng.random() < 0.3
        hdr = ['POST %s HTTP/1.1' % path, 'Host: %s:631' % host, 'Date: %s' % http_date(t0).decode(),
               'User-Agent: CUPS/2.4.2 (Linux 6.1.0; x86_64) IPP/2.0', 'Content-Type: application/ipp']
        if chunked:
            hdr.append('Transfer-Encoding: chunked')
        else:
            hdr.append('Content-Length: %d' % (len(ipp) + size))
        if expect:
            hdr.append('Expect: 100-continue')
        head = ('\r\n'.join(hdr) + '\r\n\r\n').encode()

        def entity():
            yield ipp
            yield from doc

        ent = http_chunked(entity(), rng.choice((8192, 32768, 65536))) if chunked else entity()
        script = []
        if expect:
            script += [('send', C, [head]), ('send', S, [b'HTTP/1.1 100 Continue\r\n\r\n']), ('send', C, ent)]
        else:
            script += [('send', C, _concat([head], ent))]
        jobid = rng.randrange(1, 5000)
        resp = ipp_print_job_response(reqid, uri.rsplit('/', 1)[0] if path.startswith('/printers') else uri, jobid)
        rh = ('HTTP/1.1 200 OK\r\nConnection: Keep-Alive\r\nContent-Language: en_US\r\n'
              'Content-Length: %d\r\nContent-Type: application/ipp\r\nDate: %s\r\nServer: CUPS/2.4 IPP/2.1\r\n\r\n'
              % (len(resp), http_date(t0).decode())).encode()
        script.append(('send', S, [rh + resp]))
        if rng.random() < 0.5:
            script.append(('wait', rng.uniform(0.01, 1.0)))
        rate = loguniform(rng, 0.5e6, 6e6)
        conn = self._conn(rng, cli, prn, cli.next_port(), 631, rng.uniform(0.0002, 0.002),
                          (rate, 1e6), script, C, size, True)
        return conn, {'protocol': 'ipp', 'path': path, 'job_name': job, 'user': user, 'document_format': fmt,
                      'language': lang, 'pjl': pjl, 'chunked': chunked, 'expect_100': expect,
                      'request_id': reqid, 'document_bytes': size}, size + len(ipp) + 400

    def flow_lpd(self, rng, size, v6, t0):
        w = self.world
        cli, prn = w.client(rng, v6), w.printer(rng, v6)
        user = cli.user if rng.random() < 0.9 else rng.choice(w.users)
        job = job_name(rng)
        lang, pjl = rng.choice((('PCL', True), ('POSTSCRIPT', True), ('POSTSCRIPT', False), ('PDF', False)))
        size = max(size, 8000)
        queue = rng.choice(w.queues)
        host = cli.name
        num = rng.randrange(1000)
        cf = ('H%s\nP%s\nJ%s\nC%s\nL%s\nldfA%03d%s\nUdfA%03d%s\nN%s\n'
              % (host, user, job, host, user, num, host, num, host, job)).encode('ascii', 'replace')
        doc = pjl_job(rng, self.pool, size, lang, job, user) if pjl else body(rng, self.pool, size, lang, job, user)
        script = [('send', C, [b'\x02%s\n' % queue.encode()]), ('send', S, [b'\x00']),
                  ('send', C, [b'\x02%d cfA%03d%s\n' % (len(cf), num, host.encode())]), ('send', S, [b'\x00']),
                  ('send', C, [cf + b'\x00']), ('send', S, [b'\x00']),
                  ('send', C, [b'\x03%d dfA%03d%s\n' % (size, num, host.encode())]), ('send', S, [b'\x00']),
                  ('send', C, _concat(doc, [b'\x00'])), ('send', S, [b'\x00'])]
        # RFC 1179 clients bind a reserved source port 721-731
        sport = None
        for _ in range(11):
            cli.lpd_port = 721 + (cli.lpd_port - 720) % 11
            if (cli.ip, cli.lpd_port) not in self.active_lpd:
                sport = cli.lpd_port
                break
        if sport is None:
            sport = cli.next_port()
        rate = loguniform(rng, 0.3e6, 4e6)
        conn = self._conn(rng, cli, prn, sport, 515, rng.uniform(0.0002, 0.002),
                          (rate, 1e6), script, C, size, True)
        if sport < 1024:
            conn.lpd_key = (cli.ip, sport)
        return conn, {'protocol': 'lpd', 'queue': queue, 'host': host, 'job_number': num, 'job_name': job,
                      'user': user, 'language': lang, 'pjl': pjl, 'control_file': cf.decode('ascii'),
                      'document_bytes': size}, size + len(cf) + 100

    # -- other ---------------------------------------------------------------

    def _web_client_req(self, rng, host, path):
        return ('GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) '
                'Gecko/20100101 Firefox/115.0\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.5\r\n'
                'Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n' % (path, host)).encode()

    def flow_http_bulk(self, rng, size, v6, t0):
        w = self.world
        cli, srv = w.client(rng, v6), w.server(rng, v6)
        host = rng.choice(w.domains)
        path = '/downloads/%s-%d.%s' % (rng.choice(('image', 'dataset', 'backup', 'update', 'video')),
                                        rng.randrange(100000), rng.choice(('iso', 'tar.gz', 'zip', 'bin', 'mp4')))
        hdr = ('HTTP/1.1 200 OK\r\nDate: %s\r\nServer: nginx/1.24.0\r\nContent-Type: application/octet-stream\r\n'
               'Content-Length: %d\r\nLast-Modified: Mon, 04 Mar 2024 10:00:00 GMT\r\nETag: "%08x"\r\n'
               'Accept-Ranges: bytes\r\n\r\n' % (http_date(t0).decode(), size, rng.getrandbits(32))).encode()
        script = [('send', C, [self._web_client_req(rng, host, path)]), ('send', S, [hdr, size])]
        rate = min(40e6, max(0.3e6, size / rng.uniform(2.0, 15.0)))
        conn = self._conn(rng, cli, srv, cli.next_port(), rng.choice((80, 80, 80, 8080)),
                          rng.uniform(0.005, 0.06), (1e6, rate), script, rng.choice((C, S)), size, False, S)
        return conn, None, size

    def flow_http_small(self, rng, size, v6, t0):
        w = self.world
        cli, srv = w.client(rng, v6), w.server(rng, v6)
        host = rng.choice(w.domains)
        nreq = rng.randrange(1, 5)
        script = []
        left = size
        for i in range(nreq):
            n = left if i == nreq - 1 else rng.randrange(0, left + 1)
            left -= n
            path = '/%s/%x.%s' % (rng.choice(('static', 'img', 'assets', 'api')), rng.getrandbits(40),
                                  rng.choice(('bin', 'avif', 'wasm', 'woff2')))
            # opaque bodies: declare types whose content no dissector tries to parse
            hdr = ('HTTP/1.1 200 OK\r\nDate: %s\r\nServer: nginx\r\nContent-Type: %s\r\n'
                   'Content-Length: %d\r\nCache-Control: max-age=3600\r\n\r\n'
                   % (http_date(t0).decode(), rng.choice(('application/octet-stream', 'font/woff2', 'image/avif',
                                                          'application/wasm')), n)).encode()
            script += [('send', C, [self._web_client_req(rng, host, path)]), ('send', S, [hdr, n] if n else [hdr])]
            if i < nreq - 1:
                script.append(('wait', rng.uniform(0.001, 0.5)))
        if rng.random() < 0.7:
            script.append(('wait', rng.uniform(0.5, 10.0)))       # keep-alive idle before close
        conn = self._conn(rng, cli, srv, cli.next_port(), 80, rng.uniform(0.002, 0.08),
                          (2e6, loguniform(rng, 1e6, 20e6)), script, rng.choice((C, S)), size, False, S)
        return conn, None, size + nreq * 400

    def _tls_flow(self, rng, sni, alpn, up, down, small):
        script = [('send', C, [tls_client_hello(rng, sni, alpn)]),
                  ('send', S, _concat([tls_server_hello(rng)], tls_app(rng, rng.randrange(2500, 6000), 4000, True))),
                  ('send', C, [b'\x14\x03\x03\x00\x01\x01', b'\x17\x03\x03\x00\x35', 0x35])]
        if small:
            nreq = rng.randrange(1, 4)
            left = down
            for i in range(nreq):
                n = left if i == nreq - 1 else rng.randrange(0, left + 1)
                left -= n
                script += [('send', C, tls_app(rng, rng.randrange(300, 900))),
                           ('send', S, tls_app(rng, max(n, 40), 16401, True))]
            if rng.random() < 0.7:
                script.append(('wait', rng.uniform(0.5, 10.0)))
        else:
            script += [('send', C, tls_app(rng, max(up, 300))), ('send', S, tls_app(rng, max(down, 40)))]
        script.append(('send', rng.choice((C, S)), [b'\x17\x03\x03\x00\x13', 0x13]))
        return script

    def flow_tls443(self, rng, size, v6, t0, big=False):
        w = self.world
        cli, srv = w.client(rng, v6), w.server(rng, v6)
        script = self._tls_flow(rng, rng.choice(w.domains), [b'h2', b'http/1.1'],
                                rng.randrange(300, 900), size, not big)
        if big:
            rate = min(40e6, max(0.3e6, size / rng.uniform(2.0, 15.0)))
        else:
            rate = loguniform(rng, 1e6, 20e6)
        conn = self._conn(rng, cli, srv, cli.next_port(), 443, rng.uniform(0.003, 0.08),
                          (2e6, rate), script, rng.choice((C, S)), size, False, S)
        return conn, None, size + 8000

    def flow_tls443_big(self, rng, size, v6, t0):
        return self.flow_tls443(rng, size, v6, t0, big=True)

    def flow_ipps(self, rng, size, v6, t0):
        w = self.world
        cli, prn = w.client(rng, v6), w.printer(rng, v6)
        script = self._tls_flow(rng, '%s.local' % prn.name, [b'http/1.1'],
                                size, rng.randrange(300, 700), False)
        rate = loguniform(rng, 0.5e6, 6e6)
        conn = self._conn(rng, cli, prn, cli.next_port(), 631, rng.uniform(0.0002, 0.002),
                          (rate, 1e6), script, C, size, False, C)
        return conn, None, size + 8000

    def flow_ssh(self, rng, size, v6, t0):
        w = self.world
        cli = w.client(rng, v6)
        srv = w.server(rng, v6) if rng.random() < 0.6 else w.client(rng, v6)
        while srv is cli:
            srv = w.client(rng, v6)
        up = rng.random() < 0.4
        script = [('send', S, [b'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n']),
                  ('send', C, [b'SSH-2.0-OpenSSH_9.6\r\n', ssh_kexinit(rng)]),
                  ('send', S, [ssh_kexinit(rng)]),
                  ('send', C, [ssh_packet(rng, b'\x1e' + ssh_string(rng.randbytes(32)))]),
                  ('send', S, [ssh_kex_reply(rng), ssh_packet(rng, b'\x15')]),
                  ('send', C, [ssh_packet(rng, b'\x15'), rng.randrange(40, 120)])]
        for _ in range(rng.randrange(2, 12)):
            script += [('send', C, [rng.randrange(36, 200)]), ('send', S, [rng.randrange(36, 600)])]
            script.append(('wait', rng.uniform(0.01, 0.8)))
        script.append(('send', C if up else S, chunks_of(size, 32768 + 52)))
        script.append(('send', S if up else C, [rng.randrange(36, 120)]))
        rate = min(40e6, max(0.3e6, size / rng.uniform(1.0, 12.0)))
        conn = self._conn(rng, cli, srv, cli.next_port(), 22, rng.uniform(0.0003, 0.05),
                          (rate, rate), script, C, size, False, C if up else S)
        return conn, None, size + 6000

    # -- main loop -----------------------------------------------------------

    def generate(self, out):
        rng = self.rng
        heap = []
        push = heapq.heappush
        pop = heapq.heappop
        rec = REC.pack
        counter = 0
        packets = 0
        written = 24
        # Flow arrivals: CONCURRENCY flows start during the first RAMP_S seconds,
        # then every flow that ends is replaced shortly after, until the byte
        # budget is planned; the remaining flows then drain.  The number of open
        # flows is thus the same for a small and a large capture.
        spawns = sorted(rng.uniform(0.0, RAMP_S) for _ in range(self.concurrency))
        spawning = True
        max_open = 0
        tmax = 0.0
        buf = []
        buf_bytes = 0
        n_flows = 0
        out.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while True:
            if spawns and (not heap or spawns[0] <= heap[0][0]):
                t0 = heapq.heappop(spawns)
                if self.target - self.planned < 3000:
                    spawns = []
                    spawning = False
                    continue
                conn = self.new_flow(t0)
                n_flows += 1
                gen = self._runner(conn, t0)
                first = next(gen)
                push(heap, (first[0], counter, gen, first[1]))
                counter += 1
                if len(heap) > max_open:
                    max_open = len(heap)
                continue
            if not heap:
                break
            t, _c, gen, pkt = pop(heap)
            sec = int(t)
            n = len(pkt)
            buf.append(rec(BASE_EPOCH + sec, int((t - sec) * 1e6), n, n))
            buf.append(pkt)
            buf_bytes += n + 16
            packets += 1
            nxt = next(gen, None)
            if nxt is not None:
                push(heap, (nxt[0], counter, gen, nxt[1]))
                counter += 1
            elif spawning:
                heapq.heappush(spawns, t + rng.expovariate(200.0))
            if buf_bytes > 4 * MiB:
                out.write(b''.join(buf))
                written += buf_bytes
                buf = []
                buf_bytes = 0
            tmax = t
        out.write(b''.join(buf))
        written += buf_bytes
        return {'packets': packets, 'flows': n_flows, 'bytes': written, 'duration_s': round(tmax, 3),
                'max_open_flows': max_open}

    def _runner(self, conn, t0):
        key = getattr(conn, 'lpd_key', None)
        if key is not None:
            self.active_lpd.add(key)
        try:
            yield from conn.run(t0)
        finally:
            if key is not None:
                self.active_lpd.discard(key)


def _concat(*iterables):
    for it in iterables:
        yield from it


def manifest_addr(conn, d):
    ip = ip_str(conn.ip[d])
    return ('[%s]:%d' % (ip, conn.port[d])) if conn.v6 else ('%s:%d' % (ip, conn.port[d]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--size-mb', type=float, default=600.0, help='approximate capture size in MiB (default 600)')
    ap.add_argument('--out', required=True, help='output pcap path')
    ap.add_argument('--seed', type=int, default=1, help='seed (default 1)')
    ap.add_argument('--concurrency', type=int, default=CONCURRENCY,
                    help='flows open at once (default %d)' % CONCURRENCY)
    ap.add_argument('--manifest', help='write ground truth of the print jobs (JSON) here')
    ap.add_argument('--summary-json', help='write the summary (JSON) here')
    ap.add_argument('--quiet', action='store_true', help='no summary on stdout')
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    g = Generator(int(args.size_mb * MiB), args.seed, args.concurrency)
    with open(args.out, 'wb', buffering=0) as f:
        res = g.generate(f)
    elapsed = time.perf_counter() - t_start
    size = os.path.getsize(args.out)
    summary = {
        'generator_version': GEN_VERSION,
        'seed': args.seed,
        'size_mb_requested': args.size_mb,
        'bytes': size,
        'packets': res['packets'],
        'flows': res['flows'],
        'flows_by_category': g.flow_counts,
        'ipv6_flows': g.n_v6,
        'print_jobs': len(g.jobs),
        'print_jobs_by_protocol': {p: sum(1 for j in g.jobs if j['protocol'] == p) for p in ('raw9100', 'ipp', 'lpd')},
        'print_document_bytes': sum(j['document_bytes'] for j in g.jobs),
        'retransmissions': g.stats['retransmissions'],
        'out_of_order_pairs': g.stats['ooo_pairs'],
        'gap_flows': len(g.gap_flows),
        'capture_duration_s': res['duration_s'],
        'max_open_flows': res['max_open_flows'],
        'generation_s': round(elapsed, 2),
    }
    if args.manifest:
        with open(args.manifest, 'w') as f:
            json.dump({'seed': args.seed, 'size_mb': args.size_mb, 'jobs': g.jobs, 'gap_flows': g.gap_flows},
                      f, indent=1)
    if args.summary_json:
        with open(args.summary_json, 'w') as f:
            json.dump(summary, f, indent=1)
    if not args.quiet:
        by_proto = ', '.join('%s %d' % kv for kv in summary['print_jobs_by_protocol'].items())
        print('wrote %s: %.1f MiB, %d packets, %d flows (%d IPv6, up to %d open at once), %d print jobs (%s), '
              '%.1f s of traffic' % (args.out, size / MiB, res['packets'], res['flows'], g.n_v6, res['max_open_flows'],
                                     len(g.jobs), by_proto, res['duration_s']))
        print('flows by category: ' + ', '.join('%s %d' % kv for kv in g.flow_counts.items()))
        print('retransmissions %d, out-of-order pairs %d, flows with a gap %d; generated in %.1f s (%.1f MiB/s)'
              % (g.stats['retransmissions'], g.stats['ooo_pairs'], len(g.gap_flows), elapsed,
                 size / MiB / max(elapsed, 1e-9)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
