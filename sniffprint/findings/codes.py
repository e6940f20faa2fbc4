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
    "capture": "Capture again from the same vantage point for longer, without loss (check span/tap drops).",
}
