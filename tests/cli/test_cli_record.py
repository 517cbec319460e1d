#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""--trace --record FILE (DESIGN.md, "Watching a program you wrote"): a
traced run written as a session, which replays with --headless without
the programs and exports with --export-python: program → session →
program.

The lecture notes' echo server and client, and a C server and client
compiled here, run together under one trace (a shell starts both), so
that the client's connect reaches a socket of the same recording. Loopback
only, ports picked free at run time, every wait bounded.
"""

import json
import os
import subprocess
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import PEERS, free_port, is_listening, wait_until  # noqa: E402

PYTHON = sys.executable
SERVER = os.path.join(PEERS, 'notes_echo_server.py')
CLIENT = os.path.join(PEERS, 'notes_client.py')

# Starts the server, waits until it listens (read from /proc, so that the
# wait makes no socket call of its own), then runs the client.
BOTH = textwrap.dedent('''\
    sh "$1" & server=$!
    port=$(printf '%04X' "$3")
    i=0
    until grep -q ":$port 00000000:0000 0A" /proc/net/tcp; do
      i=$((i + 1)); [ $i -gt 200 ] && exit 9
      sleep 0.05
    done
    sh "$2"
    status=$?
    wait $server || exit 8
    exit $status
''')


class RecordTests(cliutil.TestCase):

    def record(self, server_argv, client_argv, port):
        """Both programs traced under one shell; returns the run and the
        session file."""
        session = os.path.join(self.tmp, 'recorded.json')
        launcher = os.path.join(self.tmp, 'both.sh')
        with open(launcher, 'w', encoding='utf-8') as f:
            f.write(BOTH)
        server = os.path.join(self.tmp, 'server.sh')
        client = os.path.join(self.tmp, 'client.sh')
        for path, argv in ((server, server_argv), (client, client_argv)):
            with open(path, 'w', encoding='utf-8') as f:
                f.write('exec ' + ' '.join(f"'{a}'" for a in argv) + '\n')
        result = cliutil.run(['--trace', '--record', session, '--', 'sh', launcher,
                              server, client, str(port)], env=cliutil.headless_env())
        return result, session

    def replay(self, session):
        result = cliutil.run(['--headless', session])
        self.assertExit(result, 0, 'the recording replayed')
        return result

    def test_notes_echo_round_trip(self):
        port = free_port()
        result, session = self.record([PYTHON, SERVER, str(port)],
                                      [PYTHON, CLIENT, str(port), 'Hello', 'Hello'], port)
        self.assertExit(result, 0, 'the traced run')
        self.assertIn('Recorded 14 steps on 2 sockets', result.stderr)

        # Each call once: the Python tracer's, not libc's as well, though
        # python3 was started by a shell the library was preloaded into.
        self.assertNotIn('python3[', result.stdout)
        self.assertEqual(result.stdout.count(' sendall('), 2, result.stdout)

        with open(session, encoding='utf-8') as f:
            recorded = json.load(f)
        # Each socket's calls in its program's order; between sockets the
        # order is any a replay can make one call at a time in.
        def calls_of(socket_id):
            return [s['call'] for s in recorded['steps'] if s['socket'] == socket_id]
        self.assertEqual(calls_of('notes_echo_server_3'),
                         ['socket', 'bind', 'listen', 'accept', 'close'])
        self.assertEqual(calls_of('notes_echo_server_4'),
                         ['recv', 'sendall', 'recv', 'close'])
        self.assertEqual(calls_of('notes_client_3'),
                         ['socket', 'connect', 'sendall', 'recv', 'close'])
        by_call = {(s['socket'], s['call']): s for s in recorded['steps']}
        self.assertEqual(by_call[('notes_client_3', 'connect')].get('to'), 'notes_echo_server_3')
        self.assertEqual(by_call[('notes_echo_server_3', 'accept')].get('as'),
                         'notes_echo_server_4')
        self.assertEqual(by_call[('notes_client_3', 'sendall')]['data'], {'text': 'Hello'})

        replayed = self.replay(session)
        self.assertIn("notes_echo_server_4 recv(1024) -> b'Hello' (5 bytes)", replayed.stdout)

        # The exported program does it again.
        out = os.path.join(self.tmp, 'exported')
        export = cliutil.run(['--export-python', session, '--output', out])
        self.assertExit(export, 0, 'the export')
        server = self.start_peer([PYTHON, os.path.join(out, 'server.py')])
        self.assertTrue(wait_until(lambda: is_listening(port), timeout=10,
                                   process=server.process), server.describe())
        client = subprocess.run([PYTHON, os.path.join(out, 'client.py')], capture_output=True,
                                text=True, timeout=30, stdin=subprocess.DEVNULL)
        self.assertEqual(client.returncode, 0, client.stdout + client.stderr)
        self.assertIn("received b'Hello'", client.stdout)
        self.assertEqual(server.wait(30), 0, server.describe())

    C_SERVER = r"""
        #include <arpa/inet.h>
        #include <stdlib.h>
        #include <sys/socket.h>
        #include <unistd.h>

        int main (int argc, char **argv)
        {
          struct sockaddr_in address = { .sin_family = AF_INET };
          char buffer[1024];
          ssize_t n;
          int one = 1, listener = socket (AF_INET, SOCK_STREAM, 0), conn;

          address.sin_port = htons (atoi (argv[1]));
          setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
          if (bind (listener, (struct sockaddr *) &address, sizeof address) < 0
              || listen (listener, 1) < 0 || (conn = accept (listener, NULL, NULL)) < 0)
            return 1;
          while ((n = read (conn, buffer, sizeof buffer)) > 0)
            write (conn, buffer, n);
          close (conn);
          close (listener);
          return 0;
        }
        """

    C_CLIENT = r"""
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
          int fd = socket (AF_INET, SOCK_STREAM, 0);

          address.sin_port = htons (atoi (argv[1]));
          address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
          if (connect (fd, (struct sockaddr *) &address, sizeof address) < 0)
            return 3;
          send (fd, argv[2], strlen (argv[2]), 0);
          n = recv (fd, buffer, sizeof buffer, 0);
          close (fd);
          return n == (ssize_t) strlen (argv[2]) ? 0 : 1;
        }
        """

    def test_c_programs_round_trip(self):
        port = free_port()
        server = self.compile_c('c-server', self.C_SERVER)
        client = self.compile_c('c-client', self.C_CLIENT)
        result, session = self.record([server, str(port)], [client, str(port), 'hello'], port)
        self.assertExit(result, 0, 'the traced run')

        with open(session, encoding='utf-8') as f:
            recorded = json.load(f)
        by_call = {(s['socket'], s['call']): s for s in recorded['steps']}
        # A server bound to the wildcard is where the client's connect went.
        self.assertEqual(by_call[('c_client_3', 'connect')].get('to'), 'c_server_3')
        self.assertEqual(by_call[('c_server_3', 'bind')]['address'], '0.0.0.0')
        self.assertEqual(by_call[('c_server_3', 'setsockopt')]['option'], 'SO_REUSEADDR')
        # write on a socket is send, read is recv.
        self.assertEqual(by_call[('c_server_4', 'send')]['data'], {'text': 'hello'})
        self.replay(session)

    def test_refused_connect_is_expected(self):
        port = free_port()
        session = os.path.join(self.tmp, 'refused.json')
        result = cliutil.run(['--trace', '--record', session, '--', PYTHON, CLIENT, str(port),
                              'x', 'x'], env=cliutil.headless_env())
        self.assertExit(result, 1, 'the client, refused')
        with open(session, encoding='utf-8') as f:
            recorded = json.load(f)
        connect = [s for s in recorded['steps'] if s['call'] == 'connect']
        self.assertEqual(connect, [{'socket': 'notes_client_3', 'call': 'connect',
                                    'address': '127.0.0.1', 'port': port,
                                    'expect': {'error': 'ECONNREFUSED'}}])
        self.replay(session)

    def test_missing_folder_is_refused_before_the_program_runs(self):
        marker = os.path.join(self.tmp, 'ran')
        session = os.path.join(self.tmp, 'no-such-folder', 's.json')
        result = cliutil.run(['--trace', '--record', session, '--', 'touch', marker])
        self.assertExit(result, 2)
        self.assertIn(os.path.join(self.tmp, 'no-such-folder'), result.stderr)
        self.assertFalse(os.path.exists(marker), 'the program ran')

    def test_program_that_cannot_start_writes_nothing(self):
        session = os.path.join(self.tmp, 's.json')
        result = cliutil.run(['--trace', '--record', session, '--',
                              os.path.join(self.tmp, 'no-such-program')])
        self.assertExit(result, 2)
        self.assertFalse(os.path.exists(session))


if __name__ == '__main__':
    cliutil.main()
