#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Installs the MIME type into a scratch database and checks what GIO makes
of session files: *.sockplay is a session, a session without a known
extension is recognised by its content, and a session is a kind of JSON
(so that a *.json session can still be opened).

    check-mime.py MIME_XML SESSION_FILE
"""

import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

SKIP = 77
SESSION_TYPE = 'application/x-socket-playground-session'


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    mime_xml, session = sys.argv[1:]

    update = shutil.which('update-mime-database')
    if update is None:
        print('update-mime-database is not installed (shared-mime-info)', file=sys.stderr)
        return SKIP

    with tempfile.TemporaryDirectory() as data_dir:
        packages = pathlib.Path(data_dir, 'mime', 'packages')
        packages.mkdir(parents=True)
        shutil.copy(mime_xml, packages / 'io.github.socketplayground.SocketPlayground.xml')
        # update-mime-database refuses a malformed package with a message.
        subprocess.run([update, str(packages.parent)], check=True)

        # GIO reads the MIME database once per process: ask a fresh one.
        os.environ['XDG_DATA_DIRS'] = data_dir + ':' + os.environ.get('XDG_DATA_DIRS',
                                                                      '/usr/share')
        probe = subprocess.run([sys.executable, '-c', PROBE, session],
                               stdout=subprocess.PIPE, text=True, check=False)
        if probe.returncode == SKIP:
            print('python3-gi is not installed', file=sys.stderr)
            return SKIP
        lines = probe.stdout.splitlines()

    wanted = [
        ('*.sockplay by name', SESSION_TYPE),
        ('a session without an extension, by content', SESSION_TYPE),
        ('a session is a kind of application/json', 'True'),
    ]
    problems = 0
    for (what, expected), got in zip(wanted, lines + [''] * len(wanted)):
        ok = got == expected
        problems += not ok
        print(f'{"ok" if ok else "FAIL"}: {what}: {got!r}')
    return 1 if problems else 0


PROBE = '''
import sys
try:
    from gi.repository import Gio
except ImportError:
    sys.exit(77)
data = open(sys.argv[1], 'rb').read()
print(Gio.content_type_guess('lecture.sockplay', None)[0])
print(Gio.content_type_guess('lecture', data)[0])
print(Gio.content_type_is_a('application/x-socket-playground-session', 'application/json'))
'''

if __name__ == '__main__':
    sys.exit(main())
