"""Community ID v1 (corelight/community-id-spec): the flow hash Zeek, Suricata and Wireshark emit,
so an analyst can pivot from a sniffprint record to the same flow in their other tools.

    "1:" + base64(SHA1(seed:u16 | saddr | daddr | proto:u8 | 0:u8 | sport:u16 | dport:u16))

Invariants: addresses and ports in network byte order; the endpoints are ordered so that the
numerically smaller (address, port) comes first, which makes the ID the same in both directions;
seed 0 by default. Cross-checked against tshark's ``communityid`` protocol in the tests.
"""
from __future__ import annotations

import base64
import hashlib
import ipaddress
import struct
from functools import lru_cache

PROTO_NUMBERS = {"tcp": 6, "udp": 17}  # IANA protocol numbers


@lru_cache(maxsize=8192)
def packed(ip: str) -> bytes:
    """The network-order bytes of an address in text (parsed once per address: a print server and
    its clients recur in flow after flow)."""
    return ipaddress.ip_address(ip).packed


def community_id(proto: str, client_ip: str, client_port: int, server_ip: str, server_port: int,
                 seed: int = 0) -> str:
    a = packed(client_ip)
    b = packed(server_ip)
    pa, pb = client_port, server_port
    if (a, pa) > (b, pb):  # the smaller endpoint first: direction does not change the ID
        a, b, pa, pb = b, a, pb, pa
    data = struct.pack("!H", seed) + a + b + struct.pack("!BBHH", PROTO_NUMBERS[proto], 0, pa, pb)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - the spec's hash
