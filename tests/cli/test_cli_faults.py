#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Faults, replayed with the real executable against real peers on loopback:
a peer that resets the connection, a peer that vanishes while we send
(EPIPE, and no SIGPIPE kills us), running out of file descriptors while
serving (EMFILE: the server keeps what it has and recovers), and running
out of them in a replay (EMFILE on the calls that met it, never a crash).

Every wait is bounded; peers and the program are killed in tearDown.
"""

import os
import re
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import free_port, headless_env, is_listening, wait_until  # noqa: E402

HEAD = {"format": "socket-playground-session", "version": 1, "title": "faults"}

# A successful accept: "[0.004] server accept() -> (server-1, ('127.0.0.1', 40000))".
ACCEPTED_RE = re.compile(r"^\[\d+\.\d{3}\] server\s+accept\(\) -> \(", re.M)
# A failed one: "[0.004] server accept() -> OSError [Errno 24] EMFILE  # …".
EMFILE_RE = re.compile(r"^\[\d+\.\d{3}\] server\s+accept\(\) -> OSError \[Errno 24\] EMFILE",
                       re.M)


def session(sockets, steps):
    return dict(HEAD, sockets=sockets, steps=steps)


def default_sigpipe():
    """In the child: SIGPIPE as a C program starts with it, so a write to a
    vanished peer without MSG_NOSIGNAL (and nothing ignoring it) kills it."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)


class Program:
    """socket-playground in the background, its output in a file."""

    def __init__(self, args, preexec_fn=None):
        self.output = tempfile.TemporaryFile()
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen([cliutil.executable()] + list(args),
                                        stdin=subprocess.DEVNULL, stdout=self.output,
                                        stderr=self.errors, env=headless_env(),
                                        preexec_fn=preexec_fn, start_new_session=True)

    def stdout(self):
        return cliutil.read_shared(self.output)

    def stderr(self):
        return cliutil.read_shared(self.errors)

    def wait(self, timeout):
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            cliutil.kill_group(self.process)
            return None

    def stop(self):
        cliutil.kill_group(self.process)
        self.output.close()
        self.errors.close()

    def describe(self):
        return (f'\nexit status {self.process.returncode}\n--- stdout ---\n{self.stdout()[-6000:]}'
                f'--- stderr ---\n{self.stderr()[-3000:]}')


