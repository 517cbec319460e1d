#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bounds on how long a replay runs: a serve's connection that stays
silent for its idle-timeout-ms is closed, with an event that says so,
even while its peer trickles; --time-limit stops a whole run, names the
step that was running and exits 1.
"""

import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import free_port, is_listening, wait_until  # noqa: E402

HEAD = {"format": "socket-playground-session", "version": 1, "title": "bounds"}


def serve_session(port, **serve):
    step = {"socket": "server", "call": "serve", "mode": "echo", "connections": 1}
    step.update(serve)
    return dict(HEAD, sockets=[{"id": "server", "family": "inet", "type": "stream",
                                "address": "127.0.0.1", "port": port}],
                steps=[step])


class Trickler:
    """A real peer that sends one byte every GAP seconds, for ever."""

    def __init__(self, port, gap):
        self.port, self.gap = port, gap
        self.sent = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        try:
            with socket.create_connection(('127.0.0.1', self.port), timeout=10) as s:
                while not self.stopped.is_set():
                    s.sendall(b'x')
                    self.sent += 1
                    self.stopped.wait(self.gap)
        except OSError:
            pass

    def stop(self):
        self.stopped.set()
        self.thread.join(10)


class BoundTests(cliutil.TestCase):

    def start(self, args):
        return subprocess.Popen([cliutil.executable()] + args, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                env=cliutil.headless_env(), start_new_session=True)

    def trickle_against(self, session, args=()):
        """Runs SESSION with a peer trickling a byte every 1.5 s; returns
        (status, seconds from the peer's connect to the end, stdout, stderr)."""
        port = session['sockets'][0]['port']
        path = cliutil.write_session(self.tmp, 'trickle.json', session)
        process = self.start(['--headless', path] + list(args))
        trickler = None
        try:
            self.assertTrue(wait_until(lambda: is_listening(port), timeout=10, process=process),
                            'the serve never listened')
            started = time.monotonic()
            trickler = Trickler(port, 1.5)
            try:
                stdout, stderr = process.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                self.fail('the trickling peer kept the serve alive')
            return (process.returncode, time.monotonic() - started, stdout.decode(),
                    stderr.decode(), trickler.sent)
        finally:
            if trickler is not None:
                trickler.stop()
            cliutil.kill_group(process)

    def test_trickling_peer_is_closed_by_the_idle_timeout(self):
        status, elapsed, stdout, stderr, sent = self.trickle_against(
            serve_session(free_port(), **{"timeout-ms": 3000, "idle-timeout-ms": 1000}))
        described = f'\nexit {status} after {elapsed:.1f} s\n{stdout}--- stderr ---\n{stderr}'

        self.assertEqual(status, 1, described)
        self.assertLess(elapsed, 6, described)
        self.assertGreaterEqual(sent, 1, 'the peer sent' + described)
        self.assertRegex(stdout, r"server-1\s+recv\(1024\) -> b'x'", described)
        self.assertRegex(stdout, r'server-1\s+# silent for 1000 ms: the server closes the '
                         r'connection', described)
        self.assertIn('step 1 (server serve): recv() on “server-1” failed with TimeoutError',
                      stderr, described)
        self.assertIn('nothing arrived for 1000 ms', stderr, described)

    def test_trickling_peer_is_stopped_by_the_time_limit(self):
        # Each byte comes within the serve's timeout: only a bound on the
        # whole run ends it.
        status, elapsed, stdout, stderr, sent = self.trickle_against(
            serve_session(free_port(), **{"timeout-ms": 3000}), ['--time-limit', '4'])
        described = f'\nexit {status} after {elapsed:.1f} s\n{stdout}--- stderr ---\n{stderr}'

        self.assertEqual(status, 1, described)
        self.assertLess(elapsed, 6, described)
        self.assertGreaterEqual(sent, 2, 'the peer trickled' + described)
        self.assertIn('--time-limit: stopped after 4 seconds, while step 1 (server serve) '
                      'was running', stderr, described)

    def test_time_limit_stops_an_hour_long_run(self):
        path = cliutil.write_session(self.tmp, 'hour.json', dict(
            HEAD,
            sockets=[{"id": "sink", "family": "inet", "type": "dgram",
                      "address": "127.0.0.1", "port": 0},
                     {"id": "ticker", "family": "inet", "type": "dgram"}],
            steps=[{"socket": "sink", "call": "bind"},
                   {"socket": "ticker", "call": "sendto", "to": "sink",
                    "data": {"text": "tick"}, "count": 1000000, "interval-ms": 3600000}]))
        result = cliutil.run(['--headless', path, '--time-limit', '2'], timeout=30)

        self.assertExit(result, 1, 'a run stopped by its time limit fails')
        self.assertLess(result.elapsed, 3.5, result.describe())
        self.assertIn('--time-limit: stopped after 2 seconds, while step 2 (ticker sendto) '
                      'was running', result.stderr, result.describe())
        # What happened before the stop was printed as it happened.
        self.assertRegex(result.stdout, r"ticker\s+sendto\(b'tick'", result.describe())

    def test_time_limit_takes_whole_seconds(self):
        echo = 'preset:tcp-echo'
        for value in ('0', '-1', '1.5', 'soon', '86401'):
            result = cliutil.run(['--headless', echo, '--time-limit', value])
            self.assertExit(result, 2, f'--time-limit {value}')
            self.assertIn('--time-limit', result.stderr, result.describe())
        result = cliutil.run(['--export-python', echo, '--output', self.tmp, '--time-limit', '5'])
        self.assertExit(result, 2, '--time-limit goes with --headless only')
        result = cliutil.run(['--headless', echo, '--time-limit', '30'], timeout=30)
        self.assertExit(result, 0, 'a run within its limit is untouched')

    def test_idle_timeout_is_a_serve_member(self):
        path = cliutil.write_session(self.tmp, 'misplaced.json', dict(
            HEAD, sockets=[{"id": "c", "family": "inet", "type": "stream"}],
            steps=[{"socket": "c", "call": "recv", "idle-timeout-ms": 1000}]))
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 2)
        self.assertIn('steps[0].idle-timeout-ms', result.stderr, result.describe())


if __name__ == '__main__':
    cliutil.main()
