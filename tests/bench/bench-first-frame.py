#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Start to first frame, and memory at rest: launches the built
socket-playground (its window, no session) and the smallest libadwaita
application with a window of the same size (bench-empty-window), in
alternating rounds, on a virtual X display of their own with a session bus
of their own, after one warm-up run. Each prints the monotonic clock at its window's first
after-paint (SP_REPORT_FIRST_FRAME); the time counts from just before the
process is spawned. Then each sits idle for IDLE_S seconds, and VmHWM and
VmRSS are read from /proc.

Run with `meson test -C BUILD --benchmark first-frame`.
"""

import os
import re
import signal
import sys
import time

import benchutil
from benchutil import BenchError, Child

ROUNDS = 5
IDLE_S = 2.0
TIMEOUT = 30
# Against the empty window of the same run: a loaded machine slows both.
RATIO_TARGET = 1.1
FIRST_FRAME_RE = r'^first-frame monotonic-us (\d+)$'


def ensure_display():
    """Re-runs this script under xvfb-run and dbus-run-session, once."""
    if os.environ.get('SP_BENCH_DISPLAY') == 'own':
        return
    xvfb_run = benchutil.require_program('xvfb-run', 'xvfb')
    dbus_run = benchutil.require_program('dbus-run-session', 'dbus')
    env = dict(os.environ, SP_BENCH_DISPLAY='own')
    env.pop('WAYLAND_DISPLAY', None)
    sys.stdout.flush()
    os.execvpe(xvfb_run, [xvfb_run, '-a', '-s', '-screen 0 1920x1080x24', dbus_run, '--',
                          sys.executable, os.path.abspath(__file__)], env)


def gui_env():
    env = dict(os.environ, SP_REPORT_FIRST_FRAME='1', GSETTINGS_BACKEND='memory',
               GTK_A11Y='none', NO_AT_BRIDGE='1', LC_ALL='C.UTF-8')
    env.pop('G_DEBUG', None)
    return env


def wait_first_frame(child):
    deadline = time.monotonic() + TIMEOUT
    regex = re.compile(FIRST_FRAME_RE, re.MULTILINE)
    while time.monotonic() < deadline:
        match = regex.search(child.stderr())
        if match:
            return int(match.group(1)) / 1e6
        if not child.alive():
            break
        time.sleep(0.005)
    child.kill()
    raise BenchError(f'{child.name} never painted a frame' + child.describe())


def measure(argv, tmp, name):
    child = Child(argv, tmp, name, env=gui_env())
    try:
        first_frame = wait_first_frame(child) - child.started
        time.sleep(IDLE_S)
        if not child.alive():
            raise BenchError(f'{name} ended while idle' + child.describe())
        hwm = benchutil.proc_status_kib(child.pid, 'VmHWM') / 1024
        rss = benchutil.proc_status_kib(child.pid, 'VmRSS') / 1024
    finally:
        if child.alive():
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(10)
            except BenchError:
                pass
    return first_frame, hwm, rss


def run(tmp):
    exe = benchutil.executable()
    empty = os.environ.get('SP_BENCH_EMPTY_WINDOW')
    if not empty or not os.access(empty, os.X_OK):
        benchutil.skip('SP_BENCH_EMPTY_WINDOW is not set to bench-empty-window: run with '
                       'meson test --benchmark')

    print(f'socket-playground (window, no session) and an empty libadwaita window, '
          f'{ROUNDS} rounds on {os.environ.get("DISPLAY")}; memory after {IDLE_S:.0f} s idle',
          flush=True)
    # The first GTK program on a fresh session bus starts the services it
    # activates (the portal); on a desktop they are running already.
    measure([empty], tmp, 'warm-up')
    rows = []
    ours_starts, empty_starts, ratios, ours_hwm, ours_rss, empty_hwm, empty_rss = \
        [], [], [], [], [], [], []
    for round_ in range(1, ROUNDS + 1):
        o_start, o_hwm, o_rss = measure([exe], tmp, 'ours')
        e_start, e_hwm, e_rss = measure([empty], tmp, 'empty')
        ours_starts.append(o_start)
        empty_starts.append(e_start)
        ratios.append(o_start / e_start)
        ours_hwm.append(o_hwm)
        ours_rss.append(o_rss)
        empty_hwm.append(e_hwm)
        empty_rss.append(e_rss)
        rows.append([str(round_), f'{o_start:.3f}', f'{o_hwm:.0f}', f'{o_rss:.0f}',
                     f'{e_start:.3f}', f'{e_hwm:.0f}', f'{e_rss:.0f}', f'{o_start / e_start:.2f}'])
    benchutil.print_rounds(['round', 'ours first frame s', 'ours VmHWM MiB', 'ours VmRSS MiB',
                            'empty first frame s', 'empty VmHWM MiB', 'empty VmRSS MiB',
                            'time ratio'], rows)

    median = benchutil.median
    start = median(ours_starts)
    print(f'median: ours {start:.3f} s to the first frame, '
          f'empty window {median(empty_starts):.3f} s; idle: ours VmHWM {median(ours_hwm):.0f} '
          f'MiB VmRSS {median(ours_rss):.0f} MiB, empty window VmHWM {median(empty_hwm):.0f} '
          f'MiB VmRSS {median(empty_rss):.0f} MiB')
    benchutil.print_table([
        ('Start to first frame (Xvfb)', f'{start:.3f} s',
         f'{median(empty_starts):.3f} s (empty libadwaita window)',
         f'{median(ratios):.2f} (ours/empty)', f'<= {RATIO_TARGET} (ratio)',
         benchutil.met(median(ratios) <= RATIO_TARGET)),
        (f'Memory after {IDLE_S:.0f} s idle (VmHWM / VmRSS)',
         f'{median(ours_hwm):.0f} / {median(ours_rss):.0f} MiB',
         f'{median(empty_hwm):.0f} / {median(empty_rss):.0f} MiB (empty window)',
         f'{median(ours_rss) / median(empty_rss):.2f} (RSS)', 'reported', 'n/a'),
    ])


if __name__ == '__main__':
    ensure_display()
    benchutil.main(run)
