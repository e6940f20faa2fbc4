"""Before and after: what a migration moved, per printer and per workstation (``sniffprint diff``).

A pure function of records: ``compare(before, after)`` takes the printer and client records of two
sets (each a ``Side``: one run over captures, or saved reports; several records of one printer or
client, from several reports, are merged) and returns ``records.Change`` rows and a
``records.DiffSummary``. No I/O here; the CLI reads the inputs and renders.

**States.** A printer's cleartext protocol (``raw9100``, ``lpd``, ``ipp``, ``smb``, ``dcerpc``,
``http-admin``) is ``exposed`` (print jobs, or an admin login, crossed in clear), ``open`` (it
answered in clear without that: a reply, a page, an accepted connection; ``clear_ports``) or
``closed`` (a SYN answered by RST); a protected protocol (``ipps``, ``raw-tls``...) is
``protected``. A client's path to a printer over a cleartext protocol is ``printing`` (jobs in
clear) or ``querying`` (exchanges without a job); over a protected one ``protected``. Anything not
seen on a side is ``unseen``.

**What counts as worse** (exit 1): evidence on both sides, or new cleartext exposure:
- a cleartext path that appeared: printing in clear (a printer's protocol, or a client's path)
  seen after but not before, or more than before (``open`` -> ``exposed``, ``querying`` ->
  ``printing``), or a closed port answering again;
- a protected path that regressed: a client that printed protected to a printer before now
  prints to it in clear, or a printer whose verdict went from ``protected`` to ``weak`` (its TLS got
  weaker).

**What is not**: a cleartext port first *seen answering* in the after set (an admin page browsed,
a status query) is ``new`` with direction ``unknown``: a passive capture shows only what was used,
so the before set cannot say the port was closed then. The same for paths seen only before
(``not-seen``). Still-exposed paths are ``unchanged``: not worse, and listed, so the work left
stays in view (the printer row also says "TLS in use, cleartext still enabled on ...").

**Better**: a cleartext protocol gone while a protected one is in use (``moved``), closed
(``closed``), or answering without jobs any more (``reduced``); a protected protocol newly in use.

Exit codes (``findings.verdict.ExitCode``): 0 nothing got worse; 1 something did; 3 the sets
cannot be compared (no printer in both). 2 and 4 are the CLI's (unreadable input, a bug).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..model import ExitCode, PrinterVerdict
from ..records import Change, ClientRecord, DiffSummary, PrinterRecord
from .paths import CLEAR_BY_PORT, port_order
from .printers import TLS_PROTECTED

UNSEEN = "unseen"
PRINTER_CLEAR = {"closed": 1, "open": 2, "exposed": 3}  # a printer's cleartext protocol, worst last
CLIENT_CLEAR = {"querying": 1, "printing": 2}
VERDICT_RANK = {PrinterVerdict.PROTECTED: 0, PrinterVerdict.WEAK: 1, PrinterVerdict.EXPOSED: 2}
BETTER, WORSE, SAME, UNKNOWN = "better", "worse", "same", "unknown"


@dataclass(slots=True, frozen=True)
class Side:
    """One side of a diff: the printer and client records of a set (``sources``: the inputs)."""

    printers: Sequence[PrinterRecord]
    clients: Sequence[ClientRecord]
    sources: tuple[str, ...] = ()


@dataclass(slots=True, frozen=True)
class Diff:
    changes: list[Change]
    summary: DiffSummary

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode(self.summary.exit_code)


# --------------------------------------------------------------------------------- merged states
@dataclass(slots=True)
class _Printer:
    verdict: PrinterVerdict = PrinterVerdict.UNKNOWN
    clear: dict[str, str] = field(default_factory=dict)  # protocol -> exposed | open | closed
    protected: set[str] = field(default_factory=set)
    uids: dict[str, list[str]] = field(default_factory=dict)  # cleartext protocol -> evidence flows
    ports: dict[str, set[int]] = field(default_factory=dict)  # cleartext protocol -> ports that answered
    old_writer: bool = False  # a record without the migration fields

    def clear_state(self, proto: str, state: str) -> None:
        old = self.clear.get(proto)
        if old is None or PRINTER_CLEAR[state] > PRINTER_CLEAR[old]:
            self.clear[proto] = state

    def still_enabled(self) -> str | None:
        ports = sorted({p for proto, st in self.clear.items() if st != "closed" for p in self.ports.get(proto, ())},
                       key=port_order)
        if not self.protected or not ports:
            return None
        what = "TLS" if any(p.startswith(TLS_PROTECTED) for p in self.protected) else "encryption"
        return (f"{what} in use ({', '.join(sorted(self.protected))}), cleartext still enabled on "
                f"{'/'.join(map(str, ports))}")


def _worse_verdict(a: PrinterVerdict, b: PrinterVerdict) -> PrinterVerdict:
    if a is PrinterVerdict.UNKNOWN:
        return b
    if b is PrinterVerdict.UNKNOWN:
        return a
    return a if VERDICT_RANK[a] >= VERDICT_RANK[b] else b


def _printers(records: Iterable[PrinterRecord]) -> dict[str, _Printer]:
    out: dict[str, _Printer] = {}
    for r in records:
        p = out.setdefault(r.server_ip, _Printer())
        p.verdict = _worse_verdict(p.verdict, r.verdict)
        if r.protocols_clear is None and r.protocols_protected is None and r.clear_ports is None \
                and (r.print_flows or r.jobs_clear):
            p.old_writer = True
        for proto in r.protocols_clear or ():
            p.clear_state(proto, "exposed")
        for cp in r.clear_ports or ():
            p.clear_state(cp.service, "exposed" if "login" in cp.evidence or "job" in cp.evidence else "open")
            p.ports.setdefault(cp.service, set()).add(cp.port)
            uids = p.uids.setdefault(cp.service, [])
            uids += [u for u in cp.uids if u not in uids]
        for port in r.closed_ports:
            p.clear_state(CLEAR_BY_PORT.get(port, f"port:{port}"), "closed")
        p.protected.update(r.protocols_protected or ())
    return out


@dataclass(slots=True)
class _Client:
    verdict: PrinterVerdict = PrinterVerdict.UNKNOWN
    paths: dict[tuple[str, str], str] = field(default_factory=dict)  # (printer, protocol) -> state
    hostnames: set[str] = field(default_factory=set)

    def state(self, key: tuple[str, str], state: str) -> None:
        old = self.paths.get(key)
        if old is None or (state in CLIENT_CLEAR and old in CLIENT_CLEAR and CLIENT_CLEAR[state] > CLIENT_CLEAR[old]):
            self.paths[key] = state

    def protected_to(self, printer: str) -> list[str]:
        return sorted(proto for (pr, proto), st in self.paths.items() if pr == printer and st == "protected")

    def clear_to(self, printer: str) -> list[str]:
        return sorted(proto for (pr, proto), st in self.paths.items() if pr == printer and st == "printing")


def _clients(records: Iterable[ClientRecord]) -> dict[str, _Client]:
    out: dict[str, _Client] = {}
    for r in records:
        c = out.setdefault(r.client_ip, _Client())
        c.verdict = _worse_verdict(c.verdict, r.verdict)
        c.hostnames.update(r.hostnames)
        for p in r.paths:
            c.state((p.printer, p.protocol), "protected" if p.protected else
                    "printing" if p.use == "print" else "querying")
    return out


# ------------------------------------------------------------------------------------ transitions
def _clear_change(b: str, a: str, rank: dict[str, int], moved_to: list[str]) -> tuple[str, str]:
    """(change, direction) of a cleartext path from state ``b`` to ``a``; ``moved_to``: the
    protected protocols the same traffic uses after (where it went; empty: nowhere seen)."""
    if b == a:
        return "unchanged", SAME
    if b == UNSEEN:
        if rank[a] == max(rank.values()):
            return "new", WORSE  # a cleartext path appeared: print jobs (or a login) in clear, not seen before
        return "new", UNKNOWN  # first seen answering (or closed): the before set cannot say what it was
    if a == UNSEEN:
        return ("moved", BETTER) if moved_to else ("not-seen", UNKNOWN)
    if rank[a] > rank[b]:
        return "regressed", WORSE
    if a == "closed":
        return "closed", BETTER
    return "reduced", BETTER


def _protected_change(b: str, a: str, regressed: bool) -> tuple[str, str]:
    if b == a:
        return "unchanged", SAME
    if b == UNSEEN:
        return "new", BETTER
    return ("regressed", WORSE) if regressed else ("not-seen", UNKNOWN)


_CLEAR_WORDS = {
    ("new", WORSE): "in clear, not seen before: a cleartext path appeared",
    ("new", UNKNOWN): "seen {a} in clear, not seen before (the before set cannot say what it was then)",
    ("moved", BETTER): "no cleartext use any more; protected now: {moved}",
    ("not-seen", UNKNOWN): "not seen in the after set: nothing can be said",
    ("regressed", WORSE): "{b} before, {a} now",
    ("closed", BETTER): "closed now (a SYN answered by RST)",
    ("reduced", BETTER): "no print job in clear any more; still {a} in clear",
    ("unchanged", SAME): "still {a}",
}


def _aggregate(children: list[Change], b: str, a: str, extra_worse: bool = False,
               better_verdict: bool = False) -> tuple[str, str]:
    dirs = {c.direction for c in children}
    if WORSE in dirs or extra_worse:
        return "regressed", WORSE
    if BETTER in dirs or better_verdict:
        return "improved", BETTER
    if dirs <= {SAME} and b == a:
        return "unchanged", SAME
    return "changed", UNKNOWN


def _improved(b: PrinterVerdict | str, a: PrinterVerdict | str) -> bool:
    return (isinstance(b, PrinterVerdict) and isinstance(a, PrinterVerdict) and b in VERDICT_RANK
            and a in VERDICT_RANK and VERDICT_RANK[a] < VERDICT_RANK[b])


# ------------------------------------------------------------------------------------ the diff
def compare(before: Side, after: Side) -> Diff:
    """The changes from ``before`` to ``after`` and their summary (module docstring)."""
    bp, ap = _printers(before.printers), _printers(after.printers)
    bc, ac = _clients(before.clients), _clients(after.clients)
    changes: list[Change] = []
    for ip in sorted(set(bp) | set(ap)):
        changes += _printer_changes(ip, bp.get(ip), ap.get(ip))
    for ip in sorted(set(bc) | set(ac)):
        changes += _client_changes(ip, bc.get(ip), ac.get(ip))
    common = set(bp) & set(ap)
    count = _count(changes)
    reasons: list[str] = []
    if not common:
        result, code = "incomparable", ExitCode.INCONCLUSIVE
        reasons.append("no printer is in both sets: they cannot be compared "
                       f"({len(bp)} printer(s) before, {len(ap)} after)")
    elif count[WORSE]:
        result, code = "worse", ExitCode.EXPOSED
        worse = [c for c in changes if c.direction == WORSE and c.scope.endswith("protocol")] or \
            [c for c in changes if c.direction == WORSE]
        reasons += [_line(c) for c in worse]
    else:
        result = "better" if count[BETTER] else "unchanged"
        code = ExitCode.CLEAN
        reasons.append(f"nothing got worse: {count[BETTER]} change(s) for the better, {count[SAME]} unchanged, "
                       f"{count[UNKNOWN]} seen on one side only")
        still = [c for c in changes if c.scope == "printer-protocol" and c.after == "exposed"]
        if still:
            reasons.append("still in clear: " + "; ".join(f"{c.protocol} on {c.printer}" for c in still))
    old = [ip for ip, p in (*bp.items(), *ap.items()) if p.old_writer]
    if old:
        reasons.append("printer records without the migration fields (saved by an older sniffprint): analyse "
                       f"their captures again for a full comparison ({', '.join(sorted(set(old)))})")
    summary = DiffSummary(
        before=before.sources, after=after.sources, printers_before=len(bp), printers_after=len(ap),
        printers_compared=len(common), clients_before=len(bc), clients_after=len(ac), better=count[BETTER],
        worse=count[WORSE], same=count[SAME], unknown=count[UNKNOWN], result=result, exit_code=int(code),
        reasons=tuple(reasons))
    return Diff(changes, summary)


def _count(changes: list[Change]) -> dict[str, int]:
    """Changes per direction: every path row, and a printer's or client's own row only where its
    paths do not already say it (a verdict that changed alone: TLS got weaker or stronger; a
    printer or client seen on one side only)."""
    count = {BETTER: 0, WORSE: 0, SAME: 0, UNKNOWN: 0}
    groups: list[list[Change]] = []
    for c in changes:
        if c.scope in ("printer", "client"):
            groups.append([c])
        else:
            groups[-1].append(c)
    for head, *paths in groups:
        for c in paths:
            count[c.direction] += 1
        if not paths or (head.direction in (BETTER, WORSE) and all(c.direction != head.direction for c in paths)):
            count[head.direction] += 1
    return count


def _line(c: Change) -> str:
    who = c.client if c.scope.startswith("client") else c.printer
    path = f" {c.protocol}" if c.protocol else ""
    to = f" to {c.printer}" if c.scope == "client-protocol" else ""
    return f"{c.scope} {who}{path}{to}: {c.detail}"


def _printer_changes(ip: str, b: _Printer | None, a: _Printer | None) -> list[Change]:
    if a is None:
        assert b is not None
        return [Change(scope="printer", printer=ip, client=None, protocol=None, before=b.verdict.value,
                       after=UNSEEN, change="not-seen", direction=UNKNOWN,
                       detail="not seen in the after set: nothing can be said")]
    bb = b or _Printer()
    moved_to = sorted(a.protected - bb.protected) or sorted(a.protected)
    rows: list[Change] = []
    for proto in sorted(set(bb.clear) | set(a.clear)):
        bs, as_ = bb.clear.get(proto, UNSEEN), a.clear.get(proto, UNSEEN)
        # the cleartext traffic went to TLS only if it was printing (a port merely seen answering
        # before and not probed after proves nothing)
        went = moved_to if as_ == UNSEEN and bs == "exposed" else []
        change, direction = _clear_change(bs, as_, PRINTER_CLEAR, went)
        detail = _CLEAR_WORDS[(change, direction)].format(b=bs, a=as_, moved=", ".join(moved_to))
        if change == "new" and as_ == "closed":
            detail = "closed (a SYN answered by RST), not seen before"
        if change == "new" and direction == WORSE:
            detail = f"{as_} {detail}"
        uids = tuple(a.uids.get(proto, ())) if as_ in ("open", "exposed") else ()
        rows.append(Change(scope="printer-protocol", printer=ip, client=None, protocol=proto, before=bs, after=as_,
                           change=change, direction=direction, detail=detail, uids=uids or None))
    for proto in sorted(bb.protected | a.protected):
        bs = "protected" if proto in bb.protected else UNSEEN
        as_ = "protected" if proto in a.protected else UNSEEN
        change, direction = _protected_change(bs, as_, regressed=False)
        detail = {"unchanged": "still protected", "new": "now printing over it",
                  "not-seen": "not seen in the after set (the client view says whether its clients went back "
                              "to clear)"}[change]
        rows.append(Change(scope="printer-protocol", printer=ip, client=None, protocol=proto, before=bs, after=as_,
                           change=change, direction=direction, detail=detail))
    bv = bb.verdict.value if b is not None else UNSEEN
    weaker = b is not None and b.verdict is PrinterVerdict.PROTECTED and a.verdict is PrinterVerdict.WEAK
    if b is None:
        change, direction = "new", (WORSE if any(r.direction == WORSE for r in rows) else UNKNOWN)
    else:
        change, direction = _aggregate(rows, bv, a.verdict.value, extra_worse=weaker,
                                       better_verdict=_improved(b.verdict, a.verdict))
    parts = [f"{bv} -> {a.verdict.value}"]
    if weaker:
        parts.append("its TLS got weaker (protected before, weak now)")
    moved = [r.protocol for r in rows if r.change == "moved"]
    if moved:
        parts.append(f"moved off {', '.join(map(str, moved))} to {', '.join(moved_to)}")
    still = [r.protocol for r in rows if r.after == "exposed"]
    if still:
        parts.append(f"still in clear: {', '.join(map(str, still))}")
    note = a.still_enabled()
    if note:
        parts.append(note)
    head = Change(scope="printer", printer=ip, client=None, protocol=None, before=bv, after=a.verdict.value,
                  change=change, direction=direction, detail="; ".join(parts))
    return [head, *rows]


def _client_changes(ip: str, b: _Client | None, a: _Client | None) -> list[Change]:
    names = tuple(sorted((b.hostnames if b else set()) | (a.hostnames if a else set()))) or None
    if a is None:
        assert b is not None
        return [Change(scope="client", printer=None, client=ip, protocol=None, before=b.verdict.value, after=UNSEEN,
                       change="not-seen", direction=UNKNOWN, detail="not seen in the after set: nothing can be said",
                       hostnames=names)]
    bb = b or _Client()
    rows: list[Change] = []
    for printer, proto in sorted(set(bb.paths) | set(a.paths)):
        bs, as_ = bb.paths.get((printer, proto), UNSEEN), a.paths.get((printer, proto), UNSEEN)
        if "protected" in (bs, as_):
            regressed = as_ == UNSEEN and bool(a.clear_to(printer))
            change, direction = _protected_change(bs, as_, regressed)
            detail = {"unchanged": "still printing protected", "new": "now printing over it",
                      "regressed": f"printed over it before; prints in clear now ({', '.join(a.clear_to(printer))})",
                      "not-seen": "not seen in the after set: nothing can be said"}[change]
        else:
            moved_to = a.protected_to(printer) if as_ == UNSEEN else []
            change, direction = _clear_change(bs, as_, CLIENT_CLEAR, moved_to)
            detail = _CLEAR_WORDS[(change, direction)].format(b=bs, a=as_, moved=", ".join(moved_to))
            if change == "new" and direction == WORSE:
                detail = f"printing {detail}"
            elif change == "new":
                detail = "talks to it in clear without a job, not seen before"
        rows.append(Change(scope="client-protocol", printer=printer, client=ip, protocol=proto, before=bs, after=as_,
                           change=change, direction=direction, detail=detail, hostnames=names))
    bv = bb.verdict.value if b is not None else UNSEEN
    if b is None:
        change, direction = "new", (WORSE if any(r.direction == WORSE for r in rows) else UNKNOWN)
    else:
        change, direction = _aggregate(rows, bv, a.verdict.value, better_verdict=_improved(b.verdict, a.verdict))
    parts = [f"{bv} -> {a.verdict.value}"]
    moved = sorted({str(r.protocol) for r in rows if r.change == "moved"})
    if moved:
        parts.append(f"moved off {', '.join(moved)}")
    still = sorted({f"{r.protocol} to {r.printer}" for r in rows if r.after == "printing"})
    if still:
        parts.append(f"still printing in clear: {', '.join(still)}")
    queries = sorted({f"{r.protocol} to {r.printer}" for r in rows if r.after == "querying"})
    if queries:
        parts.append(f"still talks in clear without a job: {', '.join(queries)}")
    head = Change(scope="client", printer=None, client=ip, protocol=None, before=bv, after=a.verdict.value,
                  change=change, direction=direction, detail="; ".join(parts), hostnames=names)
    return [head, *rows]
