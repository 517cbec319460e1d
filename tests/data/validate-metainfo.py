#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates the AppStream metainfo strictly, as Flathub does.

    validate-metainfo.py APPSTREAMCLI METAINFO_FILE

Runs `appstreamcli validate --no-net --strict --explain`. The metainfo
names its developer as AppStream 1.0 does (<developer id="…"><name>),
which AppStream before 1.0 (Debian 12 ships 0.16) does not know and
reports as an "unknown-tag". With such a validator, that one issue is
let through and every other issue still fails; from 1.0 on, nothing is.
"""

import re
import subprocess
import sys

# (tag, hint) of the issues a validator before 1.0 reports on valid 1.0 data
PREDATES_1_0 = {('unknown-tag', 'developer')}


def validator_version(appstreamcli):
    out = subprocess.run([appstreamcli, '--version'], capture_output=True, text=True).stdout
    match = re.search(r'(\d+)\.(\d+)', out)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def issues(appstreamcli, path):
    """(tag, severity, hint) of each issue, from the YAML report."""
    report = subprocess.run([appstreamcli, 'validate', '--no-net', '--format', 'yaml', path],
                            capture_output=True, text=True).stdout
    found = []
    for entry in re.split(r'^- ', report, flags=re.MULTILINE)[1:]:
        fields = dict(re.findall(r'^\s*(tag|severity|hint): (.*)$', entry, re.MULTILINE))
        found.append((fields.get('tag'), fields.get('severity'), fields.get('hint', '').strip()))
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    appstreamcli, path = sys.argv[1:]

    strict = subprocess.run([appstreamcli, 'validate', '--no-net', '--strict', '--explain', path],
                            capture_output=True, text=True)
    print(strict.stdout + strict.stderr, end='')
    if strict.returncode == 0:
        return 0

    version = validator_version(appstreamcli)
    if version >= (1, 0):
        return 1
    failing = [issue for issue in issues(appstreamcli, path)
               if issue[1] != 'pedantic' and (issue[0], issue[2]) not in PREDATES_1_0]
    if failing:
        return 1
    print(f'appstreamcli {version[0]}.{version[1]} predates AppStream 1.0: '
          f'let through only {sorted(PREDATES_1_0)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
