#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Presets menu shows preset titles as they are written (issue 14, item
4: "connect_ex" read "connectex", its "_" taken as a mnemonic)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402


class PresetsMenuTests(studentgui.TestCase):

    def test_underscores_in_titles(self):
        student = self.student
        student.click(student.find('Presets', role='push button'))
        item = student.find('connect_ex', role='menu item', exact=False)
        self.assertEqual(item.name, 'A loopback port scan with connect_ex')
        self.assertEqual(student.find_all('connectex', role='menu item', exact=False), [])

    def test_item_opens_its_preset(self):
        student = self.student
        student.click(student.find('Presets', role='push button'))
        student.click(student.find('connect_ex', role='menu item', exact=False))
        student.find('A loopback port scan with connect_ex — Socket Playground', role='frame')
        self.assertEqual(student.actions, 2)


if __name__ == '__main__':
    studentgui.main()
