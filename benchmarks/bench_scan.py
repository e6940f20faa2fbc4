#!/usr/bin/env python3
"""Benchmark `sniffprint scan` against tshark on the same synthetic capture, in one run.

    python3 benchmarks/bench_scan.py [--size-mb 600] [--repeat N] [--keep] [--json]

Builds (or reuses from the cache dir) a large capture with make_capture.py and a
smaller one (1/5 of the size, same generator and seed), then times, each as a
child process measured with os.wait4:

  sniffprint scan --format json CAP > /dev/null     (--cmd overrides the command)
  tshark -r CAP -q -z conv,tcp                      (reference: a full TCP pass)

on both captures, and prints wall time, throughput, CPU time and peak RSS (the
ru_maxrss of that child alone), the sniffprint/tshark speed ratio, and how
peak RSS changes between the small and the large capture.
"""
from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
import os
import platform
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
GENERATOR = os.path.join(HERE, 'make_capture.py')
MiB = 1 << 20


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Captures
# ---------------------------------------------------------------------------

def generator_id():
    with open(GENERATOR, 'rb') as f:
        return hashlib.sha1(f.read()).hexdigest()[:10]


def count_packets(path):
    """Count records of a classic pcap by walking its record headers."""
    n = 0
    with open(path, 'rb') as f:
        f.seek(24)
        while True:
            h = f.read(16)
            if len(h) < 16:
                return n
            f.seek(struct.unpack('<I', h[8:12])[0], 1)
            n += 1


def ensure_capture(cache_dir, size_mb, seed):
    """Return (info dict, generated_now) for the capture of size_mb, building it if needed."""
    stem = os.path.join(cache_dir, 'capture-%gmb-s%d-%s' % (size_mb, seed, generator_id()))
    pcap, summary, manifest = stem + '.pcap', stem + '.summary.json', stem + '.manifest.json'
    generated = False
    gen_s = None
    if os.path.exists(pcap) and os.path.exists(summary):
        log('reusing %s' % pcap)
    else:
        os.makedirs(cache_dir, exist_ok=True)
        tmp = pcap + '.part'
        log('generating %s (%g MiB, seed %d) ...' % (pcap, size_mb, seed))
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, GENERATOR, '--size-mb', '%g' % size_mb, '--seed', str(seed),
                            '--out', tmp, '--manifest', manifest, '--summary-json', summary],
                           stdout=sys.stderr)
        gen_s = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit('make_capture.py failed (exit %d)' % r.returncode)
        os.replace(tmp, pcap)
        generated = True
    info = {'path': pcap, 'bytes': os.path.getsize(pcap), 'size_mb_requested': size_mb, 'seed': seed,
            'manifest': manifest, 'generation_s': round(gen_s, 2) if gen_s is not None else None}
    try:
        with open(summary) as f:
            s = json.load(f)
        info.update(packets=s['packets'], flows=s['flows'], print_jobs=s['print_jobs'])
    except (OSError, ValueError, KeyError):
        info.update(packets=count_packets(pcap), flows=None, print_jobs=None)
    return info, generated


def warm_page_cache(path):
    """Read the file once so that every timed run starts with it in the page cache."""
    with open(path, 'rb', buffering=0) as f:
        while f.read(8 * MiB):
            pass


# ---------------------------------------------------------------------------
# Measurement
# ---------------------------------------------------------------------------

# Linux keeps a process's peak RSS across exec(): a child forked from this harness and then
# exec'ing the tool reports at least the harness's own peak (measured: a 200 MiB harness made
# `true` show 218 MiB). So the tool is started by a small launcher (python -S, ~9 MiB), which
# forks and execs it and reports the rusage that wait4 gives it for that grandchild, whose peak
# starts from the launcher's few MiB. The launcher also times the tool (fork to reap), so its own
# start-up is not in the wall time.
_LAUNCHER = r"""
import os, sys, time
fd, argv = int(sys.argv[1]), sys.argv[2:]
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.close(fd)
    try:
        os.execvp(argv[0], argv)
    except OSError as e:
        os.write(2, ('cannot run %s: %s' % (argv[0], e)).encode())
        os._exit(127)
_p, st, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
os.write(fd, repr((wall, ru.ru_utime, ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(st))).encode())
"""


