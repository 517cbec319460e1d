#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""How a replay runs steps (DESIGN.md, "Session file, version 1"): where a
connect or sendto goes when the step names no destination, a serve that the
steps on its listener wait for, a port on a UNIX socket, and failed name
lookups reported as Python's socket.gaierror.

Real peers only (Python's socket module, socat); only 127.0.0.1, UNIX
sockets and names that never resolve; every wait is bounded.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import free_port, is_listening, wait_until, write_session  # noqa: E402

PYTHON = sys.executable


def session(sockets, steps, title='test'):
    return {'format': 'socket-playground-session', 'version': 1, 'title': title,
            'sockets': sockets, 'steps': steps}


# A datagram peer that answers each datagram with its bytes in upper case,
# then exits; it prints what it got.
UDP_UPPER = r'''
import socket, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    s.bind(('127.0.0.1', int(sys.argv[1])))
    s.settimeout(20)
    print('ready', flush=True)
    data, addr = s.recvfrom(1024)
    print('got', data, flush=True)
    s.sendto(data.upper(), addr)
'''


class OwnAddressTests(cliutil.TestCase):
    """A client declared with the address and port it talks to goes there."""

    def test_connect_goes_to_the_sockets_own_address(self):
        if not shutil.which('socat'):
            self.skipTest('socat is not installed')
        port = free_port()
        peer = self.start_peer(['socat', f'TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr',
                                'EXEC:cat'])
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=5, process=peer.process),
                        'socat did not listen' + peer.describe())
        path = write_session(self.tmp, 'web.json', session(
            [{'id': 'web', 'address': '127.0.0.1', 'port': port}],
            [{'socket': 'web', 'call': 'connect'},
             {'socket': 'web', 'call': 'sendall', 'data': {'text': 'GET /'}},
             {'socket': 'web', 'call': 'recv', 'bufsize': 64,
              'expect': {'data': {'text': 'GET /'}}},
             {'socket': 'web', 'call': 'getsockname'},
             {'socket': 'web', 'call': 'close'}]))
        result = cliutil.run(['--headless', path, '--json'])
        self.assertExit(result, 0, 'the replay' + peer.describe())
        events = cliutil.json_lines(result.stdout)
        connect = [e for e in events if e['call'] == 'connect'][0]
        self.assertEqual(connect['remote'], f'127.0.0.1:{port}')
        # Its own address is where it goes, not where it is bound: the
        # kernel picked its local port.
        local = [e for e in events if e['call'] == 'getsockname'][0]['local']
        self.assertNotEqual(local, f'127.0.0.1:{port}')
        self.assertNotIn('bind', [e['call'] for e in events])

    def test_sendto_goes_to_the_sockets_own_address(self):
        port = free_port(socket.SOCK_DGRAM)
        peer = self.start_peer([PYTHON, '-c', UDP_UPPER, str(port)])
        self.assertTrue(wait_until(lambda: 'ready' in peer.stdout(), timeout=5,
                                   process=peer.process), 'the peer did not start'
                        + peer.describe())
        path = write_session(self.tmp, 'udp.json', session(
            [{'id': 'client', 'type': 'dgram', 'address': '127.0.0.1', 'port': port}],
            [{'socket': 'client', 'call': 'sendto', 'data': {'text': 'hello'}},
             {'socket': 'client', 'call': 'recvfrom', 'bufsize': 64,
              'expect': {'data': {'text': 'HELLO'}}}]))
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 0, 'the replay' + peer.describe())
        self.assertIn(f"sendto(b'hello', ('127.0.0.1', {port}))", result.stdout)
        self.assertEqual(peer.wait(10), 0, peer.describe())
        self.assertIn("got b'hello'", peer.stdout())

    def test_exported_python_connects_there_too(self):
        if not shutil.which('socat'):
            self.skipTest('socat is not installed')
        port = free_port()
        peer = self.start_peer(['socat', f'TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr',
                                'EXEC:cat'])
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=5, process=peer.process))
        path = write_session(self.tmp, 'web.json', session(
            [{'id': 'web', 'address': '127.0.0.1', 'port': port}],
            [{'socket': 'web', 'call': 'connect'},
             {'socket': 'web', 'call': 'sendall', 'data': {'text': 'ping'}},
             {'socket': 'web', 'call': 'recv', 'bufsize': 64,
              'expect': {'data': {'text': 'ping'}}},
             {'socket': 'web', 'call': 'close'}]))
        out = os.path.join(self.tmp, 'out')
        result = cliutil.run(['--export-python', path, '--output', out])
        self.assertExit(result, 0, 'the export')
        scripts = sorted(os.listdir(out))
        self.assertEqual(len(scripts), 1, scripts)
        with open(os.path.join(out, scripts[0]), encoding='utf-8') as f:
            code = f.read()
        self.assertNotIn('.bind(', code)
        program = subprocess.run([PYTHON, os.path.join(out, scripts[0])], capture_output=True,
                                 text=True, timeout=30)
        self.assertEqual(program.returncode, 0, code + program.stdout + program.stderr)
        self.assertIn("b'ping'", program.stdout)

    def test_no_address_anywhere_says_what_to_add(self):
        path = write_session(self.tmp, 'nowhere.json', session(
            [{'id': 'web'}], [{'socket': 'web', 'call': 'connect'}]))
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 1, 'a connect with no destination')
        self.assertIn('give the step “to”, or “address” and “port”, or give socket “web” an '
                      '“address” and a “port”', result.stdout + result.stderr)


