#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks that the Flatpak manifests, the desktop file and the AppStream
metainfo name the same application as the build does.

    check-manifest.py MANIFEST LOCAL_MANIFEST APP_ID COMMAND VERSION DESKTOP_FILE METAINFO_FILE

MANIFEST is the one for Flathub: it builds a release, from the git tag
"v" + VERSION (Flathub builds tags or commits, never a branch or a local
tree). LOCAL_MANIFEST builds the working tree instead (a "dir" source) and
must otherwise be the same, so that what is tested locally is what ships.
DESKTOP_FILE and METAINFO_FILE are the built (translated) files.
"""

import configparser
import json
import re
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


GIT_URL = 'https://github.com/socketplayground/socket-playground.git'


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def check_manifest(path, manifest, app_id, command, problems):
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
        return None
    if app.get('run-tests') is not True:
        problems.append(f'{path}: the app module must set run-tests')
    return app.get('sources', [])


def check_release_sources(path, sources, version, problems):
    """One git source at the release's tag, as Flathub takes it."""
    if len(sources) != 1 or sources[0].get('type') != 'git':
        problems.append(f'{path}: the app module must be built from one git source')
        return
    source = sources[0]
    if source.get('url') != GIT_URL:
        problems.append(f'{path}: the git source url is {source.get("url")!r}, expected {GIT_URL}')
    if source.get('tag') != 'v' + version:
        problems.append(f'{path}: the git source tag is {source.get("tag")!r}, '
                        f'meson\'s version makes it {"v" + version!r}')
    # flatpak-builder checks that the tag still points at this commit
    commit = source.get('commit')
    if commit is not None and not re.fullmatch(r'[0-9a-f]{40}', commit):
        problems.append(f'{path}: the git source commit {commit!r} is not a full commit id')
    for key in ('branch', 'path'):
        if key in source:
            problems.append(f'{path}: the git source has a {key}: Flathub builds a tag or a '
                            f'commit of the published repository')


def check_local_sources(path, sources, problems):
    if sources != [{'type': 'dir', 'path': '..'}]:
        problems.append(f'{path}: the app module must be built from the local tree (dir "..")')


def without_app_sources(manifest):
    copy = json.loads(json.dumps(manifest))
    modules = copy.get('modules') or [{}]
    if isinstance(modules[-1], dict):
        modules[-1].pop('sources', None)
    return copy


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
    # AppStream 1.0 names the developer with an id; developer_name is
    # deprecated there, and Flathub shows the id's name.
    developer = root.find('developer')
    if developer is None or not developer.get('id') or not developer.findtext('name'):
        problems.append(f'{path}: no <developer id="…"><name>…</name></developer>')
    if root.find('developer_name') is not None:
        problems.append(f'{path}: developer_name is deprecated: name the developer in <developer>')


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    release_path, local_path, app_id, command, version, desktop, metainfo = sys.argv[1:]
    problems = []

    release = load(release_path)
    local = load(local_path)
    sources = check_manifest(release_path, release, app_id, command, problems)
    if sources is not None:
        check_release_sources(release_path, sources, version, problems)
    sources = check_manifest(local_path, local, app_id, command, problems)
    if sources is not None:
        check_local_sources(local_path, sources, problems)
    if without_app_sources(release) != without_app_sources(local):
        problems.append(f'{local_path}: differs from {release_path} in more than the app\'s '
                        f'sources')

    check_desktop(desktop, app_id, command, problems)
    check_metainfo(metainfo, app_id, command, problems)

    for problem in problems:
        print(problem, file=sys.stderr)
    print(f'{len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
