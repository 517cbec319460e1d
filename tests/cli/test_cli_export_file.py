#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The file `--export-log FORMAT --output FILE` writes: FILE changes at once
or not at all (while the run lasts, and when it is killed, FILE keeps what
it held; at the end it is the whole log, with nothing left beside it), and
a symbolic link at FILE is replaced by the log, never followed to write
over the file it points to.
"""

import json
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import headless_env, wait_until  # noqa: E402

OLD = b'what the file held before\n'
PAUSE_MS = 1500


def datagram_session(pause_ms=0):
    """A socket that sends itself a datagram twice, with a pause between."""
    exchange = [{"socket": "a", "call": "sendto", "to": "a", "data": {"text": "hello"}},
                {"socket": "a", "call": "recvfrom", "bufsize": 64, "timeout-ms": 5000}]
    steps = [{"socket": "a", "call": "bind"}] + exchange
    if pause_ms:
        steps.append({"call": "sleep", "ms": pause_ms})
    steps += exchange
    return {"format": "socket-playground-session", "version": 1, "title": "export",
            "sockets": [{"id": "a", "family": "inet", "type": "dgram", "address": "127.0.0.1",
                         "port": 0}],
            "steps": steps}


class ExportFileTests(cliutil.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = os.path.join(self.tmp, 'out')
        os.mkdir(self.dir)
        self.output = os.path.join(self.dir, 'log.jsonl')
        self.processes = []

    def tearDown(self):
        for process in self.processes:
            cliutil.kill_group(process)
            process.events.close()
            process.stderr.close()
        super().tearDown()

    def start(self, session):
        path = cliutil.write_session(self.tmp, 'session.json', session)
        events = tempfile.TemporaryFile()
        process = subprocess.Popen([cliutil.executable(), '--headless', '--json', path,
                                    '--export-log', 'jsonl', '--output', self.output],
                                   stdin=subprocess.DEVNULL, stdout=events,
                                   stderr=subprocess.PIPE, env=headless_env(),
                                   start_new_session=True)
        process.events = events
        self.processes.append(process)
        return process

    def finish(self, process):
        try:
            _, errors = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.fail('the run did not end')
        errors = errors.decode('utf-8', 'replace')
        self.assertEqual(process.returncode, 0, errors)
        return cliutil.json_lines(cliutil.read_shared(process.events))

    def assert_whole_log(self, events):
        self.assertFalse(os.path.islink(self.output), 'the link is still there')
        with open(self.output, encoding='utf-8') as f:
            text = f.read()
        self.assertTrue(text.endswith('\n'), text[-200:])
        records = [json.loads(line) for line in text.splitlines()]
        self.assertEqual(len(records), len(events), text[-2000:])
        self.assertEqual([r['call'] for r in records], [e['call'] for e in events])
        # Nothing half-written is left beside it.
        self.assertEqual(os.listdir(self.dir), ['log.jsonl'])

    def read_output(self):
        with open(self.output, 'rb') as f:
            return f.read()

    def test_output_changes_at_once(self):
        with open(self.output, 'wb') as f:
            f.write(OLD)
        process = self.start(datagram_session(PAUSE_MS))

        # During the pause the first exchange has happened; FILE must not
        # show a part of the log yet.
        self.assertTrue(wait_until(lambda: '"recvfrom"' in cliutil.read_shared(process.events),
                                   timeout=10, process=process), 'the run never got going')
        self.assertEqual(self.read_output(), OLD, 'the log was written while the run went on')
        self.assert_whole_log(self.finish(process))

    def test_killed_run_leaves_the_old_file(self):
        with open(self.output, 'wb') as f:
            f.write(OLD)
        process = self.start(datagram_session(PAUSE_MS * 4))
        self.assertTrue(wait_until(lambda: '"recvfrom"' in cliutil.read_shared(process.events),
                                   timeout=10, process=process), 'the run never got going')
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=10)
        self.assertEqual(self.read_output(), OLD)

    def test_symlink_at_output_is_replaced_not_followed(self):
        precious = os.path.join(self.tmp, 'precious.txt')
        with open(precious, 'wb') as f:
            f.write(OLD)
        os.symlink(precious, self.output)
        self.assert_whole_log(self.finish(self.start(datagram_session())))
        with open(precious, 'rb') as f:
            self.assertEqual(f.read(), OLD, 'the file the link pointed to was written over')

    def test_dangling_symlink_at_output_is_replaced_not_followed(self):
        elsewhere = os.path.join(self.tmp, 'elsewhere.txt')
        os.symlink(elsewhere, self.output)
        self.assert_whole_log(self.finish(self.start(datagram_session())))
        self.assertFalse(os.path.lexists(elsewhere), 'a file was made where the link pointed')


if __name__ == '__main__':
    cliutil.main()
