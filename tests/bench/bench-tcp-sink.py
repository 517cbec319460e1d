#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""TCP sink: 1 GiB over loopback into a headless session that accepts and
recvs 65536 bytes at a time until EOF, with the traffic log as it always is,
against `socat -u TCP-LISTEN:PORT,reuseaddr OPEN:/dev/null`. The same
sender (this script: sendall of 1 MiB chunks) feeds both, in alternating
rounds. Throughput runs from the sender's connect to the receiver's exit.

Run with `meson test -C BUILD --benchmark tcp-sink`.
"""

import re
import socket
import time

import benchutil
from benchutil import BenchError, Child

TOTAL = 1 << 30
CHUNK = 1 << 20
BUFSIZE = 65536
ROUNDS = 5
TIMEOUT = 120
RATIO_TARGET = 0.9
RSS_TARGET_MIB = 400


def send_gigabyte(child, port):
    """Connects and sends TOTAL bytes; returns when the last sendall returned."""
    chunk = memoryview(bytes(range(256)) * (CHUNK // 256))
    with socket.create_connection(('127.0.0.1', port), timeout=TIMEOUT) as s:
        for _ in range(TOTAL // CHUNK):
            s.sendall(chunk)
        # Only a few socket buffers of data are still on their way.
        child.sample_hwm()


def measure(child, port):
    """Seconds from connect to the receiver's exit."""
    started = time.monotonic()
    send_gigabyte(child, port)
    status = child.wait(TIMEOUT)
    if status != 0:
        raise BenchError(f'{child.name} failed' + child.describe())
    return child.ended - started


def run_ours(exe, tmp, session):
    child = Child([exe, '--headless', session], tmp, 'ours', env=benchutil.headless_env())
    port = int(child.wait_for_output(benchutil.GETSOCKNAME_RE).group(1))
    seconds = measure(child, port)
    # The log saw every byte: each recv line ends "(N bytes)".
    output = child.stdout()
    received = sum(int(n) for n in re.findall(r"conn +recv\(65536\) -> .*\((\d+) bytes?\)",
                                              output))
    if received != TOTAL:
        raise BenchError(f'the session logged {received} bytes received, not {TOTAL}'
                         + child.describe())
    n_events = output.count('\n')
    return seconds, child.peak_rss_mib(), child.cpu_seconds(), n_events


def run_socat(socat, tmp):
    for _ in range(5):
        port = benchutil.free_port()
        child = Child([socat, '-u', f'TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr',
                       'OPEN:/dev/null'], tmp, 'socat')
        try:
            benchutil.wait_bound(child, port)
        except BenchError:
            # Someone took the port between free_port() and socat's bind.
            continue
        return measure(child, port), child.peak_rss_mib(), child.cpu_seconds()
    raise BenchError('socat never listened on a free port')


def run(tmp):
    exe = benchutil.executable()
    socat = benchutil.require_program('socat', 'socat')
    session = benchutil.write_session(
        tmp, 'tcp-sink.json', 'TCP sink',
        [{'id': 'server', 'family': 'inet', 'type': 'stream', 'address': '127.0.0.1',
          'port': 0, 'options': {'SO_REUSEADDR': True}}],
        [{'socket': 'server', 'call': 'bind'},
         {'socket': 'server', 'call': 'listen', 'backlog': 1},
         {'socket': 'server', 'call': 'getsockname'},
         {'socket': 'server', 'call': 'accept', 'as': 'conn', 'timeout-ms': TIMEOUT * 1000},
         {'socket': 'conn', 'call': 'recv', 'bufsize': BUFSIZE, 'until': 'eof',
          'timeout-ms': TIMEOUT * 1000},
         {'socket': 'conn', 'call': 'close'},
         {'socket': 'server', 'call': 'close'}])

    gib = TOTAL / (1 << 30)
    print(f'{gib:.0f} GiB in {CHUNK >> 20} MiB sendall chunks over 127.0.0.1, '
          f'{ROUNDS} rounds, ours then socat in each', flush=True)
    rows = []
    ours_rates, socat_rates, ratios, cpu_ratios, peaks, socat_peaks = [], [], [], [], [], []
    ours_cpus, socat_cpus = [], []
    for round_ in range(1, ROUNDS + 1):
        ours_s, ours_rss, ours_cpu, n_events = run_ours(exe, tmp, session)
        socat_s, socat_rss, socat_cpu = run_socat(socat, tmp)
        ours_rate, socat_rate = TOTAL / ours_s / (1 << 20), TOTAL / socat_s / (1 << 20)
        ours_rates.append(ours_rate)
        socat_rates.append(socat_rate)
        ratios.append(ours_rate / socat_rate)
        ours_cpus.append(ours_cpu)
        socat_cpus.append(socat_cpu)
        cpu_ratios.append(socat_cpu / ours_cpu)
        peaks.append(ours_rss)
        socat_peaks.append(socat_rss)
        rows.append([str(round_), f'{ours_rate:.0f}', f'{ours_cpu:.2f}', f'{ours_rss:.0f}',
                     str(n_events), f'{socat_rate:.0f}', f'{socat_cpu:.2f}',
                     f'{socat_rss:.1f}', f'{ratios[-1]:.2f}', f'{cpu_ratios[-1]:.2f}'])
    benchutil.print_rounds(['round', 'ours MiB/s', 'ours cpu s', 'ours peak MiB',
                            'ours events', 'socat MiB/s', 'socat cpu s', 'socat peak MiB',
                            'ratio', 'cpu ratio'], rows)
    print('(ratio: ours MiB/s / socat MiB/s; cpu ratio: socat CPU seconds / ours, '
          'the same comparison less exposed to other load on the machine)')

    median = benchutil.median
    ratio = median(ratios)
    peak = max(peaks)
    print(f'median: ours {median(ours_rates):.0f} MiB/s, socat {median(socat_rates):.0f} '
          f'MiB/s, ratio {ratio:.2f} (target >= {RATIO_TARGET}), cpu ratio '
          f'{median(cpu_ratios):.2f}; ours peak RSS {peak:.0f} MiB '
          f'(target <= {RSS_TARGET_MIB} MiB)')
    benchutil.print_table([
        ('TCP sink, 1 GiB, recv(65536) until EOF, full log',
         f'{median(ours_rates):.0f} MiB/s', f'{median(socat_rates):.0f} MiB/s (socat)',
         f'{ratio:.2f}', f'>= {RATIO_TARGET}', benchutil.met(ratio >= RATIO_TARGET)),
        ('TCP sink, CPU time per GiB', f'{median(ours_cpus):.2f} s',
         f'{median(socat_cpus):.2f} s (socat)', f'{median(cpu_ratios):.2f}',
         f'>= {RATIO_TARGET} (same target)', benchutil.met(median(cpu_ratios) >= RATIO_TARGET)),
        ('TCP sink, peak RSS (VmHWM)', f'{peak:.0f} MiB', f'{max(socat_peaks):.1f} MiB (socat)',
         'n/a', f'<= {RSS_TARGET_MIB} MiB', benchutil.met(peak <= RSS_TARGET_MIB)),
    ])

if __name__ == '__main__':
    benchutil.main(run)
