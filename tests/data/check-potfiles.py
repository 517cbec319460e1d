#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that po/POTFILES.in lists exactly the files with translatable strings.

A file missing from the list ships untranslated; a listed file that is gone
breaks the template, and one without strings clutters it.

Usage: check-potfiles.py SOURCE_ROOT [--expect FILE]

With --expect, the check passes only when it finds exactly the problems
that FILE lists, one a line: the fixture test proves the check can fail.
"""

import pathlib
import re
import sys

# The keywords of meson's glib gettext preset, and xgettext's own for C.
C_MARKS = re.compile(r'(?<![A-Za-z0-9_])(?:N_|_|C_|NC_|Q_|g_dgettext|g_dcgettext|g_dngettext|'
                     r'g_dpgettext|g_dpgettext2|gettext|dgettext|ngettext|dngettext|'
                     r'pgettext) *\(')
# A mark in a comment or inside a string literal is not a mark.
C_TOKENS = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.S)
UI_MARKS = re.compile(r'translatable="(?:yes|true|1)"')
SCHEMA_MARKS = re.compile(r'gettext-domain=')


def strip_comments_and_strings(text):
    return C_TOKENS.sub(lambda m: ' ' if m.group(0).startswith('/') else m.group(0)[0] * 2, text)


def has_strings(path):
    text = path.read_text(encoding='utf-8', errors='replace')
    if path.suffix in ('.c', '.h'):
        return C_MARKS.search(strip_comments_and_strings(text)) is not None
    if path.suffix == '.ui':
        return UI_MARKS.search(text) is not None
    if path.name.endswith('.gschema.xml'):
        # Summaries are translated only when the schema names its domain.
        return SCHEMA_MARKS.search(text) is not None
    # Desktop entries and AppStream metainfo are translated as a whole
    # (i18n.merge_file in data/meson.build).
    return path.name.endswith(('.desktop.in', '.metainfo.xml.in'))


def candidates(root):
    for pattern in ('src/**/*.c', 'src/**/*.h', 'ui/**/*.ui', 'data/**/*.desktop.in',
                    'data/**/*.metainfo.xml.in', 'data/**/*.gschema.xml'):
        yield from root.glob(pattern)


def find_problems(root):
    listed = []
    for line in (root / 'po' / 'POTFILES.in').read_text(encoding='utf-8').splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            listed.append(line)

    wanted = {p.relative_to(root).as_posix() for p in candidates(root) if has_strings(p)}

    problems = []
    for name in sorted({name for name in listed if listed.count(name) > 1}):
        problems.append(f'po/POTFILES.in: {name} is listed more than once')
    for name in sorted(wanted - set(listed)):
        problems.append(f'{name}: has translatable strings but is not in po/POTFILES.in')
    for name in sorted(set(listed) - wanted):
        if not (root / name).is_file():
            problems.append(f'po/POTFILES.in: {name} does not exist')
        else:
            problems.append(f'po/POTFILES.in: {name} has no translatable strings')
    return listed, problems


def main(argv):
    root = pathlib.Path(argv[1]).resolve()
    expected = None
    if len(argv) == 4 and argv[2] == '--expect':
        expected = sorted(line for line in
                          pathlib.Path(argv[3]).read_text(encoding='utf-8').splitlines() if line)
    elif len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2

    listed, problems = find_problems(root)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(listed)} files listed, {len(problems)} problems')

    if expected is None:
        return 1 if problems else 0

    if sorted(problems) != expected:
        for line in sorted(set(expected) - set(problems)):
            print(f'not found: {line}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
