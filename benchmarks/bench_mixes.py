#!/usr/bin/env python3
"""Issue 14's yardstick: sniffprint against tshark, nDPI and tcpflow on a print-heavy and a bulk-heavy mix.

    python3 benchmarks/bench_mixes.py [--size-mb 100] [--repeat 3] [--keep] [--json]
    python3 benchmarks/bench_mixes.py --sniffprint-args "--jobs 2"
    python3 benchmarks/bench_mixes.py --compare-jobs 1,2      # identical records, and the speed-up
    python3 benchmarks/bench_mixes.py --rss-scaling [--rss-1g] # peak RSS flat in capture length?
    python3 benchmarks/bench_mixes.py --profile                # top functions of a print-heavy run

Two captures of --size-mb MiB (default 100), built once and cached in --cache-dir:
  print-heavy  make_printheavy.py: the real print captures of pcaps/ copied many times
  bulk-heavy   make_capture.py: synthetic traffic, about 30 % clear-text print

On each, every tool runs as a child process, measured with os.wait4 (wall time from spawn to
reap; CPU time and peak RSS from the rusage of that child and the children it waited for):

  sniffprint  sniffprint scan --format json CAP [--sniffprint-args]   > /dev/null
  tshark-Y    tshark -r CAP -Y 'ipp or lpd or smb2 or tls'            > a temp file (frames counted)
  tshark-conv tshark -r CAP -q -z conv,tcp                            > /dev/null
  ndpiReader  ndpiReader -i CAP -q                                    (where installed)
  tcpflow     tcpflow -r CAP -o TMPDIR                                 (where installed)

and one table per mix gives wall s, CPU s, MiB/s, packets/s, the speed ratio against tshark -Y
(tshark -Y's time / the tool's time, by CPU and by wall: above 1 the tool is faster) and the
peak RSS.  bench_scan.py (600 MiB bulk-heavy against tshark conv,tcp) is still there.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import platform
import pstats
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_scan as bs  # noqa: E402 - the harness's measurement and cache helpers

REPO = bs.REPO
MiB = bs.MiB
PRINTHEAVY = os.path.join(HERE, 'make_printheavy.py')
TSHARK_FILTER = 'ipp or lpd or smb2 or tls'
MIXES = ('print-heavy', 'bulk-heavy')
TOOLS = ('sniffprint', 'tshark-Y', 'tshark-conv', 'ndpiReader', 'tcpflow')
RSS_TARGET_RATIO = 1.20          # issue 14: peak RSS within 20 % from 40 to 120 MB and from 100 MB to 1 GB
RSS_TARGET_1G_MIB = 300.0        # and at most 300 MB on 1 GB
TIMING_FIELDS = ('elapsed_s',)   # run timings in sniffprint's records, dropped before comparing


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Captures
# ---------------------------------------------------------------------------

def printheavy_id():
    """Hash of the builder and of every source it reads, so a changed capture is never reused."""
    h = hashlib.sha1()
    with open(PRINTHEAVY, 'rb') as f:
        h.update(f.read())
    pcaps = os.path.join(REPO, 'pcaps')
    for name in sorted(os.listdir(pcaps)):
        if name.endswith(('.pcap', '.pcapng', '.truth.json')):
            h.update(name.encode())
            with open(os.path.join(pcaps, name), 'rb') as f:
                h.update(f.read())
    return h.hexdigest()[:10]


def ensure_printheavy(cache_dir, size_mb, seed):
    stem = os.path.join(cache_dir, 'printheavy-%gmb-s%d-%s' % (size_mb, seed, printheavy_id()))
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
        r = subprocess.run([sys.executable, PRINTHEAVY, '--size-mb', '%g' % size_mb, '--seed', str(seed),
                            '--out', tmp, '--manifest', manifest, '--summary-json', summary], stdout=sys.stderr)
        gen_s = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit('make_printheavy.py failed (exit %d)' % r.returncode)
        os.replace(tmp, pcap)
        generated = True
    with open(summary) as f:
        s = json.load(f)
    info = {'path': pcap, 'bytes': os.path.getsize(pcap), 'size_mb_requested': size_mb, 'seed': seed,
            'manifest': manifest, 'generation_s': round(gen_s, 2) if gen_s is not None else None,
            'packets': s['packets'], 'flows': s['flows'], 'print_jobs': s['print_jobs'],
            'print_payload_share': s.get('print_payload_share'), 'document_share': s.get('document_share')}
    return info, generated


def ensure_mix(mix, cache_dir, size_mb, seed):
    if mix == 'print-heavy':
        return ensure_printheavy(cache_dir, size_mb, seed)
    info, gen = bs.ensure_capture(cache_dir, size_mb, seed)
    return info, gen


def remove_capture(info):
    stem = info['path'][:-len('.pcap')]
    for path in (info['path'], info['manifest'], stem + '.summary.json'):
        try:
            os.remove(path)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

class Tool:
    def __init__(self, name, argv, env=None, cwd=None, note='', outdir=False, count_lines=False):
        self.name, self.argv, self.env, self.cwd, self.note = name, argv, env, cwd, note
        self.outdir = outdir            # '{out}' in argv: a fresh directory per run, removed after it
        self.count_lines = count_lines  # stdout to a temp file whose lines are counted


def sniffprint_argv(cmd_override, extra, tree=None):
    if tree and not cmd_override:
        # a given source tree (e.g. an exported commit): python -m sniffprint run *in* it, because
        # `python -m` puts the working directory first on sys.path, before PYTHONPATH: run from this
        # repository, it would import this working tree's sniffprint instead
        tree = os.path.abspath(tree)
        env = dict(os.environ)
        env['PYTHONPATH'] = tree + (os.pathsep + env['PYTHONPATH'] if env.get('PYTHONPATH') else '')
        argv, cwd, desc = ([sys.executable, '-m', 'sniffprint', 'scan', '--format', 'json', '{cap}'], tree,
                           '%s -m sniffprint (from %s)' % (os.path.basename(sys.executable), tree))
    else:
        argv, env, cwd, desc = bs.resolve_sniffprint(cmd_override)
    if extra:
        i = argv.index('{cap}')
        argv = argv[:i] + shlex.split(extra) + argv[i:]
    return argv, env, cwd, desc


def make_tools(args):
    tools = []
    sp, env, cwd, desc = sniffprint_argv(args.cmd, args.sniffprint_args, args.sniffprint_tree)
    tools.append(Tool('sniffprint', sp, env, cwd, desc))
    missing = []
    tshark = shutil.which('tshark')
    if tshark:
        tools.append(Tool('tshark-Y', [tshark, '-r', '{cap}', '-Y', TSHARK_FILTER],
                          note='print display filter, one pass', count_lines=True))
        tools.append(Tool('tshark-conv', [tshark, '-r', '{cap}', '-q', '-z', 'conv,tcp'], note='TCP conversations'))
    else:
        missing.append('tshark (Debian: tshark)')
    ndpi = shutil.which('ndpiReader')
    if ndpi:
        tools.append(Tool('ndpiReader', [ndpi, '-i', '{cap}', '-q'], note='nDPI: DPI on the first packets of a flow'))
    else:
        missing.append('ndpiReader (Debian: libndpi-bin)')
    tcpflow = shutil.which('tcpflow')
    if tcpflow:
        tools.append(Tool('tcpflow', [tcpflow, '-r', '{cap}', '-o', '{out}'], outdir=True,
                          note='reassembles every flow to a file'))
    else:
        missing.append('tcpflow (Debian: tcpflow)')
    wanted = set(args.tools.split(',')) if args.tools else None
    if wanted:
        unknown = wanted - set(TOOLS)
        if unknown:
            raise SystemExit('--tools: unknown %s (have %s)' % (', '.join(sorted(unknown)), ','.join(TOOLS)))
        tools = [t for t in tools if t.name in wanted]
    return tools, missing


def run_tool(tool, cap, scratch):
    """One measured run; returns bench_scan.run_measured's dict (+ 'lines' for counted output)."""
    argv = [a.replace('{cap}', cap) for a in tool.argv]
    outdir = None
    if tool.outdir:
        outdir = tempfile.mkdtemp(prefix='out-', dir=scratch)
        argv = [a.replace('{out}', outdir) for a in argv]
    try:
        if tool.count_lines:
            fd, path = tempfile.mkstemp(prefix='stdout-', dir=scratch)
            os.close(fd)
            try:
                r = run_to_file(argv, path, env=tool.env, cwd=tool.cwd)
                with open(path, 'rb') as f:
                    r['lines'] = sum(chunk.count(b'\n') for chunk in iter(lambda: f.read(MiB), b''))
            finally:
                os.remove(path)
            return r
        return bs.run_measured(argv, env=tool.env, cwd=tool.cwd)
    finally:
        if outdir:
            shutil.rmtree(outdir, ignore_errors=True)


