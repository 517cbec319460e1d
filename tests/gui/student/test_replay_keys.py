#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""F10 runs the next step and Ctrl+Return every remaining step, as the
README, the tooltips and the shortcuts window say, whether the main menu is
open or not (issue 14, item 2: F10 opened the main menu instead, and with the
menu open neither key did anything)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402

N_STEPS = 12  # data/presets/tcp-echo.json


class ReplayKeyTests(studentgui.TestCase):

    def setUp(self):
        super().setUp()
        student = self.student
        student.click(student.find('Open the Echo Preset', role='push button'))
        student.find(f'0 of {N_STEPS} steps run', role='label')

    def open_main_menu(self):
        student = self.student
        student.click(student.find('Main Menu', role='push button'))
        student.find('Keyboard Shortcuts', role='menu item')

    def assert_menu_closed(self):
        self.student.wait_gone('Keyboard Shortcuts', role='menu item')
        self.assertNotIn('expanded', self.student.find('Main Menu', role='push button').states())

    def test_f10_with_the_menu_closed(self):
        self.student.key('F10')
        self.student.find(f'1 of {N_STEPS} steps run', role='label')
        self.assertEqual(self.student.find_all('Keyboard Shortcuts', role='menu item'), [])
        self.assertNotIn('expanded', self.student.find('Main Menu', role='push button').states())

    def test_f10_with_the_menu_open(self):
        self.open_main_menu()
        self.student.key('F10')
        self.student.find(f'1 of {N_STEPS} steps run', role='label')
        # The menu closes, as choosing one of its items would close it.
        self.assert_menu_closed()

    def test_ctrl_return_with_the_menu_closed(self):
        self.student.key('ctrl+Return')
        self.student.find(f'{N_STEPS} of {N_STEPS} steps run', role='label')

    def test_ctrl_return_with_the_menu_open(self):
        self.open_main_menu()
        self.student.key('ctrl+Return')
        self.student.find(f'{N_STEPS} of {N_STEPS} steps run', role='label')
        self.assert_menu_closed()

    def test_menu_key(self):
        # The main menu's own key, which the shortcuts window lists.
        self.student.key('ctrl+F10')
        self.student.find('Keyboard Shortcuts', role='menu item')
        self.student.find(f'0 of {N_STEPS} steps run', role='label')
        self.student.key('Escape')
        self.assert_menu_closed()


if __name__ == '__main__':
    studentgui.main()