# Three clients at once, each sending its line and reading the echo back.
ECHO_CLIENTS = r'''
import socket, sys, threading
port = int(sys.argv[1])
results = {}
def client(n):
    with socket.create_connection(('127.0.0.1', port), timeout=10) as s:
        s.sendall(f'client {n}'.encode())
        results[n] = s.recv(64)
threads = [threading.Thread(target=client, args=(n,)) for n in range(3)]
for t in threads: t.start()
for t in threads: t.join()
for n in range(3): print(n, results.get(n))
sys.exit(0 if all(results.get(n) == f'client {n}'.encode() for n in range(3)) else 1)
'''


class ServeThenCloseTests(cliutil.TestCase):
    """A step on a serving listener waits until the serve is over."""

    def serve_then_close(self, port, clients):
        return write_session(self.tmp, 'serve.json', session(
            [{'id': 'server', 'address': '127.0.0.1', 'port': port}]
            + [{'id': c} for c in clients],
            [{'socket': 'server', 'call': 'serve', 'mode': 'echo', 'connections': 3,
              'timeout-ms': 10000},
             {'socket': 'server', 'call': 'close'}]
            + [{'socket': c, 'call': 'connect', 'to': 'server'} for c in clients]
            + [{'socket': c, 'call': 'sendall', 'data': {'text': f'hi {c}'}} for c in clients]
            + [{'socket': c, 'call': 'recv', 'bufsize': 64,
                'expect': {'data': {'text': f'hi {c}'}}} for c in clients]
            + [{'socket': c, 'call': 'close'} for c in clients]))

    def assertClosedLast(self, result, accepts=3):
        lines = [line for line in result.stdout.splitlines() if ' server' in line]
        self.assertNotIn('EBADF', result.stdout, result.describe())
        self.assertIn('server close() -> None', lines[-1], result.describe())
        self.assertEqual(result.stdout.count('server accept() -> (server-'), accepts,
                         result.describe())

    def test_session_clients(self):
        path = self.serve_then_close(free_port(), ['a', 'b', 'c'])
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 0, 'serve, close and three clients')
        self.assertIn('close waits until the serve on “server” is over', result.stdout)
        self.assertClosedLast(result)
        # The clients ran while close waited: their steps came after it.
        self.assertLess(result.stdout.index('close waits'), result.stdout.index('a      connect('))

    def test_second_serve_waits_for_the_first(self):
        clients = ['a', 'b']
        path = write_session(self.tmp, 'two-serves.json', session(
            [{'id': 'server', 'address': '127.0.0.1', 'port': free_port()}]
            + [{'id': c} for c in clients],
            [{'socket': 'server', 'call': 'serve', 'mode': 'echo', 'connections': 1},
             {'socket': 'server', 'call': 'serve', 'mode': 'reply', 'connections': 1,
              'data': {'text': 'second'}},
             {'socket': 'server', 'call': 'close'},
             {'socket': 'a', 'call': 'connect', 'to': 'server'},
             {'socket': 'a', 'call': 'sendall', 'data': {'text': 'first'}},
             {'socket': 'a', 'call': 'recv', 'expect': {'data': {'text': 'first'}}},
             {'socket': 'a', 'call': 'close'},
             {'socket': 'b', 'call': 'connect', 'to': 'server'},
             {'socket': 'b', 'call': 'sendall', 'data': {'text': 'hello'}},
             {'socket': 'b', 'call': 'recv', 'expect': {'data': {'text': 'second'}}},
             {'socket': 'b', 'call': 'close'}]))
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 0, 'two serves one after the other')
        self.assertIn('serve waits until the serve on “server” is over', result.stdout)
        self.assertIn('close waits until the serve on “server” is over', result.stdout)
        self.assertClosedLast(result, accepts=2)

    def test_python_clients(self):
        port = free_port()
        path = self.serve_then_close(port, [])
        server = self.start_session(['--headless', path])
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=5,
                                   process=server.process),
                        'the session did not listen' + server.describe())
        clients = self.start_peer([PYTHON, '-c', ECHO_CLIENTS, str(port)])
        self.assertEqual(clients.wait(20), 0, clients.describe() + server.describe())
        status = server.wait(20)
        self.assertEqual(status, 0, 'the session' + server.describe())
        output = server.stdout()
        self.assertNotIn('EBADF', output, server.describe())
        last = [line for line in output.splitlines() if ' server' in line][-1]
        self.assertIn('server close() -> None', last, server.describe())