def run_to_file(argv, path, env=None, cwd=None):
    """As bench_scan.run_measured, with stdout to path."""
    return bs.run_measured(argv, env=env, cwd=cwd, stdout_path=path)


def report_failure(r):
    log('    FAILED (%s)' % (('exit %s' % r['returncode']) if r['returncode'] is not None else r.get('error', '')))
    for line in r.get('stderr_tail', '').splitlines()[-8:]:
        log('      | ' + line)


def versions(tools):
    out = {'python': platform.python_version(), 'platform': platform.platform(), 'cpus': os.cpu_count()}
    for t in tools:
        if t.name == 'sniffprint':
            argv = [a for a in t.argv if a != '{cap}']
            cut = argv.index('scan') if 'scan' in argv else len(argv)
            out['sniffprint'] = sniffprint_version(argv[:cut], t.env, t.cwd)
        elif t.name == 'tshark-Y':
            out['tshark'] = bs.tool_version([t.argv[0], '--version'])
        elif t.name == 'ndpiReader':
            try:
                o = subprocess.run([t.argv[0], '-h'], capture_output=True, text=True, timeout=30)
                out['ndpiReader'] = next((ln.strip() for ln in (o.stdout + o.stderr).splitlines() if 'nDPI' in ln),
                                         None)
            except (OSError, subprocess.SubprocessError):
                out['ndpiReader'] = None
        elif t.name == 'tcpflow':
            out['tcpflow'] = bs.tool_version([t.argv[0], '-V'])
    return out


