#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a student made by hand is saved, opened again, replayed step by
step with F10 and at once with Ctrl+Return, and exported as the Python
programs that do it, which run (issue 14, "Proof" (e))."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402

PYTHON = '/usr/bin/python3'
SCRIPT_TIMEOUT = 30
TCP_LISTEN = '0A'


def listening(port):
    """Whether something listens on TCP `port` of this machine, read from
    /proc (a connect would be the server's client)."""
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(':', 1)[1], 16) == port and fields[3] == TCP_LISTEN:
                    return True
    return False


def stop(process):
    if process.poll() is None:
        process.kill()
    process.communicate()


class SaveReplayExportTests(studentgui.TestCase):

    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp(prefix='sp-student-save-')
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def test_save_reopen_replay_export(self):
        """A student makes the TCP echo by hand; saves it with Ctrl+S,
        typing its name in the file chooser; opens it again with Ctrl+O,
        typing its path; replays it with F10 step after step, then after
        Restart with Ctrl+Return; exports it as Python from the main menu
        into a folder; and runs server.py, then client.py."""
        student = self.student
        ledger = studentsteps.Ledger(student)
        studentsteps.echo_by_hand(student, ledger)

        # Save: the chooser suggests the session's title and selects it,
        # keeping the extension.
        with ledger.part('save (Ctrl+S, type a path, Enter)'):
            student.key('ctrl+s')
            student.find('Save', role='push button')
            student.type_text(os.path.join(self.folder, 'echo'))
            student.key('Return')
            path = os.path.join(self.folder, 'echo.sockplay')
            student.find('New Session — Socket Playground', role='frame')
            student.find('echo.sockplay', role='label')
        with open(path) as f:
            saved = json.load(f)
        calls = [(step['socket'], step['call']) for step in saved['steps']]
        self.assertEqual(calls, [
            ('server', 'bind'), ('server', 'listen'), ('client', 'connect'),
            ('server', 'accept'), ('client', 'sendall'), ('conn', 'recv')])
        total = len(calls)

        # Open it again in the same window: a fresh start of the session.
        with ledger.part('open (Ctrl+O, type the path, Enter)'):
            student.key('ctrl+o')
            student.find('Open', role='push button')
            student.type_text(path)
            student.key('Return')
            studentsteps.progress(student, 0, total)
            studentsteps.page(student, 'server', 'not created yet')

        with ledger.part(f'replay with F10 ×{total}'):
            for done in range(1, total + 1):
                student.key('F10')
                studentsteps.progress(student, done, total)
        received = studentsteps.find_log_row(student, 'conn', 'recv')
        self.assertEqual((received['Bytes'], received['Preview']), ('5', 'Hello'))

        with ledger.part('Restart, replay with Ctrl+Return'):
            student.click(student.find('Restart', role='push button'))
            studentsteps.progress(student, 0, total)
            student.key('ctrl+Return')
            studentsteps.progress(student, total, total)
        received = studentsteps.find_log_row(student, 'conn', 'recv')
        self.assertEqual((received['Bytes'], received['Preview']), ('5', 'Hello'))

        # Export into a folder of its own.
        exported = os.path.join(self.folder, 'python')
        os.mkdir(exported)
        with ledger.part('export (Main Menu, Export as Python…, type a folder, Enter)'):
            student.click(student.find('Main Menu', role='push button'))
            student.click(student.find('Export as Python…', role='menu item'))
            student.find('Export', role='push button')
            student.type_text(exported + '/')
            student.key('Return')
            studentsteps.toast(student, f'Wrote the Python to “{exported}”')
        self.assertEqual(sorted(os.listdir(exported)), ['client.py', 'server.py'])
        print(ledger, file=sys.stderr)

        self.run_exported(exported)

    def run_exported(self, folder):
        """Starts server.py, waits until it listens, runs client.py; each
        exits 0."""
        with open(os.path.join(folder, 'client.py')) as f:
            port = next(int(line.split('=')[1].split('#')[0]) for line in f
                        if line.startswith('PORT = '))
        server = subprocess.Popen([PYTHON, 'server.py'], cwd=folder, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        self.addCleanup(stop, server)
        deadline = time.monotonic() + SCRIPT_TIMEOUT
        while not listening(port):
            if server.poll() is not None:
                self.fail(f'server.py ended with {server.returncode}:\n{server.stdout.read()}')
            self.assertLess(time.monotonic(), deadline, f'server.py never listened on {port}')
            time.sleep(0.05)

        client = subprocess.run([PYTHON, 'client.py'], cwd=folder, capture_output=True,
                                text=True, timeout=SCRIPT_TIMEOUT)
        self.assertEqual(client.returncode, 0, f'client.py:\n{client.stdout}{client.stderr}')
        server_output, _ = server.communicate(timeout=SCRIPT_TIMEOUT)
        self.assertEqual(server.returncode, 0, f'server.py:\n{server_output}')
        self.assertIn('Hello', server_output)


if __name__ == '__main__':
    studentgui.main()
