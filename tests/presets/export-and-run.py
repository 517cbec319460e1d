#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports a preset as Python and runs what was exported.

    export-and-run.py PRESET-ID

Runs `socket-playground --export-python preset:ID --output DIR` (the
executable comes from $SP_EXECUTABLE), then tests/peers/run-exported.py on
DIR: the exported server and client must both exit 0.
"""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_EXPORTED = os.path.join(HERE, '..', 'peers', 'run-exported.py')


def main():
    preset = sys.argv[1]
    executable = os.environ['SP_EXECUTABLE']
    with tempfile.TemporaryDirectory(prefix='sp-export-') as directory:
        exported = subprocess.run(
            [executable, '--export-python', 'preset:' + preset, '--output', directory],
            capture_output=True, text=True, timeout=30)
        print(exported.stdout, end='')
        if exported.returncode != 0:
            print(exported.stderr, file=sys.stderr)
            print(f'export of {preset} exited {exported.returncode}', file=sys.stderr)
            return 1
        scripts = sorted(os.listdir(directory))
        if not scripts:
            print(f'export of {preset} wrote no script', file=sys.stderr)
            return 1
        run = subprocess.run([sys.executable, RUN_EXPORTED, directory], timeout=60)
        return run.returncode


if __name__ == '__main__':
    sys.exit(main())
