"""IPP operation and status-code names (RFC 8011 5.4.15 operations-supported and 11 status codes,
with the CUPS and PWG extensions registered at IANA's ipp-registrations)."""
from __future__ import annotations

OPERATIONS: dict[int, str] = {
    0x0002: "Print-Job", 0x0003: "Print-URI", 0x0004: "Validate-Job", 0x0005: "Create-Job",
    0x0006: "Send-Document", 0x0007: "Send-URI", 0x0008: "Cancel-Job",
    0x0009: "Get-Job-Attributes", 0x000A: "Get-Jobs", 0x000B: "Get-Printer-Attributes",
    0x000C: "Hold-Job", 0x000D: "Release-Job", 0x000E: "Restart-Job", 0x0010: "Pause-Printer",
    0x0011: "Resume-Printer", 0x0012: "Purge-Jobs", 0x0013: "Set-Printer-Attributes",
    0x0014: "Set-Job-Attributes", 0x0015: "Get-Printer-Supported-Values",
    0x0016: "Create-Printer-Subscriptions", 0x0017: "Create-Job-Subscriptions",
    0x0018: "Get-Subscription-Attributes", 0x0019: "Get-Subscriptions",
    0x001A: "Renew-Subscription", 0x001B: "Cancel-Subscription", 0x001C: "Get-Notifications",
    0x0022: "Enable-Printer", 0x0023: "Disable-Printer",
    0x0024: "Pause-Printer-After-Current-Job", 0x0025: "Hold-New-Jobs",
    0x0026: "Release-Held-New-Jobs", 0x0027: "Deactivate-Printer", 0x0028: "Activate-Printer",
    0x0029: "Restart-Printer", 0x002A: "Shutdown-Printer", 0x002B: "Startup-Printer",
    0x002C: "Reprocess-Job", 0x002D: "Cancel-Current-Job", 0x002E: "Suspend-Current-Job",
    0x002F: "Resume-Job", 0x0030: "Promote-Job", 0x0031: "Schedule-Job-After",
    0x0033: "Cancel-Document", 0x0034: "Get-Document-Attributes", 0x0035: "Get-Documents",
    0x0036: "Delete-Document", 0x0037: "Set-Document-Attributes", 0x0038: "Cancel-Jobs",
    0x0039: "Cancel-My-Jobs", 0x003A: "Resubmit-Job", 0x003B: "Close-Job",
    0x003C: "Identify-Printer", 0x003D: "Validate-Document", 0x004F: "Get-Printers",
    0x005B: "Get-System-Attributes",
    # CUPS extensions (0x4000-0x4FFF is the vendor range)
    0x4001: "CUPS-Get-Default", 0x4002: "CUPS-Get-Printers", 0x4003: "CUPS-Add-Modify-Printer",
    0x4004: "CUPS-Delete-Printer", 0x4005: "CUPS-Get-Classes", 0x4006: "CUPS-Add-Modify-Class",
    0x4007: "CUPS-Delete-Class", 0x4008: "CUPS-Accept-Jobs", 0x4009: "CUPS-Reject-Jobs",
    0x400A: "CUPS-Set-Default", 0x400B: "CUPS-Get-Devices", 0x400C: "CUPS-Get-PPDs",
    0x400D: "CUPS-Move-Job", 0x400E: "CUPS-Authenticate-Job", 0x400F: "CUPS-Get-PPD",
    0x4027: "CUPS-Get-Document", 0x4028: "CUPS-Create-Local-Printer",
}
OP_PRINT_JOB = 0x0002
OP_CREATE_JOB = 0x0005
OP_SEND_DOCUMENT = 0x0006
DOCUMENT_OPERATIONS = frozenset({OP_PRINT_JOB, OP_SEND_DOCUMENT})  # the request carries a document

# Status codes (RFC 8011 appendix B, plus the registered extensions CUPS returns).
STATUS: dict[int, str] = {
    0x0000: "successful-ok", 0x0001: "successful-ok-ignored-or-substituted-attributes",
    0x0002: "successful-ok-conflicting-attributes", 0x0003: "successful-ok-ignored-subscriptions",
    0x0005: "successful-ok-too-many-events", 0x0007: "successful-ok-events-complete",
    0x0400: "client-error-bad-request", 0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated", 0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible", 0x0405: "client-error-timeout",
    0x0406: "client-error-not-found", 0x0407: "client-error-gone",
    0x0408: "client-error-request-entity-too-large", 0x0409: "client-error-request-value-too-long",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x040C: "client-error-uri-scheme-not-supported", 0x040D: "client-error-charset-not-supported",
    0x040E: "client-error-conflicting-attributes", 0x040F: "client-error-compression-not-supported",
    0x0410: "client-error-compression-error", 0x0411: "client-error-document-format-error",
    0x0412: "client-error-document-access-error", 0x0413: "client-error-attributes-not-settable",
    0x0414: "client-error-ignored-all-subscriptions",
    0x0415: "client-error-too-many-subscriptions",
    0x0418: "client-error-document-password-error",
    0x0419: "client-error-document-permission-error",
    0x041A: "client-error-document-security-error",
    0x041B: "client-error-document-unprintable-error",
    0x0500: "server-error-internal-error", 0x0501: "server-error-operation-not-supported",
    0x0502: "server-error-service-unavailable", 0x0503: "server-error-version-not-supported",
    0x0504: "server-error-device-error", 0x0505: "server-error-temporary-error",
    0x0506: "server-error-not-accepting-jobs", 0x0507: "server-error-busy",
    0x0508: "server-error-job-canceled",
    0x0509: "server-error-multiple-document-jobs-not-supported",
    0x050A: "server-error-printer-is-deactivated", 0x050B: "server-error-too-many-jobs",
    0x050C: "server-error-too-many-documents",
}


def operation_name(op: int) -> str:
    return OPERATIONS.get(op, f"0x{op:04X}")


def status_name(code: int) -> str:
    return STATUS.get(code, f"0x{code:04X}")
