"""dissectors/snmp.py: v1/v2c/v3 messages, communities as secrets, sets, printer facts, fuzz."""
from __future__ import annotations

import pytest

from sniffprint.dissectors import ber
from sniffprint.dissectors.events import FlowFact, PrintSeen, SecretSeen
from sniffprint.dissectors.snmp import SnmpDissector, parse
from sniffprint.errors import ProtocolViolation
from sniffprint.model import Direction, FlowKey
from tests.dissectors import ber_vectors as b
from tests.helpers import fuzz_datagrams

C2S, S2C = Direction.C2S, Direction.S2C
AGENT = FlowKey("udp", "10.0.0.1", 40000, "10.0.0.2", 161)
TRAPS = FlowKey("udp", "10.0.0.2", 40001, "10.0.0.1", 162)
SYS_DESCR, SYS_NAME = "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.5.0"
HR_DESCR, SERIAL = "1.3.6.1.2.1.25.3.2.1.3.1", "1.3.6.1.2.1.43.5.1.1.17.1"
# An snmpset as Net-SNMP sent it in the lab (pcaps/snmp-v2c.pcap frame 81): v2c, set sysContact.0
LAB_SET = bytes.fromhex(
    "3050020101041346 6c72322d52656164 57726974652d3939 3032a33602041d1e b48a020100020100 3028302606082b06"
    "0102010104000 41a7072696e746572 2d61646d696e4063 6f72702e6578616d 706c65".replace(" ", ""))


def feed(key: FlowKey, *script: tuple[Direction, bytes]) -> list:
    d = SnmpDissector(key)
    return [e for direction, data in script for e in d.feed(direction, data)] + d.close()


def facts(events: list) -> dict:
    return {e.name: e.value for e in events if isinstance(e, FlowFact)}


def test_v2c_get_and_answer_give_the_printer_facts_and_the_community_as_a_secret() -> None:
    get = b.v1v2c(1, b"public", b.pdu(0, *((o, b.null()) for o in (SYS_DESCR, SYS_NAME, HR_DESCR, SERIAL))))
    answer = b.v1v2c(1, b"public", b.pdu(2, (SYS_DESCR, b.octets(b"HP LaserJet 4250 \x00")),
                                      (SYS_NAME, b.octets(b"floor2-laserjet")),
                                      (HR_DESCR, b.octets(b"HP LaserJet 4250")),
                                      (SERIAL, b.octets(b"CNBX512345"))))
    ev = feed(AGENT, (C2S, get), (S2C, answer))
    assert ev[0] == PrintSeen(False)
    assert [e for e in ev if isinstance(e, SecretSeen)] == [SecretSeen("snmp-community", "community", secret="public")]
    assert facts(ev) == {
        "snmp_versions": ["v2c"], "snmp_pdus": ["get-request", "get-response"], "snmp_set": False,
        "snmp_sys_descr": "HP LaserJet 4250", "snmp_sys_name": "floor2-laserjet",
        "snmp_device_descr": "HP LaserJet 4250", "snmp_serial": "CNBX512345", "snmp_printer_mib": True}
    assert "public" not in repr(ev)  # the secret is never in an event's repr


def test_the_lab_set_request_bytes() -> None:
    msg = parse(LAB_SET)
    assert (msg.version, msg.pdu, msg.community) == ("v2c", 3, b"Flr2-ReadWrite-9902")
    assert msg.varbinds[0][0] == ber.encode_oid("1.3.6.1.2.1.1.4.0")
    assert facts(feed(AGENT, (C2S, LAB_SET)))["snmp_set"] is True


def test_a_set_after_reads_turns_snmp_set_true_once() -> None:
    read = b.v1v2c(0, b"ro", b.pdu(1, (SYS_DESCR, b.null())))
    write = b.v1v2c(0, b"rw", b.pdu(3, ("1.3.6.1.2.1.1.4.0", b.octets(b"x"))))
    ev = feed(AGENT, (C2S, read), (C2S, write), (C2S, write))
    assert [e.value for e in ev if isinstance(e, FlowFact) and e.name == "snmp_set"] == [False, True]
    assert [e.secret for e in ev if isinstance(e, SecretSeen)] == ["ro", "rw"]  # each community once
    assert facts(ev)["snmp_versions"] == ["v1"]