class FaultTests(cliutil.TestCase):

    def setUp(self):
        super().setUp()
        self.programs = []
        self.closables = []

    def tearDown(self):
        for program in self.programs:
            program.stop()
        for closable in self.closables:
            closable.close()
        super().tearDown()

    def start_program(self, args, preexec_fn=None):
        program = Program(args, preexec_fn)
        self.programs.append(program)
        return program

    def listener(self, backlog=8):
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.closables.append(server)
        server.bind(('127.0.0.1', 0))
        server.listen(backlog)
        server.settimeout(20)
        return server, server.getsockname()[1]

    def serve_in_thread(self, server, handle):
        """Accepts one connection on SERVER in a thread and calls HANDLE(conn)."""
        def run():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                handle(conn)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread

    # A peer that resets the connection while we receive

    def test_peer_reset_mid_transfer(self):
        server, port = self.listener()

        def reset_after_data(conn):
            conn.recv(16)
            conn.sendall(b'x' * 1000)
            # SO_LINGER (on, 0 s): close() sends RST instead of FIN.
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b'\x01\0\0\0\0\0\0\0')

        thread = self.serve_in_thread(server, reset_after_data)
        path = cliutil.write_session(self.tmp, 'reset.json', session(
            [{"id": "client", "family": "inet", "type": "stream"}],
            [{"socket": "client", "call": "connect", "address": "127.0.0.1", "port": port},
             {"socket": "client", "call": "sendall", "data": {"text": "go"}},
             {"socket": "client", "call": "recv", "bufsize": 4096, "until": "eof",
              "timeout-ms": 10000}]))
        result = cliutil.run(['--headless', path], timeout=30)
        thread.join(5)

        self.assertExit(result, 1, 'a reset connection fails its step')
        # The event, as Python would raise it.
        self.assertRegex(result.stdout,
                         r"client\s+recv\(4096\) -> ConnectionResetError \[Errno 104\] "
                         r"ECONNRESET", result.describe())
        # The step's message names the step and the error the same way.
        self.assertRegex(result.stderr, r'\bstep 3 \(client recv\)', result.describe())
        self.assertIn('ConnectionResetError: [Errno 104]', result.stderr, result.describe())

    # A peer that is there and does nothing

    def run_json(self, path, timeout=30):
        result = cliutil.run(['--headless', '--json', path], timeout=timeout)
        self.assertExit(result, 1, 'a step that waits for nothing fails')
        return result, cliutil.json_lines(result.stdout)

    def assert_timed_out_after(self, events, call, timeout_ms, result):
        """The CALL's last event is ETIMEDOUT, at about TIMEOUT_MS after the connect."""
        connected = next(e for e in events if e['call'] == 'connect')
        failed = [e for e in events if e['call'] == call and not e['ok']]
        self.assertTrue(failed, result.describe())
        self.assertEqual(failed[-1]['error']['name'], 'ETIMEDOUT', result.describe())
        waited = failed[-1]['time'] - connected['time']
        self.assertGreaterEqual(waited, timeout_ms / 1000 * 0.9, result.describe())
        self.assertLess(waited, timeout_ms / 1000 + 3, result.describe())

    def test_sendall_to_a_peer_that_never_reads_times_out(self):
        server, port = self.listener()
        # Small buffers on both sides: a few hundred kB fill them.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        done = threading.Event()
        thread = self.serve_in_thread(server, lambda conn: done.wait(30))
        path = cliutil.write_session(self.tmp, 'never-reads.json', session(
            [{"id": "client", "family": "inet", "type": "stream",
              "options": {"SO_SNDBUF": 4096}}],
            [{"socket": "client", "call": "connect", "address": "127.0.0.1", "port": port},
             {"socket": "client", "call": "sendall", "data": {"text": "x" * (4 << 20)},
              "timeout-ms": 700}]))
        result, events = self.run_json(path)
        done.set()
        thread.join(5)
        self.assert_timed_out_after(events, 'sendall', 700, result)
        self.assertIn('step 2 (client sendall)', result.stderr, result.describe())

    def test_until_eof_from_a_silent_peer_times_out(self):
        server, port = self.listener()
        done = threading.Event()
        thread = self.serve_in_thread(server, lambda conn: done.wait(30))
        path = cliutil.write_session(self.tmp, 'silent.json', session(
            [{"id": "client", "family": "inet", "type": "stream"}],
            [{"socket": "client", "call": "connect", "address": "127.0.0.1", "port": port},
             {"socket": "client", "call": "recv", "bufsize": 1024, "until": "eof",
              "timeout-ms": 600}]))
        result, events = self.run_json(path)
        done.set()
        thread.join(5)
        self.assert_timed_out_after(events, 'recv', 600, result)
        self.assertIn('step 2 (client recv)', result.stderr, result.describe())

    # A peer that vanishes while we send

    def test_peer_vanishes_while_sending_is_epipe_not_sigpipe(self):
        server, port = self.listener()
        # The peer closes at once: our end sees end of file, the first send
        # after it is answered with RST, and the next one is EPIPE.
        thread = self.serve_in_thread(server, lambda conn: None)
        path = cliutil.write_session(self.tmp, 'vanish.json', session(
            [{"id": "client", "family": "inet", "type": "stream"}],
            [{"socket": "client", "call": "connect", "address": "127.0.0.1", "port": port},
             {"socket": "client", "call": "recv", "bufsize": 1024, "until": "eof"},
             {"socket": "client", "call": "send", "data": {"text": "anyone there?"}},
             {"socket": "client", "call": "send", "data": {"text": "hello?"},
              "count": 50, "interval-ms": 20}]))
        program = self.start_program(['--headless', path], preexec_fn=default_sigpipe)
        status = program.wait(30)
        thread.join(5)

        self.assertIsNotNone(status, 'the replay hangs' + program.describe())
        self.assertNotEqual(status, -signal.SIGPIPE, 'killed by SIGPIPE' + program.describe())
        self.assertEqual(status, 1, 'the broken pipe fails its step' + program.describe())
        self.assertRegex(program.stdout(),
                         r"client\s+send\(\) -> BrokenPipeError \[Errno 32\] EPIPE",
                         program.describe())
        self.assertRegex(program.stderr(), r'\bstep 4 \(client send\)', program.describe())
        self.assertIn('BrokenPipeError: [Errno 32]', program.stderr(), program.describe())

    # Out of file descriptors while serving

    def test_serve_out_of_descriptors_recovers(self):
        clients_total = 100
        port = free_port()
        path = cliutil.write_session(self.tmp, 'serve.json', session(
            [{"id": "server", "family": "inet", "type": "stream", "address": "127.0.0.1",
              "port": port}],
            [{"socket": "server", "call": "serve", "mode": "echo",
              "connections": clients_total, "timeout-ms": 30000}]))

        def limit_descriptors():
            default_sigpipe()
            resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

        program = self.start_program(['--headless', path], preexec_fn=limit_descriptors)
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=10,
                                   process=program.process),
                        'the server did not listen' + program.describe())

        # Every client connects (the kernel completes them into the accept
        # queue) and sends; the server can hold fewer than 64 of them.
        clients = []
        for i in range(clients_total):
            client = socket.create_connection(('127.0.0.1', port), timeout=10)
            self.closables.append(client)
            client.settimeout(20)
            client.sendall(b'hello %d\n' % i)
            clients.append(client)

        self.assertTrue(wait_until(lambda: EMFILE_RE.search(program.stdout()), timeout=20,
                                   process=program.process),
                        'the listener never reported EMFILE' + program.describe())
        self.assertIsNone(program.process.poll(), 'the server ended' + program.describe())
        output = program.stdout()
        self.assertIn('accept failed with EMFILE', output, 'says what it does' + output)

        # While it cannot accept, it serves the connections it has; the
        # kernel queues accepted ones in order, so those are the first ones.
        held = len(ACCEPTED_RE.findall(output))
        self.assertGreater(held, 10, program.describe())
        self.assertLess(held, 64, program.describe())
        for i in range(held):
            self.assertEqual(read_line(clients[i]), b'hello %d\n' % i)
            clients[i].sendall(b'again %d\n' % i)
            self.assertEqual(read_line(clients[i]), b'again %d\n' % i)

        # Closing them frees descriptors; the rest are accepted and served.
        for i in range(held):
            clients[i].close()
        for i in range(held, clients_total):
            self.assertEqual(read_line(clients[i]), b'hello %d\n' % i,
                             f'client {i} was never served' + program.describe())
            clients[i].close()

        status = program.wait(30)
        output = program.stdout()
        self.assertEqual(status, 0, 'the serve step ends well' + program.describe())
        self.assertEqual(len(ACCEPTED_RE.findall(output)), clients_total, output)
        # It waited instead of spinning: a busy loop would log thousands.
        failed = len(EMFILE_RE.findall(output))
        self.assertGreaterEqual(failed, 1)
        self.assertLess(failed, 60, f'{failed} failed accepts: it retries too often' + output)


