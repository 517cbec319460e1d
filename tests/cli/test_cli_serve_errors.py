#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A serve that fails says which step, which socket and which error: the
accept's ETIMEDOUT when no client came, a connection's ECONNRESET when a
real peer reset it. On stderr, in the plain line and in the --json event.
"""

import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import free_port, is_listening, wait_until  # noqa: E402

HEAD = {"format": "socket-playground-session", "version": 1, "title": "serve errors"}


def serve_session(port, timeout_ms):
    return dict(HEAD, sockets=[{"id": "server", "family": "inet", "type": "stream",
                                "address": "127.0.0.1", "port": port}],
                steps=[{"socket": "server", "call": "bind"},
                       {"socket": "server", "call": "listen"},
                       {"socket": "server", "call": "serve", "mode": "echo", "connections": 1,
                        "timeout-ms": timeout_ms}])


class ServeErrorTests(cliutil.TestCase):

    def serve_note(self, events):
        notes = [e for e in events if e.get('kind') == 'note' and e.get('call') == 'serve']
        self.assertEqual(len(notes), 1, events)
        return notes[0]

    def test_no_client_is_the_accepts_timeout(self):
        path = cliutil.write_session(self.tmp, 'lonely.json', serve_session(0, 300))
        result = cliutil.run(['--headless', path], timeout=30)

        self.assertExit(result, 1, 'a serve nobody came to fails')
        self.assertIn('step 3 (server serve)', result.stderr, result.describe())
        self.assertIn('accept() on “server”', result.stderr, result.describe())
        self.assertIn('TimeoutError: [Errno 110]', result.stderr, result.describe())
        self.assertIn('(ETIMEDOUT)', result.stderr, result.describe())
        self.assertIn('within 300 ms', result.stderr, result.describe())
        self.assertNotIn('EIO', result.stderr + result.stdout, 'no made-up error')
        self.assertNotIn('not every step met', result.stderr, 'one message, the precise one')
        self.assertRegex(result.stdout, r'server\s+serve: TimeoutError \[Errno 110\] ETIMEDOUT'
                         r'  # step 3 \(server serve\)', result.describe())

        result = cliutil.run(['--headless', path, '--json'], timeout=30)
        self.assertExit(result, 1)
        note = self.serve_note(cliutil.json_lines(result.stdout))
        self.assertEqual(note['error']['name'], 'ETIMEDOUT', note)
        self.assertEqual(note['step'], 2, note)
        self.assertEqual(note['socket'], 'server', note)
        self.assertIn('step 3 (server serve)', result.stderr, result.describe())

    def test_reset_connection_is_econnreset(self):
        port = free_port()
        path = cliutil.write_session(self.tmp, 'reset.json', serve_session(port, 10000))
        process = subprocess.Popen([cliutil.executable(), '--headless', path, '--json'],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, env=cliutil.headless_env(),
                                   start_new_session=True)
        try:
            self.assertTrue(wait_until(lambda: is_listening(port), timeout=10,
                                       process=process), 'the serve never listened')
            with socket.create_connection(('127.0.0.1', port), timeout=10) as client:
                client.sendall(b'hello')
                self.assertEqual(client.recv(16), b'hello')
                # SO_LINGER (on, 0 s): close() sends RST instead of FIN.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                  b'\x01\0\0\0\0\0\0\0')
            stdout, stderr = process.communicate(timeout=20)
        finally:
            cliutil.kill_group(process)
        stdout, stderr = stdout.decode(), stderr.decode()
        described = f'\nexit {process.returncode}\n{stdout}\n--- stderr ---\n{stderr}'

        self.assertEqual(process.returncode, 1, described)
        self.assertIn('step 3 (server serve): recv() on “server-1” failed with '
                      'ConnectionResetError: [Errno 104]', stderr, described)
        self.assertIn('(ECONNRESET)', stderr, described)
        note = self.serve_note(cliutil.json_lines(stdout))
        self.assertEqual(note['error']['name'], 'ECONNRESET', note)
        self.assertEqual(note['step'], 2, note)


if __name__ == '__main__':
    cliutil.main()
