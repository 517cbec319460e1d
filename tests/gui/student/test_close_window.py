#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Ctrl+W closes the window, as in every GNOME application, and asks first
about unsaved changes as the window's close button does (issue 15, item 14:
Ctrl+W did nothing). The application has one window, so closing it ends the
program."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402


class CloseWindowTests(studentgui.TestCase):

    def assert_program_ends(self):
        app = self.student.app
        deadline = time.monotonic() + self.student.timeout
        while app.poll() is None and time.monotonic() < deadline:
            time.sleep(studentgui.POLL_INTERVAL)
        self.assertIsNotNone(app.poll(), 'the window is still open')
        self.assertEqual(app.returncode, 0, self.student._stderr_tail())
        self.assertEqual(self.student._x_windows(), [])

    def add_socket(self):
        student = self.student
        student.key('ctrl+n')
        student.click(student.find('Add', role='push button'))
        student.find('bind', role='push button')

    def test_ctrl_w_closes_a_saved_window(self):
        self.student.key('ctrl+w')
        self.assert_program_ends()

    def test_ctrl_w_asks_about_unsaved_changes(self):
        student = self.student
        self.add_socket()

        student.key('ctrl+w')
        student.click(student.find('Cancel', role='push button'))
        student.wait_gone('Save Changes?', role='label')
        # Still open, with the socket it had.
        student.find('bind', role='push button')

        student.key('ctrl+w')
        student.click(student.find('Discard', role='push button'))
        self.assert_program_ends()


if __name__ == '__main__':
    studentgui.main()
