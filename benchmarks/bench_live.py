#!/usr/bin/env python3
"""Live benchmark: can `sniffprint live -i` keep up with the print-heavy mix replayed at a given rate?

    sudo python3 benchmarks/bench_live.py [--rates 10,20,40] [--size-mb 100] [--mode live|verify]
        [--sniffprint-tree DIR] [--sniffprint-args '...'] [--repeat N] [--json] [--keep]

Needs root (network namespaces), `ip` (iproute2) and `tcpreplay` (Debian: tcpreplay); says so
and exits 2 without them.  For each rate, in two network namespaces of its own joined by a veth
pair (offloads off, IPv6 off, names unique to this run so parallel labs do not collide):

  receiver:  sniffprint live -i rx0 --format json --status-interval 1      (or: verify -i rx0)
  sender:    tcpreplay -i tx0 --mbps=RATE*8 CAPTURE                        (once the socket is open)

then, once sniffprint's status line shows it has read everything its socket held (its packet
count still for 2 s; verify: 3 s), SIGTERM to sniffprint (by its PID), and reports packets
sent (tcpreplay), packets seen (sniffprint's summary record), the kernel's drop counter of the
capture socket (the summary's `drops`, and the last status line's "N dropped by the kernel"), the
receiving veth's own rx drops, sniffprint's CPU time and peak RSS, and the highest rate with no
packet lost.  Rates are in MB/s (10^6 bytes per second of frames, as tcpreplay counts them).

The capture is the print-heavy mix of make_printheavy.py (cached with bench_mixes.py's rules);
--capture replays any Ethernet pcap instead.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_mixes as bm  # noqa: E402 - capture cache and sniffprint command helpers
import bench_scan as bs  # noqa: E402

READY_TIMEOUT_S = 60.0
GRACE_S = 3.0                   # verify mode: seconds after tcpreplay ends before SIGTERM
DRAIN_MAX_S = 300.0             # live mode: longest wait for sniffprint to empty its socket


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(argv, check=True):
    r = subprocess.run(argv, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError('%s: exit %d: %s' % (shlex.join(argv), r.returncode, (r.stderr or r.stdout).strip()))
    return r


def preflight():
    """None if this process can run the benchmark, else the reason."""
    if os.geteuid() != 0:
        return 'needs root (it creates network namespaces and a veth pair): run it as root'
    for tool, pkg in (('ip', 'iproute2'), ('tcpreplay', 'tcpreplay')):
        if shutil.which(tool) is None:
            return 'needs %s on PATH (Debian: apt-get install %s)' % (tool, pkg)
    if sh(['ip', 'netns', 'list'], check=False).returncode != 0:
        return "'ip netns' does not work here"
    return None


class Pair:
    """Two namespaces joined by a veth: <tag>-tx holds tx0, <tag>-rx holds rx0."""

    def __init__(self):
        tag = 'spbl%d%s' % (os.getpid() % 100000, secrets.token_hex(2))
        self.tx, self.rx = tag + '-tx', tag + '-rx'
        self.veth = (tag[:11] + 'a', tag[:11] + 'b')      # interface names: 15 characters at most
        self.made = []

    def __enter__(self):
        try:
            for ns in (self.tx, self.rx):
                sh(['ip', 'netns', 'add', ns])
                self.made.append(ns)
            sh(['ip', 'link', 'add', self.veth[0], 'type', 'veth', 'peer', 'name', self.veth[1]])
            for dev, ns, name in ((self.veth[0], self.tx, 'tx0'), (self.veth[1], self.rx, 'rx0')):
                sh(['ip', 'link', 'set', dev, 'netns', ns])
                sh(['ip', '-n', ns, 'link', 'set', dev, 'name', name])
                sh(['ip', '-n', ns, 'link', 'set', name, 'mtu', '9000'])
                sh(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1'], check=False)
                if shutil.which('ethtool'):
                    # no GRO/GSO merging: the capture socket sees the frames tcpreplay sent
                    sh(['ip', 'netns', 'exec', ns, 'ethtool', '-K', name, 'tso', 'off', 'gso', 'off', 'gro', 'off',
                        'tx', 'off', 'rx', 'off'], check=False)
                sh(['ip', '-n', ns, 'link', 'set', name, 'up'])
                sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up'])
            return self
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        for ns in reversed(self.made):
            sh(['ip', 'netns', 'del', ns], check=False)      # deleting a namespace removes its veth end
        self.made = []

    def rx_stats(self):
        """(rx_packets, rx_dropped) of rx0."""
        vals = []
        for k in ('rx_packets', 'rx_dropped'):
            r = sh(['ip', 'netns', 'exec', self.rx, 'cat', '/sys/class/net/rx0/statistics/' + k], check=False)
            vals.append(int(r.stdout.strip()) if r.returncode == 0 and r.stdout.strip().isdigit() else None)
        return tuple(vals)


def parse_tcpreplay(text):
    out = {}
    m = re.search(r'Actual:\s+(\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds', text)
    if m:
        out.update(sent_packets=int(m.group(1)), sent_bytes=int(m.group(2)), replay_s=float(m.group(3)))
    m = re.search(r'Rated:\s+([\d.]+) Bps,\s+([\d.]+) Mbps,\s+([\d.]+) pps', text)
    if m:
        out.update(rated_Bps=float(m.group(1)), rated_mbps=float(m.group(2)), rated_pps=float(m.group(3)))
    for key, label in (('successful', 'Successful packets'), ('failed', 'Failed packets')):
        m = re.search(label + r':\s+(\d+)', text)
        if m:
            out[key] = int(m.group(1))
    return out


def parse_sniffprint(stdout_path, stderr_text):
    out = {'seen_packets': None, 'kernel_drops': None, 'status_drops': None, 'summary': False}
    try:
        with open(stdout_path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith('{'):
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue
                if rec.get('type') == 'summary':
                    out['summary'] = True
                    caps = rec.get('captures') or [{}]
                    out['seen_packets'] = caps[0].get('frames', rec.get('frames'))
                    out['kernel_drops'] = caps[0].get('drops')
                    out['verdict'] = rec.get('verdict')
    except OSError:
        pass
    for m in re.finditer(r'(\d+) dropped by the kernel', stderr_text):
        out['status_drops'] = int(m.group(1))
    m = re.findall(r'done: (\d+) packets', stderr_text)
    if m and out['seen_packets'] is None:
        out['seen_packets'] = int(m[-1])
    return out


def wait_idle(err_path, proc, mode):
    """Let sniffprint read what its socket still holds: in live mode, until its status line's packet
    count has not moved for two seconds (at most DRAIN_MAX_S); otherwise GRACE_S."""
    if mode != 'live':
        time.sleep(GRACE_S)
        return
    deadline = time.monotonic() + DRAIN_MAX_S
    last, since = None, time.monotonic()
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        with open(err_path, 'rb') as f:
            counts = re.findall(rb'sniffprint live: (\d+) packets', f.read())
        n = counts[-1] if counts else None
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= 2.0 + 1.0:      # two status intervals (1 s) and some
            return


def one_rate(pair, sp_argv, sp_env, cap, rate_mbs, expected_packets, scratch, mode, extra=(), sp_cwd=None):
    """Replay cap at rate_mbs MB/s into a fresh sniffprint; return the figures."""
    duration = max(30.0, 3.0 * os.path.getsize(cap) / (rate_mbs * 1e6) + 30.0)   # an upper bound only
    if mode == 'live':
        argv = sp_argv + ['live', '-i', 'rx0', '--format', 'json', '--status-interval', '1']
    else:
        argv = sp_argv + ['verify', '-i', 'rx0', '--format', 'json']
    argv += ['--duration', '%g' % duration] + list(extra)
    argv = ['ip', 'netns', 'exec', pair.rx] + argv
    out_path = os.path.join(scratch, 'sniffprint-%g.jsonl' % rate_mbs)
    err_path = os.path.join(scratch, 'sniffprint-%g.err' % rate_mbs)
    rx0 = pair.rx_stats()
    with open(out_path, 'wb') as out, open(err_path, 'wb') as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=sp_env, cwd=sp_cwd)
    try:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            with open(err_path, 'rb') as f:
                text = f.read().decode('utf-8', 'replace')
            if 'capturing on' in text:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError('sniffprint did not open its capture socket: %s' % text.strip()[-500:])
            time.sleep(0.05)
        time.sleep(0.3)
        rep = sh(['ip', 'netns', 'exec', pair.tx, 'tcpreplay', '-i', 'tx0', '--mbps=%g' % (rate_mbs * 8), cap],
                 check=False)
        rep_text = rep.stdout + rep.stderr
        if rep.returncode != 0:
            raise RuntimeError('tcpreplay failed (exit %d): %s' % (rep.returncode, rep_text.strip()[-800:]))
        wait_idle(err_path, proc, mode)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)            # by its PID: ends live cleanly, with the summary
        _pid, status, ru = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    rx1 = pair.rx_stats()
    with open(err_path, 'rb') as f:
        err_text = f.read().decode('utf-8', 'replace')
    res = parse_tcpreplay(rep_text)
    res.update(parse_sniffprint(out_path, err_text))
    res.update(rate_mbs=rate_mbs, returncode=proc.returncode, sniffprint_cpu_s=ru.ru_utime + ru.ru_stime,
               sniffprint_wall_s=wall, sniffprint_peak_rss_mib=ru.ru_maxrss / 1024.0, expected_packets=expected_packets)
    if rx0[0] is not None and rx1[0] is not None:
        res['veth_rx_packets'] = rx1[0] - rx0[0]
    if rx0[1] is not None and rx1[1] is not None:
        res['veth_rx_dropped'] = rx1[1] - rx0[1]
    sent = res.get('sent_packets')
    seen = res.get('seen_packets')
    drops = res.get('kernel_drops') if res.get('kernel_drops') is not None else res.get('status_drops')
    res['missing'] = (sent - seen) if sent is not None and seen is not None else None
    res['drop_pct'] = 100.0 * drops / sent if sent and drops is not None else None
    res['loss_pct'] = 100.0 * res['missing'] / sent if sent and res['missing'] is not None else None
    res['drop_free'] = bool(sent and seen == sent and not drops and res.get('veth_rx_dropped', 0) == 0
                            and not res.get('failed'))
    if not res['summary']:
        res['stderr_tail'] = err_text.strip()[-800:]
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--rates', default='10,20,40', help='replay rates in MB/s, comma-separated (default 10,20,40)')
    ap.add_argument('--size-mb', type=float, default=100.0, help='size of the print-heavy capture, MiB (default 100)')
    ap.add_argument('--capture', help='replay this Ethernet pcap instead of the print-heavy mix')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--mode', choices=('live', 'verify'), default='live',
                    help='sniffprint live -i (default) or sniffprint verify -i')
    ap.add_argument('--repeat', type=int, default=1, help='replays per rate (default 1)')
    ap.add_argument('--sniffprint-tree', metavar='DIR', help='python -m sniffprint from this source tree')
    ap.add_argument('--sniffprint-args', default='',
                    help='extra arguments after the subcommand, e.g. "--max-flows 5000"')
    ap.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'))
    ap.add_argument('--keep', action='store_true', help='keep a capture generated by this run in the cache dir')
    ap.add_argument('--json', action='store_true', help='figures as JSON on stdout (the text then goes to stderr)')
    args = ap.parse_args(argv)
    why = preflight()
    if why:
        log('bench_live.py: %s' % why)
        return 2
    try:
        rates = [float(r) for r in args.rates.split(',') if r.strip()]
    except ValueError:
        log('bench_live.py: --rates wants numbers, e.g. 10,20,40')
        return 2
    out = sys.stderr if args.json else sys.stdout
    cache = os.path.abspath(args.cache_dir)
    os.makedirs(cache, exist_ok=True)
    generated = []
    if args.capture:
        cap = os.path.abspath(args.capture)
        expected = bs.count_packets(cap)
        info = {'path': cap, 'packets': expected, 'bytes': os.path.getsize(cap)}
    else:
        info, gen = bm.ensure_printheavy(cache, args.size_mb, args.seed)
        if gen:
            generated.append(info)
        cap, expected = info['path'], info['packets']
    # sniffprint as one argv prefix (everything before the subcommand)
    # `python -m` puts the working directory first on sys.path: sniffprint runs in the tree it is
    # taken from, or this repository's working tree would shadow --sniffprint-tree
    if args.sniffprint_tree:
        sp_cwd = os.path.abspath(args.sniffprint_tree)
        sp_env = dict(os.environ, PYTHONPATH=sp_cwd)
        sp = [sys.executable, '-m', 'sniffprint']
    elif shutil.which('sniffprint'):
        sp_env, sp, sp_cwd = None, [shutil.which('sniffprint')], None
    else:
        sp_env, sp_cwd = dict(os.environ, PYTHONPATH=bs.REPO), bs.REPO
        sp = [sys.executable, '-m', 'sniffprint']
    extra = shlex.split(args.sniffprint_args)
    scratch = tempfile.mkdtemp(prefix='live-', dir=cache)
    results = []
    try:
        with Pair() as pair:
            for rate in rates:
                for rep in range(args.repeat):
                    log('[%d/%d] %g MB/s: replaying %s into sniffprint %s in %s'
                        % (rep + 1, args.repeat, rate, os.path.basename(cap), args.mode, pair.rx))
                    r = one_rate(pair, sp, sp_env, cap, rate, expected, scratch, args.mode, extra, sp_cwd)
                    log('    sent %s, seen %s, kernel drops %s, veth rx dropped %s, sniffprint CPU %.1f s'
                        % (r.get('sent_packets'), r.get('seen_packets'), r.get('kernel_drops'),
                           r.get('veth_rx_dropped'), r['sniffprint_cpu_s']))
                    results.append(r)
    except RuntimeError as e:
        log('bench_live.py: %s' % e)
        return 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.keep:
            for i in generated:
                bm.remove_capture(i)

    def p(s=''):
        print(s, file=out)
    p()
    p('capture: %s (%.1f MiB, %d packets); sniffprint %s -i on a veth in its own namespace, tcpreplay --mbps'
      % (os.path.basename(cap), info['bytes'] / bs.MiB, expected, args.mode))
    hdr = '%8s %9s %10s %10s %10s %8s %9s %8s %8s %8s  %s' % (
        'MB/s', 'achieved', 'sent', 'seen', 'k. drops', 'drop %', 'missing', 'veth dr', 'CPU s', 'RSS MiB', 'drop-free')
    p(hdr)
    p('-' * len(hdr))
    def f(r, k, fmt='%d'):
        v = r.get(k)
        return fmt % v if v is not None else '-'

    for r in results:
        p('%8g %9s %10s %10s %10s %8s %9s %8s %8.1f %8.1f  %s' % (
            r['rate_mbs'], '%.1f' % (r['rated_Bps'] / 1e6) if r.get('rated_Bps') else '-', f(r, 'sent_packets'),
            f(r, 'seen_packets'), f(r, 'kernel_drops'), f(r, 'drop_pct', '%.2f'), f(r, 'missing'),
            f(r, 'veth_rx_dropped'),
            r['sniffprint_cpu_s'], r['sniffprint_peak_rss_mib'], 'yes' if r['drop_free'] else 'NO'))
        if r.get('stderr_tail'):
            p('         sniffprint printed no summary: %s' % r['stderr_tail'][-300:])
    ok_rates = sorted({r['rate_mbs'] for r in results} - {r['rate_mbs'] for r in results if not r['drop_free']})
    best = max(ok_rates) if ok_rates else None
    p()
    p('highest drop-free rate: %s (issue 14 target: 40 MB/s with 0 packets dropped by the kernel)'
      % ('%g MB/s' % best if best is not None else 'none of the rates tried'))
    if args.json:
        json.dump({'capture': info, 'mode': args.mode, 'results': results, 'highest_drop_free_mbs': best}, sys.stdout,
                  indent=1)
        print()
    return 0


if __name__ == '__main__':
    sys.exit(main())