def isolated(argv, directory, nsswitch='hosts: files\n', resolv=None):
    """ARGV in a user, mount and network namespace of its own, where
    /etc/nsswitch.conf (and /etc/resolv.conf) say what is given: a name
    lookup's answer does not depend on the machine's network."""
    mounts = []
    for text, target in ((nsswitch, '/etc/nsswitch.conf'), (resolv, '/etc/resolv.conf')):
        if text is None:
            continue
        path = os.path.join(directory, os.path.basename(target))
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        mounts.append(f'mount --bind {path} {target} || exit 99')
    script = '; '.join(mounts + ['exec "$@"'])
    return ['unshare', '--user', '--map-root-user', '--mount', '--net', 'sh', '-c', script,
            'sh'] + list(argv)


def can_isolate(directory):
    if not shutil.which('unshare'):
        return False
    probe = subprocess.run(isolated(['true'], directory), capture_output=True, timeout=30)
    return probe.returncode == 0


# What Python raises for the name, in the same isolation: [errno, text].
PYTHON_LOOKUP = r'''
import json, socket, sys
try:
    socket.getaddrinfo(sys.argv[1], 80)
    print(json.dumps(None))
except socket.gaierror as e:
    print(json.dumps([e.errno, e.strerror]))
'''

NAME = 'no-such-host.invalid'


