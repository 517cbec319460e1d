#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Options as every command-line program takes them (DESIGN.md, "Command
line"): --help lists them all, whatever else is given; they come in any
order, before or after FILE; an unknown option, an option that does not go
with the command, and a FILE too many or missing are refused with exit
status 2 and a message that names them.
"""

import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import fixture  # noqa: E402

OPTIONS = ('--headless', '--export-python', '--list-presets', '--json', '--export-log',
           '--output', '--step-delay', '--data-limit', '--allow-remote', '--time-limit',
           '--version', '--help')


# What --help says in each language, as po/LANG.po translates it: the summary
# and two option descriptions, and the English it replaces.
HELP_TRANSLATIONS = {
    'de': ('Echte Sockets Aufruf für Aufruf erstellen.',
           'Eine Sitzung ohne Fenster wiedergeben und jedes Ereignis ausgeben',
           'Die Optionen anzeigen'),
    'es': ('Cree sockets reales llamada a llamada.',
           'Reproducir una sesión sin ventana e imprimir cada evento',
           'Mostrar las opciones'),
}
HELP_ENGLISH = ('Make real sockets one call at a time.',
                'Replay a session without a window and print each event',
                'Show the options')


class HelpTests(cliutil.TestCase):

    def test_help_lists_every_option(self):
        result = cliutil.run(['--help'])
        self.assertExit(result, 0, '--help')
        self.assertEqual(result.stderr, '')
        for option in OPTIONS:
            self.assertRegex(result.stdout, rf'(?m)^\s+(?:-\w, )?{option}\b',
                             f'--help lists {option}' + result.describe())
        self.assertIn('FILE', result.stdout, 'and the session argument')

    def test_help_is_translated(self):
        # SP_TEST_LOCALEDIR (tests/cli/meson.build) names the build's catalogs;
        # gettext heeds LANGUAGE in any locale but C, and C.UTF-8 always exists.
        self.assertTrue(os.environ.get('SP_TEST_LOCALEDIR'), 'run with meson test')
        for language, expected in HELP_TRANSLATIONS.items():
            with self.subTest(language=language):
                result = cliutil.run(['--help'], env=cliutil.headless_env(
                    LANGUAGE=language, LC_ALL='C.UTF-8'))
                self.assertExit(result, 0, f'LANGUAGE={language} --help')
                for text in expected:
                    self.assertIn(text, result.stdout, result.describe())
                for text in HELP_ENGLISH:
                    self.assertNotIn(text, result.stdout, result.describe())

    def test_help_wins_over_other_options(self):
        plain = cliutil.run(['--help'])
        echo = fixture('sessions', 'echo-local.json')
        for args in (['--headless', '--help'],
                     ['-h'],
                     ['--headless', echo, '--json', '--help'],
                     ['--export-python', '--help'],
                     ['--help', '--list-presets'],
                     ['--json', '--help'],
                     ['--version', '--help']):
            with self.subTest(args=' '.join(args)):
                result = cliutil.run(args)
                self.assertExit(result, 0, ' '.join(args))
                self.assertEqual(result.stdout, plain.stdout, 'the same help' + result.describe())
                self.assertEqual(result.stderr, '', result.describe())


class OrderTests(cliutil.TestCase):

    def shape(self, result):
        """What a --json run did, without its times and port numbers."""
        return [(e['seq'], e['step'], e['socket'], e['call'], e['ok'], e['bytes'])
                for e in cliutil.json_lines(result.stdout)]

    def test_options_in_any_order(self):
        echo = fixture('sessions', 'echo-local.json')
        reference = cliutil.run(['--headless', echo, '--json'])
        self.assertExit(reference, 0, '--headless FILE --json')
        expected = self.shape(reference)
        self.assertGreaterEqual(len(expected), 10)
        for args in (['--headless', '--json', echo],
                     ['--json', '--headless', echo],
                     [echo, '--json', '--headless'],
                     ['--headless=' + echo, '--json'],
                     ['--json', '--headless', '--', echo]):
            with self.subTest(args=' '.join(args)):
                result = cliutil.run(args)
                self.assertExit(result, 0, ' '.join(args))
                self.assertEqual(self.shape(result), expected, result.describe())

    def test_values_in_any_order(self):
        output = os.path.join(self.tmp, 'log.csv')
        result = cliutil.run(['--output', output, '--export-log', 'csv', '--headless',
                              fixture('sessions', 'five-steps.json'), '--step-delay', '1'])
        self.assertExit(result, 0, '--output before --export-log and --headless')
        self.assertTrue(os.path.exists(output), result.describe())

    def test_after_dashes_a_file_may_look_like_an_option(self):
        shutil.copy(fixture('sessions', 'echo-local.json'), os.path.join(self.tmp, '--json'))
        result = cliutil.run(['--headless', '--', '--json'], cwd=self.tmp)
        self.assertExit(result, 0, 'a session file named --json after --')
        self.assertRegex(result.stdout.splitlines()[0], cliutil.PLAIN_CALL_RE,
                         'plain output: --json after -- is the file, not the option')


class RefusedTests(cliutil.TestCase):

    def assertRefused(self, args, *needles):
        result = cliutil.run(args)
        self.assertExit(result, 2, ' '.join(args))
        self.assertEqual(result.stdout, '', 'refused before running anything' + result.describe())
        for needle in needles:
            self.assertIn(needle, result.stderr, result.describe())
        return result

    def test_unknown_option_is_named(self):
        echo = fixture('sessions', 'echo-local.json')
        self.assertRefused(['--headless', echo, '--no-such-option'], '--no-such-option')
        self.assertRefused(['--jsn', '--headless', echo], '--jsn')
        self.assertRefused(['--frobnicate'], '--frobnicate')

    def test_output_without_export_log(self):
        output = os.path.join(self.tmp, 'log.jsonl')
        self.assertRefused(['--headless', fixture('sessions', 'echo-local.json'),
                            '--output', output], '--output', '--export-log')
        self.assertFalse(os.path.exists(output))

    def test_options_that_do_not_go_with_the_command(self):
        echo = fixture('sessions', 'echo-local.json')
        out = os.path.join(self.tmp, 'out')
        cases = [
            (['--export-python', echo, '--output', out, '--json'], '--json'),
            (['--export-python', echo, '--output', out, '--export-log', 'csv'], '--export-log'),
            (['--export-python', echo, '--output', out, '--allow-remote'], '--allow-remote'),
            (['--list-presets', '--step-delay', '5'], '--step-delay'),
            (['--list-presets', '--data-limit', '5'], '--data-limit'),
            (['--version', '--output', out], '--output'),
            (['--json'], '--json'),
            (['--step-delay', '5', echo], '--step-delay'),
        ]
        for args, option in cases:
            with self.subTest(args=' '.join(args)):
                self.assertRefused(args, option)
                self.assertFalse(os.path.exists(out), 'nothing written')

    def test_one_file(self):
        echo = fixture('sessions', 'echo-local.json')
        other = fixture('sessions', 'five-steps.json')
        self.assertRefused(['--headless', echo, other], other)
        self.assertRefused(['--headless', '--json', echo, '--', other], other)
        self.assertRefused(['--export-python', echo, other, '--output', self.tmp], other)
        self.assertRefused(['--headless'], 'FILE')
        self.assertRefused(['--headless', '--json'], 'FILE')
        self.assertRefused(['--export-python', '--output', self.tmp], 'FILE')
        self.assertRefused(['--list-presets', echo], echo)
        self.assertRefused(['--version', echo], echo)


if __name__ == '__main__':
    cliutil.main()
