"""SNMP (UDP 161 agent, 162 notification receiver): printer management, in clear or not.

Specs: RFC 1157 section 4 (SNMPv1 message and PDUs, Trap-PDU), RFC 1901 section 3 and RFC 3416
section 3 (SNMPv2c message, PDUs, GetBulkRequest, SNMPv2-Trap, InformRequest, Report), RFC 3412
section 6 (SNMPv3 message: msgGlobalData, msgFlags auth 0x01 / priv 0x02 / reportable 0x04),
RFC 3414 section 2.4 (UsmSecurityParameters: engine id, boots, time, msgUserName, auth and
privacy parameters), RFC 2578 section 7.1 (application types), RFC 3418 (sysDescr, sysName),
RFC 2790 (hrDeviceType, hrDeviceDescr), RFC 3805 (Printer-MIB: prtGeneralSerialNumber). The BER
layer is ``ber``.

What one datagram gives (a datagram dissector: ``feed(direction, datagram)`` per datagram):
- v1 / v2c: the version and the PDU type as flow facts, the community as a ``SecretSeen``
  (``snmp-community``: it *is* the password, RFC 1157 section 3.2.5), ``snmp_set`` true when a
  set-request is sent (false once a readable PDU was seen and none was; unknown when every PDU
  was encrypted);
- v3: the version, the security level from msgFlags, the user (``snmp_user``, a name shown
  masked), the PDU type when it is not encrypted (discovery, noAuthNoPriv, authNoPriv);
  ``snmp_security`` is the weakest level among the messages that carried a user (the engine
  discovery exchange has none and carries no data);
- from an agent's get-response (the side on port 161): sysDescr.0, sysName.0, hrDeviceDescr,
  prtGeneralSerialNumber, and ``snmp_printer_mib`` when a Printer-MIB object (1.3.6.1.2.1.43) or
  hrDeviceType printer was answered: the agent is a printer.

Invariants:
- Rule 1: only ``ProtocolViolation`` escapes, and no reason or note quotes a community, a user
  name or a value.
- Rule 2: bounded: at most ``MAX_VARBINDS`` varbinds per PDU are read, text values are cut at
  ``MAX_TEXT`` characters, the per-flow lists hold at most one entry per version and PDU type.
- Rule 4 (cost): every message is framed whole, but the variable bindings are walked only in
  the agent's get-responses (the only ones facts come from), and OIDs are matched by their
  encoding, never decoded: a poller's thousands of datagrams cost little.
- Rule 3: each datagram is parsed whole and alone: the same datagrams give the same events.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ProtocolViolation
from ..model import Direction, FlowKey, Service
from . import ber
from .base import Dissector
from .events import Event, FlowFact, PrintSeen, SecretSeen

AGENT_PORT, TRAP_PORT = 161, 162
MAX_VARBINDS = 256
MAX_TEXT = 200
MAX_COMMUNITIES = 16  # distinct communities reported per flow
VERSIONS = {0: "v1", 1: "v2c", 3: "v3"}  # RFC 1157, RFC 1901, RFC 3412 msgVersion
# PDU tags: context-specific, constructed, numbers 0-8 (RFC 3416 section 3; RFC 1157 4.1.6 for 4)
PDUS = {0: "get-request", 1: "get-next-request", 2: "get-response", 3: "set-request", 4: "trap",
        5: "get-bulk-request", 6: "inform-request", 7: "snmpV2-trap", 8: "report"}
SET_REQUEST, GET_RESPONSE, TRAP_V1, REPORT = 3, 2, 4, 8
USM = 3  # msgSecurityModel: the User-based Security Model (RFC 3414)
FLAG_AUTH, FLAG_PRIV = 0x01, 0x02  # RFC 3412 section 6.4
LEVELS = ("noAuthNoPriv", "authNoPriv", "authPriv")  # weakest first
# Objects read from an agent's answers, matched by their encoding (no OID is decoded for that):
# OID (or the prefix before an instance index) -> flow fact
FACT_OIDS = {ber.encode_oid("1.3.6.1.2.1.1.1.0"): "snmp_sys_descr",
             ber.encode_oid("1.3.6.1.2.1.1.5.0"): "snmp_sys_name"}
FACT_PREFIXES = ((ber.encode_oid("1.3.6.1.2.1.25.3.2.1.3"), "snmp_device_descr"),  # hrDeviceDescr.<index>
                 (ber.encode_oid("1.3.6.1.2.1.43.5.1.1.17"), "snmp_serial"))  # prtGeneralSerialNumber.<index>
PRINTER_MIB = ber.encode_oid("1.3.6.1.2.1.43")  # RFC 3805
HR_DEVICE_TYPE = ber.encode_oid("1.3.6.1.2.1.25.3.2.1.2")  # hrDeviceType.<index>
HR_DEVICE_PRINTER = ber.encode_oid("1.3.6.1.2.1.25.3.1.5")  # hrDevicePrinter (RFC 2790)
# Values that are not values (RFC 3416 section 3: noSuchObject, noSuchInstance, endOfMibView; NULL)
_NO_VALUE = {(ber.CONTEXT, 0), (ber.CONTEXT, 1), (ber.CONTEXT, 2), (ber.UNIVERSAL, ber.NULL)}


@dataclass(slots=True, frozen=True)
class Message:
    """What one SNMP message shows in clear."""

    version: str
    community: bytes | None  # v1/v2c
    level: str | None  # v3 security level
    user: bytes | None  # v3 msgUserName
    pdu: int | None  # PDU tag number, None when encrypted
    # (name OID contents octets, value class, value tag, value); empty when not read
    varbinds: tuple[tuple[bytes, int, int, object], ...]


def _text(raw: bytes) -> str:
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        s = raw.decode("latin-1")
    s = "".join(c if c.isprintable() else " " for c in s).strip()
    return s[:MAX_TEXT]


def _under(oid: bytes, prefix: bytes) -> bool:
    """The OID is below ``prefix`` (both encoded: sub-identifiers are self-delimiting)."""
    return len(oid) > len(prefix) and oid.startswith(prefix)


def _secret(raw: bytes) -> str:
    # The hash must see every byte as sent: surrogateescape keeps non-UTF-8 bytes distinct.
    return raw.decode("utf-8", "surrogateescape")


VarBinds = tuple[tuple[bytes, int, int, object], ...]


def _varbinds(buf: bytes, t: ber.Tlv, read: bool) -> VarBinds:
    if not t.is_(ber.UNIVERSAL, ber.SEQUENCE, True):
        raise ProtocolViolation("SNMP variable-bindings is not a SEQUENCE", t.start)
    if not read:
        return ()  # framed (it fits its PDU), not walked: nothing in it is needed
    out: list[tuple[bytes, int, int, object]] = []
    p = t.start
    while p < t.end:
        vb = ber.read(buf, p, t.end)
        p = vb.end
        if len(out) >= MAX_VARBINDS:
            continue  # counted past, not read: the message is still well framed
        parts = ber.children(buf, vb, 2)
        if len(parts) != 2 or not parts[0].is_(ber.UNIVERSAL, ber.OID, False):
            raise ProtocolViolation("SNMP VarBind is not SEQUENCE { name OID, value }", vb.start)
        name, v = parts
        value: object
        if v.constructed:
            raise ProtocolViolation("constructed SNMP value", v.start)
        if v.cls == ber.UNIVERSAL and v.tag == ber.OCTET_STRING:
            value = ber.octets(buf, v)
        elif v.cls == ber.UNIVERSAL and v.tag == ber.OID:
            value = ber.oid_bytes(buf, v)
        elif v.cls == ber.UNIVERSAL and v.tag == ber.INTEGER:
            value = ber.integer(buf, v)
        else:
            value = None  # NULL, exceptions, IpAddress, counters, TimeTicks, Opaque: not read
        out.append((ber.oid_bytes(buf, name), v.cls, v.tag, value))
    return tuple(out)


def _pdu(buf: bytes, t: ber.Tlv, read: bool | None) -> tuple[int, VarBinds]:
    """``read``: walk the variable bindings (True), only those of a get-response (None), or none."""
    if t.cls != ber.CONTEXT or not t.constructed or t.tag not in PDUS:
        raise ProtocolViolation("not an SNMP PDU", t.start)
    parts = ber.children(buf, t, 6)
    if t.tag == TRAP_V1:  # enterprise, agent-addr, generic-trap, specific-trap, time-stamp, varbinds
        if len(parts) != 6 or not parts[0].is_(ber.UNIVERSAL, ber.OID, False):
            raise ProtocolViolation("malformed SNMPv1 Trap-PDU", t.start)
        return t.tag, _varbinds(buf, parts[5], read is True)
    # request-id, error-status | non-repeaters, error-index | max-repetitions, variable-bindings
    if len(parts) != 4 or not all(p.is_(ber.UNIVERSAL, ber.INTEGER, False) for p in parts[:3]):
        raise ProtocolViolation("malformed SNMP PDU", t.start)
    for p in parts[:3]:
        ber.integer(buf, p)
    return t.tag, _varbinds(buf, parts[3], read is True or (read is None and t.tag == GET_RESPONSE))


def parse(buf: bytes, varbinds: bool | None = True) -> Message:
    """One whole SNMP message (a UDP datagram). ``varbinds``: read every PDU's variable bindings
    (True), a get-response's only (None: what the dissector needs from an agent), or none."""
    top = ber.read(buf, 0, len(buf))
    if not top.is_(ber.UNIVERSAL, ber.SEQUENCE, True) or top.end != len(buf):
        raise ProtocolViolation("an SNMP message is one SEQUENCE filling the datagram", 0)
    parts = ber.children(buf, top, 4)
    if len(parts) < 3 or not parts[0].is_(ber.UNIVERSAL, ber.INTEGER, False):
        raise ProtocolViolation("SNMP message without its version", top.start)
    number = ber.integer(buf, parts[0])
    version = VERSIONS.get(number)
    if version is None:
        raise ProtocolViolation(f"SNMP version number {number}", parts[0].start)
    if version != "v3":
        if len(parts) != 3 or not parts[1].is_(ber.UNIVERSAL, ber.OCTET_STRING, False):
            raise ProtocolViolation("SNMP message is not { version, community, data }", top.start)
        pdu, vbs = _pdu(buf, parts[2], varbinds)
        return Message(version, ber.octets(buf, parts[1]), None, None, pdu, vbs)
    return _v3(buf, parts, varbinds)