def sniffprint_version(argv, env, cwd=None):
    try:
        o = subprocess.run(argv + ['--version'], capture_output=True, text=True, timeout=60, env=env, cwd=cwd)
        return o.stdout.strip().splitlines()[0] if o.stdout.strip() else None
    except (OSError, subprocess.SubprocessError):
        return None


def tree_commit(tree):
    """The commit of a sniffprint source tree: git, or a COMMIT file beside an exported tree."""
    if not tree:
        spec = importlib.util.find_spec('sniffprint')
        if spec is None or not spec.origin:
            return None
        tree = os.path.dirname(os.path.dirname(spec.origin))
    try:
        with open(os.path.join(tree, 'COMMIT')) as f:
            return f.read().strip()
    except OSError:
        pass
    try:
        r = subprocess.run(['git', '-C', tree, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True)
        return r.stdout.strip() or None
    except OSError:
        return None


def git_head():
    try:
        r = subprocess.run(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'], capture_output=True, text=True)
        return r.stdout.strip() or None
    except OSError:
        return None


# ---------------------------------------------------------------------------
# The main table
# ---------------------------------------------------------------------------

def bench(args, captures, tools, scratch):
    runs = {}
    for info in captures.values():
        bs.warm_page_cache(info['path'])
    for rep in range(args.repeat):
        for mix, info in captures.items():
            for tool in tools:
                log('[%d/%d] %s on %s: %s' % (rep + 1, args.repeat, tool.name, mix,
                                              shlex.join([a.replace('{cap}', info['path']) for a in tool.argv])))
                r = run_tool(tool, info['path'], scratch)
                if r['ok']:
                    log('    %.2f s wall, %.2f s CPU, peak RSS %.1f MiB%s'
                        % (r['wall_s'], r['cpu_s'], r['peak_rss_mib'],
                           ', %d lines of output' % r['lines'] if 'lines' in r else ''))
                else:
                    report_failure(r)
                runs.setdefault((mix, tool.name), []).append(r)
    rows = []
    for (mix, name), rs in runs.items():
        b = bs.best_of(rs)
        info = captures[mix]
        row = {'mix': mix, 'tool': name, 'capture_mib': info['bytes'] / MiB, 'packets': info['packets'],
               'ok': b['ok'], 'returncode': b['returncode'], 'runs': b['runs']}
        if b['ok']:
            # best wall time and best CPU time, each over the repeats: on a busy machine the two
            # need not come from the same run, and the least disturbed figure of each is wanted
            cpus = [r['cpu_s'] for r in rs if r['ok']]
            row.update(wall_s=b['wall_s'], cpu_s=min(cpus), mib_per_s=row['capture_mib'] / b['wall_s'],
                       packets_per_s=info['packets'] / b['wall_s'], peak_rss_mib=b['peak_rss_mib'],
                       wall_s_all=b['wall_s_all'], cpu_s_all=[round(c, 3) for c in cpus])
            if 'lines' in b:
                row['output_lines'] = b['lines']
        else:
            row['error'] = b.get('error') or b.get('stderr_tail', '')[-500:]
        rows.append(row)
    for mix in captures:
        ref = next((r for r in rows if r['mix'] == mix and r['tool'] == 'tshark-Y' and r['ok']), None)
        for r in rows:
            if r['mix'] == mix and r['ok'] and ref:
                r['x_tshark_Y_cpu'] = ref['cpu_s'] / r['cpu_s'] if r['cpu_s'] > 0 else None
                r['x_tshark_Y_wall'] = ref['wall_s'] / r['wall_s']
    return rows


def print_markdown(rows, captures, out):
    """The table as Markdown, for the README."""
    print('| mix | tool | wall s | CPU s | MiB/s | packets/s | x tshark -Y (CPU) | x tshark -Y (wall) | peak RSS MiB |',
          file=out)
    print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |', file=out)
    for mix in captures:
        for r in rows:
            if r['mix'] != mix:
                continue
            if not r['ok']:
                print('| %s | %s | failed | | | | | | |' % (mix, r['tool']), file=out)
                continue
            xc, xw = r.get('x_tshark_Y_cpu'), r.get('x_tshark_Y_wall')
            print('| %s | %s | %.2f | %.2f | %.1f | %s | %s | %s | %.0f |' % (
                mix, r['tool'], r['wall_s'], r['cpu_s'], r['mib_per_s'], format(int(r['packets_per_s']), ','),
                '**%.2fx**' % xc if xc and r['tool'] == 'sniffprint' else ('%.2fx' % xc if xc else '-'),
                '%.2fx' % xw if xw else '-', r['peak_rss_mib']), file=out)


def print_table(rows, captures, out):
    def p(s=''):
        print(s, file=out)
    hdr = '%-11s %-12s %8s %9s %8s %8s %8s %9s %9s %9s %9s' % (
        'mix', 'tool', 'MiB', 'packets', 'wall s', 'CPU s', 'MiB/s', 'kpkt/s', 'xTY CPU', 'xTY wall', 'RSS MiB')
    p(hdr)
    p('-' * len(hdr))
    for mix in captures:
        for r in rows:
            if r['mix'] != mix:
                continue
            if not r['ok']:
                why = ('exit %s' % r['returncode']) if r['returncode'] is not None else r.get('error', '')
                p('%-11s %-12s %8.1f %9d   FAILED (%s)' % (mix, r['tool'], r['capture_mib'], r['packets'], why))
                continue
            xc, xw = r.get('x_tshark_Y_cpu'), r.get('x_tshark_Y_wall')
            p('%-11s %-12s %8.1f %9d %8.2f %8.2f %8.1f %9.1f %9s %9s %9.1f' % (
                mix, r['tool'], r['capture_mib'], r['packets'], r['wall_s'], r['cpu_s'], r['mib_per_s'],
                r['packets_per_s'] / 1000.0, '%.2fx' % xc if xc else '-', '%.2fx' % xw if xw else '-',
                r['peak_rss_mib']))
    p()
    p('xTY = tshark -Y time / the tool\'s time, same mix, same run (above 1: faster than tshark -Y).')
    for r in rows:
        if r['tool'] == 'tshark-Y' and r.get('output_lines') is not None:
            p('tshark -Y matched %d frames on the %s mix (one line each).' % (r['output_lines'], r['mix']))


# ---------------------------------------------------------------------------
# --jobs comparison
# ---------------------------------------------------------------------------

def normalized_records(path):
    """sniffprint's JSON lines, timing fields dropped, as sorted canonical strings."""
    recs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            drop_timing(rec)
            recs.append(json.dumps(rec, sort_keys=True, separators=(',', ':')))
    recs.sort()
    return recs


def drop_timing(obj):
    if isinstance(obj, dict):
        for k in TIMING_FIELDS:
            obj.pop(k, None)
        for v in obj.values():
            drop_timing(v)
    elif isinstance(obj, list):
        for v in obj:
            drop_timing(v)


def compare_records(a, b, limit=5):
    """(identical?, lines only in a, lines only in b) of two sorted record lists."""
    if a == b:
        return True, [], []
    from collections import Counter
    ca, cb = Counter(a), Counter(b)
    only_a = list((ca - cb).elements())
    only_b = list((cb - ca).elements())
    return False, only_a[:limit] + (['... %d more' % (len(only_a) - limit)] if len(only_a) > limit else []), \
        only_b[:limit] + (['... %d more' % (len(only_b) - limit)] if len(only_b) > limit else [])


def sniffprint_has_jobs(tool):
    argv = [a for a in tool.argv if a != '{cap}']
    try:
        out = subprocess.run(argv + ['--help'], capture_output=True, text=True, timeout=60, env=tool.env,
                             cwd=tool.cwd).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return '--jobs' in out


def compare_jobs(args, captures, sp_tool, scratch, out):
    levels = [x.strip() for x in args.compare_jobs.split(',') if x.strip()]
    if len(levels) < 2:
        raise SystemExit('--compare-jobs wants at least two values, e.g. 1,2')
    has_jobs = sniffprint_has_jobs(sp_tool)
    if has_jobs:
        variants = [('--jobs %s' % j, ['--jobs', j]) for j in levels]
    else:
        log('note: this sniffprint has no --jobs yet: comparing two identical runs instead (a determinism check '
            'of the comparison itself)')
        variants = [('run 1', []), ('run 2', [])]
    results = []
    for mix, info in captures.items():
        bs.warm_page_cache(info['path'])
        outs = []
        for label, extra in variants:
            i = sp_tool.argv.index('{cap}')
            argv = [a.replace('{cap}', info['path']) for a in sp_tool.argv[:i] + extra + sp_tool.argv[i:]]
            path = os.path.join(scratch, 'records-%s-%s.jsonl' % (mix, label.replace(' ', '').replace('-', '')))
            best = None
            for rep in range(args.repeat):
                log('[%d/%d] %s on %s: %s' % (rep + 1, args.repeat, label, mix, shlex.join(argv)))
                r = run_to_file(argv, path, env=sp_tool.env, cwd=sp_tool.cwd)
                if not r['ok']:
                    report_failure(r)
                    best = r
                    break
                log('    %.2f s wall, %.2f s CPU, peak RSS %.1f MiB' % (r['wall_s'], r['cpu_s'], r['peak_rss_mib']))
                if best is None or r['wall_s'] < best['wall_s']:
                    best = r
            outs.append((label, path, best))
        base_label, base_path, base = outs[0]
        base_recs = normalized_records(base_path) if base['ok'] else None
        for label, path, r in outs[1:]:
            row = {'mix': mix, 'base': base_label, 'variant': label, 'ok': bool(base['ok'] and r['ok'])}
            if row['ok']:
                same, only_a, only_b = compare_records(base_recs, normalized_records(path))
                row.update(identical=same, records=len(base_recs), only_in_base=only_a, only_in_variant=only_b,
                           base_wall_s=base['wall_s'], variant_wall_s=r['wall_s'], base_cpu_s=base['cpu_s'],
                           variant_cpu_s=r['cpu_s'], speedup_wall=base['wall_s'] / r['wall_s'],
                           base_rss_mib=base['peak_rss_mib'], variant_rss_mib=r['peak_rss_mib'])
            results.append(row)
        for _label, path, _r in outs:
            try:
                os.remove(path)
            except OSError:
                pass
    print('', file=out)
    print('--jobs comparison%s (records compared after dropping %s and sorting):'
          % ('' if has_jobs else ' (no --jobs in this sniffprint: two identical runs)', ', '.join(TIMING_FIELDS)),
          file=out)
    for row in results:
        if not row['ok']:
            print('  %s: %s vs %s: a run FAILED' % (row['mix'], row['base'], row['variant']), file=out)
            continue
        print('  %s: %s %.2f s vs %s %.2f s wall: x%.2f (target x1.6 for --jobs 2 on 2 cores); CPU %.2f vs %.2f s; '
              'peak RSS %.1f vs %.1f MiB; %d records %s'
              % (row['mix'], row['base'], row['base_wall_s'], row['variant'], row['variant_wall_s'],
                 row['speedup_wall'], row['base_cpu_s'], row['variant_cpu_s'], row['base_rss_mib'],
                 row['variant_rss_mib'], row['records'], 'IDENTICAL' if row['identical'] else 'DIFFER'), file=out)
        for line in row.get('only_in_base', []):
            print('    only in %s: %s' % (row['base'], line[:300]), file=out)
        for line in row.get('only_in_variant', []):
            print('    only in %s: %s' % (row['variant'], line[:300]), file=out)
    return results, has_jobs


# ---------------------------------------------------------------------------
# RSS flatness
# ---------------------------------------------------------------------------

def rss_scaling(args, cache, sp_tool, generated, out):
    pairs = [(40.0, 120.0)]
    if args.rss_1g:
        pairs.append((100.0, 1024.0))
    sizes = sorted({mb for pair in pairs for mb in pair})
    peaks = {}
    for mb in sizes:
        info, gen = ensure_printheavy(cache, mb, args.seed)
        if gen:
            generated.append(info)
        bs.warm_page_cache(info['path'])
        rs = []
        for rep in range(args.repeat):
            argv = [a.replace('{cap}', info['path']) for a in sp_tool.argv]
            log('[%d/%d] rss: sniffprint on print-heavy %g MiB: %s' % (rep + 1, args.repeat, mb, shlex.join(argv)))
            r = bs.run_measured(argv, env=sp_tool.env, cwd=sp_tool.cwd)
            if not r['ok']:
                report_failure(r)
                break
            log('    %.2f s wall, peak RSS %.1f MiB' % (r['wall_s'], r['peak_rss_mib']))
            rs.append(r)
        peaks[mb] = {'mib': info['bytes'] / MiB, 'packets': info['packets'],
                     'peak_rss_mib': max(r['peak_rss_mib'] for r in rs) if rs else None,
                     'wall_s': min(r['wall_s'] for r in rs) if rs else None}
    results = []
    print('', file=out)
    print('peak RSS of sniffprint against capture length (print-heavy mix; target: within 20 %%, and <= %d MiB '
          'at 1 GB):' % RSS_TARGET_1G_MIB, file=out)
    for small, large in pairs:
        a, b = peaks[small], peaks[large]
        if a['peak_rss_mib'] is None or b['peak_rss_mib'] is None:
            print('  %g -> %g MiB: a run FAILED' % (small, large), file=out)
            continue
        ratio = b['peak_rss_mib'] / a['peak_rss_mib']
        expo = math.log(ratio) / math.log(b['mib'] / a['mib']) if ratio > 0 else float('nan')
        row = {'small_mb': small, 'large_mb': large, 'small_rss_mib': a['peak_rss_mib'],
               'large_rss_mib': b['peak_rss_mib'], 'ratio': ratio, 'exponent': expo,
               'within_20pct': ratio <= RSS_TARGET_RATIO, 'small_wall_s': a['wall_s'], 'large_wall_s': b['wall_s']}
        line = ('  %g MiB -> %g MiB: %.1f -> %.1f MiB peak RSS, x%.2f (exponent %.2f): %s'
                % (small, large, a['peak_rss_mib'], b['peak_rss_mib'], ratio, expo,
                   'within 20 %' if row['within_20pct'] else 'NOT within 20 %% (%+.0f %%)' % ((ratio - 1) * 100)))
        if large >= 1000:
            row['le_300mib_at_1g'] = b['peak_rss_mib'] <= RSS_TARGET_1G_MIB
            line += '; %s 300 MiB at 1 GB' % ('<=' if row['le_300mib_at_1g'] else 'ABOVE')
        print(line, file=out)
        results.append(row)
    return results


# ---------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------

def profile(args, info, sp_tool, scratch, out, top=15):
    """cProfile one sniffprint run in a child python; print the top functions both ways."""
    prof = os.path.join(scratch, 'sniffprint.prof')
    argv = list(sp_tool.argv)
    # the same command, under cProfile: 'sniffprint ...' or 'python -m sniffprint ...' -> python -m cProfile
    if os.path.basename(argv[0]).startswith('python'):
        rest = argv[argv.index('-m') + 2:]
    elif os.path.basename(argv[0]) == 'sniffprint':
        rest = argv[1:]
    else:
        raise SystemExit('--profile needs the sniffprint command, not --cmd')
    env = sp_tool.env
    probe = subprocess.run([sys.executable, '-c', 'import sniffprint'], capture_output=True, env=env, cwd=sp_tool.cwd)
    if probe.returncode != 0:
        env = dict(os.environ, PYTHONPATH=REPO)
    argv = [sys.executable, '-m', 'cProfile', '-o', prof, '-m', 'sniffprint'] + \
        [a.replace('{cap}', info['path']) for a in rest]
    log('profile: %s' % shlex.join(argv))
    r = bs.run_measured(argv, env=env, cwd=sp_tool.cwd)
    if not r['ok']:
        report_failure(r)
        return None
    st = pstats.Stats(prof)
    total = st.total_tt
    rows = {}
    for key, (_cc, nc, tt, ct, _callers) in st.stats.items():
        filename, line, func = key
        rows[key] = {'function': '%s:%d(%s)' % (short_path(filename), line, func), 'calls': nc,
                     'self_s': tt, 'cumulative_s': ct}
    # the call chain from the interpreter down to the engine's loop (runpy, click, cli, api) holds ~100 %
    # and says nothing: the cumulative list starts below it, with sniffprint's own functions
    by_cum = sorted((x for x in rows.values() if x['function'].startswith('sniffprint/')
                     and x['cumulative_s'] < 0.9 * total), key=lambda x: -x['cumulative_s'])[:top]
    by_self = sorted(rows.values(), key=lambda x: -x['self_s'])[:top]
    print('', file=out)
    print('profile of sniffprint on the print-heavy mix (cProfile, %.2f s wall under the profiler, %.2f s '
          'profiled):' % (r['wall_s'], total), file=out)
    for title, lst in (('by cumulative time (sniffprint functions below the run loop)', by_cum),
                       ('by self time', by_self)):
        print('  top %d %s:' % (top, title), file=out)
        print('    %10s %9s %9s  %s' % ('calls', 'self s', 'cum s', 'function'), file=out)
        for x in lst:
            print('    %10d %9.2f %9.2f  %s' % (x['calls'], x['self_s'], x['cumulative_s'], x['function']), file=out)
    return {'wall_s': r['wall_s'], 'profiled_s': total, 'by_cumulative': by_cum, 'by_self': by_self}


def short_path(filename):
    for marker in ('/sniffprint/', '/lib/python'):
        i = filename.find(marker)
        if i >= 0:
            return filename[i + 1:]
    return filename


# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--size-mb', type=float, default=100.0, help='size of each mix, MiB (default 100)')
    ap.add_argument('--mixes', default=','.join(MIXES), help='comma-separated: print-heavy,bulk-heavy (default both)')
    ap.add_argument('--tools', help='comma-separated subset of %s (default: all installed)' % ','.join(TOOLS))
    ap.add_argument('--seed', type=int, default=1, help='generator seed (default 1)')
    ap.add_argument('--cache-dir', default=os.path.join(HERE, '.cache'),
                    help='where captures are built and reused (default benchmarks/.cache)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the captures generated by this run for later runs (default: delete them at the end; '
                         'captures already cached are never deleted)')
    ap.add_argument('--repeat', type=int, default=1, help='run each timing N times and report the best (default 1)')
    ap.add_argument('--cmd', help="command instead of 'sniffprint scan --format json' ('{cap}' is the capture)")
    ap.add_argument('--sniffprint-tree', metavar='DIR',
                    help='run python -m sniffprint from this source tree (e.g. an exported commit) instead of the '
                         'sniffprint on PATH')
    ap.add_argument('--sniffprint-args', default='', help="extra arguments for sniffprint, e.g. '--jobs 2'")
    ap.add_argument('--compare-jobs', nargs='?', const='1,2', metavar='N,M',
                    help='also run sniffprint with --jobs N and --jobs M (default 1,2), check the records are '
                         'identical (timings aside, order aside) and give the speed-up')
    ap.add_argument('--rss-scaling', action='store_true',
                    help='also measure sniffprint peak RSS on the print-heavy mix at 40 and 120 MiB')
    ap.add_argument('--rss-1g', action='store_true', help='with --rss-scaling: also 100 MiB against 1 GiB (slow)')
    ap.add_argument('--profile', action='store_true',
                    help='also profile one sniffprint run on the print-heavy mix (cProfile) and print the top 15 '
                         'functions by cumulative and by self time')
    ap.add_argument('--no-table', action='store_true', help='skip the main table (only the extra checks asked for)')
    ap.add_argument('--markdown', action='store_true', help='also print the table as Markdown (for the README)')
    ap.add_argument('--json', action='store_true', help='figures as JSON on stdout (the text then goes to stderr)')
    args = ap.parse_args(argv)
    if args.rss_1g:
        args.rss_scaling = True

    mixes = [m.strip() for m in args.mixes.split(',') if m.strip()]
    for m in mixes:
        if m not in MIXES:
            raise SystemExit('--mixes: unknown %r (have %s)' % (m, ', '.join(MIXES)))
    cache = os.path.abspath(args.cache_dir)
    out = sys.stderr if args.json else sys.stdout
    tools, missing = make_tools(args)
    sp_tool = next((t for t in tools if t.name == 'sniffprint'), None)
    if sp_tool is None and (args.compare_jobs or args.rss_scaling or args.profile):
        sp, env, cwd, desc = sniffprint_argv(args.cmd, args.sniffprint_args, args.sniffprint_tree)
        sp_tool = Tool('sniffprint', sp, env, cwd, desc)
    for m in missing:
        log('not installed, skipped: %s' % m)
    load0 = os.getloadavg()
    if load0[0] > 0.5 * (os.cpu_count() or 1):
        log('note: load average is %.2f on %d CPUs: other work may skew the timings (use --repeat)'
            % (load0[0], os.cpu_count() or 1))
    doc = {'repeat': args.repeat, 'size_mb': args.size_mb, 'sniffprint_cmd': sp_tool.argv if sp_tool else None,
           'skipped_tools': missing, 'env': dict(versions(tools), loadavg_at_start=load0, git_head=git_head(),
                                                  sniffprint_commit=tree_commit(args.sniffprint_tree),
                                                  date=time.strftime('%Y-%m-%d'))}
    generated = []
    os.makedirs(cache, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix='bench-', dir=cache)
    try:
        captures = {}
        need_main = not args.no_table or args.compare_jobs
        for mix in mixes if need_main else []:
            info, gen = ensure_mix(mix, cache, args.size_mb, args.seed)
            captures[mix] = info
            if gen:
                generated.append(info)
        doc['captures'] = captures
        print('', file=out)
        for k in ('sniffprint', 'tshark', 'ndpiReader', 'tcpflow'):
            if doc['env'].get(k):
                print('%s: %s' % (k, doc['env'][k]), file=out)
        if sp_tool:
            commit = doc['env'].get('sniffprint_commit')
            print('sniffprint command: %s%s' % (shlex.join(sp_tool.argv), ' (commit %s)' % commit if commit else ''),
                  file=out)
        for mix, info in captures.items():
            extra = ''
            if info.get('print_payload_share') is not None:
                extra = ', %.0f %% print payload, %.0f %% documents' % (100 * info['print_payload_share'],
                                                                        100 * info['document_share'])
            print('%s: %s (%.1f MiB, %s packets, %s flows, %s print jobs%s)'
                  % (mix, os.path.basename(info['path']), info['bytes'] / MiB, info['packets'], info['flows'],
                     info['print_jobs'], extra), file=out)
        for m in missing:
            print('skipped (not installed): %s' % m, file=out)
        print('', file=out)
        ok = True
        if not args.no_table:
            rows = bench(args, captures, tools, scratch)
            doc['results'] = rows
            print_table(rows, captures, out)
            if args.markdown:
                print('', file=out)
                print_markdown(rows, captures, out)
            if args.repeat > 1:
                print('best of %d runs (wall time and CPU time each); peak RSS is the largest seen over the runs'
                      % args.repeat, file=out)
            ok = ok and all(r['ok'] for r in rows)
        if args.compare_jobs:
            res, has_jobs = compare_jobs(args, captures, sp_tool, scratch, out)
            doc['compare_jobs'] = {'has_jobs': has_jobs, 'results': res}
            ok = ok and all(r['ok'] and r['identical'] for r in res)
        if args.rss_scaling:
            res = rss_scaling(args, cache, sp_tool, generated, out)
            doc['rss_scaling'] = res
            ok = ok and bool(res)
        if args.profile:
            info = captures.get('print-heavy')
            if info is None:
                info, gen = ensure_printheavy(cache, args.size_mb, args.seed)
                if gen:
                    generated.append(info)
            res = profile(args, info, sp_tool, scratch, out)
            doc['profile'] = res
            ok = ok and res is not None
        if args.json:
            json.dump(doc, sys.stdout, indent=1)
            print()
        return 0 if ok else 1
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.keep:
            for info in generated:
                remove_capture(info)


if __name__ == '__main__':
    sys.exit(main())
