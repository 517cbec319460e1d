#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A UNIX stream echo by hand, on a path and on an abstract name (issue 14,
"Proof" (c), and item 3: a UNIX stream client's connect defaulted to the
session's first socket, "tx", an IPv4 datagram socket, and failed with
ENOENT; the default destination must be a listener of the client's family
and type)."""

import os
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402


class UnixByHandTests(studentgui.TestCase):

    def unix_echo(self, server, address=None):
        """The session's first socket is tx, IPv4 datagram. Then `server`,
        UNIX stream, binds (to `address`, or the dialog's default abstract
        name), listens; a UNIX stream client connects to the destination
        offered; server accepts; the client sends "Hello" and conn receives
        it. Returns the address the server listened on, as its page says."""
        student = self.student
        ledger = studentsteps.Ledger(student)

        with ledger.part('add tx, IPv4 datagram, first'):
            studentsteps.add_socket(student, 'tx', type='Datagram')

        with ledger.part(f'add {server}, UNIX stream'):
            _, kind, _, _ = studentsteps.add_socket(student, server, family='UNIX',
                                                    address=address)
        self.assertEqual(kind, 'UNIX · stream')
        with ledger.part('bind'):
            studentsteps.call(student, 'bind')
            studentsteps.page(student, server, 'bound')
        with ledger.part('listen'):
            studentsteps.call(student, 'listen')
            where = studentsteps.page(student, server, 'listening')[3]

        with ledger.part('add client, UNIX stream'):
            studentsteps.add_socket(student, 'client', family='UNIX')
        self.assertEqual(studentsteps.destination(student), f'{server} · listening on {where}')
        with ledger.part('connect'):
            studentsteps.call(student, 'connect')
            studentsteps.page(student, 'client', 'connected')

        with ledger.part(f'select {server}, accept'):
            studentsteps.select_socket(student, server)
            studentsteps.call(student, 'accept')
            student.find('conn', role='list item')
        with ledger.part('select client, type "Hello", sendall'):
            studentsteps.select_socket(student, 'client')
            studentsteps.compose(student, 'Hello')
            studentsteps.call(student, 'sendall')
            studentsteps.find_log_row(student, 'client', 'sendall')
        with ledger.part('select conn, recv'):
            studentsteps.select_socket(student, 'conn')
            studentsteps.call(student, 'recv')
            received = studentsteps.find_log_row(student, 'conn', 'recv')
        self.assertEqual(received['Bytes'], '5')
        self.assertIn('Hello', received['Preview'])
        self.assertEqual(studentsteps.page(student, 'conn')[1], 'UNIX · stream · accepted by ' +
                         server)
        print(ledger, file=sys.stderr)
        return where

    def test_path(self):
        """The server binds a path the student types; the file is there
        while it listens."""
        path = os.path.join(tempfile.gettempdir(), f'sp-student-{uuid.uuid4().hex[:8]}.sock')
        self.addCleanup(lambda: os.path.exists(path) and os.unlink(path))

        where = self.unix_echo('server', address=path)
        self.assertEqual(where, path)
        self.assertTrue(os.path.exists(path))

    def test_abstract_name(self):
        """The server binds the dialog's default, an abstract name made of
        its own ("@socket-playground-" and the socket's name)."""
        server = f'server-{uuid.uuid4().hex[:6]}'

        where = self.unix_echo(server)
        self.assertEqual(where, f'@socket-playground-{server}')


if __name__ == '__main__':
    studentgui.main()