def head_ok(buf: bytes) -> bool:
    """A cheap probe: a SEQUENCE filling the datagram that starts with version 0, 1 or 3."""
    try:
        top = ber.read(buf, 0, len(buf))
        if not top.is_(ber.UNIVERSAL, ber.SEQUENCE, True) or top.end != len(buf):
            return False
        first = ber.read(buf, top.start, top.end)
        return first.is_(ber.UNIVERSAL, ber.INTEGER, False) and ber.integer(buf, first) in VERSIONS
    except ProtocolViolation:
        return False


def _v3(buf: bytes, parts: list[ber.Tlv], varbinds: bool | None) -> Message:
    # RFC 3412 section 6: { msgVersion, msgGlobalData, msgSecurityParameters, msgData }
    if len(parts) != 4 or not parts[1].is_(ber.UNIVERSAL, ber.SEQUENCE, True) \
            or not parts[2].is_(ber.UNIVERSAL, ber.OCTET_STRING, False):
        raise ProtocolViolation("SNMPv3 message is not { version, header, security, data }", parts[0].start)
    header = ber.children(buf, parts[1], 4)
    if len(header) != 4 or not header[2].is_(ber.UNIVERSAL, ber.OCTET_STRING, False) \
            or header[2].length != 1:
        raise ProtocolViolation("malformed SNMPv3 msgGlobalData", parts[1].start)
    flags = buf[header[2].start]
    if flags & FLAG_PRIV and not flags & FLAG_AUTH:  # RFC 3412 section 7.2 step 5
        raise ProtocolViolation("SNMPv3 privacy without authentication", header[2].start)
    level = LEVELS[(flags & FLAG_AUTH) + (1 if flags & FLAG_PRIV else 0)]
    user = None
    if ber.integer(buf, header[3]) == USM:  # RFC 3414 section 2.4: UsmSecurityParameters
        usm = ber.read(buf, parts[2].start, parts[2].end)
        fields = ber.children(buf, usm, 6)
        if len(fields) != 6 or not fields[3].is_(ber.UNIVERSAL, ber.OCTET_STRING, False):
            raise ProtocolViolation("malformed SNMPv3 USM security parameters", parts[2].start)
        user = ber.octets(buf, fields[3])
    data = parts[3]
    if flags & FLAG_PRIV:  # encryptedPDU: an OCTET STRING nobody here can read
        if not data.is_(ber.UNIVERSAL, ber.OCTET_STRING, False):
            raise ProtocolViolation("SNMPv3 encrypted data is not an OCTET STRING", data.start)
        return Message("v3", None, level, user, None, ())
    scoped = ber.children(buf, data, 3)  # ScopedPDU: contextEngineID, contextName, data
    if len(scoped) != 3:
        raise ProtocolViolation("malformed SNMPv3 ScopedPDU", data.start)
    pdu, vbs = _pdu(buf, scoped[2], varbinds)
    return Message("v3", None, level, user, pdu, vbs)


