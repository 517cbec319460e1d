#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Concurrency: 1000 clients connected at once to one `serve` echo listener
of a headless session, against a plain Python selectors echo server
(peer-echo-server.py), in alternating rounds. Every client connects before
any sends; then each sends its own message and checks that exactly that
message comes back; then all close.

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

N_CLIENTS = 1000
BACKLOG = 1024
ROUNDS = 2
TIMEOUT = 60


def message(i):
    return f'client {i:04d} says hello {"x" * (i % 97)}\n'.encode()


class Clients:
    """N_CLIENTS non-blocking connections and what happened on each."""

    def __init__(self, port):
        self.port = port
        self.selector = selectors.DefaultSelector()
        self.sockets = []
        self.failures = {}     # client index → what went wrong
        self.received = {}

    def fail(self, i, why):
        if i not in self.failures:
            self.failures[i] = why
            self.selector.unregister(self.sockets[i])

    def connect_all(self, deadline):
        for i in range(N_CLIENTS):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            self.sockets.append(s)
            self.selector.register(s, selectors.EVENT_WRITE, i)
            code = s.connect_ex(('127.0.0.1', self.port))
            if code not in (0, errno.EINPROGRESS):
                self.fail(i, f'connect: {errno.errorcode.get(code, code)}')
        pending = set(range(N_CLIENTS)) - set(self.failures)
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


def drive(server, port):
    """Connects, echoes and closes all clients; returns the figures."""
    deadline = time.monotonic() + TIMEOUT
    clients = Clients(port)
    started = time.monotonic()
    clients.connect_all(deadline)
    connected = time.monotonic()
    clients.echo_all(deadline)
    echoed = time.monotonic()
    clients.close_all()
    status = server.wait(TIMEOUT)
    n_ok = N_CLIENTS - len(clients.failures)
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
        'peak': server.peak_rss_mib(),
    }


def run_ours(exe, tmp, session):
    server = Child([exe, '--headless', session], tmp, 'ours', env=benchutil.headless_env())
    port = int(server.wait_for_output(benchutil.GETSOCKNAME_RE).group(1))
    figures = drive(server, port)
    if figures['status'] != 0:
        print(f'  ours: the session ended with status {figures["status"]}'
              + server.describe(600), flush=True)
    return figures


def run_plain(tmp):
    server = Child([sys.executable, os.path.join(benchutil.HERE, 'peer-echo-server.py'),
                    str(N_CLIENTS), str(BACKLOG)], tmp, 'plain')
    port = int(server.wait_for_output(r'^port (\d+)$').group(1))
    return drive(server, port)


def run(tmp):
    exe = benchutil.executable()
    limit = benchutil.raise_file_limit()
    if limit < N_CLIENTS + 64:
        benchutil.skip(f'RLIMIT_NOFILE is {limit}: {N_CLIENTS} clients do not fit')
    session = benchutil.write_session(
        tmp, 'serve-clients.json', 'Echo server, a thousand clients',
        [{'id': 'server', 'family': 'inet', 'type': 'stream', 'address': '127.0.0.1',
          'port': 0, 'options': {'SO_REUSEADDR': True}}],
        [{'socket': 'server', 'call': 'bind'},
         {'socket': 'server', 'call': 'listen', 'backlog': BACKLOG},
         {'socket': 'server', 'call': 'getsockname'},
         {'socket': 'server', 'call': 'serve', 'mode': 'echo', 'connections': N_CLIENTS,
          'bufsize': 4096, 'timeout-ms': TIMEOUT * 1000}])

    print(f'{N_CLIENTS} clients connect at once (backlog {BACKLOG}), then each sends its '
          f'own line and checks the echo, then all close; {ROUNDS} rounds, ours then the '
          'plain Python selectors server in each', flush=True)
    rows = []
    ours_totals, plain_totals, ratios = [], [], []
    fewest_ok = N_CLIENTS
    all_ok = True
    for round_ in range(1, ROUNDS + 1):
        ours = run_ours(exe, tmp, session)
        plain = run_plain(tmp)
        fewest_ok = min(fewest_ok, ours['ok'])
        all_ok = all_ok and ours['ok'] == N_CLIENTS and ours['status'] == 0
        ours_totals.append(ours['total'])
        plain_totals.append(plain['total'])
        ratios.append(plain['total'] / ours['total'])
        rows.append([str(round_)]
                    + [f'{ours["ok"]}/{N_CLIENTS}', f'{ours["connect"]:.3f}',
                       f'{ours["echo"]:.3f}', f'{ours["total"]:.3f}', f'{ours["cpu"]:.2f}',
                       f'{ours["peak"]:.0f}']
                    + [f'{plain["ok"]}/{N_CLIENTS}', f'{plain["connect"]:.3f}',
                       f'{plain["echo"]:.3f}', f'{plain["total"]:.3f}', f'{plain["cpu"]:.2f}']
                    + [f'{ratios[-1]:.2f}'])
    benchutil.print_rounds(['round', 'ours ok', 'connect s', 'echo s', 'total s', 'cpu s',
                            'peak MiB', 'plain ok', 'connect s', 'echo s', 'total s', 'cpu s',
                            'speed ratio'], rows)
    print('(total: first connect to the server\'s exit; speed ratio: plain total / ours)')

    ours_total, plain_total = benchutil.median(ours_totals), benchutil.median(plain_totals)
    benchutil.print_table([
        (f'{N_CLIENTS} clients at once on one serve echo listener',
         f'{fewest_ok}/{N_CLIENTS} echoed, {ours_total:.2f} s',
         f'{plain_total:.2f} s (Python selectors server)',
         f'{benchutil.median(ratios):.2f}', f'all {N_CLIENTS} echoed correctly',
         benchutil.met(all_ok)),
    ])


if __name__ == '__main__':
    benchutil.main(run)
