"""SMB1 SESSION_SETUP_ANDX: who authenticates, with NTLMSSP or with plain account fields.

Read from: MS-SMB 2.2.4.6.1 (extended security request, 12 words: SecurityBlobLength, then the
security blob: SPNEGO / NTLMSSP), MS-CIFS 2.2.4.53.1 (NT LM 0.12 request, 13 words:
OEMPasswordLen, UnicodePasswordLen, then the passwords, AccountName, PrimaryDomain, NativeOS,
NativeLanMan), 2.2.4.53.1 for the 10-word LANMAN form (PasswordLength, then the same strings),
3.2.4.2.4 (a plaintext password when the server did not ask for challenge/response), 2.2.4.53.2
(response: the UID comes in the header), MS-NLMP 2.2.1.3 (``ntlmssp``).

The user (NTLMSSP UserName, or AccountName) is the flow fact ``smb_user``; it names the jobs of
the session the response's UID gives (``state.Session.auth``). A password sent in plaintext is
noted (never shown).

Invariants: the blob and strings are read only inside the message; an unreadable token is ignored.
"""
from __future__ import annotations

from ... import ntlmssp
from ...events import Event, FlowFact, Note
from ..state import Connection, Pending
from .header import SESSION_SETUP_ANDX, string
from .packet import Packet

EXTENDED_WORDS = 12  # 2.2.4.6.1: SecurityBlobLength
NT_WORDS = 13  # 2.2.4.53.1: OEMPasswordLen, UnicodePasswordLen
LANMAN_WORDS = 10  # PasswordLength


def request(conn: Connection, p: Packet) -> list[Event]:
    b, h = p.block, p.header
    wc = len(b.words) // 2
    auth: ntlmssp.NtlmMessage | None = None
    out: list[Event] = []
    if wc == EXTENDED_WORDS:
        blob_len = b.u16(14) or 0
        msg = ntlmssp.find(bytes(b.data[:blob_len]))
        if msg is not None and msg.type == ntlmssp.AUTHENTICATE:
            auth = msg
    elif wc in (NT_WORDS, LANMAN_WORDS):
        oem_len = b.u16(14) or 0
        uni_len = (b.u16(16) or 0) if wc == NT_WORDS else 0
        at = b.data_off + oem_len + uni_len
        user, at = string(p.msg, at, p.unicode)
        domain, _ = string(p.msg, at, p.unicode)
        auth = ntlmssp.NtlmMessage(ntlmssp.AUTHENTICATE, user=user, domain=domain,
                                   anonymous=not user and not oem_len and not uni_len)
        if conn.plaintext_passwords and (oem_len or uni_len):  # the server asked for plaintext
            out.append(Note("smb1_plaintext_password", "an SMB1 SESSION_SETUP_ANDX carried a password in "
                            "plaintext (not shown)"))
    if auth is None:
        return out
    conn.last_auth = auth
    if h.uid:
        conn.session(h.uid).auth = auth
    p.remember(conn, Pending(SESSION_SETUP_ANDX, auth=auth))
    return out + ([FlowFact("smb_user", auth.user)] if auth.user else [])


def response(conn: Connection, p: Packet, pend: Pending | None) -> list[Event]:
    if p.header.ok and pend is not None and pend.auth is not None:
        conn.session(p.header.uid).auth = pend.auth
    return []
