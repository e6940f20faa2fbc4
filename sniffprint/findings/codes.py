"""Finding codes: stable, each with its title and the remediation it points to.

Codes (stable; new codes may be added, none is ever reused for something else):

SP1xx  a print job's document or metadata crossed the network in clear
  SP101  high/critical  Print document sent in cleartext (critical when sensitive data was found
                        in it, or a PJL HOLDKEY PIN was sent)
  SP102  medium         Print job metadata sent in cleartext (user, job or document name; no
                        document bytes seen)
  SP103  high           Obsolete SMB1 print session (never encrypted): every SMB1 flow that carries
                        print (a print share, a print file, spoolss), with a job or without
  SP104  high           Password sent in cleartext (HTTP Basic authentication on a print flow)
  SP105  high           Printer file system accessed in clear (PJL FSDIRLIST, FSUPLOAD,
                        FSDOWNLOAD...): once per flow naming the commands and, by keyed hash,
                        the paths; once more per file written to the printer (FSDOWNLOAD,
                        FSAPPEND), with its evidence (critical with sensitive data in it). A
                        file read back (FSUPLOAD) is a document sent back in clear: SP101.
  SP106  critical/medium/info  Printer admin panel in clear, once per printer, port and client:
                        critical "admin login in clear" (HTTP Basic or Digest authorization, a
                        password field in a form POST, or a session cookie set at a login and sent
                        back in clear); medium "admin pages served in clear without login" (pages
                        of its web interface over HTTP, or a login asked for in clear); info when
                        HTTP only redirects to HTTPS
  SP107  medium/high    Printer management in clear: SNMP v1/v2c (the community is a password) or
                        SNMPv3 without privacy, once per printer and manager; high when a
                        set-request was sent
SP2xx  protection that is weak or cannot be verified
  SP201  high           Print flow protected only by an obsolete TLS/SSL version
  SP202  high           Print flow uses a weak TLS cipher (RC4, 3DES, DES, NULL, EXPORT, anonymous)
  SP203  low            TLS key exchange without forward secrecy (RSA)
  SP204  info           Self-signed printer certificate (medium when the policy forbids it)
  SP205  info           TLS 1.3: the printer certificate is not observable (low when the policy
                        requires it to be seen)
  SP206  info           Encrypted SMB session: its share type cannot be seen
  SP207  low            Printer certificate expired at the time of the flow
SP3xx  a cleartext print path still accepting connections (no job needed, so never SP1xx)
  SP301  medium         Cleartext print listener answering on a print port (SYN answered by
                        SYN-ACK on a flow that never became TLS), once per printer and port
  SP302  medium         Print service queried in clear without a job (IPP request, LPD queue
                        state, PJL status, spoolss / winspool RPC calls below packet privacy)
  SP303  info           Print port closed: a SYN answered by RST (evidence the path is off)
SP9xx  capture quality
  SP901  info           Capture truncated before its end
  SP902  low            Gaps in a print flow: bytes are missing from the capture
  SP903  info           Capture damaged: records skipped
  SP904  info           No print traffic seen from this vantage point

Severity order: info < low < medium < high < critical. A finding whose server matches a policy
exception is kept with ``suppressed`` set to the reason and never counts toward exit status 1.
"""
from __future__ import annotations

TITLES = {
    "SP101": "Print document sent in cleartext",
    "SP102": "Print job metadata sent in cleartext",
    "SP103": "Obsolete SMB1 print session (never encrypted)",
    "SP104": "Password sent in cleartext (HTTP Basic authentication)",
    "SP105": "Printer file system accessed in clear",
    "SP106": "Printer admin panel in clear",
    "SP107": "Printer management in clear (SNMP)",
    "SP201": "Print flow protected only by an obsolete TLS/SSL version",
    "SP202": "Print flow uses a weak TLS cipher",
    "SP203": "TLS key exchange without forward secrecy",
    "SP204": "Self-signed printer certificate",
    "SP205": "TLS 1.3: printer certificate not observable",
    "SP206": "Encrypted SMB session: share type cannot be seen",
    "SP207": "Printer certificate expired",
    "SP301": "Cleartext print listener answering on a print port",
    "SP302": "Print service queried in clear",
    "SP303": "Print port closed (SYN answered by RST)",
    "SP901": "Capture truncated before its end",
    "SP902": "Gaps in a print flow",
    "SP903": "Capture damaged: records skipped",
    "SP904": "No print traffic seen from this vantage point",
}

