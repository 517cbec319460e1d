#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The output contract of --headless (DESIGN.md, "Command line"): plain lines
that read like the Python they mirror, --json Lines with the documented
members, --data-limit, line-by-line flushing and --step-delay.
"""

import os
import re
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import fixture, render  # noqa: E402

HEX_RE = re.compile(r'^(?:[0-9a-f]{2})*$')
HOST_PORT_RE = re.compile(r'^(?:\d{1,3}(?:\.\d{1,3}){3}:\d+|\[[0-9a-fA-F:.]+\]:\d+)$')


def refused_port():
    """A loopback port where nothing listens: 9 (discard), as in DESIGN.md, when free."""
    if cliutil.tcp_port_is_free(9):
        return 9
    return cliutil.free_port()


class PlainOutputTests(cliutil.TestCase):

    def check_plain(self, result):
        lines = result.stdout.splitlines()
        self.assertTrue(lines, 'no output' + result.describe())
        for line in lines:
            self.assertTrue(cliutil.PLAIN_CALL_RE.match(line) or cliutil.PLAIN_NOTE_RE.match(line),
                            f'not a plain output line: {line!r}' + result.describe())
        return lines

    def test_plain_lines_and_recv_example(self):
        result = cliutil.run(['--headless', fixture('sessions', 'echo-local.json')])
        self.assertExit(result, 0, 'echo-local.json')
        lines = self.check_plain(result)
        # DESIGN: "[0.003] conn  recv(1024) -> b'Hello World' (11 bytes)"
        self.assertTrue(any(re.match(r"^\[\d+\.\d{3}\] conn\s+recv\(1024\) -> "
                                     r"b'Hello World' \(11 bytes\)$", line) for line in lines),
                        'the DESIGN example recv line' + result.describe())
        # sendall shows the bytes it sent, as Python would write them
        self.assertTrue(any(re.search(r"client\s+sendall\(b'Hello World'\)", line)
                            for line in lines), result.describe())
        # the timestamps are seconds since the start and never go back
        times = [float(re.match(r'^\[(\d+\.\d{3})\]', line).group(1)) for line in lines]
        self.assertEqual(times, sorted(times))
        self.assertLess(times[0], 5.0)

    def test_plain_connection_refused_example(self):
        port = refused_port()
        session = render('templates/refused.json', self.tmp, PORT=port)
        result = cliutil.run(['--headless', session])
        self.assertExit(result, 0, 'a refused connect that was expected')
        lines = self.check_plain(result)
        # DESIGN: "[0.004] client connect(('127.0.0.1', 9)) -> ConnectionRefusedError
        #          [Errno 111] ECONNREFUSED"
        wanted = re.compile(r"^\[\d+\.\d{3}\] client\s+connect\(\('127\.0\.0\.1', %d\)\) -> "
                            r"ConnectionRefusedError \[Errno 111\] ECONNREFUSED(?:\s|$)" % port)
        self.assertTrue(any(wanted.match(line) for line in lines),
                        'the DESIGN example connect line' + result.describe())

    def test_plain_lines_of_udp_unix_ipv6(self):
        for preset in ('udp', 'unix-echo', 'ipv6-echo', 'errors', 'hostnames', 'http-get'):
            with self.subTest(preset=preset):
                if preset == 'ipv6-echo' and not cliutil.ipv6_loopback_available():
                    self.skipTest('no IPv6 loopback')
                result = cliutil.run(['--headless', f'preset:{preset}'])
                self.assertExit(result, 0, preset)
                self.check_plain(result)

    def test_recvfrom_shows_sender_as_python_does(self):
        # Python: data, address = s.recvfrom(1024) -> (b'ping', ('127.0.0.1', 40000))
        result = cliutil.run(['--headless', fixture('sessions', 'udp-local.json')])
        self.assertExit(result, 0, 'udp-local.json')
        line = next((l for l in result.stdout.splitlines() if 'recvfrom(1024)' in l), '')
        self.assertRegex(line, r"recvfrom\(1024\) -> \(b'ping', \('127\.0\.0\.1', \d+\)\)",
                         'recvfrom should show (bytes, (host, port)) like Python'
                         + result.describe())

    def test_recvfrom_into_shows_count_and_sender_as_python_does(self):
        # Python: nbytes, address = s.recvfrom_into(buffer) -> (4, ('127.0.0.1', 40000))
        result = cliutil.run(['--headless', fixture('sessions', 'udp-recvfrom-into.json')])
        self.assertExit(result, 0, 'udp-recvfrom-into.json')
        line = next((l for l in result.stdout.splitlines() if 'recvfrom_into(16)' in l), '')
        self.assertRegex(line, r"recvfrom_into\(16\) -> \(4, \('127\.0\.0\.1', \d+\)\)"
                               r"  # buffer: b'ping'$",
                         'recvfrom_into should show (nbytes, (host, port)) like Python, '
                         'then the bytes in the buffer' + result.describe())

    def test_ipv4_peer_of_dual_stack_socket_is_ipv4_mapped(self):
        # The preset's own description: "the IPv4 client appears as an
        # IPv4-mapped address (::ffff:127.0.0.1)", as Python's getpeername shows it.
        if not cliutil.ipv6_loopback_available():
            self.skipTest('no IPv6 loopback')
        result = cliutil.run(['--headless', 'preset:ipv6-echo'])
        self.assertExit(result, 0, 'preset:ipv6-echo')
        line = next((l for l in result.stdout.splitlines() if 'conn4' in l
                     and 'getpeername()' in l), '')
        self.assertRegex(line, r"getpeername\(\) -> \('::ffff:127\.0\.0\.1', \d+, 0, 0\)",
                         result.describe())


class JsonOutputTests(cliutil.TestCase):

    def check_event(self, event):
        missing = [key for key in cliutil.REQUIRED_JSON_KEYS if key not in event]
        self.assertFalse(missing, f'members {missing} missing in {event}')
        self.assertIsInstance(event['seq'], int)
        self.assertIsInstance(event['time'], (int, float))
        self.assertGreaterEqual(event['time'], 0)
        self.assertTrue(event['step'] is None or isinstance(event['step'], int), event)
        self.assertTrue(event['socket'] is None or isinstance(event['socket'], str), event)
        self.assertIsInstance(event['call'], str)
        self.assertIsInstance(event['ok'], bool)
        self.assertTrue(event['state'] is None or isinstance(event['state'], str), event)
        for key in ('local', 'remote'):
            self.assertTrue(event[key] is None or isinstance(event[key], str), event)
        self.assertIsInstance(event['bytes'], int)
        self.assertGreaterEqual(event['bytes'], 0)
        self.assertTrue(event['data_hex'] is None or (isinstance(event['data_hex'], str)
                                                      and HEX_RE.match(event['data_hex'])),
                        event)
        if event['error'] is not None:
            self.assertIsInstance(event['error'], dict, event)
            for key in ('name', 'code', 'message'):
                self.assertIn(key, event['error'], event)
            self.assertIsInstance(event['error']['code'], int)
            self.assertIsInstance(event['error']['message'], str)
            self.assertFalse(event['ok'], 'an event with an error is not ok: %r' % event)

    def run_json(self, target, *extra):
        result = cliutil.run(['--headless', target, '--json'] + list(extra))
        return result, cliutil.json_lines(result.stdout)

    def test_ipv4_and_ipv6_listeners_share_a_port_with_ipv6_v6only(self):
        # The preset shows the answer to EADDRINUSE on [::]:P beside an IPv4
        # socket on P: IPV6_V6ONLY, which its explanation names.
        if not cliutil.ipv6_loopback_available():
            self.skipTest('no IPv6 loopback')
        result, events = self.run_json('preset:ipv6-echo')
        self.assertExit(result, 0, 'preset:ipv6-echo')
        binds = {socket: [e for e in events if e['socket'] == socket and e['call'] == 'bind']
                 for socket in ('v4', 'v6')}
        self.assertEqual([e['ok'] for e in binds['v4']], [True], result.describe())
        self.assertEqual([e['ok'] for e in binds['v6']], [False, True], result.describe())
        port = binds['v4'][0]['local'].rsplit(':', 1)[1]
        self.assertEqual(binds['v6'][1]['local'], f'[::]:{port}')
        failure = binds['v6'][0]['error']
        self.assertEqual(failure['name'], 'EADDRINUSE')
        self.assertIn('IPV6_V6ONLY', failure['explanation'])
        self.assertNotIn('SO_REUSEADDR', failure['explanation'])
        between = [e for e in events if binds['v6'][0]['seq'] < e['seq'] < binds['v6'][1]['seq']]
        self.assertIn(('setsockopt', 'socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1'),
                      [(e['call'], e['args']) for e in between], result.describe())

    def test_json_lines_echo(self):
        result, events = self.run_json(fixture('sessions', 'echo-local.json'))
        self.assertExit(result, 0, 'echo-local.json --json')
        self.assertGreaterEqual(len(events), 10)
        for event in events:
            self.check_event(event)
        seqs = [e['seq'] for e in events]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(seqs), len(set(seqs)), 'seq is unique')
        times = [e['time'] for e in events]
        self.assertEqual(times, sorted(times), 'time never goes back')
        received = [e for e in events if e['call'] == 'recv' and e['socket'] == 'conn'
                    and e['bytes'] == 11]
        self.assertTrue(received, 'the conn recv event')
        self.assertEqual(received[0]['data_hex'], b'Hello World'.hex())
        self.assertTrue(received[0]['ok'])
        self.assertIsNone(received[0]['error'])
        self.assertNotIn('truncated', received[0])
        for event in events:
            for key in ('local', 'remote'):
                if event[key] is not None:
                    self.assertRegex(event[key], HOST_PORT_RE, f'{key} of {event}')
        self.assertEqual(received[0]['step'], 5, 'the recv is step 5 of the session')

    def test_json_error_object(self):
        port = refused_port()
        session = render('templates/refused.json', self.tmp, PORT=port)
        result, events = self.run_json(session)
        self.assertExit(result, 0, 'refused.json --json')
        for event in events:
            self.check_event(event)
        connect = [e for e in events if e['call'] == 'connect']
        self.assertEqual(len(connect), 1, result.describe())
        self.assertFalse(connect[0]['ok'])
        self.assertEqual(connect[0]['error']['name'], 'ECONNREFUSED')
        self.assertEqual(connect[0]['error']['code'], 111)
        self.assertEqual(connect[0]['remote'], f'127.0.0.1:{port}')
        self.assertEqual(connect[0]['socket'], 'client')
        self.assertEqual(connect[0]['step'], 0)

    def test_json_address_forms(self):
        cases = [('udp', HOST_PORT_RE), ('unix-echo', re.compile(r'^(?:@|/|\().*')),
                 ('ipv6-echo', None)]
        for preset, pattern in cases:
            with self.subTest(preset=preset):
                if preset == 'ipv6-echo' and not cliutil.ipv6_loopback_available():
                    self.skipTest('no IPv6 loopback')
                result, events = self.run_json(f'preset:{preset}')
                self.assertExit(result, 0, preset)
                for event in events:
                    self.check_event(event)
                addresses = [e[k] for e in events for k in ('local', 'remote') if e[k]]
                self.assertTrue(addresses, f'{preset}: no local/remote at all')
                if pattern is not None:
                    for address in addresses:
                        self.assertRegex(address, pattern)
                else:
                    self.assertTrue(any(re.match(r'^\[::1\]:\d+$', a) for a in addresses),
                                    f'an IPv6 address is "[v6]:port": {sorted(set(addresses))}')

    def test_state_after_successful_connect_is_connected(self):
        # After connect() returns None the client is connected: its sendall
        # and recv happen in that state, not in "connecting".
        result, events = self.run_json(fixture('sessions', 'echo-local.json'))
        self.assertExit(result, 0, 'echo-local.json --json')
        client = [e for e in events if e['socket'] == 'client'
                  and e['call'] in ('connect', 'sendall', 'recv') and e['ok']]
        self.assertTrue(client)
        states = {(e['call'], e['state']) for e in client}
        self.assertNotIn('connecting', {s for _, s in states},
                         f'client states after a successful connect: {sorted(states)}')

    def test_data_limit_truncates(self):
        result, events = self.run_json(fixture('sessions', 'echo-local.json'),
                                       '--data-limit', '4')
        self.assertExit(result, 0, '--data-limit 4')
        with_data = [e for e in events if e['bytes'] > 0 and e['data_hex'] is not None]
        self.assertTrue(with_data, result.describe())
        for event in with_data:
            self.check_event(event)
            self.assertEqual(event['bytes'], 11)
            self.assertEqual(event['data_hex'], '48656c6c', event)
            self.assertIs(event.get('truncated'), True, event)
        # at or below the limit: whole and not marked
        result, events = self.run_json(fixture('sessions', 'echo-local.json'),
                                       '--data-limit', '11')
        self.assertExit(result, 0, '--data-limit 11')
        for event in [e for e in events if e['bytes'] > 0]:
            self.assertEqual(event['data_hex'], b'Hello World'.hex())
            self.assertNotEqual(event.get('truncated'), True, event)

    def test_data_limit_default_is_4096(self):
        session = {
            "format": "socket-playground-session", "version": 1, "title": "5000 bytes",
            "sockets": [
                {"id": "server", "family": "inet", "type": "stream",
                 "address": "127.0.0.1", "port": 0},
                {"id": "client", "family": "inet", "type": "stream"}],
            "steps": [
                {"socket": "server", "call": "bind"},
                {"socket": "server", "call": "listen"},
                {"socket": "client", "call": "connect", "to": "server"},
                {"socket": "server", "call": "accept", "as": "conn"},
                {"socket": "client", "call": "sendall", "data": {"text": "x" * 5000}},
                {"socket": "client", "call": "close"},
                {"socket": "conn", "call": "recv", "bufsize": 65536, "until": "eof",
                 "expect": {"bytes": 5000}},
                {"socket": "conn", "call": "close"},
                {"socket": "server", "call": "close"}]}
        path = cliutil.write_session(self.tmp, 'big.json', session)
        result, events = self.run_json(path)
        self.assertExit(result, 0, '5000 bytes')
        sent = [e for e in events if e['call'] == 'sendall']
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]['bytes'], 5000)
        self.assertEqual(sent[0]['data_hex'], '78' * 4096)
        self.assertIs(sent[0].get('truncated'), True)


class SemanticsTests(cliutil.TestCase):
    """What a documented session means, seen through --json."""

    def test_repeated_calls_encodings_and_address_forms(self):
        result = cliutil.run(['--headless', fixture('sessions', 'repeated-calls.json'),
                              '--json'])
        self.assertExit(result, 0, 'repeated-calls.json')
        events = cliutil.json_lines(result.stdout)

        def step(index, call):
            return [e for e in events if e['step'] == index and e['call'] == call]

        # "0x7F000001", the 32-bit form of the notes, is 127.0.0.1
        bind = step(0, 'bind')
        self.assertEqual(len(bind), 1)
        self.assertRegex(bind[0]['local'], r'^127\.0\.0\.1:\d+$')
        # {"text": "café", "encoding": "latin-1"} is 63 61 66 e9
        self.assertEqual(''.join(e['data_hex'] for e in step(4, 'sendall')), '636166e9')
        # count: 2 is two recv events; the expectation holds against both
        recvs = step(5, 'recv')
        self.assertEqual(len(recvs), 2, 'count: 2 makes two calls, two events')
        self.assertEqual(''.join(e['data_hex'] for e in recvs), '636166e9')
        sends = step(6, 'sendall')
        self.assertEqual(len(sends), 3, 'count: 3 makes three calls')
        self.assertTrue(all(e['data_hex'] == '00ff' for e in sends), sends)
        # until: "eof" repeats recv(4) until the peer closes
        recvs = step(10, 'recv')
        self.assertGreaterEqual(len(recvs), 4, 'recv(4) of 11 bytes, then the end of file')
        self.assertEqual(''.join(e['data_hex'] or '' for e in recvs), b'Hello World'.hex())
        self.assertEqual(recvs[-1]['bytes'], 0, 'the last call saw the end of file')
        self.assertTrue(all(e['bytes'] <= 4 for e in recvs))

    def test_ipv4_mapped_ipv6_address_form(self):
        if not cliutil.ipv6_loopback_available():
            self.skipTest('no IPv6')
        session = {
            "format": "socket-playground-session", "version": 1, "title": "mapped",
            "sockets": [
                {"id": "s6", "family": "inet6", "type": "stream",
                 "address": "::ffff:7f00:1", "port": 0},
                {"id": "c6", "family": "inet6", "type": "stream"}],
            "steps": [
                {"socket": "s6", "call": "bind"},
                {"socket": "s6", "call": "listen"},
                {"socket": "c6", "call": "connect", "to": "s6"},
                {"socket": "s6", "call": "accept", "as": "a6"},
                {"socket": "a6", "call": "getpeername"},
                {"socket": "c6", "call": "close"},
                {"socket": "a6", "call": "close"},
                {"socket": "s6", "call": "close"}]}
        path = cliutil.write_session(self.tmp, 'mapped.json', session)
        result = cliutil.run(['--headless', path])
        self.assertExit(result, 0, 'a listener on ::ffff:7f00:1')
        self.assertIn("bind(('::ffff:127.0.0.1', 0, 0, 0))", result.stdout)

    def test_data_limit_zero(self):
        result = cliutil.run(['--headless', fixture('sessions', 'echo-local.json'), '--json',
                              '--data-limit', '0'])
        self.assertExit(result, 0, '--data-limit 0')
        for event in cliutil.json_lines(result.stdout):
            if event['bytes'] > 0:
                self.assertEqual(event['data_hex'], '', event)
                self.assertIs(event.get('truncated'), True, event)

    def test_allow_remote_is_accepted(self):
        result = cliutil.run(['--headless', fixture('sessions', 'five-steps.json'),
                              '--allow-remote'])
        self.assertExit(result, 0, '--allow-remote on a loopback session')

    def test_reader_going_away_is_not_a_crash(self):
        process = subprocess.Popen([self.exe, '--headless',
                                    fixture('sessions', 'sleep-2s.json')],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, env=cliutil.headless_env(),
                                   start_new_session=True)
        try:
            ready, _, _ = select.select([process.stdout], [], [], 10)
            self.assertTrue(ready)
            process.stdout.readline()
            process.stdout.close()   # like `| head -1`
            process.wait(timeout=20)
        finally:
            cliutil.kill_group(process)
            process.stderr.close()
        self.assertGreaterEqual(process.returncode, 0,
                                f'killed by signal {-process.returncode} when stdout closed')
        self.assertIn(process.returncode, (0, 1))


class TimingTests(cliutil.TestCase):

    def first_line_timing(self, args):
        started = time.monotonic()
        process = subprocess.Popen([self.exe] + args, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                   env=cliutil.headless_env(), start_new_session=True)
        try:
            ready, _, _ = select.select([process.stdout], [], [], 10)
            self.assertTrue(ready, 'no output within 10 s')
            first = process.stdout.readline()
            first_at = time.monotonic() - started
            rest, errors = process.communicate(timeout=20)
            ended_at = time.monotonic() - started
        finally:
            cliutil.kill_group(process)
        self.assertEqual(process.returncode, 0, errors.decode('utf-8', 'replace'))
        return first.decode('utf-8', 'replace'), first_at, ended_at

    def test_output_is_flushed_line_by_line(self):
        for mode in ([], ['--json']):
            with self.subTest(mode=mode):
                first, first_at, ended_at = self.first_line_timing(
                    ['--headless', fixture('sessions', 'sleep-2s.json')] + mode)
                self.assertIn('socket', first)
                self.assertGreaterEqual(ended_at, 2.0, 'the session sleeps 2 s')
                self.assertLess(first_at, ended_at - 1.5,
                                f'first line after {first_at:.2f} s, end after {ended_at:.2f} s:'
                                ' the output is not flushed line by line')

    def test_step_delay(self):
        session = fixture('sessions', 'five-steps.json')
        result = cliutil.run(['--headless', session, '--step-delay', '200'])
        self.assertExit(result, 0, '--step-delay 200')
        self.assertGreaterEqual(result.elapsed, 0.8, '4 delays of 200 ms between 5 steps')
        self.assertEqual(len(result.stdout.splitlines()), 5, result.describe())
        times = [float(re.match(r'^\[(\d+\.\d{3})\]', l).group(1))
                 for l in result.stdout.splitlines()]
        self.assertGreaterEqual(times[-1] - times[0], 0.79, f'event times {times}')
        # and without it the same session is quick
        quick = cliutil.run(['--headless', session])
        self.assertExit(quick, 0, 'no --step-delay')
        self.assertLess(quick.elapsed, result.elapsed)


class LongTextTests(cliutil.TestCase):
    """A file may hold a 100 KB address or host name; what is printed about
    it is cut as long ids are ("hhhh…"), on stdout and stderr, plain and
    --json."""

    LONG = 100 * 1024
    LIMIT = 2000

    def check_cut(self, name, steps, sockets=None, status=1):
        document = {
            'format': 'socket-playground-session', 'version': 1,
            'sockets': sockets or [{'id': 'c', 'family': 'inet', 'type': 'stream'}],
            'steps': steps,
        }
        path = cliutil.write_session(self.tmp, name, document)
        for args in (['--headless', path], ['--headless', path, '--json']):
            with self.subTest(file=name, json='--json' in args):
                result = cliutil.run(args)
                self.assertExit(result, status, name)
                self.assertLess(len(result.stdout), self.LIMIT, result.describe(600))
                self.assertLess(len(result.stderr), self.LIMIT, result.describe(600))
                self.assertIn('…', result.stdout + result.stderr, result.describe(600))

    def test_long_address_in_a_step(self):
        self.check_cut('connect.json', [{'socket': 'c', 'call': 'connect',
                                         'address': 'a' * self.LONG, 'port': 9}])

    def test_long_address_of_a_socket(self):
        self.check_cut('bind.json', [{'socket': 'c', 'call': 'bind'}], status=2,
                       sockets=[{'id': 'c', 'family': 'inet', 'type': 'stream',
                                 'address': 'b' * self.LONG}])

    def test_long_host_name(self):
        self.check_cut('gethostbyname.json', [{'call': 'gethostbyname', 'host': 'h' * self.LONG}])
        self.check_cut('getaddrinfo.json', [{'call': 'getaddrinfo', 'host': 'h' * self.LONG,
                                             'port': 80}])

    def test_long_arguments(self):
        session = fixture('sessions', 'echo-local.json')
        long = 'x' * self.LONG
        # A FILE argument is the name of a place, kept whole as in
        # "FILE:LINE:COL"; these are words the program looks up.
        for args in (['--headless', session, '--export-log', long, '--output',
                      os.path.join(self.tmp, 'log')],
                     ['--headless', 'preset:' + long]):
            with self.subTest(args=' '.join(arg[:40] for arg in args)):
                result = cliutil.run(args)
                self.assertExit(result, 2)
                self.assertLess(len(result.stderr), self.LIMIT, result.describe(600))
                self.assertIn('xxxx…', result.stderr, result.describe(600))


if __name__ == '__main__':
    cliutil.main()
