#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which names a replay looks up (DESIGN.md, "Command line"): a DNS question
leaves the machine, so without --allow-remote only the names this machine
answers itself are looked up (localhost, its host name, /etc/hosts).

Each test runs in a user, mount and network namespace of its own, with
/etc/resolv.conf naming a DNS server on its loopback, which records every
question it is asked and answers that the name does not exist.
"""

import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import write_session  # noqa: E402
from test_cli_player import can_isolate, session  # noqa: E402

PYTHON = sys.executable

# A DNS server on 127.0.0.1:53 that writes each question's name to a file,
# one JSON string a line, and answers NXDOMAIN so that a lookup ends at once.
DNS_RECORDER = r'''
import json, socket, sys
log = open(sys.argv[1], 'a', buffering=1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 53))
open(sys.argv[2], 'w').close()
while True:
    data, peer = s.recvfrom(4096)
    labels, i = [], 12
    while i < len(data) and data[i] != 0:
        labels.append(data[i + 1:i + 1 + data[i]].decode('ascii', 'replace'))
        i += 1 + data[i]
    log.write(json.dumps('.'.join(labels)) + '\n')
    question = data[12:i + 5]
    s.sendto(data[:2] + b'\x81\x83\x00\x01\x00\x00\x00\x00\x00\x00' + question, peer)
'''

HOSTS = ('127.0.0.1 localhost\n'
         '::1 localhost ip6-localhost\n'
         '# a lecture room machine, known by a file only\n'
         '127.0.0.5\tlecture-server   lecture\n'
         '2001:db8::5 lecture-server\n')

NAME = 'example.invalid'


class NamesTests(cliutil.TestCase):

    def setUp(self):
        super().setUp()
        if not can_isolate(self.tmp):
            self.skipTest('cannot make a user, mount and network namespace here (unshare)')
        self.questions = os.path.join(self.tmp, 'questions')

    def run_isolated(self, args, program=None):
        files = {'/etc/hosts': HOSTS, '/etc/nsswitch.conf': 'hosts: files dns\n',
                 '/etc/resolv.conf': 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n'}
        mounts = []
        for target, text in files.items():
            path = os.path.join(self.tmp, os.path.basename(target))
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            mounts.append(f'mount --bind {path} {target} || exit 99')
        ready = os.path.join(self.tmp, 'ready')
        if os.path.exists(ready):
            os.unlink(ready)
        recorder = os.path.join(self.tmp, 'dns-recorder.py')
        with open(recorder, 'w', encoding='utf-8') as f:
            f.write(DNS_RECORDER)
        script = '\n'.join(
            ['ip link set lo up || exit 98'] + mounts +
            [f'"{PYTHON}" {recorder} {self.questions} {ready} &',
             'recorder=$!',
             f'for i in $(seq 100); do [ -e {ready} ] && break; sleep 0.05; done',
             '"$@"', 'status=$?', 'kill $recorder', 'exit $status'])
        argv = ['unshare', '--user', '--map-root-user', '--mount', '--net', 'sh', '-c', script,
                'sh', program or self.exe] + list(args)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                                env=cliutil.headless_env())
        self.assertNotIn(result.returncode, (98, 99), result.stderr)
        self.assertTrue(os.path.exists(ready), 'the DNS recorder did not start: ' + result.stderr)
        return result

    def python_answer(self, name):
        """What Python's getaddrinfo answers for NAME here, as the playground
        shows it."""
        script = os.path.join(self.tmp, 'answer.py')
        with open(script, 'w', encoding='utf-8') as f:
            f.write('import socket, sys\n'
                    'found = socket.getaddrinfo(sys.argv[1], 80, type=socket.SOCK_STREAM)\n'
                    'print(", ".join(f"({a[0].name}, \'{a[4][0]}\')" for a in found))\n')
        result = self.run_isolated([script, name], program=PYTHON)
        self.assertEqual(result.returncode, 0, result.stderr)
        return '[' + result.stdout.strip() + ']'

    def asked(self):
        if not os.path.exists(self.questions):
            return []
        with open(self.questions, encoding='utf-8') as f:
            return [json.loads(line) for line in f]

    # Each way a name reaches a lookup, in a session of its own: the first
    # failed step ends a replay.
    REMOTE_STEPS = (
        ('gethostbyname', 'host', {'call': 'gethostbyname', 'host': NAME}),
        ('getaddrinfo', 'host', {'call': 'getaddrinfo', 'host': NAME, 'port': 80}),
        ('client connect', 'address',
         {'socket': 'client', 'call': 'connect', 'address': NAME, 'port': 80}),
        ('udp sendto', 'address',
         {'socket': 'udp', 'call': 'sendto', 'address': NAME, 'port': 9,
          'data': {'text': 'hi'}}),
        ('server bind', 'address', {'socket': 'server', 'call': 'bind', 'address': NAME,
                                    'port': 0}),
    )

    def remote_name(self, step):
        return write_session(self.tmp, 'remote.json', session(
            [{'id': 'client'}, {'id': 'udp', 'type': 'dgram'}, {'id': 'server'}], [step]))

    def test_no_question_leaves_without_allow_remote(self):
        for call, field, step in self.REMOTE_STEPS:
            with self.subTest(call=call):
                result = self.run_isolated(['--headless', self.remote_name(step)])
                output = result.stdout + result.stderr
                self.assertEqual(result.returncode, 1, output)
                self.assertEqual(self.asked(), [], output)
                self.assertIn(f'step 1 ({call}): {field}: looking up “{NAME}” would ask a '
                              'DNS server beyond this machine; without --allow-remote a replay '
                              'looks up only the names this machine answers itself '
                              '(localhost, its host name, /etc/hosts)', output)
                # Refused before any call, as a destination beyond loopback is.
                self.assertNotIn('gaierror', output)

    def test_refused_as_a_destination_beyond_loopback_is(self):
        # The same event as the refusal of 192.0.2.1: a note, not a call.
        for address in (NAME, '192.0.2.1'):
            path = self.remote_name({'socket': 'client', 'call': 'connect', 'address': address,
                                     'port': 80})
            result = self.run_isolated(['--headless', path, '--json'])
            self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
            events = cliutil.json_lines(result.stdout)
            refusal = events[-1]
            self.assertEqual((refusal['kind'], refusal['call'], refusal['ok']),
                             ('note', 'connect', False), result.stdout)
            self.assertIn('--allow-remote', refusal['error']['explanation'])
            self.assertNotIn('connect', [e['call'] for e in events if e['kind'] == 'call'])
        self.assertEqual(self.asked(), [])

    def test_allow_remote_asks_the_dns_server(self):
        for call, field, step in self.REMOTE_STEPS:
            with self.subTest(call=call):
                result = self.run_isolated(['--headless', self.remote_name(step),
                                            '--allow-remote'])
                output = result.stdout + result.stderr
                self.assertEqual(result.returncode, 1, output)
                self.assertIn(NAME, self.asked(), output)
                self.assertIn('gaierror [Errno -2] Name or service not known (EAI_NONAME)',
                              result.stdout)
                self.assertNotIn('would ask a DNS server', output)
                os.unlink(self.questions)

    def test_names_this_machine_answers(self):
        host = socket.gethostname()
        path = write_session(self.tmp, 'local.json', session(
            [{'id': 'server', 'address': 'lecture-server', 'port': 0}, {'id': 'client'}],
            [{'call': 'gethostbyname', 'host': 'localhost'},
             {'call': 'getaddrinfo', 'host': 'LocalHost.', 'port': 80},
             {'call': 'gethostbyname', 'host': 'printer.localhost'},
             {'call': 'gethostbyname', 'host': host},
             {'call': 'getaddrinfo', 'host': host.split('.')[0], 'port': 80},
             {'call': 'gethostbyname', 'host': 'lecture'},
             {'call': 'getaddrinfo', 'host': 'lecture-server', 'port': 80},
             {'call': 'gethostbyname', 'host': '192.0.2.1'},
             {'socket': 'server', 'call': 'bind'},
             {'socket': 'server', 'call': 'listen'},
             {'socket': 'client', 'call': 'connect', 'to': 'server'},
             {'socket': 'client', 'call': 'close'}]))
        result = self.run_isolated(['--headless', path])
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertEqual(self.asked(), [], output)
        self.assertIn("socket.gethostbyname('localhost') -> '127.0.0.1'", result.stdout)
        # In the order Python's getaddrinfo gives, here.
        self.assertIn(f"socket.getaddrinfo('LocalHost.', 80) -> {self.python_answer('localhost')}",
                      result.stdout)
        self.assertIn("socket.getaddrinfo('lecture-server', 80) -> "
                      f"{self.python_answer('lecture-server')}", result.stdout)
        self.assertIn("socket.gethostbyname('printer.localhost') -> '127.0.0.1'", result.stdout)
        self.assertIn(f"socket.gethostbyname('{host}') -> '", result.stdout)
        self.assertIn("socket.gethostbyname('lecture') -> '127.0.0.5'", result.stdout)
        self.assertIn("socket.gethostbyname('192.0.2.1') -> '192.0.2.1'", result.stdout)
        self.assertIn("server bind(('127.0.0.5', 0)) -> None", result.stdout)

    def test_connect_to_a_name_from_the_hosts_file(self):
        path = write_session(self.tmp, 'hosts.json', session(
            [{'id': 'server', 'address': '127.0.0.5', 'port': 47123}, {'id': 'client'}],
            [{'socket': 'server', 'call': 'bind'},
             {'socket': 'server', 'call': 'listen'},
             {'socket': 'client', 'call': 'connect', 'address': 'lecture', 'port': 47123}]))
        result = self.run_isolated(['--headless', path])
        output = result.stdout + result.stderr
        self.assertEqual(result.returncode, 0, output)
        self.assertEqual(self.asked(), [], output)
        self.assertIn("client connect(('127.0.0.5', 47123)) -> None", result.stdout)


if __name__ == '__main__':
    cliutil.main()