def run_measured(argv, env=None, cwd=None, stdout_path=None):
    """Run argv with stdout to /dev/null (or stdout_path); return wall time, CPU time and peak RSS of
    that process (and of the children it waited for)."""
    if shutil.which(argv[0]) is None and not os.path.exists(argv[0]):
        return {'ok': False, 'returncode': None, 'error': 'not found: %s' % argv[0]}
    rfd, wfd = os.pipe()
    with tempfile.TemporaryFile() as err, open(stdout_path or os.devnull, 'wb') as out, \
            open(os.devnull, 'rb') as nullin:
        try:
            p = subprocess.Popen([sys.executable, '-S', '-c', _LAUNCHER, str(wfd)] + list(argv), stdin=nullin,
                                 stdout=out, stderr=err, env=env, cwd=cwd, pass_fds=(wfd,))
        except OSError as e:
            os.close(rfd)
            os.close(wfd)
            return {'ok': False, 'returncode': None, 'error': str(e)}
        os.close(wfd)
        with os.fdopen(rfd, 'rb') as r:
            report = r.read()
        p.wait()
        err.seek(0)
        tail = err.read()[-2000:].decode('utf-8', 'replace')
    try:
        wall, utime, stime, maxrss, code = ast.literal_eval(report.decode())
    except (ValueError, SyntaxError):
        return {'ok': False, 'returncode': p.returncode, 'error': 'launcher failed: ' + tail[-500:]}
    res = {'ok': code == 0, 'returncode': code, 'wall_s': wall, 'cpu_s': utime + stime,
           'user_s': utime, 'sys_s': stime,
           'peak_rss_mib': maxrss / 1024.0}                   # Linux: ru_maxrss is in KiB
    if code != 0:
        res['stderr_tail'] = tail
    return res


def resolve_sniffprint(cmd_override):
    """Return (argv template, env, cwd, description); '{cap}' marks the capture path."""
    if cmd_override:
        argv = shlex.split(cmd_override)
        if not any('{cap}' in a for a in argv):
            argv.append('{cap}')
        return argv, None, None, cmd_override
    exe = shutil.which('sniffprint')
    if exe:
        return ['sniffprint', 'scan', '--format', 'json', '{cap}'], None, None, 'sniffprint (%s)' % exe
    # fallback: the package from this working tree
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
    return ([sys.executable, '-m', 'sniffprint', 'scan', '--format', 'json', '{cap}'], env, REPO,
            '%s -m sniffprint (from %s)' % (os.path.basename(sys.executable), REPO))


def fill(argv, cap):
    return [a.replace('{cap}', cap) for a in argv]


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
        return out.splitlines()[0].strip() if out else None
    except (OSError, subprocess.SubprocessError):
        return None


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def best_of(runs):
    ok = [r for r in runs if r['ok']]
    if not ok:
        return dict(runs[-1], runs=len(runs))
    b = dict(min(ok, key=lambda r: r['wall_s']))
    b['peak_rss_mib'] = max(r['peak_rss_mib'] for r in ok)     # worst case over the repeats
    b['runs'] = len(runs)
    b['wall_s_all'] = [round(r['wall_s'], 3) for r in ok]
    return b


