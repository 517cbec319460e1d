#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that every icon-only button in the GtkBuilder files has a name.

A GtkButton, GtkToggleButton or GtkMenuButton that shows only an icon
(its icon-name property) has no text for a screen reader to speak: Orca
announces it as "GtkImage" or "GtkMenuButton", whatever its tooltip says.
Each must carry an accessible name:

    <accessibility>
      <property name="label" translatable="yes">Export the Traffic Log</property>
    </accessibility>

or a labelled-by relation to a label on screen.

Usage: check-a11y.py UI_DIR [--expect-rejected]

With --expect-rejected, the check passes only when it finds a button
without a name: the fixture test proves that the check can fail.
"""

import pathlib
import sys
import xml.etree.ElementTree as ET

BUTTON_CLASSES = {'GtkButton', 'GtkToggleButton', 'GtkMenuButton'}

# Known offenders, as (file, icon name); none may be added. An entry that
# no longer matches is reported, to be removed.
ALLOWED = set()


def has_name(obj):
    accessibility = obj.find('accessibility')
    if accessibility is None:
        return False
    for prop in accessibility.findall('property'):
        if prop.get('name') == 'label' and (prop.text or '').strip():
            return True
    for relation in accessibility.findall('relation'):
        if relation.get('name') == 'labelled-by' and (relation.text or '').strip():
            return True
    return False


def icon_name(obj):
    for prop in obj.findall('property'):
        if prop.get('name') == 'icon-name' and (prop.text or '').strip():
            return prop.text.strip()
    return None


def unnamed_buttons(ui_dir):
    """(file, class, id, icon name) of each icon-only button without a name."""
    for path in sorted(ui_dir.glob('*.ui')):
        root = ET.parse(path).getroot()
        for obj in root.iter('object'):
            if obj.get('class') not in BUTTON_CLASSES:
                continue
            icon = icon_name(obj)
            if icon is not None and not has_name(obj):
                yield path.name, obj.get('class'), obj.get('id'), icon


def main(argv):
    if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != '--expect-rejected'):
        print(__doc__, file=sys.stderr)
        return 2
    ui_dir = pathlib.Path(argv[1])
    expect_rejected = len(argv) == 3

    problems = []
    allowed_seen = set()
    for name, cls, widget_id, icon in unnamed_buttons(ui_dir):
        if not expect_rejected and (name, icon) in ALLOWED:
            allowed_seen.add((name, icon))
            continue
        problems.append(f'{name}: {cls}{" " + widget_id if widget_id else ""} with icon '
                        f'{icon} has no accessible label or labelled-by relation')

    if not expect_rejected:
        for name, icon in sorted(ALLOWED - allowed_seen):
            print(f'note: {name}: the button with icon {icon} has a name now; '
                  'remove it from ALLOWED')

    if expect_rejected:
        if not problems:
            print(f'{ui_dir}: expected a button without a name, found none', file=sys.stderr)
            return 1
        for problem in problems:
            print(f'rejected as expected: {problem}')
        return 0

    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
