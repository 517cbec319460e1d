#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the keyboard shortcuts window lists the application's real
accelerators: every action given one in sp_application_startup has a
shortcut with that action-name (the window then shows the accelerator the
application set), and every action-name there has an accelerator.

    check-shortcuts.py SP_APPLICATION_C HELP_OVERLAY_UI
"""

import re
import sys
import xml.etree.ElementTree as ET

# { "win.open", { "<Control>o", NULL } },
ACCEL_ENTRY = re.compile(r'\{\s*"([a-z-]+\.[a-z:-]+)"\s*,\s*\{\s*"[^"]+"')


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, overlay = sys.argv[1:]

    with open(source, encoding='utf-8') as f:
        startup = f.read().split('sp_application_startup', 1)[-1]
    with_accels = set(ACCEL_ENTRY.findall(startup))
    if not with_accels:
        print(f'{source}: no accelerators found in sp_application_startup', file=sys.stderr)
        return 1

    listed = set()
    for shortcut in ET.parse(overlay).getroot().iter('object'):
        if shortcut.get('class') != 'GtkShortcutsShortcut':
            continue
        for prop in shortcut.findall('property'):
            if prop.get('name') == 'action-name':
                listed.add(prop.text)

    problems = [f'{overlay}: {action} has an accelerator but no shortcut here'
                for action in sorted(with_accels - listed)]
    problems += [f'{overlay}: {action} is listed but has no accelerator in {source}'
                 for action in sorted(listed - with_accels)]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(with_accels)} accelerators, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
