#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""UDP sendto and recvfrom by hand (issue 14, "Proof" (b)): sendto's
default destination is the bound datagram socket, and the log shows what
arrived and who sent it."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402


class UdpByHandTests(studentgui.TestCase):

    def test_sendto_recvfrom(self):
        """A student adds "rx", an IPv4 datagram socket on port 0, and binds
        it; adds "tx", another datagram socket, whose destination is already
        rx; types a message and sends it with sendto; then receives it on rx
        with recvfrom. rx's recvfrom row in the log has the bytes and tx's
        address as the peer."""
        student = self.student
        ledger = studentsteps.Ledger(student)

        with ledger.part('add rx (Ctrl+N, name, Type: Datagram, Add)'):
            studentsteps.add_socket(student, 'rx', type='Datagram')
        with ledger.part('bind'):
            studentsteps.call(student, 'bind')
            _, kind, _, rx_where = studentsteps.page(student, 'rx', 'bound')
        self.assertEqual(kind, 'IPv4 · datagram')
        self.assertRegex(rx_where, r'^127\.0\.0\.1:[1-9][0-9]*$')

        with ledger.part('add tx (Ctrl+N, name, Type: Datagram, Add)'):
            studentsteps.add_socket(student, 'tx', type='Datagram')
        self.assertEqual(studentsteps.destination(student), f'rx · bound to {rx_where}')
        with ledger.part('type the message (click, Ctrl+A, type)'):
            studentsteps.compose(student, 'ping')
        with ledger.part('sendto'):
            studentsteps.call(student, 'sendto')
            sent = studentsteps.find_log_row(student, 'tx', 'sendto')
        self.assertEqual(sent['Bytes'], '4')
        self.assertEqual(sent['Peer'], rx_where)
        # The kernel gave tx a port when it sent (on every interface: tx
        # was not bound).
        tx_where = studentsteps.page(student, 'tx')[3]
        self.assertRegex(tx_where, r'^0\.0\.0\.0:[1-9][0-9]*$')
        tx_port = tx_where.rsplit(':', 1)[1]

        with ledger.part('select rx, recvfrom'):
            studentsteps.select_socket(student, 'rx')
            studentsteps.call(student, 'recvfrom')
            received = studentsteps.find_log_row(student, 'rx', 'recvfrom')
        self.assertEqual(received['Bytes'], '4')
        self.assertEqual(received['Peer'], f'127.0.0.1:{tx_port}')
        self.assertIn('ping', received['Preview'])
        with ledger.part("click rx's recvfrom in the log"):
            student.click(received.node)
            student.wait_until(lambda: '70 69 6e 67' in studentsteps.hex_dump(student),
                               'the hex pane to show 70 69 6e 67')

        # recvfrom_into (issue 15, item 7) is in the popover of recv's
        # arrow: a second datagram, received into a buffer by a click there.
        with ledger.part('select tx, sendto again'):
            studentsteps.select_socket(student, 'tx')
            studentsteps.call(student, 'sendto')
        with ledger.part("select rx, recv's arrow, recvfrom_into"):
            studentsteps.select_socket(student, 'rx')
            student.click(student.find('Buffer size, receiving until end of file, and into a '
                                       'buffer', role='push button'))
            # The harness's "showing" check turns down the buttons of this
            # popover's last row, which show on screen; the click lands, as
            # the log row that follows proves.
            studentsteps.click_in_popover(student, student.find('recvfrom_into',
                                                                role='push button',
                                                                showing=False))
            into = studentsteps.find_log_row(student, 'rx', 'recvfrom_into')
        self.assertEqual(into['Bytes'], '4')
        self.assertEqual(into['Peer'], f'127.0.0.1:{tx_port}')
        print(ledger, file=sys.stderr)


if __name__ == '__main__':
    studentgui.main()
