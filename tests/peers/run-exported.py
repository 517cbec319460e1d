#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the Python scripts that Socket Playground exported into a directory.

    run-exported.py DIR

Starts DIR/server.py if there is one and waits until it is ready: until the
server process owns a listening TCP socket, a bound UDP socket or a bound
(and, for stream sockets, listening) UNIX socket, found through /proc, and
has settled into waiting for its client. Then runs DIR/client.py. Each
script gets 20 seconds. Prints what each script wrote and how it ended
("client.py: exit status 1"); exits 0 only if every script exited 0.
Used by tests/test-codegen.c.
"""

import os
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20.0

# /proc/net/unix: flag of a listening socket, and the socket types.
UNIX_ACCEPTCON = 0x10000
UNIX_SOCK_DGRAM = 2
TCP_LISTEN = '0A'


def socket_inodes(pid):
    """The inodes of the sockets process `pid` holds open."""
    inodes = set()
    try:
        for fd in os.listdir(f'/proc/{pid}/fd'):
            try:
                target = os.readlink(f'/proc/{pid}/fd/{fd}')
            except OSError:
                continue
            if target.startswith('socket:['):
                inodes.add(target[len('socket:['):-1])
    except OSError:
        pass
    return inodes


def table(name):
    try:
        with open(f'/proc/net/{name}') as f:
            return [line.split() for line in f.readlines()[1:]]
    except OSError:
        return []


def is_ready(pid):
    inodes = socket_inodes(pid)
    if not inodes:
        return False
    for name in ('tcp', 'tcp6'):
        for fields in table(name):
            if len(fields) > 9 and fields[9] in inodes and fields[3] == TCP_LISTEN:
                return True
    for name in ('udp', 'udp6'):
        for fields in table(name):
            port = int(fields[1].rsplit(':', 1)[1], 16) if len(fields) > 9 else 0
            if len(fields) > 9 and fields[9] in inodes and port != 0:
                return True
    for fields in table('unix'):
        # Num RefCount Protocol Flags Type St Inode Path
        if len(fields) < 8 or fields[6] not in inodes:
            continue
        flags, kind = int(fields[3], 16), int(fields[4], 16)
        if kind == UNIX_SOCK_DGRAM or flags & UNIX_ACCEPTCON:
            return True
    return False


class Script:
    def __init__(self, directory, name, stdin=subprocess.DEVNULL):
        self.name = name
        self.output = tempfile.TemporaryFile()
        self.started = time.monotonic()
        # -u: output in the order it happens, even when the script is killed
        self.process = subprocess.Popen([sys.executable, '-u', name], cwd=directory,
                                        stdin=stdin, stdout=self.output,
                                        stderr=subprocess.STDOUT)
        self.timed_out = False

    def remaining(self):
        return max(0.0, TIMEOUT - (time.monotonic() - self.started))

    def wait(self):
        try:
            self.process.wait(timeout=self.remaining())
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.process.kill()
            self.process.wait()
        return self.ok()

    def ok(self):
        return not self.timed_out and self.process.returncode == 0

    def report(self):
        self.output.seek(0)
        text = self.output.read().decode('utf-8', 'replace')
        print(f'--- {self.name} ---')
        print(text, end='' if text.endswith('\n') or not text else '\n')
        if self.timed_out:
            print(f'{self.name}: killed after {TIMEOUT:g} s')
        else:
            print(f'{self.name}: exit status {self.process.returncode}')


def is_sleeping(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            # the state follows the command name, which is in parentheses
            return f.read().rsplit(')', 1)[1].split()[0] == 'S'
    except (OSError, IndexError):
        return False


def wait_until_ready(server):
    """Until the server holds a socket a client can reach and has settled
    into waiting (in accept, recv…), so that the sockets it makes after the
    first one exist too."""
    pid = server.process.pid
    settled = 0
    while server.remaining() > 0 and server.process.poll() is None:
        if is_ready(pid) and is_sleeping(pid):
            settled += 1
            if settled >= 3:
                return
        else:
            settled = 0
        time.sleep(0.01)


def main():
    if len(sys.argv) != 2:
        print(f'usage: {sys.argv[0]} DIR', file=sys.stderr)
        return 2
    directory = sys.argv[1]
    names = [name for name in ('server.py', 'client.py')
             if os.path.exists(os.path.join(directory, name))]
    if not names:
        print(f'{directory}: no server.py or client.py', file=sys.stderr)
        return 2

    scripts = []
    server = None
    if 'server.py' in names:
        server = Script(directory, 'server.py')
        scripts.append(server)
        wait_until_ready(server)
    # a server that already failed would only leave the client waiting
    if 'client.py' in names and server is not None and server.process.poll() not in (None, 0):
        print('server.py failed before it was ready: client.py not run')
    elif 'client.py' in names:
        client = Script(directory, 'client.py')
        scripts.append(client)
        client.wait()
    if server is not None:
        server.wait()

    for script in scripts:
        script.report()
    return 0 if all(script.ok() for script in scripts) else 1


if __name__ == '__main__':
    sys.exit(main())
