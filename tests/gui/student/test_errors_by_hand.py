#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The errors students meet, made by hand and read back as the window
shows them (issue 14, "Proof" (d)): ECONNREFUSED, EADDRINUSE and ENOTCONN.
A failed call is told three ways: a toast naming the step and Python's
exception, the explanation under the step in the steps panel, and its row
in the traffic log."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402


def unused_port():
    """A loopback port nobody listens on: the kernel's pick, given back."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class ErrorsByHandTests(studentgui.TestCase):

    def test_connection_refused(self):
        """A student adds a client and, with no listener in the session,
        connects to "An address and port…": the address offered,
        127.0.0.1, and a port typed in where nothing listens."""
        student = self.student
        port = unused_port()
        studentsteps.add_socket(student, 'client')
        self.assertEqual(studentsteps.destination(student), 'An address and port…')
        student.click(studentsteps.control(student, 'Destination port', 'text'))
        student.type_text(str(port))
        studentsteps.call(student, 'connect')

        self.assertIn('ConnectionRefusedError',
                      studentsteps.toast(student, 'step 1 (client connect): the call failed'))
        self.assertEqual(studentsteps.in_steps_panel(student, 'ECONNREFUSED'),
                         f'ECONNREFUSED: Nothing is listening on 127.0.0.1:{port}, so the '
                         'kernel refused the connection.')
        row = studentsteps.find_log_row(student, 'client', 'connect')
        self.assertEqual(row['Call'], f"connect(('127.0.0.1', {port}))")
        self.assertEqual(row['Preview'], 'ECONNREFUSED: Connection refused')
        # The socket stays as it was.
        studentsteps.page(student, 'client', 'created')
        print(f'{student.actions} user actions', file=sys.stderr)

    def test_address_in_use(self):
        """A student binds a server to the port the kernel picks, then adds
        a second socket with that port typed in the dialog and binds it."""
        student = self.student
        studentsteps.add_socket(student, 'server', suggested=True)
        studentsteps.call(student, 'bind')
        where = studentsteps.page(student, 'server', 'bound')[3]
        port = where.rsplit(':', 1)[1]

        studentsteps.add_socket(student, 'second', port=port)
        studentsteps.call(student, 'bind')

        self.assertIn('(EADDRINUSE)',
                      studentsteps.toast(student, 'step 2 (second bind): the call failed'))
        self.assertEqual(studentsteps.in_steps_panel(student, 'EADDRINUSE'),
                         f'EADDRINUSE: Another socket is already bound to {where}; wait for it '
                         'to close, pick another port, or set SO_REUSEADDR.')
        row = studentsteps.find_log_row(student, 'second', 'bind')
        self.assertEqual(row['Call'], f"bind(('127.0.0.1', {port}))")
        self.assertEqual(row['Preview'], 'EADDRINUSE: Address already in use')
        studentsteps.page(student, 'second', 'created')
        print(f'{student.actions} user actions', file=sys.stderr)

    def test_not_connected(self):
        """A student makes a client, turns "Let it fail" on so that calls
        the lifecycle does not allow yet are enabled, and calls recv, then
        getpeername, before connecting."""
        student = self.student
        studentsteps.add_socket(student, 'client')
        self.assertFalse(student.find('recv', role='push button').sensitive())
        let_fail = studentsteps.control(student, 'Let it fail', 'check box')
        student.click(let_fail)
        student.wait_until(let_fail.checked, '"Let it fail" on')

        studentsteps.call(student, 'recv')
        self.assertIn('(ENOTCONN)', studentsteps.toast(student, 'step 1 (client recv): the call '
                                                                'failed'))
        self.assertEqual(studentsteps.in_steps_panel(student, 'ENOTCONN: The socket is not'),
                         'ENOTCONN: The socket is not connected: connect first, or use sendto '
                         'for datagrams.')
        row = studentsteps.find_log_row(student, 'client', 'recv')
        self.assertEqual(row['Preview'], 'ENOTCONN: Transport endpoint is not connected')

        studentsteps.call(student, 'getpeername')
        self.assertIn('(ENOTCONN)', studentsteps.toast(student, 'step 2 (client getpeername): '
                                                                'the call failed'))
        self.assertEqual(studentsteps.in_steps_panel(student, 'ENOTCONN: The socket is not '
                                                              'connected, so'),
                         'ENOTCONN: The socket is not connected, so it has no peer: connect '
                         '(or accept) first.')
        row = studentsteps.find_log_row(student, 'client', 'getpeername')
        self.assertEqual(row['Preview'], 'ENOTCONN: Transport endpoint is not connected')
        studentsteps.page(student, 'client', 'created')
        print(f'{student.actions} user actions', file=sys.stderr)


if __name__ == '__main__':
    studentgui.main()
