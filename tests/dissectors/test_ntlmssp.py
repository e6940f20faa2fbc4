"""NTLMSSP messages (MS-NLMP 2.2.1): who authenticates, parsed best effort from byte vectors."""
from __future__ import annotations

import random
import struct

from sniffprint.dissectors import ntlmssp


def authenticate(user: str, domain: str, ws: str, *, unicode: bool = True, nt: bytes = b"\x01" * 24) -> bytes:
    enc = (lambda s: s.encode("utf-16-le")) if unicode else (lambda s: s.encode("latin-1"))
    fields = [b"", nt, enc(domain), enc(user), enc(ws), b""]
    table, payload, off = b"", b"", 88
    for f in fields:
        table += struct.pack("<HHI", len(f), len(f), off + len(payload))
        payload += f
    flags = 0xE2088215 if unicode else 0xE2088214
    return b"NTLMSSP\x00" + struct.pack("<I", 3) + table + struct.pack("<I", flags) + b"\x00" * 24 + payload


def challenge(target: str) -> bytes:
    t = target.encode("utf-16-le")
    return (b"NTLMSSP\x00" + struct.pack("<IHHII", 2, len(t), len(t), 56, 0xE2898215) + b"c" * 8 + b"\x00" * 8
            + struct.pack("<HHI", 0, 0, 56 + len(t)) + b"\x00" * 8 + t)


def test_authenticate_unicode():
    m = ntlmssp.parse(authenticate("alice", "CORP", "WS-ALICE"))
    assert m is not None
    assert (m.type, m.user, m.domain, m.workstation, m.anonymous) == (3, "alice", "CORP", "WS-ALICE", False)


def test_authenticate_oem_inside_spnego():
    blob = b"\xa1\x81\x90\x30\x81\x8d\xa2\x81\x8a\x04\x81\x87" + authenticate("bob", "D", "PC", unicode=False)
    m = ntlmssp.find(blob)
    assert m is not None and (m.user, m.domain, m.workstation) == ("bob", "D", "PC")


def test_anonymous():
    m = ntlmssp.parse(authenticate("", "", "", nt=b""))
    assert m is not None and m.anonymous


def test_challenge_target():
    m = ntlmssp.parse(challenge("PRNSRV"))
    assert m is not None and m.type == ntlmssp.CHALLENGE and m.target == "PRNSRV"


def test_negotiate_and_garbage():
    assert ntlmssp.parse(b"NTLMSSP\x00\x01\x00\x00\x00\x15\x82\x08\x62").type == ntlmssp.NEGOTIATE  # type: ignore[union-attr]
    assert ntlmssp.parse(b"NTLMSSP\x00\x09\x00\x00\x00") is None
    assert ntlmssp.find(b"no token here") is None


def test_truncated_and_out_of_range_fields_give_none():
    raw = authenticate("alice", "CORP", "WS")
    for n in range(len(raw)):
        m = ntlmssp.parse(raw[:n])
        assert m is None or m.type == 3
    bad = bytearray(raw)
    bad[40:44] = struct.pack("<I", 10_000)  # UserName offset past the end
    assert ntlmssp.parse(bytes(bad)) is None


def test_fuzz_never_raises():
    rnd = random.Random(3)
    seeds = [authenticate("alice", "CORP", "WS"), challenge("SRV")]
    for _ in range(3000):
        b = bytearray(rnd.choice(seeds))
        for _ in range(rnd.randint(1, 6)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        ntlmssp.find(bytes(b))
