#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Steps that no socket's page has a button for, made by hand from the
steps panel's Add Step menu (issue 14: "No call ever needs JSON typed by
hand"): a note and a gethostbyname('localhost'), read back from the steps
panel and the traffic log; errors that name their field; a serve on the
listener the form offers."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import studentgui  # noqa: E402
import studentsteps  # noqa: E402


def open_form(student, call):
    """Opens the Add Step menu and the form of `call` (the keyboard goes
    to its first field)."""
    student.click(studentsteps.control(student, 'Add Step', 'push button'))
    student.click(student.find(call, role='push button'))
    studentsteps.control(student, 'Add the Step', 'push button')


class AddStepByHandTests(studentgui.TestCase):

    def test_note_and_lookup(self):
        """A note typed in its form, then gethostbyname of localhost: both
        run at once, the steps panel lists them, and the traffic log shows
        the note and the address the name has."""
        student = self.student
        open_form(student, 'note')
        student.type_text('Names are looked up first')
        student.key('Return')
        student.wait_gone('Add a Step', role='dialog')
        self.assertEqual(studentsteps.in_steps_panel(student, 'Names are'),
                         'Names are looked up first')
        row = studentsteps.find_log_row(student, '', '')
        self.assertEqual((row['Direction'], row['Preview']), ('note', 'Names are looked up first'))

        open_form(student, 'gethostbyname')
        student.type_text('localhost')
        student.key('Return')
        self.assertEqual(studentsteps.in_steps_panel(student, 'gethostbyname'), 'gethostbyname')
        self.assertEqual(studentsteps.in_steps_panel(student, 'host '), 'host localhost')
        row = studentsteps.find_log_row(student, '', 'gethostbyname')
        self.assertEqual(row['Call'], "gethostbyname('localhost')")
        self.assertEqual(row['Preview'], '127.0.0.1')
        studentsteps.progress(student, 2, 2)
        # Menu, note, text, Enter; menu, gethostbyname, name, Enter.
        self.assertLessEqual(student.actions, 8)

    def test_errors_name_the_field(self):
        """A sleep of "soon" and a note with no text are refused, each with
        a message that names its field, on screen and to a screen reader;
        no step is made."""
        student = self.student
        open_form(student, 'sleep')
        field = studentsteps.control(student, 'Milliseconds to sleep', 'text')
        student.key('ctrl+a')
        student.type_text('soon')
        student.key('Return')
        message = 'Milliseconds: must be a whole number from 0 to 3600000'
        student.find(message, role='label')
        self.assertEqual(field.description(), message)

        student.click(student.find('Back to the Calls', role='push button'))
        student.click(student.find('note', role='push button'))
        student.click(studentsteps.control(student, 'Add the Step', 'push button'))
        student.find('Text: enter what the note says', role='label')
        self.assertEqual(studentsteps.control(student, 'Note text', 'text').description(),
                         'Text: enter what the note says')

        student.key('Escape')
        student.wait_gone('Add a Step', role='dialog')
        student.find('No Steps', role='panel')

    def test_serve_on_the_listener(self):
        """A listening server serves one connection in echo mode: the form
        offers it as the listener, and the connections typed in go into
        the step."""
        student = self.student
        studentsteps.add_socket(student, 'server', suggested=True)
        studentsteps.call(student, 'bind')
        studentsteps.call(student, 'listen')
        studentsteps.page(student, 'server', 'listening')

        open_form(student, 'serve')
        self.assertEqual(studentsteps.dropdown_labels(student, 'Listener socket'), ['server'])
        student.click(studentsteps.control(student, 'Connections to serve', 'text'))
        student.type_text('1')
        student.key('Return')
        student.wait_gone('Add a Step', role='dialog')
        self.assertEqual(studentsteps.in_steps_panel(student, 'server · serve'), 'server · serve')
        self.assertEqual(studentsteps.in_steps_panel(student, 'mode '), 'mode echo, connections 1')
        studentsteps.progress(student, 3, 3)


if __name__ == '__main__':
    studentgui.main()
