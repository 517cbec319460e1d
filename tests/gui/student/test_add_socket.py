#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A student adds a first socket and sees its page at once (issue 14, item 1:
the sidebar row was highlighted, the centre still said "No Socket Yet" and a
click on the row did nothing)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402


class AddSocketTests(studentgui.TestCase):

    def test_added_socket_shows_its_calls(self):
        student = self.student
        student.click(student.find('Add Socket', role='push button'))
        student.find('Add', role='push button')
        # Enter takes the dialog's default answer, Add.
        student.key('Return')

        student.find('bind', role='push button')
        self.assertEqual(student.find_all('No Socket Yet', role='label'), [])
        self.assertEqual(student.actions, 2)

    def test_added_socket_by_keyboard(self):
        student = self.student
        student.key('ctrl+n')
        student.click(student.find('Add', role='push button'))

        student.find('bind', role='push button')
        self.assertEqual(student.find_all('No Socket Yet', role='label'), [])
        self.assertEqual(student.actions, 2)


if __name__ == '__main__':
    studentgui.main()