_FIX_DISABLE = "then disable the cleartext protocol on the device"
REMEDIATION = {
    "raw9100": ("Move the queue to IPPS (ipps://PRINTER/ipp/print) or TLS-wrapped 9100, "
                f"{_FIX_DISABLE} (raw port 9100 / JetDirect / AppSocket)."),
    "lpd": f"Stop using LPD: recreate the queue as IPPS (ipps://PRINTER/ipp/print), {_FIX_DISABLE} (LPD, 515).",
    "ipp": ("Use IPPS (ipps:// URIs; CUPS: DefaultEncryption Required) so IPP runs inside TLS, "
            f"{_FIX_DISABLE} (cleartext IPP on 631)."),
    "smb": ("Require SMB3 encryption on the print share (Samba: smb encrypt = required; Windows: "
            "Set-SmbShare -EncryptData $true), disable SMB1, then refuse unencrypted sessions."),
    "dcerpc": ("Require RPC packet privacy for print RPC (Windows print servers: "
               "RpcAuthnLevelPrivacyEnabled = 1; clients print over RPC over TCP at privacy, the default "
               "since Windows 11 22H2), and block spoolss over SMB named pipes without SMB3 encryption."),
    "tls": ("Require TLS 1.2 or newer with forward-secret AEAD cipher suites on the printer's TLS "
            "listener; disable SSLv3, TLS 1.0/1.1 and RC4/3DES/NULL/EXPORT/anonymous suites."),
    "cert": "Install a certificate issued by your internal CA on the printer, and renew it before it expires.",
    "smb-unknown": ("List the host in the policy's print_servers if it is a print server, so its "
                    "encrypted sessions count as protected printing."),
    "pjlfs": ("Disable PJL and PostScript file-system access on the printer and set a PJL password (HP: "
              "the file system access settings of the embedded web server), allow 9100 only from print "
              "servers, and move printing to IPPS; treat files read back as disclosed and files written "
              "as planted."),
    "http-admin": ("Serve the printer's web interface over HTTPS only (turn the HTTP listener off, or let it only "
                   "redirect), and reach it from a management network."),
    "snmp": ("Turn SNMP v1/v2c off on the printer and use SNMPv3 with authPriv (or at least a read-only, "
             "non-default community reachable only from the management station); change every community "
             "seen in clear."),
    "capture": "Capture again from the same vantage point for longer, without loss (check span/tap drops).",
}

