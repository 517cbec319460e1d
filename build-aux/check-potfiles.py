#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that po/POTFILES.in lists exactly the files with translatable strings.

A file missing from the list would ship untranslatable; a listed file that is
gone or holds no strings breaks or clutters the template.
Usage: check-potfiles.py SOURCE_ROOT
"""

import pathlib
import re
import sys

C_MARKS = re.compile(r'(?<![A-Za-z0-9_])(?:N_|_|C_|NC_|g_dngettext|ngettext) ?\(')
UI_MARKS = re.compile(r'translatable="(?:yes|true|1)"')


def has_strings(path):
    text = path.read_text(encoding='utf-8', errors='replace')
    if path.suffix in ('.c', '.h'):
        return C_MARKS.search(text) is not None
    if path.suffix == '.ui':
        return UI_MARKS.search(text) is not None
    # Desktop entries and AppStream metainfo are translatable as a whole.
    return path.name.endswith(('.desktop.in', '.metainfo.xml.in'))


def candidates(root):
    for pattern in ('src/**/*.c', 'src/**/*.h', 'ui/**/*.ui',
                    'data/**/*.desktop.in', 'data/**/*.metainfo.xml.in'):
        yield from root.glob(pattern)


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    listed = set()
    for line in (root / 'po' / 'POTFILES.in').read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            listed.add(line)

    wanted = {p.relative_to(root).as_posix() for p in candidates(root) if has_strings(p)}

    problems = []
    for name in sorted(wanted - listed):
        problems.append(f'{name}: has translatable strings but is not in po/POTFILES.in')
    for name in sorted(listed - wanted):
        if not (root / name).exists():
            problems.append(f'po/POTFILES.in: {name} does not exist')
        else:
            problems.append(f'po/POTFILES.in: {name} has no translatable strings')

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(listed)} files listed, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
