#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--export-log's memory: 1 GiB over loopback into the TCP sink session of
bench-tcp-sink.py (accept, recv(65536) until EOF), run without an export and
with --export-log pcapng, jsonl and csv. The export is written as the run
goes, so its peak resident memory must not exceed the run's without it by
more than the noise, and stays within the target; the exported file must
hold every byte (its size says so: the payload alone is 1 GiB in pcapng and
2 GiB of hex in JSON Lines and CSV).

Run with `meson test -C BUILD --benchmark export-log`.
"""

import os

import benchutil
from benchutil import BenchError, Child

from importlib import import_module

sink = import_module('bench-tcp-sink')

TOTAL = sink.TOTAL
TIMEOUT = 300
RSS_TARGET_MIB = 400
# Sampling VmHWM and the allocator's timing differ from run to run.
NOISE_MIB = 32
FORMATS = ('pcapng', 'jsonl', 'csv')


def run_once(exe, tmp, session, fmt):
    output = os.path.join(tmp, f'export.{fmt}') if fmt else None
    args = [exe, '--headless', session]
    if fmt:
        args += ['--export-log', fmt, '--output', output]
    child = Child(args, tmp, f'ours-{fmt or "plain"}', env=benchutil.headless_env())
    port = int(child.wait_for_output(benchutil.GETSOCKNAME_RE).group(1))
    sink.send_gigabyte(child, port)
    status = child.wait(TIMEOUT)
    if status != 0:
        raise BenchError(f'{child.name} failed' + child.describe())
    size = 0
    if output:
        size = os.path.getsize(output)
        # At least every payload byte (pcapng) or two hex digits of each.
        least = TOTAL if fmt == 'pcapng' else 2 * TOTAL
        if size < least:
            raise BenchError(f'the {fmt} export has {size} bytes, fewer than the '
                             f'{least} that every payload byte takes' + child.describe())
        os.unlink(output)
    return child.peak_rss_mib(), child.cpu_seconds(), size


def run(tmp):
    exe = benchutil.executable()
    session = benchutil.write_session(
        tmp, 'tcp-sink.json', 'TCP sink',
        [{'id': 'server', 'family': 'inet', 'type': 'stream', 'address': '127.0.0.1',
          'port': 0, 'options': {'SO_REUSEADDR': True}}],
        [{'socket': 'server', 'call': 'bind'},
         {'socket': 'server', 'call': 'listen', 'backlog': 1},
         {'socket': 'server', 'call': 'getsockname'},
         {'socket': 'server', 'call': 'accept', 'as': 'conn', 'timeout-ms': TIMEOUT * 1000},
         {'socket': 'conn', 'call': 'recv', 'bufsize': sink.BUFSIZE, 'until': 'eof',
          'timeout-ms': TIMEOUT * 1000},
         {'socket': 'conn', 'call': 'close'},
         {'socket': 'server', 'call': 'close'}])

    print(f'{TOTAL >> 30} GiB in {sink.CHUNK >> 20} MiB sendall chunks over 127.0.0.1 into '
          'recv(65536) until EOF, without --export-log and with each format', flush=True)
    plain_rss, plain_cpu, _ = run_once(exe, tmp, session, None)
    rows = [['none', f'{plain_rss:.0f}', f'{plain_cpu:.2f}', '-']]
    missed = []
    table = [('export-log: peak RSS without an export', f'{plain_rss:.0f} MiB', 'n/a', 'n/a',
              f'<= {RSS_TARGET_MIB} MiB', benchutil.met(plain_rss <= RSS_TARGET_MIB))]
    for fmt in FORMATS:
        rss, cpu, size = run_once(exe, tmp, session, fmt)
        rows.append([fmt, f'{rss:.0f}', f'{cpu:.2f}', f'{size / (1 << 20):.0f}'])
        ok = rss <= RSS_TARGET_MIB and rss <= plain_rss + NOISE_MIB
        table.append((f'export-log {fmt}: peak RSS, every byte exported', f'{rss:.0f} MiB',
                       f'{plain_rss:.0f} MiB (no export)', f'{rss - plain_rss:+.0f} MiB',
                       f'<= {RSS_TARGET_MIB} MiB and <= no export + {NOISE_MIB} MiB',
                       benchutil.met(ok)))
        if not ok:
            missed.append(f'{fmt} peaked at {rss:.0f} MiB, without an export {plain_rss:.0f} MiB')
    benchutil.print_rounds(['export', 'peak MiB', 'cpu s', 'file MiB'], rows)
    benchutil.print_table(table)
    # A test as well as figures: a target missed fails the benchmark.
    if missed or plain_rss > RSS_TARGET_MIB:
        raise BenchError('memory target missed: ' + '; '.join(missed or ['without an export']))


if __name__ == '__main__':
    benchutil.main(run)