def datagram_sockets_then_calls(count):
    """COUNT datagram sockets, each allowed to fail, then calls that need no
    new descriptor of their own (a sendto and a recvfrom between two of
    them), then a name lookup, which does: the lookup must fail."""
    sockets = [{"id": f"u{i}", "family": "inet", "type": "dgram", "address": "127.0.0.1"}
               for i in range(count)]
    steps = [{"socket": f"u{i}", "call": "socket", "expect": {"any": True}}
             for i in range(count)]
    steps += [{"socket": "u0", "call": "bind"},
              {"socket": "u1", "call": "sendto", "to": "u0", "data": {"text": "ping"}},
              {"socket": "u0", "call": "recvfrom", "bufsize": 64, "timeout-ms": 5000,
               "expect": {"data": {"text": "ping"}}},
              {"call": "getaddrinfo", "host": "localhost", "timeout-ms": 5000}]
    return session(sockets, steps)


def descriptor_limit(n):
    """In the child: at most N descriptors, hard limit too, as the program
    raises its soft limit to the hard one at start."""
    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return limit


class DescriptorLimitTests(cliutil.TestCase):
    """A replay that uses every descriptor up: each call that needed one
    fails with EMFILE as an event of its own, and the calls that need none
    go on working. GLib's parts that make a descriptor the first time they
    are used (GTask's worker context) used to abort the program here."""

    def run_limited(self, args, limit):
        argv = [cliutil.executable()] + list(args)
        try:
            process = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                                     env=headless_env(), timeout=60,
                                     preexec_fn=descriptor_limit(limit))
        except subprocess.TimeoutExpired as e:
            self.fail(f'{argv} still running after 60 s: {e}')
        result = cliutil.Result(argv, process.returncode, process.stdout, process.stderr, 0,
                                False)
        self.assertExit(result, 1, f'with {limit} descriptors')
        return result

    def assert_plain_emfile(self, result, call):
        self.assertRegex(result.stdout,
                         r'(?m)^\[\d+\.\d{3}\] .*\b' + re.escape(call)
                         + r'\(.*\) -> OSError \[Errno 24\] EMFILE', result.describe())

    def check_datagrams(self, count, limit):
        path = cliutil.write_session(self.tmp, f'dgram-{count}.json',
                                     datagram_sockets_then_calls(count))
        result = self.run_limited(['--headless', path], limit)
        self.assert_plain_emfile(result, 'socket')
        # The datagram went, came and was read, after the table was full.
        self.assertRegex(result.stdout, r"u0\s+recvfrom\(64\) -> \(b'ping', ", result.describe())
        self.assert_plain_emfile(result, 'getaddrinfo')
        self.assertRegex(result.stderr, rf'\bstep {count + 4} \(getaddrinfo\)', result.describe())

        # The same in JSON Lines: the error's name is EMFILE.
        result = self.run_limited(['--headless', '--json', path], limit)
        events = cliutil.json_lines(result.stdout)
        failed = {e['call'] for e in events
                  if e.get('error') and e['error'].get('name') == 'EMFILE'}
        self.assertEqual(failed, {'socket', 'getaddrinfo'}, result.describe())
        emfile = next(e for e in events if e['call'] == 'socket' and not e['ok'])
        self.assertEqual(emfile['error']['code'], 24, emfile)

    def test_70_datagram_sockets_under_64(self):
        self.check_datagrams(70, 64)

    def test_1100_datagram_sockets_under_1024(self):
        self.check_datagrams(1100, 1024)

    def test_tcp_echo_preset_under_6(self):
        for args in (['--headless', 'preset:tcp-echo'],
                     ['--headless', '--json', 'preset:tcp-echo']):
            with self.subTest(args=args):
                result = self.run_limited(args, 6)
                if '--json' in args:
                    errors = [e['error']['name'] for e in cliutil.json_lines(result.stdout)
                              if e.get('error')]
                    self.assertIn('EMFILE', errors, result.describe())
                else:
                    self.assert_plain_emfile(result, 'socket')
                    self.assertIn('EMFILE', result.stderr, result.describe())


def read_line(client):
    data = b''
    while not data.endswith(b'\n'):
        chunk = client.recv(1024)
        if not chunk:
            break
        data += chunk
    return data


if __name__ == '__main__':
    cliutil.main()