# What each code means and why it matters, in full (SARIF ``fullDescription``; the title above is
# the short form). One entry per code of ``TITLES``: a test keeps them in step.
DESCRIPTIONS = {
    "SP101": ("The bytes of a print document crossed the network without encryption: anyone on the path "
              "(a mirrored switch port, a compromised host, Wi-Fi) can reassemble the page exactly as "
              "printed. Critical when its text holds sensitive data (e-mail addresses, phone, social "
              "security or card numbers, IBANs, your keywords) or a PJL HOLDKEY PIN, or when text "
              "extraction failed and sensitive data cannot be ruled out."),
    "SP102": ("A print job's metadata (user, host, job or document name) crossed in clear, although no "
              "document bytes were seen: who printed what, and when, is readable on the path, and the "
              "document itself most likely travelled the same way."),
    "SP103": ("The client printed over SMB1, which has no encryption at all and is deprecated: every job "
              "on this session crossed in clear and the protocol itself is an attack surface."),
    "SP104": ("An HTTP Authorization: Basic header crossed in clear on a print flow: the user's password "
              "is readable on the path (sniffprint never shows it)."),
    "SP105": ("PJL file-system commands (FSDIRLIST, FSQUERY, FSUPLOAD, FSDOWNLOAD, FSAPPEND...) reached "
              "the printer in clear: its stored files can be listed, read back (a document sent back in "
              "clear is also SP101) or written (a file planted on the printer, critical when it holds "
              "sensitive data), and the paths and contents are readable on the path."),
    "SP106": ("The printer's web interface (embedded web server, CUPS) was used over HTTP. Critical when an "
              "admin login crossed in clear: an HTTP Basic or Digest authorization, a password field in a "
              "form, or a session cookie the printer set at a login and got back; whoever reads it can "
              "reconfigure the printer, its scan-to-email and LDAP credentials and the very TLS settings "
              "the migration relies on (sniffprint shows only the credential's kind, length and keyed "
              "hash). Medium when admin pages or a login prompt were served in clear without a login; "
              "informational when HTTP only redirected to HTTPS."),
    "SP107": ("The printer was managed with SNMP v1/v2c, whose community string is a password sent in "
              "clear with every request, or with SNMPv3 without privacy: the device's configuration and "
              "state are readable on the path, and a write community lets anyone reconfigure it. High "
              "when a set-request was sent."),
    "SP201": ("The print flow is encrypted, but only with SSL 3.0, TLS 1.0 or TLS 1.1 (or a version "
              "below the policy's min_tls_version): protocols with known attacks that current clients "
              "and compliance regimes no longer accept."),
    "SP202": ("The print flow negotiated a weak TLS cipher suite (RC4, 3DES, DES, NULL, EXPORT or "
              "anonymous key exchange): the encryption can be broken or gives no authentication."),
    "SP203": ("The print flow uses RSA key exchange: whoever obtains the printer's private key later can "
              "decrypt every recorded session (no forward secrecy)."),
    "SP204": ("The printer presented a self-signed certificate: clients cannot tell it from an "
              "impostor, so a machine in the middle can read the jobs. Informational by default; medium "
              "when the policy sets allow_self_signed = false."),
    "SP205": ("TLS 1.3 encrypts the server certificate, so a passive observer cannot check it (issuer, "
              "expiry, self-signed). Informational by default; low when the policy requires the "
              "certificate to be observable."),
    "SP206": ("An SMB3 session to this host was encrypted, which also hides its tree connect: whether it "
              "was printing or copying files cannot be seen. The run is inconclusive rather than "
              "failed unless the policy names the host a print server."),
    "SP207": ("The printer's certificate had expired when the flow started: clients either warn on every "
              "job or were configured to ignore certificate errors, which defeats TLS authentication."),
    "SP301": ("A print port (9100, 515, 631 or the policy's print_ports) accepted a TCP connection that "
              "never became TLS: the cleartext path is still open even if no job was seen on it. "
              "Reported once per printer and port."),
    "SP302": ("A print service was queried in clear without a job (IPP requests such as Get-Jobs, LPD "
              "queue state, PJL status): queue contents, job names and device details are readable on "
              "the path, and the same service accepts cleartext jobs."),
    "SP303": ("A print port answered a connection attempt with RST: the port is closed. Good news, kept "
              "as evidence that the cleartext path is off; it never fails a run."),
    "SP901": ("The capture file ends inside a record: the end of the traffic is unknown, so the capture "
              "cannot prove that nothing else crossed in clear."),
    "SP902": ("Bytes of a print flow are missing from the capture (packet loss at the tap or span port): "
              "what they held is unknown, so cleanness of that flow cannot be proven."),
    "SP903": ("Damaged records were skipped while reading the capture: whatever they held is unknown, so "
              "the run is inconclusive rather than clean."),
    "SP904": ("No print flow, cleartext or protected, was seen: a capture from this vantage point proves "
              "nothing about printing, so the run is inconclusive."),
}

# The REMEDIATION entries that apply to each code (one per print protocol where the fix depends
# on it): the remediation help of SARIF rules. A finding itself carries the one for its protocol.
FIXES = {
    "SP101": ("raw9100", "lpd", "ipp", "smb"),
    "SP102": ("raw9100", "lpd", "ipp", "smb"),
    "SP103": ("smb",),
    "SP104": ("ipp",),
    "SP105": ("pjlfs",),
    "SP106": ("http-admin",),
    "SP107": ("snmp",),
    "SP201": ("tls",),
    "SP202": ("tls",),
    "SP203": ("tls",),
    "SP204": ("cert",),
    "SP205": (),
    "SP206": ("smb-unknown",),
    "SP207": ("cert",),
    "SP301": ("raw9100", "lpd", "ipp"),
    "SP302": ("raw9100", "lpd", "ipp"),
    "SP303": (),
    "SP901": ("capture",),
    "SP902": ("capture",),
    "SP903": ("capture",),
    "SP904": ("capture",),
}

# What the help adds after the remediation entries (codes without one still get help).
HELP_NOTES = {
    "SP104": "Rotate the exposed password.",
    "SP106": "Change the admin password that crossed in clear.",
    "SP205": ("Nothing to fix on the wire: TLS 1.3 is the right choice. To verify the certificate, check it "
              "on the printer itself, or relax the policy (allow_unobservable_certificate = true)."),
    "SP303": "Nothing to fix: the cleartext print port is closed. Keep it closed.",
}
