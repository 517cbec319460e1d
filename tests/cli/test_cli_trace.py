#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--trace (DESIGN.md, "Watching a program you wrote"): real programs run
as children, their socket calls reported by the Python tracer
(data/trace/) and printed as --headless prints the playground's own.

The lecture notes' echo server and client are traced against each other
untraced; exit statuses, programs that cannot start, forked children and
reports that cannot be read are checked too. Loopback only, ports picked
free at run time, every wait bounded.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import PEERS, free_port, is_listening, wait_until  # noqa: E402

PYTHON = sys.executable
SERVER = os.path.join(PEERS, 'notes_echo_server.py')
CLIENT = os.path.join(PEERS, 'notes_client.py')

# "[0.003] server.py:4 recv(1024) -> b'Hello World' (11 bytes)"
EVENT_RE = re.compile(r'^\[\d+\.\d{3}\] (?P<socket>\S+)\s+(?P<call>\w+)\((?P<args>.*?)\) -> '
                      r'(?P<result>.*)$')


def events(stdout):
    """The event lines of a plain trace, as (socket, call, args, result);
    the program's own output, which shares our standard output, is left
    out."""
    found = []
    for line in stdout.splitlines():
        match = EVENT_RE.match(line)
        if match:
            found.append((match['socket'], match['call'], match['args'], match['result']))
    return found


def json_events(stdout):
    """The JSON events of a trace. The program's own output shares our
    standard output, and an unbuffered program's partial line may come
    just before one of ours: an event starts at its "{"seq"."""
    lines = []
    for line in stdout.splitlines():
        start = line.find('{"seq":')
        if start >= 0:
            lines.append(line[start:])
    return cliutil.json_lines('\n'.join(lines))