def test_answers_from_the_manager_side_are_not_printer_facts() -> None:
    # an inform's response comes from the manager: it describes nothing about the agent
    answer = b.v1v2c(1, b"c", b.pdu(2, (SYS_NAME, b.octets(b"manager"))))
    assert "snmp_sys_name" not in facts(feed(TRAPS, (S2C, answer)))


def test_exceptions_and_other_objects_are_not_facts() -> None:
    answer = b.v1v2c(1, b"c", b.pdu(2, (SYS_DESCR, b"\x80\x00"), (SYS_NAME, b"\x81\x00"),
                                    ("1.3.6.1.2.1.43.1", b"\x82\x00"),
                                    ("1.3.6.1.2.1.1.3.0", b"\x43\x02\x00\xfe")))
    f = facts(feed(AGENT, (S2C, answer)))
    assert "snmp_sys_descr" not in f and "snmp_printer_mib" not in f


def test_hr_device_type_printer_marks_a_printer() -> None:
    answer = b.v1v2c(1, b"c", b.pdu(2, ("1.3.6.1.2.1.25.3.2.1.2.1", b.oid("1.3.6.1.2.1.25.3.1.5"))))
    assert facts(feed(AGENT, (S2C, answer)))["snmp_printer_mib"] is True


def test_v1_trap_and_v2_trap_bulk_and_inform() -> None:
    trap_v1 = b.v1v2c(0, b"t", b.tlv(0xA4, b.oid("1.3.6.1.4.1.11") + b"\x40\x04\x0a\x00\x00\x02" + b.integer(4)
                                     + b.integer(0) + b"\x43\x01\x05" + b.varbinds()))
    trap_v2 = b.v1v2c(1, b"t", b.pdu(7, ("1.3.6.1.2.1.1.3.0", b"\x43\x01\x05")))
    bulk = b.v1v2c(1, b"r", b.pdu(5, ("1.3.6.1.2.1.43.5.1.1", b.null())))
    inform = b.v1v2c(1, b"t", b.pdu(6))
    ev = feed(TRAPS, (C2S, trap_v1), (C2S, trap_v2), (C2S, bulk), (C2S, inform))
    assert facts(ev)["snmp_pdus"] == ["trap", "snmpV2-trap", "get-bulk-request", "inform-request"]
    assert facts(ev)["snmp_versions"] == ["v1", "v2c"]


def test_v3_discovery_then_auth_priv_is_protected() -> None:
    discovery = b.v3(0x04, b"", b.scoped(b.pdu(0)))
    report = b.v3(0x00, b"", b.scoped(b.pdu(8, ("1.3.6.1.6.3.15.1.1.4.0", b"\x41\x01\x01"))))
    get = b.v3(0x07, b"labv3admin", b.octets(b"\x8a" * 40))  # authPriv: the PDU is an OCTET STRING
    ev = feed(AGENT, (C2S, discovery), (S2C, report), (C2S, get), (S2C, b.v3(0x03, b"labv3admin", b.octets(b"z" * 9))))
    f = facts(ev)
    assert f["snmp_versions"] == ["v3"] and f["snmp_pdus"] == ["get-request", "report"]
    assert f["snmp_security"] == "authPriv" and f["snmp_user"] == "labv3admin"
    assert not [e for e in ev if isinstance(e, SecretSeen)]  # no community, the pass phrases never cross


@pytest.mark.parametrize("flags, level", [(0x05, "authNoPriv"), (0x04, "noAuthNoPriv")])
def test_v3_without_privacy_shows_its_pdus_and_level(flags: int, level: str) -> None:
    msg = b.v3(flags, b"ops", b.scoped(b.pdu(3, ("1.3.6.1.2.1.1.4.0", b.octets(b"x")))))
    f = facts(feed(AGENT, (C2S, msg)))
    assert f["snmp_security"] == level and f["snmp_set"] is True and f["snmp_pdus"] == ["set-request"]


