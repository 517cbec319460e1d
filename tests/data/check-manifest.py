#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the Flatpak manifest, the desktop file and the AppStream
metainfo name the same application as the build does.

    check-manifest.py MANIFEST APP_ID COMMAND DESKTOP_FILE METAINFO_FILE

DESKTOP_FILE and METAINFO_FILE are the built (translated) files.
"""

import configparser
import json
import shlex
import sys
import xml.etree.ElementTree as ET

FINISH_ARGS = [
    '--share=network',
    '--share=ipc',
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',
]


def check_manifest(path, app_id, command, problems):
    with open(path, encoding='utf-8') as f:
        manifest = json.load(f)

    found_id = manifest.get('app-id', manifest.get('id'))
    if found_id != app_id:
        problems.append(f'{path}: app-id is {found_id!r}, meson says {app_id!r}')
    if manifest.get('command') != command:
        problems.append(f'{path}: command is {manifest.get("command")!r}, meson says {command!r}')
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        problems.append(f'{path}: runtime and sdk must be org.gnome.Platform and org.gnome.Sdk')
    if manifest.get('finish-args') != FINISH_ARGS:
        problems.append(f'{path}: finish-args are {manifest.get("finish-args")!r}, '
                        f'expected exactly {FINISH_ARGS!r}')

    modules = manifest.get('modules') or [{}]
    app = modules[-1]
    if not isinstance(app, dict) or app.get('buildsystem') != 'meson':
        problems.append(f'{path}: the last module must build the app with meson')
        return
    if {'type': 'dir', 'path': '..'} not in app.get('sources', []):
        problems.append(f'{path}: the app module must be built from the local tree (dir "..")')
    if app.get('run-tests') is not True:
        problems.append(f'{path}: the app module must set run-tests')


def check_desktop(path, app_id, command, problems):
    entry = configparser.ConfigParser(interpolation=None, strict=False)
    entry.optionxform = str
    entry.read(path, encoding='utf-8')
    group = entry['Desktop Entry']

    exec_line = shlex.split(group.get('Exec', ''))
    if not exec_line or exec_line[0] != command:
        problems.append(f'{path}: Exec runs {exec_line[:1]!r}, meson builds {command!r}')
    if group.get('Icon') != app_id:
        problems.append(f'{path}: Icon is {group.get("Icon")!r}, expected {app_id!r}')
    mime_types = group.get('MimeType', '').split(';')
    if 'application/x-socket-playground-session' not in mime_types:
        problems.append(f'{path}: MimeType does not list application/x-socket-playground-session')
    # Claiming a general type makes file managers offer the app for every
    # file of it; a session is recognised by its own type (the MIME XML).
    for general in ('application/json', 'text/plain'):
        if general in mime_types:
            problems.append(f'{path}: MimeType claims {general}: list only the session type')


def check_metainfo(path, app_id, command, problems):
    root = ET.parse(path).getroot()

    if root.findtext('id') != app_id:
        problems.append(f'{path}: id is {root.findtext("id")!r}, expected {app_id!r}')
    launchable = root.findtext("launchable[@type='desktop-id']")
    if launchable != app_id + '.desktop':
        problems.append(f'{path}: launchable is {launchable!r}, expected {app_id}.desktop')
    if command not in [b.text for b in root.findall('provides/binary')]:
        problems.append(f'{path}: provides no binary {command!r}')


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    manifest, app_id, command, desktop, metainfo = sys.argv[1:]
    problems = []

    check_manifest(manifest, app_id, command, problems)
    check_desktop(desktop, app_id, command, problems)
    check_metainfo(metainfo, app_id, command, problems)

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