class LookupErrorTests(cliutil.TestCase):
    """A failed lookup is socket.gaierror with getaddrinfo's own code."""

    def setUp(self):
        super().setUp()
        if not can_isolate(self.tmp):
            self.skipTest('cannot make a user, mount and network namespace here (unshare)')

    def lookups(self, expect=None):
        extra = {'expect': {'error': expect}} if expect else {}
        return write_session(self.tmp, 'lookups.json', session(
            [{'id': 'client'}],
            [dict({'call': 'gethostbyname', 'host': NAME}, **extra),
             dict({'call': 'getaddrinfo', 'host': NAME, 'port': 80}, **extra),
             dict({'socket': 'client', 'call': 'connect', 'address': NAME, 'port': 80},
                  **extra)]))

    def run_isolated(self, args, **files):
        # Only a DNS server (allowed to be asked) says nobody knows the name.
        argv = isolated([self.exe, '--allow-remote'] + args, self.tmp, **files)
        process = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                                 env=cliutil.headless_env())
        return process

    def python_isolated(self, **files):
        argv = isolated([PYTHON, '-c', PYTHON_LOOKUP, NAME], self.tmp, **files)
        process = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        self.assertEqual(process.returncode, 0, process.stderr)
        return json.loads(process.stdout)

    def test_name_not_known(self):
        # Only /etc/hosts is asked, which has no such name.
        self.assertEqual(self.python_isolated(), [-2, 'Name or service not known'])
        result = self.run_isolated(['--headless', self.lookups('EAI_NONAME')])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        line = ("socket.gethostbyname('no-such-host.invalid') -> gaierror [Errno -2] "
                "Name or service not known (EAI_NONAME)  # A name is looked up by asking this "
                "machine’s /etc/hosts and then a DNS server; “not known” means none of them "
                "had that name")
        self.assertIn(line, result.stdout)
        self.assertIn("socket.getaddrinfo('no-such-host.invalid', 80) -> gaierror [Errno -2] "
                      "Name or service not known (EAI_NONAME)  # ", result.stdout)
        self.assertIn("client connect(('no-such-host.invalid', 80)) -> gaierror [Errno -2] "
                      "Name or service not known (EAI_NONAME)  # ", result.stdout)
        self.assertNotIn('EHOSTUNREACH', result.stdout)

    def test_json_error_fields(self):
        result = self.run_isolated(['--headless', self.lookups('EAI_NONAME'), '--json'])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        events = cliutil.json_lines(result.stdout)
        failed = [e for e in events if e['error'] is not None]
        self.assertEqual([e['call'] for e in failed],
                         ['gethostbyname', 'getaddrinfo', 'connect'])
        for event in failed:
            self.assertFalse(event['ok'])
            error = event['error']
            self.assertEqual((error['name'], error['code'], error['message']),
                             ('EAI_NONAME', -2, 'Name or service not known'))
            self.assertIn('/etc/hosts and then a DNS server', error['explanation'])
        connect = failed[2]
        self.assertEqual((connect['socket'], connect['state']), ('client', 'created'))
        self.assertEqual(connect['remote'], 'no-such-host.invalid:80')

    def test_no_dns_server_answers(self):
        # /etc/hosts has no such name and the DNS server (on loopback, in a
        # network of its own) is not there: a temporary failure.
        files = {'nsswitch': 'hosts: files dns\n',
                 'resolv': 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n'}
        python = self.python_isolated(**files)
        self.assertEqual(python, [-3, 'Temporary failure in name resolution'])
        result = self.run_isolated(['--headless', self.lookups()], **files)
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn("socket.gethostbyname('no-such-host.invalid') -> gaierror [Errno -3] "
                      "Temporary failure in name resolution (EAI_AGAIN)  # A name is looked up "
                      "by asking this machine’s /etc/hosts and then a DNS server; no DNS server "
                      "answered", result.stdout)
        self.assertIn('step 1 (gethostbyname): the call failed with gaierror: [Errno -3] '
                      'Temporary failure in name resolution (EAI_AGAIN), looking up '
                      '“no-such-host.invalid”', result.stdout + result.stderr)

    def test_expecting_another_code_fails(self):
        result = self.run_isolated(['--headless', self.lookups('EAI_AGAIN')])
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn('step 1 (gethostbyname): expected EAI_AGAIN, but the call failed with '
                      'gaierror: [Errno -2] Name or service not known (EAI_NONAME)',
                      result.stdout + result.stderr)


class UnixPortTests(cliutil.TestCase):

    def test_port_on_a_unix_socket_is_refused(self):
        path = write_session(self.tmp, 'unix.json', session(
            [{'id': 'server', 'family': 'unix', 'address': os.path.join(self.tmp, 's.sock')},
             {'id': 'client', 'family': 'unix', 'port': 80}],
            [{'socket': 'server', 'call': 'bind'}]))
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 2, 'a UNIX socket with a port')
        self.assertIn('unix.json: sockets[1].port: a UNIX socket has no port: it is addressed '
                      'by its path', result.stderr)


if __name__ == '__main__':
    cliutil.main()
