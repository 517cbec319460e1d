#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bounds of a headless run against real peers on loopback: 100 MB received
in memory that does not grow with it (the traffic log keeps what its cap
allows and counts the rest), and one `serve` holding 3000 clients at once
within a bounded time.

Every wait is bounded; peers and the program are killed in tearDown.
"""

import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import free_port, headless_env, is_listening, wait_until  # noqa: E402

HEAD = {"format": "socket-playground-session", "version": 1, "title": "bounds"}
PEERS = os.path.normpath(os.path.join(cliutil.HERE, '..', 'peers'))

RECEIVED = 100 * 1000 * 1000
# Peak resident memory allowed while receiving RECEIVED bytes. The traffic
# log keeps every payload byte up to its cap (256 MiB), so one copy of them
# is expected; a second (a buffer that grows with the stream) is not.
PEAK_LIMIT = RECEIVED + 48 * 1024 * 1024
CLIENTS = 3000
CLIENTS_SECONDS = 60


def session(sockets, steps):
    return dict(HEAD, sockets=sockets, steps=steps)


def raise_descriptor_limit():
    """Each client is a descriptor of the peer's: as many as the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class BoundTests(cliutil.TestCase):

    def setUp(self):
        super().setUp()
        self.closables = []
        self.processes = []

    def tearDown(self):
        for process in self.processes:
            cliutil.kill_group(process)
        for closable in self.closables:
            closable.close()
        super().tearDown()

    def start(self, argv, **kwargs):
        """ARGV in the background, its output in files: thousands of events
        would fill a pipe that is read only at the end."""
        output = tempfile.TemporaryFile()
        self.closables.append(output)
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True, **kwargs)
        process.output = output
        self.processes.append(process)
        return process

    def test_100_mb_received_in_bounded_memory(self):
        if os.environ.get('SP_SANITIZE_ADDRESS') == '1':
            self.skipTest("AddressSanitizer's allocator and shadow memory are not the "
                          "program's footprint")
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.closables.append(server)
        server.bind(('127.0.0.1', 0))
        server.listen(1)
        server.settimeout(20)
        port = server.getsockname()[1]

        def send_all():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                chunk = b'0123456789' * 100000
                for _ in range(RECEIVED // len(chunk)):
                    conn.sendall(chunk)

        thread = threading.Thread(target=send_all, daemon=True)
        thread.start()
        path = cliutil.write_session(self.tmp, 'receive.json', session(
            [{"id": "client", "family": "inet", "type": "stream"}],
            [{"socket": "client", "call": "connect", "address": "127.0.0.1", "port": port},
             {"socket": "client", "call": "recv", "bufsize": 65536, "until": "eof",
              "timeout-ms": 30000, "expect": {"bytes": RECEIVED}}]))

        # The events go to a file nobody reads: only the program's memory counts.
        with open(os.path.join(self.tmp, 'events'), 'wb') as out:
            # meson test sets MALLOC_PERTURB_, which makes malloc write over
            # every block it hands out: pages reserved but never used would
            # count as resident. Measure the program as it runs anywhere else.
            env = headless_env()
            env.pop('MALLOC_PERTURB_', None)
            process = subprocess.Popen([cliutil.executable(), '--headless', path],
                                       stdin=subprocess.DEVNULL, stdout=out,
                                       stderr=subprocess.PIPE, env=env,
                                       start_new_session=True)
            self.processes.append(process)
            deadline = time.monotonic() + 90
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid != 0:
                    break
                if time.monotonic() > deadline:
                    self.fail('receiving 100 MB took more than 90 s')
                time.sleep(0.05)
            process.returncode = os.waitstatus_to_exitcode(status)
        thread.join(10)

        errors = process.stderr.read().decode('utf-8', 'replace')
        process.stderr.close()
        self.assertEqual(process.returncode, 0, errors)
        peak = usage.ru_maxrss * 1024
        print(f'peak resident memory receiving {RECEIVED} bytes: {peak / (1 << 20):.1f} MiB')
        self.assertLess(peak, PEAK_LIMIT, f'{peak} bytes resident at the peak')

    def test_serve_holds_3000_clients(self):
        port = free_port()
        path = cliutil.write_session(self.tmp, 'serve.json', session(
            [{"id": "server", "family": "inet", "type": "stream", "address": "127.0.0.1",
              "port": port}],
            [{"socket": "server", "call": "bind"},
             {"socket": "server", "call": "listen", "backlog": 4096},
             {"socket": "server", "call": "serve", "mode": "echo", "connections": CLIENTS,
              "timeout-ms": CLIENTS_SECONDS * 1000}]))
        started = time.monotonic()
        program = self.start([cliutil.executable(), '--headless', path], env=headless_env())
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=10, process=program),
                        'the server did not listen')

        # The peer connects every client before any sends, and closes none
        # before every echo came: all 3000 are held at the same time.
        peer = self.start([sys.executable, os.path.join(PEERS, 'peer-many-clients.py'),
                           str(port), str(CLIENTS)], preexec_fn=raise_descriptor_limit)
        try:
            peer.wait(timeout=CLIENTS_SECONDS)
            status = program.wait(timeout=CLIENTS_SECONDS)
        except subprocess.TimeoutExpired:
            self.fail(f'{CLIENTS} clients took more than {CLIENTS_SECONDS} s')
        elapsed = time.monotonic() - started
        print(f'{CLIENTS} clients served in {elapsed:.1f} s')

        said = cliutil.read_shared(peer.output)
        self.assertEqual(peer.returncode, 0, said)
        self.assertIn(f'{CLIENTS} clients echoed correctly', said)
        self.assertEqual(status, 0, cliutil.read_shared(program.output)[-3000:])


if __name__ == '__main__':
    cliutil.main()
