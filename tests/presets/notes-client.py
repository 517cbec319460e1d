#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the server a preset exports against the client program of the notes.

    notes-client.py PRESET-ID CLIENT SOCKET-ID

CLIENT is the notes' client, copied unchanged (tests/fixtures/notes/): it
sends b'?:', then each line typed at its input() prompt, until an empty
line. The preset's sends on SOCKET-ID are what it sends: the first is the
b'?:', the others are typed, each ended by Enter (which input() drops).
The exported server.py asserts what it received, so it exits 0 only if the
preset says what the notes' client really sends. The client's PORT is set
to the exported server's, the one line changed.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PRESETS = os.path.join(HERE, '..', '..', 'data', 'presets')
PORT_LINE = re.compile(r'^PORT = (\d+)', re.MULTILINE)


def load_run_exported():
    path = os.path.join(HERE, '..', 'peers', 'run-exported.py')
    spec = importlib.util.spec_from_file_location('run_exported', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def typed_input(preset, socket_id):
    """What a person types into the notes' client to send what the preset
    sends, or None if it starts with something other than b'?:'."""
    with open(os.path.join(PRESETS, preset + '.json'), encoding='utf-8') as f:
        steps = json.load(f)['steps']
    texts = [step['data']['text'] for step in steps
             if step.get('socket') == socket_id and step.get('call') in ('send', 'sendall')]
    if not texts or texts[0] != '?:':
        return None
    lines = [text[:-1] if text.endswith('\n') else text for text in texts[1:]]
    return ''.join(line + '\n' for line in lines) + '\n'


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    preset, client_path, socket_id = sys.argv[1:]
    run_exported = load_run_exported()

    typed = typed_input(preset, socket_id)
    if typed is None:
        print(f'{preset}: {socket_id} does not start by sending "?:" as the notes\' client does',
              file=sys.stderr)
        return 1

    with tempfile.TemporaryDirectory(prefix='sp-notes-') as directory:
        exported = subprocess.run(
            [os.environ['SP_EXECUTABLE'], '--export-python', 'preset:' + preset,
             '--output', directory], capture_output=True, text=True, timeout=30)
        if exported.returncode != 0:
            print(exported.stderr, file=sys.stderr)
            return 1
        with open(os.path.join(directory, 'server.py'), encoding='utf-8') as f:
            port = PORT_LINE.search(f.read()).group(1)
        with open(client_path, encoding='utf-8') as f:
            client, replaced = PORT_LINE.subn(f'PORT = {port}', f.read())
        if replaced != 1:
            print(f'{client_path}: no single "PORT = " line to point at the server',
                  file=sys.stderr)
            return 1
        with open(os.path.join(directory, 'notes-client.py'), 'w', encoding='utf-8') as f:
            f.write(client)

        print(f'typed into the notes\' client: {typed!r}')
        with tempfile.TemporaryFile() as keyboard:
            keyboard.write(typed.encode('utf-8'))
            keyboard.seek(0)
            server = run_exported.Script(directory, 'server.py')
            run_exported.wait_until_ready(server)
            scripts = [server]
            if server.process.poll() is None:
                scripts.append(run_exported.Script(directory, 'notes-client.py', stdin=keyboard))
            for script in reversed(scripts):
                script.wait()
        for script in scripts:
            script.report()
        return 0 if len(scripts) == 2 and all(script.ok() for script in scripts) else 1


if __name__ == '__main__':
    sys.exit(main())
