"""The overall verdict of a verification run and its exit status (README "verify").

0  print traffic was seen and all of it is protected (nothing at or above ``fail_on``);
1  a finding at or above ``fail_on`` that no policy exception covers: proof is proof, so it wins
   over every reason to be inconclusive;
3  inconclusive: no print traffic at all (a capture from the wrong vantage point proves nothing),
   zero packets, a capture truncated before its end, gaps or protocol violations on print flows,
   or only encrypted SMB sessions whose shares cannot be seen (unless the policy names the host a
   print server);
2 (usage) and 4 (internal error) are decided by the CLI before a verdict exists.

Findings that never fail a run, whatever ``fail_on``: capture quality (SP9xx), a closed print port
(SP303, good news) and an encrypted SMB session whose share is unknown (SP206, which makes the run
inconclusive instead).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from ..model import Severity
from ..records import Summary
from .rules import Findings

NEVER_FAIL = ("SP9", "SP303", "SP206")


class ExitCode(enum.IntEnum):
    """The exit statuses of every command (README "Exit codes")."""

    CLEAN = 0
    EXPOSED = 1
    USAGE = 2
    INCONCLUSIVE = 3
    INTERNAL = 4


@dataclass(slots=True, frozen=True)
class Verdict:
    exit_code: ExitCode
    word: str  # exposed | protected | inconclusive
    reasons: tuple[str, ...]


def decide(findings: Findings, stats: Summary, fail_on: Severity = Severity.MEDIUM) -> Verdict:
    failing = {k: n for k, n in findings.tally.items()
               if k.suppressed is None and k.severity >= fail_on and not k.code.startswith(NEVER_FAIL)}
    if failing:
        codes = sorted({k.code for k in failing})
        hosts = sorted({f"{k.server_ip}:{k.server_port}" for k in failing if k.server_ip})
        return Verdict(ExitCode.EXPOSED, "exposed", (
            f"{sum(failing.values())} finding(s) at or above {fail_on.value}: "
            f"{', '.join(codes)} on {', '.join(hosts) or 'the capture'}",))
    reasons = []
    if not stats.frames:
        reasons.append("no packets were captured")
    if not findings.print_seen:
        reasons.append("no print traffic seen: a capture from this vantage point proves nothing")
    if stats.truncated:
        reasons.append("the capture is truncated before its end")
    if findings.gaps_on_print:
        reasons.append("bytes are missing from print flows (gaps)")
    if findings.violations_on_print:
        reasons.append("protocol violations on print flows")
    if findings.print_seen and not any(p.protected_flows for p in findings.printers.values()) \
            and findings.unknown_smb:
        reasons.append("only encrypted SMB sessions whose shares cannot be seen "
                       "(name the host in the policy's print_servers to count them as print)")
    if reasons:
        return Verdict(ExitCode.INCONCLUSIVE, "inconclusive", tuple(reasons))
    return Verdict(ExitCode.CLEAN, "protected", ("all print traffic seen was protected",))
