#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A student runs a program of their own from the window (Main Menu, Run a
Program…): it runs in a terminal of its own in the Programs panel, where
what the student types reaches its input(), and its socket calls show in
the traffic log as it makes them, on a socket named after the program and
its descriptor (DESIGN.md, "Watching a program you wrote")."""

import os
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402

CHAT = '''\
import socket
import sys

s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
line = input('message: ')
s.sendall(line.encode())
print('echoed:', s.recv(1024).decode())
s.close()
'''


class EchoOnce(threading.Thread):
    """An untraced echo server for one connection, on loopback."""

    def __init__(self):
        super().__init__(daemon=True)
        self.listener = socket.create_server(('127.0.0.1', 0))
        self.listener.settimeout(60)
        self.port = self.listener.getsockname()[1]
        self.received = b''

    def run(self):
        with self.listener:
            conn, _ = self.listener.accept()
            with conn:
                conn.settimeout(60)
                self.received = conn.recv(1024)
                conn.sendall(self.received)


class RunProgramTests(studentgui.TestCase):

    def test_chat_client_in_its_terminal(self):
        student = self.student
        server = EchoOnce()
        server.start()
        folder = tempfile.mkdtemp(prefix='sp-run-program-')
        script = os.path.join(folder, 'chat.py')
        with open(script, 'w', encoding='utf-8') as f:
            f.write(CHAT)

        student.click(student.find('Main Menu', role='push button'))
        student.click(student.find('Run a Program…', role='menu item'))
        run = student.find('Run', role='push button')
        self.assertFalse(run.sensitive(), 'Run is enabled before a program is chosen')
        student.find('Program: choose a program or a Python script', role='label')

        student.click(student.find('Program', role='text'))
        student.type_text(script)
        student.click(student.find('Arguments', role='text'))
        student.type_text(str(server.port))
        student.wait_until(run.sensitive, 'Run enabled')
        student.click(run)

        # Its terminal has the keyboard: the student answers input().
        student.find('Running', role='label')
        student.find('The program’s terminal', role='filler')
        student.type_text('hello\n')

        student.find('Exited with status 0', role='label')
        row = studentsteps.find_log_row(student, 'chat.py:3', 'sendall')
        self.assertEqual(row['Bytes'], '5')
        row = studentsteps.find_log_row(student, 'chat.py:3', 'recv')
        self.assertEqual(row['Bytes'], '5')
        server.join(10)
        self.assertEqual(server.received, b'hello')


if __name__ == '__main__':
    studentgui.main()
