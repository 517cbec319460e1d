#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""At 800×600 nothing is cut off (issue 14, item 11: the steps panel was cut
off at the right, the Python and Sequence tabs vanished and no call button
was visible): the calls show, and the sockets and the Steps, Python and
Sequence panels fold away behind the header's toggles, which F9, Shift+F9 and
a click open and close."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402

PANELS_TOGGLE = 'Show the Steps, Python and Sequence Panels'


class SmallWindowTests(studentgui.TestCase):
    size = (800, 600)

    def setUp(self):
        super().setUp()
        student = self.student
        student.click(student.find('Open the Echo Preset', role='push button'))
        # The first socket's calls are on screen.
        student.find('bind', role='push button')

    def test_panels_fold_behind_their_toggle(self):
        student = self.student
        self.assertEqual(student.find_all('Python'), [])

        student.key('shift+F9')
        for tab in ('Steps', 'Python', 'Sequence'):
            student.find(tab)
        student.key('shift+F9')
        student.wait_gone('Python')

        student.click(student.find(PANELS_TOGGLE))
        student.find('Sequence')

    def test_sockets_fold_behind_their_toggle(self):
        student = self.student
        self.assertEqual(student.find_all('Sockets', role='list'), [])

        student.key('F9')
        student.find('Sockets', role='list')
        student.find('client', exact=False)
        student.key('F9')
        student.wait_gone('Sockets', role='list')


if __name__ == '__main__':
    studentgui.main()
