#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The TCP echo of the lecture, by hand, in at most 15 user actions (issue
14, "Proof" (a); items 1 and 3 on the way: each added socket shows its page
at once, and connect's default destination is the listening server)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402

MAX_ACTIONS = 15


class EchoByHandTests(studentgui.TestCase):

    def test_echo_by_hand(self):
        """A student with no preset adds a server (the dialog's defaults:
        127.0.0.1, port 0), binds and listens; adds a client and connects it
        to the destination offered, the server; accepts on the server, whose
        page then shows conn, and makes conn wait in recv, as the lecture's
        server does; types "Hello" in the client's composer and sends it
        with sendall. The traffic log's hex pane shows the bytes conn
        received."""
        student = self.student
        ledger = studentsteps.Ledger(student)

        client_where = studentsteps.echo_by_hand(student, ledger)
        client_address = client_where.split(' → ')[0]
        row = studentsteps.find_log_row(student, 'conn', 'recv')
        self.assertEqual((row['Bytes'], row['Peer'], row['Preview']),
                         ('5', client_address, 'Hello'))
        # Until a row is chosen, the pane shows the newest bytes: conn's.
        with ledger.part('read the hex pane'):
            student.find(f' · conn recv · 5 bytes from {client_address}', role='label',
                         exact=False)
            student.wait_until(lambda: '48 65 6c 6c 6f' in studentsteps.hex_dump(student),
                               'the hex pane to show 48 65 6c 6c 6f')

        print(ledger, file=sys.stderr)
        self.assertLessEqual(student.actions, MAX_ACTIONS, ledger)


if __name__ == '__main__':
    studentgui.main()
