"""A small BER encoder (X.690 definite form) to build SNMP byte vectors for tests, written
independently of ``sniffprint.dissectors.ber`` (which only decodes)."""
from __future__ import annotations


def length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + length(len(content)) + content


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def integer(n: int) -> bytes:
    size = max(1, (n.bit_length() + 8) // 8)
    return tlv(0x02, n.to_bytes(size, "big", signed=True))


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def null() -> bytes:
    return b"\x05\x00"


def oid(dotted: str) -> bytes:
    arcs = [int(x) for x in dotted.split(".")]
    out = bytearray()
    for a in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def varbinds(*pairs: tuple[str, bytes]) -> bytes:
    return seq(*(seq(oid(name), value) for name, value in pairs))


def pdu(tag: int, *pairs: tuple[str, bytes], request_id: int = 1, error: int = 0) -> bytes:
    """A request/response PDU: [tag] { request-id, error-status, error-index, varbinds }."""
    return tlv(0xA0 | tag, integer(request_id) + integer(error) + integer(0) + varbinds(*pairs))


def v1v2c(version: int, community: bytes, the_pdu: bytes) -> bytes:
    return seq(integer(version), octets(community), the_pdu)


def v3(flags: int, user: bytes, data: bytes, engine: bytes = b"\x80\x00\x1f\x88\x80") -> bytes:
    """An SNMPv3 message with USM parameters; ``data`` is a ScopedPDU or, with privacy, the
    encrypted OCTET STRING."""
    header = seq(integer(7), integer(65507), octets(bytes([flags])), integer(3))
    usm = seq(octets(engine), integer(1), integer(2), octets(user), octets(b"\x00" * 12 if flags & 1 else b""),
              octets(b"\x00" * 8 if flags & 2 else b""))
    return seq(integer(3), header, octets(usm), data)


def scoped(the_pdu: bytes, engine: bytes = b"") -> bytes:
    return seq(octets(engine), octets(b""), the_pdu)
