#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A student runs the lecture notes' echo server and client from the window
(Run a Program…), then saves what they did as a session (the Programs
panel's Save as Session…): one session in which the client's connect goes
`to` the server's socket, which replays without the programs, and which
the toast's Open button opens in the window (DESIGN.md, "Watching a
program you wrote")."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402

TESTS = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PEERS = os.path.join(TESTS, 'cli', 'peers')


def listening(port):
    """Whether something listens on 127.0.0.1:port, read from /proc so
    that asking makes no connection the traced server would accept."""
    with open('/proc/net/tcp', encoding='ascii') as f:
        return any(f':{port:04X} 00000000:0000 0A' in line for line in f)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class SaveProgramsTests(studentgui.TestCase):

    def setUp(self):
        super().setUp()
        self.folder = tempfile.mkdtemp(prefix='sp-student-programs-')
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)

    def test_echo_programs_saved_as_a_session(self):
        student = self.student
        port = free_port()
        server = os.path.join(self.folder, 'server.py')
        client = os.path.join(self.folder, 'client.py')
        shutil.copy(os.path.join(PEERS, 'notes_echo_server.py'), server)
        shutil.copy(os.path.join(PEERS, 'notes_client.py'), client)

        studentsteps.run_program(student, server, str(port))
        student.wait_until(lambda: listening(port), f'the server listening on {port}')
        studentsteps.run_program(student, client, f'{port} Hello Hello')
        # The client's tab shows; the server's calls are counted in the log.
        student.find('Exited with status 0', role='label')
        student.find('14 events', role='label')

        student.click(student.find('Save as Session…', role='push button'))
        student.find('Save', role='push button')
        student.type_text(os.path.join(self.folder, 'echo'))
        student.key('Return')
        saved = studentsteps.toast(student, 'Saved echo.sockplay: ')
        self.assertEqual(saved, 'Saved echo.sockplay: 14 steps on 2 sockets')

        path = os.path.join(self.folder, 'echo.sockplay')
        with open(path, encoding='utf-8') as f:
            session = json.load(f)
        self.assertEqual(session['title'], 'server.py and client.py')
        connect = [s for s in session['steps'] if s['call'] == 'connect']
        self.assertEqual(connect, [{'socket': 'client_3', 'call': 'connect',
                                    'to': 'server_3'}])
        replay = subprocess.run([os.environ['SP_EXECUTABLE'], '--headless', path],
                                capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL)
        self.assertEqual(replay.returncode, 0, replay.stdout + replay.stderr)

        # The toast's Open shows the recording in the window, its sockets
        # in the sidebar.
        student.click(student.find('Open', role='push button'))
        student.find('server.py and client.py — Socket Playground', role='frame')
        studentsteps.sidebar_row(student, 'client_3')


if __name__ == '__main__':
    studentgui.main()
