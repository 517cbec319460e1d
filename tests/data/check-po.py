#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check every translation that po/LINGUAS lists with msgfmt.

`msgfmt -c --check-format` must accept each po file without an error or a
warning: a format specifier a translation drops or changes would crash the
program or print garbage, and a broken header or plural form loses the
translation. po/LINGUAS and the po files must agree.

Usage: check-po.py MSGFMT PO_DIR [--expect-rejected]

With --expect-rejected, the check passes only when msgfmt rejects every po
file listed: the fixture test proves that the check can fail.
"""

import os
import pathlib
import subprocess
import sys


def read_linguas(po_dir):
    languages = []
    for line in (po_dir / 'LINGUAS').read_text(encoding='utf-8').splitlines():
        line = line.split('#', 1)[0]
        languages += line.split()
    return languages


def main(argv):
    if len(argv) not in (3, 4) or (len(argv) == 4 and argv[3] != '--expect-rejected'):
        print(__doc__, file=sys.stderr)
        return 2
    msgfmt = argv[1]
    po_dir = pathlib.Path(argv[2])
    expect_rejected = len(argv) == 4

    languages = read_linguas(po_dir)
    problems = []
    for name in sorted({lang for lang in languages if languages.count(lang) > 1}):
        problems.append(f'po/LINGUAS: {name} is listed more than once')
    for po in sorted(po_dir.glob('*.po')):
        if po.stem not in languages:
            problems.append(f'{po.name}: not listed in po/LINGUAS')

    # msgfmt's own messages in English, whatever the test's locale.
    env = dict(os.environ, LC_ALL='C', LANGUAGE='')
    rejected = []
    for lang in sorted(set(languages)):
        po = po_dir / f'{lang}.po'
        if not po.is_file():
            problems.append(f'po/LINGUAS: {lang} has no {po.name}')
            continue
        result = subprocess.run([msgfmt, '-c', '--check-format', '-o', os.devnull, str(po)],
                                env=env, capture_output=True, text=True)
        output = result.stderr.strip()
        if result.returncode != 0 or output:
            rejected.append(lang)
            print(f'{po.name}: msgfmt exited with {result.returncode}', file=sys.stderr)
            print(output, file=sys.stderr)
        else:
            print(f'{po.name}: ok')

    for problem in problems:
        print(problem, file=sys.stderr)

    if expect_rejected:
        accepted = sorted(set(languages) - set(rejected))
        if not languages or accepted or problems:
            print(f'expected msgfmt to reject every po file; accepted: {accepted}',
                  file=sys.stderr)
            return 1
        return 0
    return 1 if problems or rejected else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