class TraceTests(cliutil.TestCase):

    def write_program(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(text))
        return path

    def wait_listening(self, peer, port):
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=10, process=peer.process),
                        f'nothing listened on 127.0.0.1:{port} within 10 s' + peer.describe())

    def run_client(self, port, message='Hello World'):
        return subprocess.run([PYTHON, CLIENT, str(port), message, message],
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=30)

    # C programs, compiled here, seen at the level of libc (the preloaded
    # library), with the notes' Python client and server as their peers

    C_SERVER = r"""
        #include <arpa/inet.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <unistd.h>

        int main (int argc, char **argv)
        {
          struct sockaddr_in address = { .sin_family = AF_INET };
          char buffer[1024];
          ssize_t n;
          int listener = socket (AF_INET, SOCK_STREAM, 0), conn;

          address.sin_port = htons (atoi (argv[1]));
          address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
          if (bind (listener, (struct sockaddr *) &address, sizeof address) < 0
              || listen (listener, 1) < 0 || (conn = accept (listener, NULL, NULL)) < 0)
            return 1;
          while ((n = recv (conn, buffer, sizeof buffer, 0)) > 0)
            send (conn, buffer, n, 0);
          close (conn);
          close (listener);
          return 0;
        }
        """

    C_CLIENT = r"""
        #include <arpa/inet.h>
        #include <errno.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <unistd.h>

        int main (int argc, char **argv)
        {
          struct sockaddr_in address = { .sin_family = AF_INET };
          char buffer[1024];
          ssize_t n;
          int fd = socket (AF_INET, SOCK_STREAM, 0);

          address.sin_port = htons (atoi (argv[1]));
          address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
          if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
            {
              printf ("connect: %s\n", strerror (errno));
              return 3;
            }
          send (fd, argv[2], strlen (argv[2]), 0);
          n = recv (fd, buffer, sizeof buffer, 0);
          close (fd);
          return n == (ssize_t) strlen (argv[2]) ? 0 : 1;
        }
        """

    def test_traced_c_server_and_client(self):
        server = self.compile_c('c-server', self.C_SERVER)
        client = self.compile_c('c-client', self.C_CLIENT)
        port = free_port()
        traced_server = self.start_peer([self.exe, '--trace', '--', server, str(port)],
                                        env=cliutil.headless_env())
        self.wait_listening(traced_server, port)
        traced_client = subprocess.run([self.exe, '--trace', '--', client, str(port), 'hello'],
                                       env=cliutil.headless_env(), stdin=subprocess.DEVNULL,
                                       capture_output=True, text=True, timeout=30)
        self.assertEqual(traced_client.returncode, 0, traced_client.stdout + traced_client.stderr)
        self.assertEqual(traced_server.wait(30), 0, traced_server.describe())

        self.assertEqual([(sock, call, args, result)
                          for sock, call, args, result in events(traced_client.stdout)], [
            ('c-client:3', 'socket', 'AF_INET, SOCK_STREAM', 'fd 3'),
            ('c-client:3', 'connect', f"('127.0.0.1', {port})", 'None'),
            ('c-client:3', 'send', "b'hello'", '5'),
            ('c-client:3', 'recv', '1024', "b'hello' (5 bytes)"),
            ('c-client:3', 'close', '', 'None'),
        ])
        seen = events(traced_server.stdout())
        calls = [(sock, call) for sock, call, _, _ in seen]
        self.assertEqual(calls[:4], [('c-server:3', 'socket'), ('c-server:3', 'bind'),
                                     ('c-server:3', 'listen'), ('c-server:3', 'accept')])
        accept = seen[3][3]
        self.assertRegex(accept, r"^\(c-server:4, \('127\.0\.0\.1', \d+\)\)$")
        self.assertIn(('c-server:4', 'send', "b'hello'", '5'), seen)

    def test_traced_c_client_refused(self):
        client = self.compile_c('c-client', self.C_CLIENT)
        port = cliutil.free_port()
        traced = subprocess.run([self.exe, '--trace', '--json', '--', client, str(port), 'x'],
                                env=cliutil.headless_env(), stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=30)
        # The program sees what it would untraced, and says so.
        self.assertEqual(traced.returncode, 3, traced.stdout + traced.stderr)
        self.assertIn('connect: Connection refused', traced.stdout)
        connect = [e for e in json_events(traced.stdout) if e['call'] == 'connect']
        self.assertEqual(len(connect), 1, traced.stdout)
        self.assertEqual((connect[0]['ok'], connect[0]['error']['name'], connect[0]['program']),
                         (False, 'ECONNREFUSED', 'c-client'))

    # The notes' echo server traced, their client untraced against it

    def test_traced_echo_server(self):
        port = free_port()
        trace = self.start_peer([self.exe, '--trace', '--', SERVER, str(port)],
                                env=cliutil.headless_env())
        self.wait_listening(trace, port)
        client = self.run_client(port)
        self.assertEqual(client.returncode, 0, client.stdout + client.stderr + trace.describe())
        self.assertEqual(trace.wait(30), 0, 'the traced server' + trace.describe())

        output = trace.stdout()
        # The program's own output stays its own, on the same terminal; its
        # writes and ours may come between each other's.
        own = re.sub(r'\[\d+\.\d{3}\] [^\n]*\n', '', output)
        self.assertIn("Received b'Hello World'", own, trace.describe())
        seen = events(output)
        listener = 'notes_echo_server.py:3'
        on_listener = [(call, args) for sock, call, args, _ in seen if sock == listener]
        self.assertEqual(on_listener[:4], [('socket', 'socket.AF_INET, socket.SOCK_STREAM'),
                                           ('bind', f"('127.0.0.1', {port})"),
                                           ('listen', ''), ('accept', '')],
                         trace.describe())
        self.assertEqual(on_listener[-1][0], 'close', trace.describe())

        accept = next(result for sock, call, _, result in seen
                      if sock == listener and call == 'accept')
        match = re.match(r"^\((notes_echo_server\.py:\d+), \('127\.0\.0\.1', \d+\)\)$", accept)
        self.assertIsNotNone(match, f'accept does not name its new socket: {accept!r}')
        conn = match[1]
        self.assertNotEqual(conn, listener)
        on_conn = [(call, args, result) for sock, call, args, result in seen if sock == conn]
        self.assertEqual(on_conn, [
            ('recv', '1024', "b'Hello World' (11 bytes)"),
            ('sendall', "b'Hello World'", 'None (11 bytes)'),
            ('recv', '1024', "b'' (0 bytes)  # end of file: the peer closed its side"),
            ('close', '', 'None'),
        ], trace.describe())

    # The notes' client traced against an untraced echo server

    def test_traced_client(self):
        port = free_port()
        server = self.start_peer([PYTHON, SERVER, str(port)])
        self.wait_listening(server, port)
        result = cliutil.run(['--trace', '--', CLIENT, str(port), 'Hello World', 'Hello World'])
        self.assertExit(result, 0, 'the traced client' + server.describe())
        seen = [(sock, call, args, result_text)
                for sock, call, args, result_text in events(result.stdout)]
        sockets = {sock for sock, *_ in seen}
        self.assertEqual(sockets, {'notes_client.py:3'}, result.describe())
        self.assertEqual([(call, args, res) for _, call, args, res in seen], [
            ('socket', 'socket.AF_INET, socket.SOCK_STREAM', 'fd 3'),
            ('connect', f"('127.0.0.1', {port})", 'None'),
            ('sendall', "b'Hello World'", 'None (11 bytes)'),
            ('recv', '1024', "b'Hello World' (11 bytes)"),
            ('close', '', 'None'),
        ], result.describe())
        self.assertEqual(server.wait(30), 0, server.describe())

    def test_json_fields(self):
        port = free_port()
        server = self.start_peer([PYTHON, SERVER, str(port)])
        self.wait_listening(server, port)
        result = cliutil.run(['--trace', '--json', '--data-limit', '5', '--',
                              CLIENT, str(port), 'Hello World', 'Hello World'])
        self.assertExit(result, 0, 'the traced client' + server.describe())
        found = json_events(result.stdout)
        self.assertEqual([e['call'] for e in found],
                         ['socket', 'connect', 'sendall', 'recv', 'close'], result.describe())
        for event in found:
            for key in cliutil.REQUIRED_JSON_KEYS + ('pid', 'program'):
                self.assertIn(key, event, result.describe())
            self.assertEqual(event['program'], 'notes_client.py')
            self.assertEqual(event['socket'], 'notes_client.py:3')
        self.assertEqual(len({e['pid'] for e in found}), 1, result.describe())
        self.assertIsInstance(found[0]['pid'], int)
        self.assertNotEqual(found[0]['pid'], os.getpid())

        connect = found[1]
        self.assertEqual(connect['remote'], f'127.0.0.1:{port}')
        self.assertEqual(connect['state'], 'connected')
        self.assertRegex(connect['local'], r'^127\.0\.0\.1:\d+$')
        sendall = found[2]
        self.assertEqual(sendall['kind'], 'sent')
        self.assertEqual(sendall['bytes'], 11)
        # --data-limit cuts what is shown, not what was counted.
        self.assertEqual(sendall['data_hex'], b'Hello'.hex())
        self.assertIs(sendall.get('truncated'), True)
        self.assertEqual(found[3]['kind'], 'received')
        self.assertEqual(found[4]['state'], 'closed')
        self.assertEqual(server.wait(30), 0, server.describe())

    # Exit status and programs that cannot start

    def test_exit_status_is_the_programs(self):
        script = self.write_program('three.py', 'import sys\nsys.exit(3)\n')
        self.assertExit(cliutil.run(['--trace', '--', script]), 3, 'a Python program')
        self.assertExit(cliutil.run(['--trace', '--', '/bin/sh', '-c', 'exit 4']), 4,
                        'a program that is not Python')
        killed = cliutil.run(['--trace', '--', '/bin/sh', '-c', 'kill -TERM $$'])
        self.assertExit(killed, 128 + 15, 'a program killed by SIGTERM')

    def test_program_that_cannot_start(self):
        for program in (os.path.join(self.tmp, 'no-such-program'),
                        os.path.join(self.tmp, 'no-such-script.py')):
            result = cliutil.run(['--trace', '--', program])
            self.assertExit(result, 2, program)
            self.assertIn(program, result.stderr, result.describe())
            self.assertEqual(result.stdout, '', result.describe())

    def test_command_line(self):
        result = cliutil.run(['--trace'])
        self.assertExit(result, 2)
        self.assertIn('PROGRAM', result.stderr)
        result = cliutil.run(['--trace', '--record', os.path.join(self.tmp, 's.json'), '--',
                              '/bin/true'])
        self.assertExit(result, 0)
        self.assertIn('Recorded 0 steps on 0 sockets', result.stderr)
        result = cliutil.run(['--trace', '--step-delay', '5', '--', '/bin/true'])
        self.assertExit(result, 2)
        self.assertIn('--step-delay', result.stderr)
        result = cliutil.run(['--help'])
        self.assertIn('--trace', result.stdout)

    # A program's threads are followed

    def test_threaded_server(self):
        port = free_port()
        script = self.write_program('threaded.py', f'''\
            import socket
            import threading

            def handle(conn):
                with conn:
                    conn.settimeout(30)
                    conn.sendall(conn.recv(1024).upper())

            with socket.create_server(('127.0.0.1', {port})) as server:
                server.settimeout(30)
                threads = []
                for _ in range(3):
                    conn, _ = server.accept()
                    thread = threading.Thread(target=handle, args=(conn,))
                    thread.start()
                    threads.append(thread)
                for thread in threads:
                    thread.join()
            ''')
        trace = self.start_peer([self.exe, '--trace', '--json', '--', script],
                                env=cliutil.headless_env())
        self.wait_listening(trace, port)
        clients = [socket.create_connection(('127.0.0.1', port), timeout=30) for _ in range(3)]
        for i, client in enumerate(clients):
            client.sendall(f'client {i}'.encode())
        for i, client in enumerate(clients):
            self.assertEqual(client.recv(1024), f'CLIENT {i}'.encode())
            client.close()
        self.assertEqual(trace.wait(30), 0, trace.describe())

        found = json_events(trace.stdout())
        accepted = {re.match(r'^\((threaded\.py:\d+), ', e['result'])[1]
                    for e in found if e['call'] == 'accept'}
        # Named after their descriptors, which a closed one hands on.
        on_accepted = [e for e in found if e['socket'] in accepted]
        received = sorted(bytes.fromhex(e['data_hex']) for e in on_accepted
                          if e['call'] == 'recv')
        sent = sorted(bytes.fromhex(e['data_hex']) for e in on_accepted
                      if e['call'] == 'sendall')
        self.assertEqual(received, [b'client 0', b'client 1', b'client 2'], trace.describe())
        self.assertEqual(sent, [b'CLIENT 0', b'CLIENT 1', b'CLIENT 2'], trace.describe())
        self.assertEqual(len([e for e in on_accepted if e['call'] == 'close']), 3,
                         trace.describe())
        self.assertEqual(len([e for e in found if e['call'] == 'accept']), 3, trace.describe())

    # A program's children are followed

    def test_forked_child_reports_with_its_pid(self):
        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(receiver.close)
        receiver.bind(('127.0.0.1', 0))
        port = receiver.getsockname()[1]
        script = self.write_program('forker.py', f'''\
            import os
            import socket

            def send(text):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.sendto(text, ('127.0.0.1', {port}))
                s.close()

            pid = os.fork()
            if pid == 0:
                send(b'child')
                os._exit(0)
            # One write: our output and the program's share the pipe.
            os.write(1, f'child {{pid}}\\n'.encode())
            os.waitpid(pid, 0)
            send(b'parent')
            ''')
        result = cliutil.run(['--trace', '--json', '--', script])
        self.assertExit(result, 0)
        child = re.search(r'^child (\d+)$', result.stdout, re.M)
        self.assertIsNotNone(child, result.describe())
        child = int(child[1])
        found = json_events(result.stdout)
        sent = {bytes.fromhex(e['data_hex']): e for e in found if e['call'] == 'sendto'}
        self.assertEqual(set(sent), {b'child', b'parent'}, result.describe())
        self.assertEqual(sent[b'child']['pid'], child, result.describe())
        self.assertEqual(sent[b'child']['socket'], f'forker.py[{child}]:3')
        self.assertNotEqual(sent[b'parent']['pid'], child)
        self.assertEqual(sent[b'parent']['socket'], 'forker.py:3')
        receiver.settimeout(5)
        self.assertEqual({receiver.recv(100), receiver.recv(100)}, {b'child', b'parent'})

    def test_exec_child_reports_under_its_own_name(self):
        """A Python program started by the traced one is followed when it
        is given the channel, under its own name; so is a script run
        through python3 by name."""
        child = self.write_program('child.py', """\
            import socket
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
            """)
        parent = self.write_program('parent.py', f"""\
            import os
            import socket
            import subprocess
            import sys

            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
            fd = int(os.environ['SP_TRACE_FD'])
            child = subprocess.Popen([sys.executable, {child!r}], pass_fds=[fd])
            os.write(1, f'child {{child.pid}}\\n'.encode())
            sys.exit(child.wait())
            """)
        result = cliutil.run(['--trace', '--json', '--', 'python3', parent])
        self.assertExit(result, 0)
        pid = int(re.search(r'^child (\d+)$', result.stdout, re.M)[1])
        found = json_events(result.stdout)
        self.assertEqual([(e['socket'], e['call'], e['program']) for e in found], [
            ('parent.py:3', 'socket', 'parent.py'),
            ('parent.py:3', 'close', 'parent.py'),
            (f'child.py[{pid}]:3', 'socket', 'child.py'),
            (f'child.py[{pid}]:3', 'close', 'child.py'),
        ], result.describe())
        self.assertEqual(found[2]['pid'], pid)

    def test_subprocess_child_is_followed(self):
        """subprocess closes a child's descriptors unless told to keep
        them: the tracer keeps the channel, so that a child the program
        starts as it would untraced is followed too."""
        child = self.write_program('child.py', """\
            import socket
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
            """)
        parent = self.write_program('parent.py', f"""\
            import subprocess
            import sys

            sys.exit(subprocess.run([sys.executable, {child!r}]).returncode)
            """)
        result = cliutil.run(['--trace', '--json', '--', parent])
        self.assertExit(result, 0)
        found = json_events(result.stdout)
        self.assertEqual([(e['call'], e['program']) for e in found],
                         [('socket', 'child.py'), ('close', 'child.py')], result.describe())

    def test_orphan_child_does_not_hold_the_trace(self):
        script = self.write_program('leaver.py', """\
            import os
            import socket
            import time

            pid = os.fork()
            if pid == 0:
                # Holds the channel, not our output, for longer than we wait.
                os.close(1)
                os.close(2)
                time.sleep(20)
                os._exit(0)
            os.write(1, f'orphan {pid}\\n'.encode())
            socket.socket().close()
            """)
        result = cliutil.run(['--trace', '--', script], timeout=15)
        orphan = re.search(r'^orphan (\d+)$', result.stdout, re.M)
        if orphan:
            self.addCleanup(lambda: subprocess.run(['kill', orphan[1]]))
        self.assertExit(result, 0)
        self.assertLess(result.elapsed, 10, result.describe())
        self.assertEqual([call for _, call, _, _ in events(result.stdout)], ['socket', 'close'])

    def test_ctrl_c(self):
        """Ctrl+C reaches the program and us (one process group): the program
        ends as it would untraced; one that ignores it is asked to end."""
        for name, ignore, status in (('polite.py', '', 128 + signal.SIGINT),
                                     ('deaf.py', 'signal.signal(signal.SIGINT, signal.SIG_IGN)',
                                      128 + signal.SIGTERM)):
            script = self.write_program(name, f"""\
                import signal, socket, time
                {ignore}
                socket.socket()
                time.sleep(30)
                """)
            trace = self.start_peer([self.exe, '--trace', '--', script],
                                    env=cliutil.headless_env())
            self.assertTrue(wait_until(lambda: 'socket(' in trace.stdout(), timeout=10,
                                       process=trace.process), trace.describe())
            os.killpg(trace.process.pid, signal.SIGINT)
            self.assertEqual(trace.wait(15), status, name + trace.describe())

    # The program's own standard input stays its own

    def test_stdin_is_the_programs(self):
        receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(receiver.close)
        receiver.bind(('127.0.0.1', 0))
        port = receiver.getsockname()[1]
        script = self.write_program('typist.py', f"""\
            import socket
            line = input()
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(line.encode(), ('127.0.0.1', {port}))
            s.close()
            """)
        typed = os.path.join(self.tmp, 'typed.txt')
        with open(typed, 'w') as f:
            f.write('typed by hand\n')
        with open(typed) as stdin:
            result = cliutil.run(['--trace', '--', script], stdin=stdin)
        self.assertExit(result, 0)
        self.assertIn(f"sendto(b'typed by hand', ('127.0.0.1', {port})) -> 13", result.stdout,
                      result.describe())
        receiver.settimeout(5)
        self.assertEqual(receiver.recv(100), b'typed by hand')

    def test_traceback_is_the_programs(self):
        """A call that fails shows the student the traceback Python would
        show untraced, without the tracer's frames."""
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        script = self.write_program('refused.py', f"""\
            import socket
            try:
                socket.create_connection(('127.0.0.1', {port}))
            except OSError as e:
                raise RuntimeError('no server') from e
            """)
        # The python3 that --trace runs a script with, whose library the
        # traceback names.
        untraced = subprocess.run([shutil.which('python3'), script], capture_output=True,
                                  text=True, timeout=30)
        traced = cliutil.run(['--trace', '--', script])
        self.assertExit(traced, untraced.returncode)
        self.assertIn('ECONNREFUSED', traced.stdout, traced.describe())
        self.assertEqual(traced.stderr, untraced.stderr, traced.describe())

    # What a program writes on the channel cannot upset the trace

    def test_unreadable_reports_are_skipped(self):
        script = self.write_program('garbage.py', '''\
            import os
            import socket

            fd = int(os.environ['SP_TRACE_FD'])
            for junk in (b'not json', b'[1, 2]', b'{"call": "bind"}', b'\\xff\\xfe',
                         b'{"pid": "x", "fd": 3, "call": "recv", "ok": true}'):
                os.write(fd, junk)
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
            ''')
        result = cliutil.run(['--trace', '--', script])
        self.assertExit(result, 0)
        self.assertIn('5 reports could not be read', result.stderr, result.describe())
        self.assertEqual([call for _, call, _, _ in events(result.stdout)], ['socket', 'close'],
                         result.describe())


if __name__ == '__main__':
    cliutil.main()
