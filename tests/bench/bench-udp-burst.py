#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""UDP burst: `packetsender -u --num 200000 --rate 0` into a headless
session that calls recvfrom until 200,000 datagrams came or none came for a
while, against a plain Python recvfrom loop (peer-udp-count.py) with the
same SO_RCVBUF, in alternating rounds. The session's count is what its
traffic log holds (--export-log jsonl), not what it printed.

The session needs nothing beyond the version 1 format: a recvfrom with
"count" stops at the first call that times out ("timeout-ms"), and
"expect": { "any": true } makes that timeout the step's normal end.

Run with `meson test -C BUILD --benchmark udp-burst`.
"""

import json
import os
import re
import sys

import benchutil
from benchutil import BenchError, Child

N_DATAGRAMS = 200000
PAYLOAD = 'payload'
RCVBUF = 1 << 20
BUFSIZE = 2048
QUIET_MS = 3000
ROUNDS = 2
TIMEOUT = 180
TARGET = 0.99


def send_burst(packetsender, tmp, port):
    """Runs packetsender; returns (datagrams it says it sent, its rate)."""
    sender = Child([packetsender, '-u', '-A', '--num', str(N_DATAGRAMS), '--rate', '0',
                    '127.0.0.1', str(port), PAYLOAD], tmp, 'packetsender')
    # The exit status is not a success flag (it counts bytes): read the output.
    sender.wait(TIMEOUT)
    output = sender.stdout()
    sent = re.search(r'Sent (\d+) packets', output)
    rate = re.search(r'Effective rate = ([\d.e+]+) packets per second', output)
    if sent is None or rate is None:
        raise BenchError('packetsender did not say what it sent' + sender.describe())
    return int(sent.group(1)), float(rate.group(1))


def run_ours(exe, tmp, session, packetsender):
    log = os.path.join(tmp, 'ours.jsonl')
    child = Child([exe, '--headless', session, '--export-log', 'jsonl', '--output', log],
                  tmp, 'ours', env=benchutil.headless_env())
    port = int(child.wait_for_output(benchutil.GETSOCKNAME_RE).group(1))
    sent, rate = send_burst(packetsender, tmp, port)
    status = child.wait(TIMEOUT)
    if status != 0:
        raise BenchError('the session failed' + child.describe())
    received = 0
    with open(log, encoding='utf-8') as f:
        for line in f:
            event = json.loads(line)
            if (event['call'] == 'recvfrom' and event['kind'] == 'received'
                    and event['bytes'] == len(PAYLOAD)):
                received += 1
    return sent, rate, received, child.cpu_seconds()


def run_plain(tmp, packetsender):
    child = Child([sys.executable, os.path.join(benchutil.HERE, 'peer-udp-count.py'),
                   str(RCVBUF), str(BUFSIZE), str(QUIET_MS), str(N_DATAGRAMS)], tmp, 'plain')
    match = child.wait_for_output(r'^port (\d+) rcvbuf (\d+)$')
    port, rcvbuf = int(match.group(1)), int(match.group(2))
    sent, rate = send_burst(packetsender, tmp, port)
    if child.wait(TIMEOUT) != 0:
        raise BenchError('the plain loop failed' + child.describe())
    match = re.search(r'^received (\d+) bytes (\d+)$', child.stdout(), re.MULTILINE)
    if match is None:
        raise BenchError('the plain loop printed no count' + child.describe())
    return sent, rate, int(match.group(1)), child.cpu_seconds(), rcvbuf


def run(tmp):
    exe = benchutil.executable()
    packetsender = benchutil.require_program('packetsender', 'packetsender')
    session = benchutil.write_session(
        tmp, 'udp-burst.json', 'UDP burst',
        [{'id': 'receiver', 'family': 'inet', 'type': 'dgram', 'address': '127.0.0.1',
          'port': 0, 'options': {'SO_RCVBUF': RCVBUF}}],
        [{'socket': 'receiver', 'call': 'bind'},
         {'socket': 'receiver', 'call': 'getsockname'},
         {'socket': 'receiver', 'call': 'recvfrom', 'bufsize': BUFSIZE, 'count': N_DATAGRAMS,
          'timeout-ms': QUIET_MS, 'expect': {'any': True},
          'note': 'Until every datagram came, or none came for a while.'},
         {'socket': 'receiver', 'call': 'close'}])

    print(f'packetsender -u --num {N_DATAGRAMS} --rate 0 of {len(PAYLOAD)}-byte datagrams to '
          f'127.0.0.1; SO_RCVBUF {RCVBUF}, recvfrom({BUFSIZE}) until {QUIET_MS} ms quiet; '
          f'{ROUNDS} rounds, ours then the plain loop in each', flush=True)
    rows = []
    ours_fractions, plain_fractions, ratios = [], [], []
    rcvbuf = 0
    for round_ in range(1, ROUNDS + 1):
        o_sent, o_rate, o_received, o_cpu = run_ours(exe, tmp, session, packetsender)
        p_sent, p_rate, p_received, p_cpu, rcvbuf = run_plain(tmp, packetsender)
        ours, plain = o_received / o_sent, p_received / p_sent
        ours_fractions.append(ours)
        plain_fractions.append(plain)
        ratios.append(ours / plain if plain > 0 else 0.0)
        rows.append([str(round_), f'{o_rate:.0f}', f'{o_received}/{o_sent}', f'{ours:.1%}',
                     f'{o_cpu:.2f}', f'{p_rate:.0f}', f'{p_received}/{p_sent}', f'{plain:.1%}',
                     f'{p_cpu:.2f}', f'{ratios[-1]:.1%}'])
    print(f'SO_RCVBUF as the kernel reports it: {rcvbuf}')
    benchutil.print_rounds(['round', 'to ours pps', 'ours logged', 'ours', 'ours cpu s',
                            'to plain pps', 'plain received', 'plain', 'plain cpu s',
                            'ours/plain'], rows)

    ratio = benchutil.median(ratios)
    print(f'median: ours {benchutil.median(ours_fractions):.1%} logged, plain loop '
          f'{benchutil.median(plain_fractions):.1%} received, ours/plain {ratio:.1%} '
          f'(target >= {TARGET:.0%})')
    benchutil.print_table([
        (f'UDP burst, {N_DATAGRAMS} datagrams from packetsender --rate 0',
         f'{benchutil.median(ours_fractions):.1%} logged',
         f'{benchutil.median(plain_fractions):.1%} (Python recvfrom loop)', f'{ratio:.1%}',
         f'>= {TARGET:.0%}', benchutil.met(ratio >= TARGET)),
    ])


if __name__ == '__main__':
    benchutil.main(run)
