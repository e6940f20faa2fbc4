"""The verdict of a run: one object that the exit status and every output format read.

``decide()`` computes it once from the findings' tally and the capture summary:

0  CLEAN: print traffic was seen and all of it is protected (nothing at or above ``fail_on``);
1  EXPOSED: a finding at or above ``fail_on`` that no policy exception covers. Proof is proof: it
   wins over every reason to be inconclusive and over internal errors;
3  INCONCLUSIVE: no print traffic at all (a capture from the wrong vantage point proves nothing),
   zero packets, a capture truncated before its end or damaged (records skipped), gaps or
   protocol violations on print flows, or only encrypted SMB sessions whose shares cannot be
   seen (unless the policy names the host a print server);
4  INTERNAL: nothing was proven exposed, and an internal error (a bug) touched a print flow or
   could not be tied to a flow: cleanness cannot be claimed;
2  USAGE is decided by the CLI before a verdict exists.

``fails(finding, fail_on)`` is the one rule for "this finding fails the run": the verdict counts
it, JUnit fails the finding's printer with it, SARIF marks the result an error with it.
Findings that never fail a run, whatever ``fail_on``: capture quality (SP9xx), a closed print port
(SP303, good news) and an encrypted SMB session whose share is unknown (SP206, which makes the run
inconclusive instead).

Whatever the verdict (but a bug's), each printer seen printing protected whose cleartext print or
admin ports still answered adds a reason: "P: TLS in use (ipps), cleartext still enabled on
9100/80 (evidence: uid, uid)" -- the migration's unfinished last step (at most ``MAX_STILL`` lines).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import ExitCode as ExitCode  # re-exported: where callers found it before
from ..model import Severity
from ..records import Finding, Summary
from .rules import Findings

NEVER_FAIL = ("SP9", "SP303", "SP206")
MAX_STILL = 10  # printers named in the reasons for cleartext still enabled beside TLS


WORDS = {ExitCode.CLEAN: "protected", ExitCode.EXPOSED: "exposed", ExitCode.INCONCLUSIVE: "inconclusive",
         ExitCode.INTERNAL: "internal-error"}


def fails(code: str, severity: Severity, suppressed: str | None, fail_on: Severity) -> bool:
    """Whether a finding fails the run at threshold ``fail_on``."""
    return suppressed is None and severity >= fail_on and not code.startswith(NEVER_FAIL)


def finding_fails(f: Finding, fail_on: Severity) -> bool:
    return fails(f.code, f.severity, f.suppressed, fail_on)


@dataclass(slots=True, frozen=True)
class Verdict:
    exit_code: ExitCode
    reasons: tuple[str, ...]
    fail_on: Severity

    @property
    def word(self) -> str:
        """exposed | protected | inconclusive | internal-error"""
        return WORDS[self.exit_code]


def decide(findings: Findings, stats: Summary, fail_on: Severity = Severity.MEDIUM) -> Verdict:
    failing = {k: n for k, n in findings.tally.items() if fails(k.code, k.severity, k.suppressed, fail_on)}
    if failing:
        codes = sorted({k.code for k in failing})
        hosts = sorted({f"{k.server_ip}:{k.server_port}" for k in failing if k.server_ip})
        return Verdict(ExitCode.EXPOSED, (
            f"{sum(failing.values())} finding(s) at or above {fail_on.value}: "
            f"{', '.join(codes)} on {', '.join(hosts) or 'the capture'}", *still_enabled(findings)), fail_on)
    if findings.internal_on_print or stats.internal_errors > findings.internal_on_flows:
        return Verdict(ExitCode.INTERNAL, (
            f"{stats.internal_errors} internal error(s) (a bug: please report it, --debug shows the "
            "traceback) touched print traffic: cleanness cannot be claimed",), fail_on)
    reasons = []
    if not stats.frames:
        reasons.append("no packets were captured")
    if not findings.print_seen:
        reasons.append("no print traffic seen: a capture from this vantage point proves nothing")
    if stats.truncated:
        reasons.append("the capture is truncated before its end")
    if any(c.damaged for c in stats.captures):
        reasons.append("the capture is damaged: records were skipped, what they held is unknown")
    if findings.gaps_on_print:
        reasons.append("bytes are missing from print flows (gaps)")
    if findings.violations_on_print:
        reasons.append("protocol violations on print flows")
    if findings.print_seen and not any(p.protected_flows for p in findings.printers.values()) \
            and findings.unknown_smb:
        reasons.append("only encrypted SMB sessions whose shares cannot be seen "
                       "(name the host in the policy's print_servers to count them as print)")
    if reasons:
        return Verdict(ExitCode.INCONCLUSIVE, (*reasons, *still_enabled(findings)), fail_on)
    return Verdict(ExitCode.CLEAN, ("all print traffic seen was protected", *still_enabled(findings)), fail_on)


def still_enabled(findings: Findings) -> list[str]:
    """One reason per printer printing protected whose cleartext ports still answered, with the
    earliest evidence flow of each port."""
    out = []
    candidates = [p for p in findings.printers.values() if p.protected_protocols and p.clear_seen]
    for p in sorted(candidates, key=lambda p: p.ip):
        rec = p.record()
        if rec.clear_still_enabled_reason:
            uids = [c.uids[0] for c in rec.clear_ports or () if c.uids]
            out.append(f"{rec.server_ip}: {rec.clear_still_enabled_reason} (evidence: {', '.join(uids)})")
    if len(out) > MAX_STILL:
        out[MAX_STILL:] = [f"... and {len(out) - MAX_STILL} more printer(s) with cleartext still enabled"]
    return out
