#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A sendall to a real peer that never reads: Python's sendall raises and
never returns with part of its bytes sent, so the replay shows one failed
event that carries the bytes that went, in plain output and in --json.
"""

import os
import re
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402

TOTAL = 1048576


class PartialSendallTests(cliutil.TestCase):

    def setUp(self):
        super().setUp()
        # A listener that accepts and never reads, with a small receive
        # buffer: the sender's bytes pile up until its sendall times out.
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.server.bind(('127.0.0.1', 0))
        self.server.listen(1)
        self.server.settimeout(20)
        self.accepted = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()
        port = self.server.getsockname()[1]
        self.path = cliutil.write_session(self.tmp, 'partial.json', {
            "format": "socket-playground-session", "version": 1, "title": "partial sendall",
            "sockets": [{"id": "client", "family": "inet", "type": "stream",
                         "address": "127.0.0.1", "port": port,
                         "options": {"SO_SNDBUF": 4096}}],
            "steps": [{"socket": "client", "call": "connect"},
                      {"socket": "client", "call": "sendall", "data": {"text": "x" * TOTAL},
                       "timeout-ms": 500}]})

    def accept(self):
        try:
            self.accepted.append(self.server.accept()[0])
        except OSError:
            pass

    def tearDown(self):
        self.thread.join(5)
        for conn in self.accepted:
            conn.close()
        self.server.close()
        super().tearDown()

    def test_plain_is_one_failed_call_with_the_bytes_that_went(self):
        result = cliutil.run(['--headless', self.path], timeout=30)

        self.assertExit(result, 1, 'the sendall fails its step')
        lines = [line for line in result.stdout.splitlines() if ' sendall(' in line]
        self.assertEqual(len(lines), 1, 'one sendall, one line' + result.describe())
        match = re.search(r"client\s+sendall\(b'x+'\.\.\.\) -> TimeoutError \[Errno 110\] "
                          r"ETIMEDOUT  # (\d+) of 1048576 bytes went before the error\. ",
                          lines[0])
        self.assertIsNotNone(match, result.describe())
        self.assertGreater(int(match.group(1)), 0)
        self.assertLess(int(match.group(1)), TOTAL)
        self.assertNotIn('-> None', lines[0])
        # The step's message says it too.
        self.assertIn(f'step 2 (client sendall): the call failed with TimeoutError: [Errno 110] '
                      f'Connection timed out (ETIMEDOUT); {match.group(1)} of 1048576 bytes '
                      f'went before the error', result.stderr, result.describe())

    def test_json_is_one_failed_event_with_the_bytes_that_went(self):
        result = cliutil.run(['--headless', self.path, '--json', '--data-limit', '16'],
                             timeout=30)

        self.assertExit(result, 1)
        events = [e for e in cliutil.json_lines(result.stdout) if e['call'] == 'sendall']
        self.assertEqual(len(events), 1, events)
        event = events[0]
        self.assertFalse(event['ok'], event)
        self.assertEqual(event['error']['name'], 'ETIMEDOUT', event)
        self.assertGreater(event['bytes'], 0, event)
        self.assertLess(event['bytes'], TOTAL, event)
        # The payload is what went, cut at --data-limit as any payload is.
        self.assertEqual(event['data_hex'], '78' * 16, event)
        self.assertTrue(event.get('truncated'), event)
        self.assertIn(f"{event['bytes']} of {TOTAL} bytes went", event['result'], event)

    def test_pcapng_has_the_bytes_that_went(self):
        capture = os.path.join(self.tmp, 'partial.pcapng')
        result = cliutil.run(['--headless', self.path, '--json', '--export-log', 'pcapng',
                              '--output', capture], timeout=30)

        self.assertExit(result, 1)
        event = [e for e in cliutil.json_lines(result.stdout) if e['call'] == 'sendall'][0]
        with open(capture, 'rb') as f:
            written = f.read().count(b'x')
        # Every byte that went is in a packet (the peer may read them later).
        self.assertGreaterEqual(written, event['bytes'], event)


if __name__ == '__main__':
    cliutil.main()
