#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrency: 1000, 5000 and 10,000 clients connected at once to one
`serve` echo listener of a headless session, against a plain Python
selectors echo server (peer-echo-server.py), in alternating rounds. Every
client connects before any sends; then each sends its own message and
checks that exactly that message comes back; then all close.

The target is the server's CPU time: at most half the Python server's at
every size, so a connection's cost must not grow with the number of them.
The benchmark fails (status 1) when a size misses it or an echo is wrong.
SP_BENCH_CLIENTS=N,M runs only those sizes.

Run with `meson test -C BUILD --benchmark serve-clients`.
"""

import errno
import os
import selectors
import socket
import sys
import time

import benchutil
from benchutil import Child

SIZES = [int(n) for n in os.environ.get('SP_BENCH_CLIENTS', '1000,5000,10000').split(',')]
# The most Linux allows by default (net.core.somaxconn): a smaller queue
# makes 10,000 clients wait on SYN retries, which measures the kernel.
BACKLOG = 4096
ROUNDS = 2
TIMEOUT = 60


def message(i):
    return f'client {i:04d} says hello {"x" * (i % 97)}\n'.encode()


class Clients:
    """n_clients non-blocking connections and what happened on each."""

    def __init__(self, port, n_clients):
        self.port = port
        self.n_clients = n_clients
        self.selector = selectors.DefaultSelector()
        self.sockets = []
        self.failures = {}     # client index → what went wrong
        self.received = {}

    def fail(self, i, why):
        if i not in self.failures:
            self.failures[i] = why
            self.selector.unregister(self.sockets[i])

    def connect_all(self, deadline):
        for i in range(self.n_clients):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            self.sockets.append(s)
            self.selector.register(s, selectors.EVENT_WRITE, i)
            code = s.connect_ex(('127.0.0.1', self.port))
            if code not in (0, errno.EINPROGRESS):
                self.fail(i, f'connect: {errno.errorcode.get(code, code)}')
        pending = set(range(self.n_clients)) - set(self.failures)
        while pending and time.monotonic() < deadline:
            for key, _ in self.selector.select(timeout=1):
                i = key.data
                code = self.sockets[i].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                pending.discard(i)
                if code != 0:
                    self.fail(i, f'connect: {errno.errorcode.get(code, code)}')
                else:
                    self.selector.modify(self.sockets[i], selectors.EVENT_READ, i)
        for i in pending:
            self.fail(i, 'connect: no answer')

    def echo_all(self, deadline):
        for i, s in enumerate(self.sockets):
            if i in self.failures:
                continue
            self.received[i] = b''
            try:
                # A few dozen bytes always fit in a fresh send buffer.
                if s.send(message(i)) != len(message(i)):
                    self.fail(i, 'send: short')
            except OSError as e:
                self.fail(i, f'send: {e}')
        pending = set(self.received) - set(self.failures)
        while pending and time.monotonic() < deadline:
            for key, _ in self.selector.select(timeout=1):
                i = key.data
                try:
                    data = self.sockets[i].recv(4096)
                except OSError as e:
                    self.fail(i, f'recv: {e}')
                    pending.discard(i)
                    continue
                if not data:
                    self.fail(i, f'closed by the server after {self.received[i]!r}')
                    pending.discard(i)
                    continue
                self.received[i] += data
                if len(self.received[i]) >= len(message(i)):
                    pending.discard(i)
                    if self.received[i] != message(i):
                        self.fail(i, f'echo {self.received[i]!r}')
                    else:
                        self.selector.unregister(self.sockets[i])
        for i in pending:
            self.fail(i, f'no echo (got {self.received[i]!r})')

    def close_all(self):
        for s in self.sockets:
            s.close()
        self.selector.close()


def drive(server, port, n_clients):
    """Connects, echoes and closes all clients; returns the figures."""
    deadline = time.monotonic() + TIMEOUT
    clients = Clients(port, n_clients)
    started = time.monotonic()
    clients.connect_all(deadline)
    connected = time.monotonic()
    clients.echo_all(deadline)
    echoed = time.monotonic()
    clients.close_all()
    status = server.wait(TIMEOUT)
    n_ok = n_clients - len(clients.failures)
    if clients.failures:
        first = min(clients.failures)
        print(f'  {server.name}: {len(clients.failures)} clients failed; client {first}: '
              f'{clients.failures[first]}', flush=True)
    return {
        'connect': connected - started,
        'echo': echoed - connected,
        'total': server.ended - started,
        'ok': n_ok,
        'status': status,
        'cpu': server.cpu_seconds(),
        # The kernel's share: what any server pays for the same sockets.
        'sys': server.rusage.ru_stime if server.rusage else 0.0,
        'peak': server.peak_rss_mib(),
    }


def run_ours(exe, tmp, session, n_clients):
    server = Child([exe, '--headless', session], tmp, 'ours', env=benchutil.headless_env())
    port = int(server.wait_for_output(benchutil.GETSOCKNAME_RE).group(1))
    figures = drive(server, port, n_clients)
    if figures['status'] != 0:
        print(f'  ours: the session ended with status {figures["status"]}'
              + server.describe(600), flush=True)
    return figures


def run_plain(tmp, n_clients):
    server = Child([sys.executable, os.path.join(benchutil.HERE, 'peer-echo-server.py'),
                    str(n_clients), str(BACKLOG)], tmp, 'plain')
    port = int(server.wait_for_output(r'^port (\d+)$').group(1))
    return drive(server, port, n_clients)


def run_size(exe, tmp, n_clients):
    """ROUNDS alternating rounds at one size; returns its summary row and
    whether it met the target."""
    session = benchutil.write_session(
        tmp, 'serve-clients.json', f'Echo server, {n_clients} clients',
        [{'id': 'server', 'family': 'inet', 'type': 'stream', 'address': '127.0.0.1',
          'port': 0, 'options': {'SO_REUSEADDR': True}}],
        [{'socket': 'server', 'call': 'bind'},
         {'socket': 'server', 'call': 'listen', 'backlog': BACKLOG},
         {'socket': 'server', 'call': 'getsockname'},
         {'socket': 'server', 'call': 'serve', 'mode': 'echo', 'connections': n_clients,
          'bufsize': 4096, 'timeout-ms': TIMEOUT * 1000}])

    print(f'\n{n_clients} clients connect at once (backlog {BACKLOG}), then each sends its '
          f'own line and checks the echo, then all close; {ROUNDS} rounds, ours then the '
          'plain Python selectors server in each', flush=True)
    rows = []
    ours_cpus, plain_cpus, ratios = [], [], []
    fewest_ok = n_clients
    all_ok = True
    for round_ in range(1, ROUNDS + 1):
        ours = run_ours(exe, tmp, session, n_clients)
        plain = run_plain(tmp, n_clients)
        fewest_ok = min(fewest_ok, ours['ok'])
        all_ok = all_ok and ours['ok'] == n_clients and ours['status'] == 0
        ours_cpus.append(ours['cpu'])
        plain_cpus.append(plain['cpu'])
        ratios.append(plain['cpu'] / max(ours['cpu'], 0.001))
        rows.append([str(round_)]
                    + [f'{ours["ok"]}/{n_clients}', f'{ours["connect"]:.3f}',
                       f'{ours["echo"]:.3f}', f'{ours["total"]:.3f}', f'{ours["cpu"]:.3f}',
                       f'{ours["sys"]:.3f}', f'{ours["peak"]:.0f}']
                    + [f'{plain["ok"]}/{n_clients}', f'{plain["connect"]:.3f}',
                       f'{plain["echo"]:.3f}', f'{plain["total"]:.3f}', f'{plain["cpu"]:.3f}',
                       f'{plain["sys"]:.3f}']
                    + [f'{ratios[-1]:.2f}'])
    benchutil.print_rounds(['round', 'ours ok', 'connect s', 'echo s', 'total s', 'cpu s',
                            'of it sys', 'peak MiB', 'plain ok', 'connect s', 'echo s', 'total s',
                            'cpu s', 'of it sys', 'cpu ratio'], rows)
    print('(total: first connect to the server\'s exit; cpu ratio: plain cpu / ours)')

    ours_cpu, plain_cpu = benchutil.median(ours_cpus), benchutil.median(plain_cpus)
    ratio = benchutil.median(ratios)
    met = all_ok and ratio >= 2.0
    return (f'{n_clients} clients at once on one serve echo listener, server CPU',
            f'{fewest_ok}/{n_clients} echoed, {ours_cpu:.3f} s',
            f'{plain_cpu:.3f} s (Python selectors server)',
            f'{ratio:.2f}', f'all echoed, ≥ 2.0', benchutil.met(met)), met


def run(tmp):
    exe = benchutil.executable()
    limit = benchutil.raise_file_limit()
    table = []
    all_met = True
    for n_clients in SIZES:
        if limit < n_clients + 64:
            benchutil.skip(f'RLIMIT_NOFILE is {limit}: {n_clients} clients do not fit')
        row, met = run_size(exe, tmp, n_clients)
        table.append(row)
        all_met = all_met and met
    print()
    benchutil.print_table(table)
    if not all_met:
        print('serve missed its target: every echo right and at most half the Python '
              'server\'s CPU', flush=True)
        sys.exit(1)


if __name__ == '__main__':
    benchutil.main(run)
