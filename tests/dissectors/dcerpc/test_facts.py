"""The flow facts: auth type and level (the weakest print call decides), protection, call names."""
from __future__ import annotations

from sniffprint.dissectors.dcerpc.facts import MAX_NAMES, RpcFacts
from sniffprint.dissectors.events import (
    FlowFact,
    PrintSeen,
    ProtectionSeen,
)
from sniffprint.model import Protection
from tests.dissectors.dcerpc.sessions import C, S, conv, facts, jobs
from tests.dissectors.dcerpc.vectors import (
    ALTER,
    NTLM_NEGOTIATE,
    NTLMSSP,
    SIGNATURE,
    auth3,
    bind,
    bind_ack,
    ntlm_authenticate,
    request,
)
from tests.helpers import feed_every_way


def test_packet_privacy_seals_the_stubs():
    sealed = (NTLMSSP, 6, SIGNATURE)
    script = [(C, bind(1, auth=(NTLMSSP, 6, NTLM_NEGOTIATE))), (S, bind_ack(1)),
              (C, auth3(1, ntlm_authenticate("alice"), 6)),
              (C, request(2, 17, b"\x93" * 120, auth=sealed, pad_to=16)),
              (C, request(3, 19, b"\x17" * 400, auth=sealed, pad_to=16))]
    ev = feed_every_way(conv, script)
    assert facts(ev) == {"rpc_interfaces": ["MS-RPRN"], "rpc_auth_type": "NTLMSSP", "rpc_auth_level": "privacy"}
    assert ProtectionSeen(Protection.RPC_PRIVACY) in ev and jobs(ev) == []


def test_the_weakest_print_call_decides_and_protection_follows():
    c = conv()
    ev = c.feed(C, bind(1, auth=(NTLMSSP, 6, NTLM_NEGOTIATE)))
    assert ev[-2:] == [FlowFact("rpc_auth_level", "privacy"), ProtectionSeen(Protection.RPC_PRIVACY)]
    ev = c.feed(C, request(2, 0, b"\x00" * 8))  # EnumPrinters without a verifier: in clear
    assert ev == [FlowFact("rpc_auth_level", "none"), ProtectionSeen(Protection.NONE),
                  FlowFact("rpc_calls", ["EnumPrinters"])]
    # an association bound without auth and upgraded by alter_context: the calls' level counts
    c = conv()
    assert facts(c.feed(C, bind(1)))["rpc_auth_level"] == "none"
    c.feed(C, bind(2, auth=(NTLMSSP, 6, NTLM_NEGOTIATE), ptype=ALTER))
    ev = c.feed(C, request(3, 0, b"\x55" * 32, auth=(NTLMSSP, 6, SIGNATURE)))
    assert ev == [FlowFact("rpc_auth_level", "privacy"), ProtectionSeen(Protection.RPC_PRIVACY)]
    assert c.facts.cleartext_print() == [ProtectionSeen(Protection.NONE)]  # print also crossed in clear


def test_each_fact_is_emitted_once_when_it_changes():
    f = RpcFacts(pipe=True)
    assert f.bound("MS-RPRN", 5, NTLMSSP) == [
        FlowFact("rpc_interfaces", ["MS-RPRN"]), PrintSeen(True), FlowFact("rpc_auth_type", "NTLMSSP"),
        FlowFact("rpc_auth_level", "integrity"), FlowFact("spoolss_auth_level", "integrity")]
    assert f.bound("MS-RPRN", 5, NTLMSSP) == []
    assert f.bound("EPM", 1, None) == [FlowFact("rpc_interfaces", ["MS-RPRN", "EPM"])]  # not print: no level
    assert f.bound("MS-RPRN", 4, NTLMSSP) == [FlowFact("rpc_auth_level", "pkt"),
                                              FlowFact("spoolss_auth_level", "packet")]
    assert f.bound("MS-RPRN", 6, NTLMSSP) == []  # the weakest bind stands
    assert RpcFacts().bound("MS-PAR", 4, None)[-1] == FlowFact("rpc_auth_level", "pkt")  # TCP: no older name


def test_calls_decide_over_binds_and_sealed_calls_are_not_named():
    f = RpcFacts()
    f.bound("MS-RPRN", 6, NTLMSSP)
    assert f.called("WritePrinter", 6) == []  # privacy already reported, the name is sealed away
    assert f.calls == [] and f.privacy
    assert f.called("StartDocPrinter", 5) == [FlowFact("rpc_auth_level", "integrity"),
                                               ProtectionSeen(Protection.NONE),
                                               FlowFact("rpc_calls", ["StartDocPrinter"])]
    assert f.called("StartDocPrinter", 6) == []  # the weakest call stands, the name is known
    assert f.cleartext_print() == [] and not f.privacy


def test_name_lists_are_bounded():
    f = RpcFacts()
    for i in range(MAX_NAMES + 10):
        f.bound(f"iface-{i}", 1, None)
        f.called(f"Call{i}", 1)
    assert len(f.interfaces) == MAX_NAMES and len(f.calls) == MAX_NAMES
