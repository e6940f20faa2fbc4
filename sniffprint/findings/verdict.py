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

from dataclasses import dataclass
from typing import Any

from .rules import RANK, Findings

NEVER_FAIL = ("SP9", "SP303", "SP206")


@dataclass(slots=True, frozen=True)
class Verdict:
    exit_code: int
    word: str  # exposed | protected | inconclusive
    reasons: tuple[str, ...]


def decide(findings: Findings, stats: dict[str, Any], fail_on: str = "medium") -> Verdict:
    threshold = RANK[fail_on]
    failing = {k: n for k, n in findings.tally.items()
               if k[4] is None and RANK[k[1]] >= threshold and not k[0].startswith(NEVER_FAIL)}
    if failing:
        codes = sorted({k[0] for k in failing})
        hosts = sorted({f"{k[2]}:{k[3]}" for k in failing if k[2]})
        return Verdict(1, "exposed", (f"{sum(failing.values())} finding(s) at or above {fail_on}: "
                                      f"{', '.join(codes)} on {', '.join(hosts) or 'the capture'}",))
    reasons = []
    if not stats.get("frames"):
        reasons.append("no packets were captured")
    if not findings.print_seen:
        reasons.append("no print traffic seen: a capture from this vantage point proves nothing")
    if stats.get("truncated"):
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
        return Verdict(3, "inconclusive", tuple(reasons))
    return Verdict(0, "protected", ("all print traffic seen was protected",))
