#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a validator and fails when it fails or when it warns.

    no-warnings.py COMMAND [ARG...]

desktop-file-validate exits 0 after a warning (a deprecated key, say); the
desktop file must have none. Hints, such as the one for an application in
more than one main category, are allowed.
"""

import subprocess
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    run = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, check=False)
    sys.stdout.write(run.stdout)
    warned = [line for line in run.stdout.splitlines()
              if ': warning: ' in line or ': error: ' in line]
    if run.returncode != 0:
        return run.returncode
    return 1 if warned else 0


if __name__ == '__main__':
    sys.exit(main())
