"""Per-connection SMB state: capped tables, sessions, and facts emitted once per change."""
from __future__ import annotations

from sniffprint.dissectors.events import FlowFact, PrintSeen
from sniffprint.dissectors.ntlmssp import AUTHENTICATE, NtlmMessage
from sniffprint.dissectors.smb.state import MAX_TABLE, Connection, File, ShareType, Table, Tree


def test_table_evicts_the_oldest_entry_past_the_cap():
    t: Table[int, str] = Table()
    for i in range(MAX_TABLE):
        t[i] = str(i)
    t[0] = "again"  # replacing a key keeps its place and evicts nothing
    assert len(t) == MAX_TABLE and next(iter(t)) == 0
    t[MAX_TABLE] = "new"
    assert len(t) == MAX_TABLE and 0 not in t and t[MAX_TABLE] == "new" and next(iter(t)) == 1


def test_session_is_created_once_and_auth_falls_back_to_the_last_one():
    conn = Connection()
    alice = NtlmMessage(AUTHENTICATE, user="alice")
    bob = NtlmMessage(AUTHENTICATE, user="bob")
    assert conn.session(1) is conn.session(1)
    conn.session(1).auth = alice
    conn.session(2).flags = 0x0001  # flags known, no AUTHENTICATE seen for it
    conn.last_auth = bob
    assert conn.auth_for(1) is alice
    assert conn.auth_for(2) is bob
    assert conn.auth_for(99) is bob


def test_facts_are_emitted_once_per_change():
    conn = Connection()
    assert conn.require_encryption() == [FlowFact("smb_encryption_required", True)]
    assert conn.require_encryption() == []
    assert conn.saw_print_share() == [PrintSeen(True)]
    assert conn.saw_print_share() == []
    assert conn.saw_signing(False) == [FlowFact("smb_signing", False)]
    assert conn.saw_signing(False) == []
    assert conn.saw_signing(True) == [FlowFact("smb_signing", True)]
    assert conn.saw_signing(False) == []  # signing seen in use is final


def test_file_prints_only_on_a_print_share():
    assert File("a", Tree(r"\\s\p", share_type=ShareType.PRINT), 1).printing
    assert not File("a", Tree(r"\\s\d", share_type=ShareType.DISK), 1).printing
    assert not File("a", Tree(r"\\s\p"), 1).printing  # tree response not seen yet
    assert not File("a", None, 1).printing
    assert Tree(r"\\srv\officeprn").share == "officeprn"
