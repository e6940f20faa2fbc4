"""findings/paths.py: the names of print paths in clear and protected."""
from __future__ import annotations

from sniffprint.findings.paths import clear_name, port_order, protected_name
from tests.records import flow_record


def test_clear_names_by_service_then_port() -> None:
    assert clear_name(flow_record(service="lpd", server_port=1515)) == "lpd"
    assert clear_name(flow_record(service="other", server_port=9100)) == "raw9100"
    assert clear_name(flow_record(service="http-admin", server_port=8080)) == "http-admin"
    assert clear_name(flow_record(service="other", server_port=4000)) == "other"


def test_protected_names() -> None:
    assert protected_name(flow_record(service="tls", protection="tls", server_port=631)) == "ipps"
    assert protected_name(flow_record(service="tls", protection="tls", server_port=9100)) == "raw-tls"
    assert protected_name(flow_record(service="tls", protection="tls", server_port=9443)) == "tls:9443"
    assert protected_name(flow_record(service="smb", protection="smb3-encrypted", server_port=445)) == \
        "smb3-encrypted"
    assert protected_name(flow_record(service="dcerpc", protection="rpc-privacy", server_port=49668)) == \
        "rpc-privacy"


def test_print_ports_come_first() -> None:
    assert sorted([80, 631, 9100, 445, 515], key=port_order) == [9100, 515, 631, 80, 445]
