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


# The echo client of the lecture notes, its port given on the command line.
NOTES_CLIENT = '''\
import socket
import sys

HOST = "127.0.0.1"  # The server's hostname or IP address
PORT = int(sys.argv[1])  # The port used by the server

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b"Hello, world")
    data = s.recv(1024)

print(f"Received {data!r}")
'''


# Makes a socket, and closes it once the student presses Enter.
WAITER = '''\
import socket

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
input('close? ')
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

    def test_notes_client_meets_a_server_made_by_hand(self):
        """The notes' echo client, traced, talks to a server the student
        made by hand: both in the same log, the hand's steps answering the
        program's calls."""
        student = self.student
        studentsteps.add_socket(student, 'server', suggested=True)
        studentsteps.call(student, 'bind')
        studentsteps.page(student, 'server', 'bound')
        studentsteps.call(student, 'listen')
        where = studentsteps.page(student, 'server', 'listening')[3]
        port = where.rsplit(':', 1)[1]

        folder = tempfile.mkdtemp(prefix='sp-run-program-')
        script = os.path.join(folder, 'echo-client.py')
        with open(script, 'w', encoding='utf-8') as f:
            f.write(NOTES_CLIENT)
        studentsteps.run_program(self.student, script, port)
        studentsteps.find_log_row(student, 'echo-client.py:3', 'sendall')

        studentsteps.call(student, 'accept')
        studentsteps.page(student, 'conn', 'connected')
        studentsteps.call(student, 'recv')
        studentsteps.find_log_row(student, 'conn', 'recv')
        studentsteps.compose(student, 'Hello, world')
        studentsteps.call(student, 'sendall')

        student.find('Exited with status 0', role='label')
        # The log's detail shows the newest bytes: what the program received.
        student.find('echo-client.py:3 recv · 12 bytes from 127.0.0.1:', role='label', exact=False)
        self.assertIn('Hello, world', studentsteps.hex_dump(student))
        picture = os.environ.get('SP_TRACE_SCREENSHOT')
        if picture:
            student.screenshot(picture)

    def test_program_goes_on_in_a_new_session(self):
        """A program that runs while the student starts a new session goes
        on in the new session's traffic log."""
        student = self.student
        folder = tempfile.mkdtemp(prefix='sp-run-program-')
        script = os.path.join(folder, 'waiter.py')
        with open(script, 'w', encoding='utf-8') as f:
            f.write(WAITER)
        studentsteps.run_program(student, script, '')
        studentsteps.find_log_row(student, 'waiter.py:3', 'socket')

        student.key('ctrl+shift+n')
        student.find('0 events', role='label')
        student.click(student.find('The program’s terminal', role='filler'))
        student.type_text('\n')
        student.find('Exited with status 0', role='label')
        studentsteps.find_log_row(student, 'waiter.py:3', 'close')
        student.find('1 event', role='label')


if __name__ == '__main__':
    studentgui.main()
