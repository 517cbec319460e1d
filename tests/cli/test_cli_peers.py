#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sessions written by hand against the documented format (DESIGN.md,
"Session file, version 1"), replayed with --headless against real peers:
the lecture notes' own programs in Python, socat, ncat, packetsender,
Python's http.server and UNIX-socket peers. Every replay must exit 0.

Only 127.0.0.1 and UNIX sockets are used; every wait is bounded; peers are
killed in tearDown.
"""

import os
import shutil
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import PEERS, fixture, free_port, is_listening, render, wait_until  # noqa: E402

PYTHON = sys.executable


class PeerTests(cliutil.TestCase):

    def replay(self, session, timeout=30, args=()):
        result = cliutil.run(['--headless', session] + list(args), timeout=timeout)
        return result

    def wait_listening(self, peer, port, proto='tcp'):
        ok = wait_until(lambda: is_listening(port, proto), timeout=5, process=peer.process)
        self.assertTrue(ok, f'the peer did not {"listen" if proto == "tcp" else "bind"} '
                            f'on 127.0.0.1:{port} within 5 s' + peer.describe())

    def assertReplayPasses(self, result, *peers):
        details = result.describe() + ''.join(p.describe() for p in peers)
        self.assertExit(result, 0, 'the replay' + details)
        for line in result.stdout.splitlines():
            self.assertTrue(cliutil.PLAIN_CALL_RE.match(line) or cliutil.PLAIN_NOTE_RE.match(line),
                            f'not an output line of the documented form: {line!r}')

    # (a) the notes' echo server, in Python, and the session as its client

    def test_notes_echo_server_with_session_client(self):
        port = free_port()
        peer = self.start_peer([PYTHON, os.path.join(PEERS, 'notes_echo_server.py'), str(port)])
        self.wait_listening(peer, port)
        session = render('peers/echo-client.json', self.tmp, PORT=port)
        result = self.replay(session)
        self.assertReplayPasses(result, peer)
        self.assertIn("recv(1024) -> b'Hello World' (11 bytes)", result.stdout)
        self.assertEqual(peer.wait(10), 0, 'the echo server did not end cleanly' + peer.describe())
        self.assertIn("Received b'Hello World'", peer.stdout())

    # (b) the session as the server, the notes' client in Python

    def test_session_server_with_notes_client(self):
        port = free_port()
        session = render('peers/chat-server.json', self.tmp, PORT=port)
        server = self.start_session(['--headless', session])
        self.wait_listening(server, port)
        client = self.start_peer([PYTHON, os.path.join(PEERS, 'notes_client.py'), str(port),
                                  'Hello I am Client.', 'Hey! Buddy I am Server.'])
        client_status = client.wait(20)
        server_status = server.wait(20)
        details = server.describe() + client.describe()
        self.assertEqual(client_status, 0, 'the notes client failed' + details)
        self.assertEqual(server_status, 0, 'the session (server side) failed' + details)
        self.assertIn("recv(1024) -> b'Hello I am Client.' (18 bytes)", server.stdout(), details)

    # (c) socat as an echo peer

    def test_socat_echo_peer(self):
        if not shutil.which('socat'):
            self.skipTest('socat is not installed')
        port = free_port()
        peer = self.start_peer(['socat', f'TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr',
                                'EXEC:cat'])
        self.wait_listening(peer, port)
        session = render('peers/stream-echo-eof.json', self.tmp, PORT=port,
                         TEXT='Hello socat')
        result = self.replay(session)
        self.assertReplayPasses(result, peer)
        self.assertIn("b'Hello socat' (11 bytes)", result.stdout)

    # (d) ncat, TCP and UDP

    def test_ncat_tcp_echo_peer(self):
        if not shutil.which('ncat'):
            self.skipTest('ncat is not installed')
        port = free_port()
        peer = self.start_peer(['ncat', '-l', '127.0.0.1', str(port), '--sh-exec', 'cat'])
        self.wait_listening(peer, port)
        # No shutdown(SHUT_WR) here: ncat ends the whole connection when its
        # peer half-closes, before cat's answer is written back.
        session = render('peers/echo-client.json', self.tmp, PORT=port)
        result = self.replay(session)
        self.assertReplayPasses(result, peer)
        self.assertIn("recv(1024) -> b'Hello World' (11 bytes)", result.stdout)

    def test_ncat_udp_echo_peer(self):
        if not shutil.which('ncat'):
            self.skipTest('ncat is not installed')
        port = free_port(socket.SOCK_DGRAM)
        peer = self.start_peer(['ncat', '-u', '-l', '127.0.0.1', str(port),
                                '--sh-exec', 'cat'])
        self.wait_listening(peer, port, 'udp')
        session = render('peers/udp-echo-client.json', self.tmp, PORT=port)
        result = self.replay(session)
        self.assertReplayPasses(result, peer)
        self.assertIn("b'ping over UDP'", result.stdout)

    # (e) packetsender sends a datagram to a session waiting in recvfrom

    def test_packetsender_to_session_recvfrom(self):
        if not shutil.which('packetsender'):
            self.skipTest('packetsender is not installed')
        port = free_port(socket.SOCK_DGRAM)
        session = render('peers/udp-receiver.json', self.tmp, PORT=port)
        receiver = self.start_session(['--headless', session])
        self.wait_listening(receiver, port, 'udp')
        # packetsender's exit status is the number of bytes it sent, not success:
        # what it did is read from its output instead.
        sender = self.start_peer(['packetsender', '-4', '-u', '-A', '127.0.0.1', str(port),
                                  'hello'], env=cliutil.headless_env())
        sender.wait(20)
        sent = sender.stdout()
        self.assertRegex(sent, rf'UDP \(\d+\)://127\.0\.0\.1:{port} 68 65 6[cC] 6[cC] 6[fF]',
                         'packetsender did not report sending "hello"' + sender.describe())
        status = receiver.wait(20)
        details = receiver.describe() + sender.describe()
        self.assertEqual(status, 0, 'the session waiting in recvfrom failed' + details)
        self.assertIn("recvfrom(1024) -> (b'hello'", receiver.stdout(), details)

    # (f) Python's http.server as the web server of the notes' HTTP GET

    def test_http_get_by_hand_to_http_server(self):
        port = free_port()
        www = os.path.join(self.tmp, 'www')
        shutil.copytree(fixture('www'), www)
        peer = self.start_peer([PYTHON, '-m', 'http.server', '--bind', '127.0.0.1', str(port),
                                '--directory', www])
        self.wait_listening(peer, port)
        session = render('peers/http-get.json', self.tmp, PORT=port)
        result = self.replay(session)
        self.assertReplayPasses(result, peer)
        self.assertIn("sendall(b'GET /5062CEM.php HTTP/1.0\\r\\n\\r\\n')", result.stdout)
        self.assertRegex(result.stdout, r"recv\(1024\) -> b'HTTP/1\.0 200 OK")

    # (g) the notes' Example 2 page served by the session, fetched by Python's
    # own HTTP client (no curl needed): the greeting names the lecturer asked for

    def test_http_greeting_served_to_urllib(self):
        import urllib.request
        port = free_port()
        session = render('peers/http-greeting-server.json', self.tmp, PORT=port)
        server = self.start_session(['--headless', session])
        self.wait_listening(server, port)
        asked = [('?lecturer=Ian%20Cornelius', 'Hello Ian Cornelius, and welcome to 5062CEM!'),
                 ('?lecturer=Terry%20Richards', 'Hello Terry Richards, and welcome to 5062CEM!'),
                 ('', 'Hello, welcome to 5062CEM!')]
        for query, greeting in asked:
            with self.subTest(query=query):
                url = f'http://127.0.0.1:{port}/5062CEM.php{query}'
                with urllib.request.urlopen(url, timeout=10) as response:
                    self.assertEqual(response.status, 200, server.describe())
                    page = response.read().decode('utf-8')
                self.assertIn(f'<body>\n{greeting}</body>', page, server.describe())
        self.assertEqual(server.wait(20), 0, 'the session (web server) failed' + server.describe())
        self.assertIn('lecturer=Ian%20Cornelius HTTP/1.1', server.stdout(), server.describe())

    # (h) UNIX-socket peers in Python

    def test_unix_python_echo_server_with_session_client(self):
        path = os.path.join(self.tmp, 'echo.sock')
        peer = self.start_peer([PYTHON, os.path.join(PEERS, 'unix_echo_server.py'), path])
        ok = wait_until(lambda: cliutil.unix_path_listening(path), timeout=5,
                        process=peer.process)
        self.assertTrue(ok, 'the UNIX echo server did not listen' + peer.describe())
        session = render('peers/unix-client.json', self.tmp, PATH=path)
        result = self.replay(session)
        self.assertReplayPasses(result, peer)
        self.assertIn("b'Hello over a UNIX socket' (24 bytes)", result.stdout)
        self.assertEqual(peer.wait(10), 0, peer.describe())

    def test_unix_session_server_with_python_client(self):
        path = os.path.join(self.tmp, 'server.sock')
        session = render('peers/unix-server.json', self.tmp, PATH=path)
        server = self.start_session(['--headless', session])
        ok = wait_until(lambda: cliutil.unix_path_listening(path), timeout=5,
                        process=server.process)
        self.assertTrue(ok, 'the session did not listen on its UNIX path' + server.describe())
        client = self.start_peer([PYTHON, os.path.join(PEERS, 'unix_client.py'), path, 'ping',
                                  'ping'])
        client_status = client.wait(20)
        server_status = server.wait(20)
        details = server.describe() + client.describe()
        self.assertEqual(client_status, 0, 'the Python UNIX client failed' + details)
        self.assertEqual(server_status, 0, 'the session (UNIX server) failed' + details)


if __name__ == '__main__':
    cliutil.main()