def growth_text(small_rss, large_rss, small_mb, large_mb):
    rr = large_rss / small_rss
    sr = large_mb / small_mb
    expo = math.log(rr) / math.log(sr) if sr > 1 and rr > 0 else float('nan')
    if expo < 0.1:
        verdict = 'flat: does not grow with capture size'
    elif expo < 0.6:
        verdict = 'grows sub-linearly with capture size'
    else:
        verdict = 'grows roughly linearly with capture size'
    return rr, sr, expo, verdict


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--size-mb', type=float, default=600.0, help='size of the large capture, MiB (default 600)')
    ap.add_argument('--small-mb', type=float, help='size of the small capture, MiB (default: size/5; 0 to skip)')
    ap.add_argument('--seed', type=int, default=1, help='generator seed (default 1)')
    ap.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'),
                    help='where captures are built and reused (default benchmarks/.cache)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the captures generated by this run in the cache dir for later runs '
                         '(default: delete them at the end; captures already cached are never deleted)')
    ap.add_argument('--cmd', help="command to benchmark instead of 'sniffprint scan --format json'; "
                                  "'{cap}' is replaced by the capture path, else the path is appended "
                                  "(e.g. --cmd 'tshark -r')")
    ap.add_argument('--repeat', type=int, default=1, help='run each timing N times and report the best (default 1)')
    ap.add_argument('--no-tshark', action='store_true', help='skip the tshark reference runs')
    ap.add_argument('--json', action='store_true',
                    help='print the figures as JSON on stdout (the table then goes to stderr)')
    args = ap.parse_args(argv)

    cache = os.path.abspath(args.cache_dir)
    small_mb = args.size_mb / 5.0 if args.small_mb is None else args.small_mb
    sp_argv, sp_env, sp_cwd, sp_desc = resolve_sniffprint(args.cmd)
    tshark = None if args.no_tshark else shutil.which('tshark')
    if not args.no_tshark and not tshark:
        log('tshark not found on PATH: skipping the reference runs')

    load0 = os.getloadavg()
    if load0[0] > 0.5 * (os.cpu_count() or 1):
        log('note: load average is %.2f on %d CPUs: other work may skew the timings (use --repeat)'
            % (load0[0], os.cpu_count() or 1))
    generated = []
    try:
        captures = {}
        for label, mb in (('large', args.size_mb), ('small', small_mb)):
            if mb and mb > 0:
                info, gen = ensure_capture(cache, mb, args.seed)
                captures[label] = info
                if gen:
                    generated.append(info)

        tools = [('sniffprint', sp_argv, sp_env, sp_cwd)]
        if tshark:
            tools.append(('tshark', [tshark, '-r', '{cap}', '-q', '-z', 'conv,tcp'], None, None))

        runs = {}
        for info in captures.values():
            warm_page_cache(info['path'])
        for rep in range(args.repeat):
            for label, info in captures.items():
                for name, targv, env, cwd in tools:
                    argv_ = fill(targv, info['path'])
                    log('[%d/%d] %s on %s capture: %s' % (rep + 1, args.repeat, name, label, shlex.join(argv_)))
                    r = run_measured(argv_, env=env, cwd=cwd)
                    if r['ok']:
                        log('    %.2f s wall, %.2f s CPU, peak RSS %.1f MiB'
                            % (r['wall_s'], r['cpu_s'], r['peak_rss_mib']))
                    else:
                        log('    FAILED (%s)' % (('exit %s' % r['returncode']) if r['returncode'] is not None
                                             else r.get('error', '')))
                        for line in r.get('stderr_tail', '').splitlines()[-8:]:
                            log('      | ' + line)
                    runs.setdefault((name, label), []).append(r)

        results = []
        for (name, label), rs in runs.items():
            b = best_of(rs)
            info = captures[label]
            row = {'tool': name, 'capture': label, 'capture_mib': info['bytes'] / MiB,
                   'packets': info['packets'], 'ok': b['ok'], 'returncode': b['returncode'], 'runs': b['runs']}
            if b['ok']:
                row.update(wall_s=b['wall_s'], cpu_s=b['cpu_s'], mib_per_s=row['capture_mib'] / b['wall_s'],
                           packets_per_s=info['packets'] / b['wall_s'], peak_rss_mib=b['peak_rss_mib'],
                           wall_s_all=b['wall_s_all'])
            else:
                row['error'] = b.get('error') or b.get('stderr_tail', '')[-500:]
            results.append(row)

        def get(tool, cap):
            for r in results:
                if r['tool'] == tool and r['capture'] == cap and r['ok']:
                    return r
            return None

        summary = {}
        sl, tl = get('sniffprint', 'large'), get('tshark', 'large')
        if sl and tl:
            summary['speed_ratio_sniffprint_over_tshark'] = tl['wall_s'] / sl['wall_s']
            summary['rss_ratio_sniffprint_over_tshark'] = sl['peak_rss_mib'] / tl['peak_rss_mib']
        for tool in ('sniffprint', 'tshark'):
            sm, lg = get(tool, 'small'), get(tool, 'large')
            if sm and lg:
                rr, sr, expo, verdict = growth_text(sm['peak_rss_mib'], lg['peak_rss_mib'],
                                                    sm['capture_mib'], lg['capture_mib'])
                summary['%s_rss_growth' % tool] = {'small_mib': sm['peak_rss_mib'], 'large_mib': lg['peak_rss_mib'],
                                                   'rss_ratio': rr, 'capture_ratio': sr,
                                                   'exponent': expo, 'verdict': verdict}

        # -- human-readable table ------------------------------------------
        out = sys.stderr if args.json else sys.stdout

        def p(s=''):
            print(s, file=out)
        p()
        p('sniffprint command: %s' % (shlex.join(sp_argv) if not args.cmd else args.cmd))
        if tshark:
            p('tshark: %s' % (tool_version([tshark, '--version']) or tshark))
        for label, info in captures.items():
            p('%s capture: %s (%.1f MiB, %s packets, %s flows, %s print jobs%s)'
              % (label, info['path'], info['bytes'] / MiB, info['packets'], info['flows'], info['print_jobs'],
                 ', generated in %.1f s' % info['generation_s'] if info['generation_s'] is not None else ', cached'))
        p()
        hdr = '%-11s %-6s %9s %10s %9s %8s %10s %8s %13s' % ('tool', 'cap', 'MiB', 'packets', 'wall s',
                                                          'MiB/s', 'pkt/s', 'CPU s', 'peak RSS MiB')
        p(hdr)
        p('-' * len(hdr))
        for r in results:
            if r['ok']:
                p('%-11s %-6s %9.1f %10d %9.2f %8.1f %10.0f %8.2f %13.1f'
                  % (r['tool'], r['capture'], r['capture_mib'], r['packets'], r['wall_s'], r['mib_per_s'],
                     r['packets_per_s'], r['cpu_s'], r['peak_rss_mib']))
            else:
                why = ('exit %s' % r['returncode']) if r['returncode'] is not None else r.get('error', '')
                p('%-11s %-6s %9.1f %10d   FAILED (%s)' % (r['tool'], r['capture'], r['capture_mib'],
                                                          r['packets'], why))
        p()
        if args.repeat > 1:
            p('best of %d runs (wall time); peak RSS is the largest seen over the runs' % args.repeat)
        if 'speed_ratio_sniffprint_over_tshark' in summary:
            k = summary['speed_ratio_sniffprint_over_tshark']
            p('speed sniffprint / tshark on the large capture: x%.2f (%s)'
              % (k, 'sniffprint faster' if k >= 1 else 'sniffprint slower'))
            p('peak RSS sniffprint / tshark on the large capture: x%.2f' % summary['rss_ratio_sniffprint_over_tshark'])
        for tool in ('sniffprint', 'tshark'):
            g = summary.get('%s_rss_growth' % tool)
            if g:
                p('%s peak RSS small -> large: %.1f -> %.1f MiB (x%.2f for x%.1f the data; exponent %.2f: %s)'
                  % (tool, g['small_mib'], g['large_mib'], g['rss_ratio'], g['capture_ratio'],
                     g['exponent'], g['verdict']))

        if args.json:
            doc = {
                'captures': captures,
                'results': results,
                'summary': summary,
                'repeat': args.repeat,
                'sniffprint_cmd': sp_argv if not args.cmd else args.cmd,
                'env': {'python': platform.python_version(), 'platform': platform.platform(),
                        'cpus': os.cpu_count(), 'loadavg_at_start': load0,
                        'tshark': tool_version([tshark, '--version']) if tshark else None},
            }
            json.dump(doc, sys.stdout, indent=1)
            print()
        return 0 if all(r['ok'] for r in results) else 1
    finally:
        if not args.keep:
            for info in generated:
                for path in (info['path'], info['manifest'], info['path'][:-len('.pcap')] + '.summary.json'):
                    try:
                        os.remove(path)
                    except OSError:
                        pass


if __name__ == '__main__':
    sys.exit(main())
