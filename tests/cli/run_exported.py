#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the scripts that `socket-playground --export-python` wrote.

    run_exported.py [--keep-ports] DIR

Starts DIR/server.py (if there is one), waits until that process holds a
listening TCP socket, a bound UDP socket or a bound UNIX socket (found through
/proc), then runs DIR/client.py. Each script gets 20 seconds and must exit 0.

The exporter writes fixed ports (and fixed UNIX names) into the scripts. Tests
run in parallel, with other engineers' tests on the same machine, and a
previous run leaves the port in TIME_WAIT, so unless --keep-ports is given
the scripts are first copied with those ports and names replaced by free ones.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

TIMEOUT = 20.0
READY_TIMEOUT = 5.0


def _free_port(ipv6=False):
    family = socket.AF_INET6 if ipv6 else socket.AF_INET
    host = '::1' if ipv6 else '127.0.0.1'
    for _ in range(50):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError('no free port')


def fixed_endpoints(server_text):
    """The ports (>= 1024) and UNIX names a server script binds literally."""
    ports = set()
    for match in re.finditer(r'^PORT\s*=\s*(\d+)', server_text, re.M):
        ports.add(int(match.group(1)))
    for match in re.finditer(r'\.bind\(\([^()]*?,\s*(\d+)\s*(?:,[^()]*)?\)\)', server_text):
        ports.add(int(match.group(1)))
    ports = {p for p in ports if 1024 <= p <= 65535}
    abstract = set(re.findall(r"'\\0([^'\\]+)'", server_text))
    paths = set(re.findall(r"^\w*PATH\w*\s*=\s*'(/[^']+)'", server_text, re.M))
    return ports, abstract, paths


def remap(directory, target):
    """Copies DIRECTORY's scripts to TARGET with fresh ports and names.
    Returns a description of the changes."""
    names = [n for n in os.listdir(directory) if n.endswith('.py')]
    texts = {}
    for name in names:
        with open(os.path.join(directory, name), encoding='utf-8') as f:
            texts[name] = f.read()
    changes = []
    if 'server.py' in texts:
        ports, abstract, paths = fixed_endpoints(texts['server.py'])
        ipv6 = "'::1'" in texts['server.py'] or "'::'" in texts['server.py']
        for port in sorted(ports):
            new = _free_port(ipv6 and _ipv6_ok())
            changes.append(f'port {port} -> {new}')
            for name in texts:
                texts[name] = re.sub(rf'(?<![\d.]){port}(?![\d.])', str(new), texts[name])
        for old in sorted(abstract):
            new = f'{old}-{uuid.uuid4().hex[:8]}'
            changes.append(f'abstract name {old} -> {new}')
            for name in texts:
                texts[name] = texts[name].replace(f"'\\0{old}'", f"'\\0{new}'")
        for old in sorted(paths):
            new = os.path.join(target, 'sock-' + os.path.basename(old))
            changes.append(f'path {old} -> {new}')
            for name in texts:
                texts[name] = texts[name].replace(f"'{old}'", f"'{new}'")
    os.makedirs(target, exist_ok=True)
    for name, text in texts.items():
        with open(os.path.join(target, name), 'w', encoding='utf-8') as f:
            f.write(text)
    return changes


def _ipv6_ok():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(('::1', 0))
        return True
    except OSError:
        return False


# Readiness through /proc

def _socket_inodes(pid):
    inodes = set()
    try:
        for fd in os.listdir(f'/proc/{pid}/fd'):
            try:
                link = os.readlink(f'/proc/{pid}/fd/{fd}')
            except OSError:
                continue
            if link.startswith('socket:['):
                inodes.add(link[8:-1])
    except OSError:
        pass
    return inodes


def _rows(name):
    try:
        with open(f'/proc/net/{name}') as f:
            return [line.split() for line in f.readlines()[1:]]
    except OSError:
        return []


def server_ready(pid):
    """The process holds a socket a client can reach."""
    inodes = _socket_inodes(pid)
    if not inodes:
        return False
    for table in ('tcp', 'tcp6'):
        for row in _rows(table):
            if len(row) > 9 and row[9] in inodes and row[3] == '0A':
                return True
    for table in ('udp', 'udp6'):
        for row in _rows(table):
            if len(row) > 9 and row[9] in inodes and int(row[1].rsplit(':', 1)[1], 16):
                return True
    for row in _rows('unix'):
        if len(row) >= 8 and row[6] in inodes:
            flags, kind = int(row[3], 16), int(row[4], 16)
            if kind != 1 or flags & 0x10000:
                return True
    return False


def _blocked(pid):
    """The process sleeps in the kernel (waiting in accept, recv…)."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'S'
    except (OSError, IndexError):
        return False


class Outcome:
    def __init__(self):
        self.scripts = []     # (name, returncode or None when killed, output)
        self.changes = []
        self.notes = []

    @property
    def ok(self):
        return bool(self.scripts) and all(code == 0 for _, code, _ in self.scripts)

    def report(self):
        lines = []
        for change in self.changes:
            lines.append(f'(remapped {change})')
        for note in self.notes:
            lines.append(note)
        for name, code, output in self.scripts:
            lines.append(f'--- {name} ---')
            lines.append(output.rstrip('\n'))
            lines.append(f'{name}: ' + (f'exit status {code}' if code is not None
                                        else f'killed after {TIMEOUT:g} s'))
        return '\n'.join(lines)


def _start(directory, name):
    output = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, '-u', name], cwd=directory,
                               stdin=subprocess.DEVNULL, stdout=output,
                               stderr=subprocess.STDOUT, start_new_session=True)
    return process, output, time.monotonic()


def _finish(process, output, started, timeout=TIMEOUT):
    try:
        code = process.wait(timeout=max(0.1, timeout - (time.monotonic() - started)))
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, 9)
        except OSError:
            pass
        process.wait()
        code = None
    output.seek(0)
    text = output.read().decode('utf-8', 'replace')
    output.close()
    return code, text


def run_exported(directory, keep_ports=False, timeout=TIMEOUT):
    outcome = Outcome()
    work = directory
    scratch = None
    if not keep_ports:
        scratch = tempfile.mkdtemp(prefix='sp-exported-')
        outcome.changes = remap(directory, scratch)
        work = scratch
    try:
        have_server = os.path.exists(os.path.join(work, 'server.py'))
        have_client = os.path.exists(os.path.join(work, 'client.py'))
        if not have_server and not have_client:
            outcome.notes.append(f'{directory}: neither server.py nor client.py')
            return outcome
        server = None
        if have_server:
            server = _start(work, 'server.py')
            pid = server[0].pid
            deadline = time.monotonic() + READY_TIMEOUT
            settled = 0
            while time.monotonic() < deadline and server[0].poll() is None:
                if server_ready(pid) and _blocked(pid):
                    settled += 1
                    if settled >= 3:
                        break
                else:
                    settled = 0
                time.sleep(0.01)
            else:
                if server[0].poll() is None:
                    outcome.notes.append('server.py did not listen within '
                                         f'{READY_TIMEOUT:g} s; starting client.py anyway')
        if have_client:
            client = _start(work, 'client.py')
            code, text = _finish(*client, timeout=timeout)
        if server is not None:
            scode, stext = _finish(*server, timeout=timeout)
            outcome.scripts.append(('server.py', scode, stext))
        if have_client:
            outcome.scripts.append(('client.py', code, text))
        return outcome
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def main(argv):
    keep = '--keep-ports' in argv
    args = [a for a in argv if a != '--keep-ports']
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    outcome = run_exported(args[0], keep_ports=keep)
    print(outcome.report())
    return 0 if outcome.ok else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
