#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The built-in presets from the command line: --list-presets, every preset
replayed with --headless (plain and JSON output checked line by line), and
every preset exported with --export-python into scripts that compile.

Running the exported scripts, server then client, is tests/presets: one
meson test per preset.
"""

import os
import py_compile
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402

REQUIRED = ('tcp-echo', 'udp', 'http-get', 'errors', 'port-scan', 'unix-echo', 'ipv6-echo')

class PresetTests(cliutil.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.presets = cliutil.list_presets()

    def test_list_presets(self):
        result = cliutil.run(['--list-presets'])
        self.assertExit(result, 0, '--list-presets')
        self.assertEqual(result.stderr, '', 'nothing on stderr')
        lines = [line for line in result.stdout.splitlines() if line.strip()]
        self.assertGreaterEqual(len(lines), 15, 'at least 15 presets' + result.describe())
        ids = []
        for line in lines:
            match = re.match(r'^([a-z0-9][a-z0-9-]*)\s+(\S.*)$', line)
            self.assertIsNotNone(match, f'not "ID  Title": {line!r}')
            ids.append(match.group(1))
        self.assertEqual(len(ids), len(set(ids)), 'preset ids are unique')
        for wanted in REQUIRED:
            self.assertIn(wanted, ids, f'preset {wanted} is listed')

    def test_every_preset_runs_headless(self):
        self.assertGreaterEqual(len(self.presets), 15)
        for preset, title in self.presets:
            with self.subTest(preset=preset):
                result = cliutil.run(['--headless', f'preset:{preset}'], timeout=60)
                self.assertExit(result, 0, f'preset:{preset}')
                lines = result.stdout.splitlines()
                self.assertTrue(lines, f'preset:{preset} printed no event')
                for line in lines:
                    self.assertTrue(cliutil.PLAIN_CALL_RE.match(line)
                                    or cliutil.PLAIN_NOTE_RE.match(line),
                                    f'preset:{preset}: not a plain output line: {line!r}')

    def test_every_preset_runs_headless_json(self):
        for preset, title in self.presets:
            with self.subTest(preset=preset):
                result = cliutil.run(['--headless', f'preset:{preset}', '--json'], timeout=60)
                self.assertExit(result, 0, f'preset:{preset} --json')
                events = cliutil.json_lines(result.stdout)
                self.assertTrue(events)
                for event in events:
                    missing = [k for k in cliutil.REQUIRED_JSON_KEYS if k not in event]
                    self.assertFalse(missing, f'preset:{preset}: {missing} missing in {event}')

    def test_every_preset_exports_python_that_compiles(self):
        # Running the exported scripts is tests/presets (one meson test per preset).
        for preset, _ in self.presets:
            with self.subTest(preset=preset):
                out = os.path.join(self.tmp, 'export-' + preset)
                result = cliutil.run(['--export-python', f'preset:{preset}', '--output', out])
                self.assertExit(result, 0, f'--export-python preset:{preset}')
                scripts = [n for n in os.listdir(out) if n.endswith('.py')]
                self.assertTrue(set(scripts) & {'server.py', 'client.py'},
                                f'preset:{preset} exported {scripts}, no server.py/client.py')
                for name in scripts:
                    self.assertIn(os.path.join(out, name), result.stdout,
                                  'the export names the files it wrote' + result.describe())
                    py_compile.compile(os.path.join(out, name), doraise=True,
                                       cfile=os.path.join(self.tmp, f'{preset}-{name}c'))

    def test_export_needs_output(self):
        result = cliutil.run(['--export-python', 'preset:tcp-echo'])
        self.assertExit(result, 2, '--export-python without --output')
        self.assertIn('--output', result.stderr)


if __name__ == '__main__':
    cliutil.main()
