#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A standard output that no one reads any more (`| head -1`) or that is
full stops the program at the first failed write, with "write error: …" on
stderr and exit status 1, as other command-line tools do.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import fixture  # noqa: E402

# A session that prints a line every 200 ms for 6 s.
N_ROUNDS = 30
ROUND_MS = 200


def slow_session(directory):
    steps = [{'socket': 'u', 'call': 'bind'}]
    for _ in range(N_ROUNDS):
        steps += [{'call': 'sleep', 'ms': ROUND_MS}, {'socket': 'u', 'call': 'getsockname'}]
    return cliutil.write_session(directory, 'slow.json', {
        'format': 'socket-playground-session', 'version': 1, 'title': 'slow',
        'sockets': [{'id': 'u', 'family': 'inet', 'type': 'dgram', 'address': '127.0.0.1',
                     'port': 0}],
        'steps': steps})


class ClosedPipeTests(cliutil.TestCase):

    def run_into_closed_pipe(self, args, timeout=30):
        """Runs with a standard output whose reading end is already closed."""
        read_end, write_end = os.pipe()
        os.close(read_end)
        try:
            process = subprocess.Popen([self.exe] + args, stdin=subprocess.DEVNULL,
                                       stdout=write_end, stderr=subprocess.PIPE,
                                       env=cliutil.headless_env(), cwd=self.tmp,
                                       start_new_session=True)
        finally:
            os.close(write_end)
        started = time.monotonic()
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            cliutil.kill_group(process)
            self.fail(f'{" ".join(args)} still running after {timeout} s')
        return process.returncode, stderr.decode('utf-8', 'replace'), time.monotonic() - started

    def test_head_stops_the_replay(self):
        session = slow_session(self.tmp)
        process = subprocess.Popen([self.exe, '--headless', session], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=cliutil.headless_env(), start_new_session=True)
        try:
            first = process.stdout.readline()
            self.assertTrue(first, 'a first line')
            process.stdout.close()
            closed = time.monotonic()
            status = process.wait(timeout=30)
            elapsed = time.monotonic() - closed
            stderr = process.stderr.read().decode('utf-8', 'replace')
        finally:
            cliutil.kill_group(process)
            process.stderr.close()
        whole = N_ROUNDS * ROUND_MS / 1000
        self.assertLess(elapsed, whole / 3,
                        f'the replay of {whole} s stopped at the next line, not at its end')
        self.assertEqual(status, 1, stderr)
        self.assertEqual(stderr.count('write error: Broken pipe'), 1, stderr)

    def test_every_command_stops_at_a_closed_pipe(self):
        session = slow_session(self.tmp)
        for args in (['--headless', session],
                     ['--headless', session, '--json'],
                     ['--list-presets'],
                     ['--version'],
                     ['--help'],
                     ['--export-python', 'preset:tcp-echo', '--output',
                      os.path.join(self.tmp, 'out')]):
            with self.subTest(args=' '.join(args)):
                status, stderr, elapsed = self.run_into_closed_pipe(args)
                self.assertEqual(status, 1, stderr)
                self.assertIn('write error: Broken pipe', stderr)
                self.assertLess(elapsed, N_ROUNDS * ROUND_MS / 1000 / 3)

    def test_full_disk(self):
        if not os.path.exists('/dev/full'):
            self.skipTest('no /dev/full')
        with open('/dev/full', 'wb') as full:
            result = subprocess.run([self.exe, '--headless', fixture('sessions', 'echo-local.json')],
                                    stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE,
                                    env=cliutil.headless_env(), timeout=30)
        stderr = result.stderr.decode('utf-8', 'replace')
        self.assertEqual(result.returncode, 1, stderr)
        self.assertIn('write error: No space left on device', stderr)


if __name__ == '__main__':
    cliutil.main()
