#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A student runs the lecture notes' echo server from the window (Run a
Program…) and watches its sockets where the playground's own show
(DESIGN.md, "Watching a program you wrote"): in the sidebar under the
program, the accepted socket under its listener, each with its kind and
state as the program's calls change it; selected, in the lifecycle diagram
and on a page that only watches, with no call buttons."""

import os
import socket
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'cli', 'peers',
                      'notes_echo_server.py')
LISTENER = 'notes_echo_server.py:3'
ACCEPTED = 'notes_echo_server.py:4'
CLIENT = 'echo-client.py:3'

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


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class ObservedSocketsTests(studentgui.TestCase):

    def row_says(self, socket_id, text):
        """Waits until the sidebar row of `socket_id` says `text` to a
        screen reader; returns what it says."""
        student = self.student

        def says():
            try:
                description = studentsteps.sidebar_row(student, socket_id).description()
            except studentgui.StudentError:
                return None
            return description if text in description else None
        return student.wait_until(says, f'{socket_id!r} row saying {text!r}')

    def diagram_says(self, text):
        student = self.student
        diagram = student.find('Lifecycle diagram', role='image')
        return student.wait_until(lambda: diagram.description() == text and text,
                                  f'the diagram saying {text!r}, not {diagram.description()!r}')

    def page_value(self, title):
        """What the watching page shows for `title` ("Local address")."""
        return self.student.find(title, role='list item').description()

    def sidebar_names(self):
        names = []
        for node in self.student.find_all('', role='list item', exact=False):
            if any(a.role == 'list' and a.name == 'Sockets' for a in node.ancestors()):
                names.append(node.name)
        return names

    def test_notes_echo_server_in_the_sidebar(self):
        student = self.student
        port = free_port()
        studentsteps.run_program(self.student, os.path.normpath(SERVER), str(port))

        # Its program heads its sockets; the listener says what it is.
        program = studentsteps.sidebar_row(student, 'notes_echo_server.py')
        student.wait_until(lambda: 'pid ' in program.description() and
                           'running' in program.description(), 'the program row running')
        self.assertEqual(self.row_says(LISTENER, 'listening'),
                         f'Socket {LISTENER}: IPv4 · stream · listening')

        student.click(studentsteps.sidebar_row(student, LISTENER))
        self.diagram_says(f'{LISTENER}: listening')
        driven = student.find('Driven by notes_echo_server.py (pid ', role='label', exact=False)
        self.assertRegex(driven.name, r'^Driven by notes_echo_server\.py \(pid \d+\)$')
        self.assertEqual(self.page_value('Local address'), f'127.0.0.1:{port}')
        self.assertEqual(self.page_value('Remote address'), 'none: a listener has no peer')
        # The program makes the calls: no button offers one.
        for call in ('bind', 'listen', 'accept', 'recv', 'close'):
            self.assertEqual(student.find_all(call, role='push button'), [],
                             f'a {call} button on a traced socket')

        # A client connects: the accepted socket shows under its listener.
        with socket.create_connection(('127.0.0.1', port), timeout=30) as client:
            client.sendall(b'Hello, world')
            self.assertEqual(client.recv(1024), b'Hello, world')
            self.row_says(ACCEPTED, 'IPv4 · stream · connected')
            self.diagram_says(f'{LISTENER}: listening, 1 accepted')
            names = self.sidebar_names()
            self.assertEqual(names[names.index('notes_echo_server.py'):][:3],
                             ['notes_echo_server.py', LISTENER, ACCEPTED])
            picture = os.environ.get('SP_OBSERVED_SCREENSHOT')
            if picture:
                student.screenshot(picture)

        student.find('Exited with status 0', role='label')
        self.row_says(ACCEPTED, 'closed')
        self.row_says(LISTENER, 'closed')
        student.wait_until(lambda: 'exited with status 0' in program.description(),
                           'the program row saying how it ended')
        self.diagram_says(f'{LISTENER}: closed')

        # The accepted socket's page: its addresses and its listener.
        student.click(studentsteps.sidebar_row(student, ACCEPTED))
        self.diagram_says(f'{ACCEPTED}: closed')
        student.wait_until(lambda: self.page_value('Accepted by') == LISTENER,
                           'the page naming its listener')
        self.assertEqual(self.page_value('Local address'), f'127.0.0.1:{port}')
        self.assertRegex(self.page_value('Remote address'), r'^127\.0\.0\.1:\d+$')

    def test_notes_client_meets_notes_server(self):
        """Both programs of the notes, each traced: two programs in the
        sidebar, and the sequence chart gives each socket a lane."""
        student = self.student
        port = free_port()
        studentsteps.run_program(self.student, os.path.normpath(SERVER), str(port))
        self.row_says(LISTENER, 'listening')

        folder = tempfile.mkdtemp(prefix='sp-observed-')
        client = os.path.join(folder, 'echo-client.py')
        with open(client, 'w', encoding='utf-8') as f:
            f.write(NOTES_CLIENT)
        studentsteps.run_program(self.student, client, str(port), running=False)

        self.row_says(CLIENT, 'closed')
        self.row_says(ACCEPTED, 'closed')
        self.row_says(LISTENER, 'closed')
        student.wait_until(lambda: 'exited with status 0' in
                           studentsteps.sidebar_row(student, 'echo-client.py').description(),
                           'the client program row saying it exited')
        names = self.sidebar_names()
        self.assertEqual(names, ['notes_echo_server.py', LISTENER, ACCEPTED,
                                 'echo-client.py', CLIENT])

        # A lane for each of the three sockets, their calls all read.
        student.click(student.find('Sequence'))

        def chart():
            for node in student.find_all('', role='image', exact=False):
                if node.description().startswith('3 sockets, '):
                    return node
            return None
        student.wait_until(chart, 'a sequence chart of 3 sockets')
        student.click(studentsteps.sidebar_row(student, CLIENT))
        self.diagram_says(f'{CLIENT}: closed')
        picture = os.environ.get('SP_OBSERVED_SEQUENCE_SCREENSHOT')
        if picture:
            student.screenshot(picture)

    def test_socket_made_by_hand_connects_to_a_traced_server(self):
        """The playground's own sockets can talk to a traced program's: the
        destination chooser offers the traced listener, reached where it
        listens."""
        student = self.student
        port = free_port()
        studentsteps.run_program(self.student, os.path.normpath(SERVER), str(port))
        self.row_says(LISTENER, 'listening')

        studentsteps.add_socket(student, 'client')
        self.assertEqual(studentsteps.destination(student),
                         f'{LISTENER} · listening on 127.0.0.1:{port}')
        studentsteps.call(student, 'connect')
        studentsteps.page(student, 'client', 'connected')
        self.row_says(ACCEPTED, 'IPv4 · stream · connected')
        studentsteps.compose(student, 'Hello')
        studentsteps.call(student, 'sendall')
        studentsteps.find_log_row(student, ACCEPTED, 'recv')


if __name__ == '__main__':
    studentgui.main()