class SnmpDissector(Dissector):
    name = "snmp"
    service = Service.SNMP
    ports = frozenset({AGENT_PORT, TRAP_PORT})
    datagram = True

    def __init__(self, key: FlowKey) -> None:
        super().__init__(key)
        self.versions: list[str] = []
        self.pdus: list[str] = []
        self.set_sent: bool | None = None  # unknown until a PDU is readable
        self.level: str | None = None
        self.user_seen = False
        self.communities: set[bytes] = set()  # reported once each (at most MAX_COMMUNITIES)
        self.facts: dict[str, object] = {}
        self.announced = False
        # the agent's side: answers from it describe it (the server of a 161 exchange, the client
        # of a trap or inform it sends to 162)
        self.agent = (Direction.S2C if key.server_port == AGENT_PORT else
                      Direction.C2S if key.client_port == AGENT_PORT else None)

    @classmethod
    def probe(cls, c2s: bytes, s2c: bytes, key: FlowKey) -> float:
        head = c2s or s2c
        if not head or head[0] != 0x30 or not head_ok(head):
            return 0.0
        return min(1.0, 0.8 + cls.port_hint(key))

    def feed(self, direction: Direction, data: bytes) -> list[Event]:
        msg = parse(data, None if direction == self.agent else False)
        out: list[Event] = []
        if not self.announced:
            self.announced = True
            out.append(PrintSeen(False))
        if msg.version not in self.versions:
            self.versions.append(msg.version)
            out.append(FlowFact("snmp_versions", list(self.versions)))
        if msg.community is not None and msg.community not in self.communities \
                and len(self.communities) < MAX_COMMUNITIES:
            self.communities.add(msg.community)
            out.append(SecretSeen("snmp-community", "community", secret=_secret(msg.community)))
        if msg.pdu is not None and PDUS[msg.pdu] not in self.pdus:
            self.pdus.append(PDUS[msg.pdu])
            out.append(FlowFact("snmp_pdus", list(self.pdus)))
        if msg.pdu is not None and not self.set_sent and (msg.pdu == SET_REQUEST or self.set_sent is None):
            self.set_sent = msg.pdu == SET_REQUEST
            out.append(FlowFact("snmp_set", self.set_sent))
        if msg.user and msg.pdu != REPORT and msg.level is not None:
            if self.level is None or LEVELS.index(msg.level) < LEVELS.index(self.level):
                self.level = msg.level
                out.append(FlowFact("snmp_security", msg.level))
            if not self.user_seen:
                self.user_seen = True
                out.append(FlowFact("snmp_user", _text(msg.user)))
        if msg.pdu == GET_RESPONSE and direction == self.agent:
            self._answers(msg, out)
        return out

    def _answers(self, msg: Message, out: list[Event]) -> None:
        for oid, vcls, vtag, value in msg.varbinds:
            if (vcls, vtag) in _NO_VALUE:
                continue
            if _under(oid, PRINTER_MIB) or (_under(oid, HR_DEVICE_TYPE) and value == HR_DEVICE_PRINTER):
                self._fact("snmp_printer_mib", True, out)
            name = FACT_OIDS.get(oid)
            if name is None:
                name = next((n for prefix, n in FACT_PREFIXES if _under(oid, prefix)), None)
            if name is not None and isinstance(value, bytes):
                text = _text(value)
                if text:
                    self._fact(name, text, out)

    def _fact(self, name: str, value: object, out: list[Event]) -> None:
        if name not in self.facts:  # the first answer stands (a walk answers each once)
            self.facts[name] = value
            out.append(FlowFact(name, value))