def test_the_weakest_level_with_a_user_is_kept() -> None:
    priv = b.v3(0x07, b"u", b.octets(b"x"))
    weak = b.v3(0x05, b"u", b.scoped(b.pdu(0)))
    ev = feed(AGENT, (C2S, priv), (C2S, weak), (C2S, priv))
    assert [e.value for e in ev if isinstance(e, FlowFact) and e.name == "snmp_security"] == ["authPriv", "authNoPriv"]


@pytest.mark.parametrize("raw, why", [
    (b.seq(b.integer(2), b.octets(b"c"), b.pdu(0)), "version number 2"),
    (b.seq(b.integer(1), b.octets(b"c")), "without its version|not \\{ version"),
    (b.v1v2c(1, b"c", b.pdu(0)) + b"\x00", "filling the datagram"),
    (b.v1v2c(1, b"c", b.tlv(0xA9, b"")), "not an SNMP PDU"),
    (b.v1v2c(1, b"c", b.tlv(0xA0, b.integer(1))), "malformed SNMP PDU"),
    (b.v3(0x02, b"u", b.octets(b"x")), "privacy without authentication"),
    (b.v1v2c(1, b"c", b.tlv(0xA0, b.integer(1) + b.integer(0) + b.integer(0) + b.seq(b.seq(b.null(), b.null())))),
     "VarBind"),
])
def test_malformed_messages_are_violations(raw: bytes, why: str) -> None:
    with pytest.raises(ProtocolViolation, match=why):
        parse(raw)


def test_requests_are_framed_but_their_varbinds_not_walked() -> None:
    bad_varbind = b.v1v2c(1, b"c", b.tlv(0xA0, b.integer(1) + b.integer(0) + b.integer(0)
                                         + b.seq(b.seq(b.null(), b.null()))))
    assert parse(bad_varbind, varbinds=False).varbinds == ()  # what the dissector reads of a request
    assert parse(bad_varbind, varbinds=None).varbinds == ()
    answer = b.v1v2c(1, b"c", b.pdu(2, (SYS_NAME, b.octets(b"x"))))
    assert parse(answer, varbinds=None).varbinds == ((ber.encode_oid(SYS_NAME), 0, 4, b"x"),)
    with pytest.raises(ProtocolViolation):  # the container must still fit its PDU
        parse(b.v1v2c(1, b"c", b.tlv(0xA0, b.integer(1) + b.integer(0) + b.integer(0) + b"\x30\x05\x00")), False)


def test_varbinds_beyond_the_bound_are_counted_past() -> None:
    many = b.v1v2c(1, b"c", b.pdu(2, *((f"1.3.6.1.2.1.2.2.1.1.{i}", b.integer(i)) for i in range(300))))
    assert len(parse(many).varbinds) == 256


def test_probe() -> None:
    get = b.v1v2c(1, b"c", b.pdu(0))
    assert SnmpDissector.probe(get, b"", AGENT) >= 0.9
    assert SnmpDissector.probe(get, b"", FlowKey("udp", "a", 1, "b", 9999)) >= 0.75  # any port, by content
    assert SnmpDissector.probe(b"\x30\x03\x02\x01", b"", AGENT) == 0.0
    assert SnmpDissector.probe(b"GET / HTTP/1.1", b"", AGENT) == 0.0


def test_fuzz() -> None:
    seeds = [LAB_SET, b.v1v2c(1, b"public", b.pdu(2, (SYS_DESCR, b.octets(b"x")))), b.v3(0x07, b"u", b.octets(b"x")),
             b.v3(0x05, b"u", b.scoped(b.pdu(0, (SYS_NAME, b.null()))))]
    fuzz_datagrams(lambda: SnmpDissector(AGENT), seeds)
