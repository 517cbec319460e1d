# SPDX-License-Identifier: GPL-3.0-or-later
"""The preload library (src/trace/) against C programs built for the test:
what it reports of an echo server and client, threads, a forked and exec'd
child, a program that closes the channel, and files it must not report.
Loopback only; every run under a timeout."""

import base64
import errno
import json
import os
import socket
import tempfile
import unittest

from traceutil import Traced, free_port, program

KEYS = {'pid', 'program', 'fd', 'call', 'ok', 'errno', 'family', 'type', 'args', 'result',
        'bytes', 'data', 'local', 'remote', 'new_fd', 'time_us', 'start_us'}
# Calls that can make another process's call return say when they began.
STARTED = {'send', 'sendto', 'connect', 'shutdown', 'close'}


def calls(reports, fd=None):
    return [r['call'] for r in reports if fd is None or r['fd'] == fd]


def data(report):
    return base64.b64decode(report['data'], validate=True)


class WellFormed:
    def assertWellFormed(self, reports, pid=None):
        for r in reports:
            self.assertLessEqual(set(r), KEYS, r)
            for key in ('pid', 'program', 'fd', 'call', 'ok', 'errno', 'time_us'):
                self.assertIn(key, r)
            self.assertIsInstance(r['ok'], bool)
            self.assertEqual(r['ok'], r['errno'] == 0, r)
            self.assertEqual('start_us' in r, r['call'] in STARTED, r)
            if 'start_us' in r:
                self.assertLessEqual(r['start_us'], r['time_us'], r)
            if pid is not None:
                self.assertEqual(r['pid'], pid)


class EchoTest(unittest.TestCase, WellFormed):
    def test_server_and_client(self):
        port = free_port()
        server = Traced([program('trace-echo-server'), str(port)], name='server')
        server.wait_for(lambda r: r['call'] == 'listen')
        client = Traced([program('trace-echo-client'), str(port), 'Hello "World"\n'],
                        name='client')
        status, out, creports = client.finish()
        self.assertEqual(status, 0, out)
        self.assertIn('received: Hello "World"', out)
        self.assertIn('end: 0', out)
        status, out, sreports = server.finish()
        self.assertEqual(status, 0)
        self.assertWellFormed(creports, client.process.pid)
        self.assertWellFormed(sreports, server.process.pid)
        self.assertTrue(all(r['program'] == 'client' for r in creports))

        # The server: the lecture's calls, in order, on its two sockets.
        listener = sreports[0]['fd']
        self.assertEqual(calls(sreports, listener),
                         ['socket', 'setsockopt', 'bind', 'listen', 'accept', 'close'])
        by_call = {r['call']: r for r in sreports if r['fd'] == listener}
        self.assertEqual(by_call['socket']['family'], 'inet')
        self.assertEqual(by_call['socket']['type'], 'stream')
        self.assertEqual(by_call['socket']['args'], 'AF_INET, SOCK_STREAM')
        self.assertEqual(by_call['setsockopt']['args'], 'SOL_SOCKET, SO_REUSEADDR, 1')
        self.assertEqual(by_call['bind']['args'], f"('127.0.0.1', {port})")
        self.assertEqual(by_call['bind']['local'], f'127.0.0.1:{port}')
        self.assertEqual(by_call['bind']['result'], 'None')
        self.assertEqual(by_call['listen']['args'], '1')
        accept = by_call['accept']
        conn = accept['new_fd']
        self.assertNotEqual(conn, listener)
        self.assertEqual(accept['local'], f'127.0.0.1:{port}')

        # The client: its connect's local address is the server's remote.
        self.assertEqual(calls(creports),
                         ['getaddrinfo', 'socket', 'connect', 'send', 'recv', 'send', 'recv',
                          'shutdown', 'recv', 'close'])
        gai, _, connect = creports[:3]
        self.assertEqual(gai['fd'], -1)
        self.assertEqual(gai['args'], f"'127.0.0.1', {port}, AF_INET, SOCK_STREAM")
        self.assertIn(f"('127.0.0.1', {port})", gai['result'])
        self.assertEqual(connect['remote'], f'127.0.0.1:{port}')
        self.assertEqual(connect['args'], f"('127.0.0.1', {port})")
        self.assertEqual(accept['remote'], connect['local'])
        self.assertEqual(accept['result'],
                         f"(<socket fd {conn}>, ('127.0.0.1', {connect['local'].split(':')[1]}))")

        message = b'Hello "World"\n'
        sends = [r for r in creports if r['call'] == 'send']
        for r in sends:
            self.assertEqual(r['bytes'], len(message))
            self.assertEqual(r['result'], str(len(message)))
            self.assertEqual(data(r), message)
        # The data is the payload, not an argument, as in the session's events.
        self.assertNotIn('args', sends[0])
        recvs = [r for r in creports if r['call'] == 'recv']
        self.assertEqual(recvs[0]['args'], '1024')
        self.assertEqual([r['bytes'] for r in recvs], [len(message), len(message), 0])
        self.assertNotIn('data', recvs[2])
        self.assertEqual(data(recvs[1]), message)
        shutdown = creports[7]
        self.assertEqual(shutdown['args'], 'SHUT_WR')

        # The server's side of the conversation, on the accepted socket.
        served = [r for r in sreports if r['fd'] == conn]
        self.assertEqual(calls(served), ['recv', 'send', 'recv', 'send', 'recv', 'close'])
        self.assertEqual(b''.join(data(r) for r in served if r['call'] == 'send'), message * 2)
        self.assertEqual(served[-2]['bytes'], 0)

    def test_refused_connect(self):
        port = free_port()
        client = Traced([program('trace-echo-client'), str(port), 'x'], name='client')
        status, out, reports = client.finish()
        self.assertEqual(status, 3)
        # What the program saw is what it would have seen untraced.
        self.assertEqual(out.strip(), 'connect: -1 ECONNREFUSED')
        connect = [r for r in reports if r['call'] == 'connect'][0]
        self.assertFalse(connect['ok'])
        self.assertEqual(connect['errno'], errno.ECONNREFUSED)
        self.assertEqual(connect['remote'], f'127.0.0.1:{port}')
        self.assertNotIn('result', connect)
        self.assertEqual(calls(reports)[-1], 'close')

    def test_data_limit(self):
        port = free_port()
        server = Traced([program('trace-echo-server'), str(port)], name='server')
        server.wait_for(lambda r: r['call'] == 'listen')
        message = 'abcdefghij' * 10
        client = Traced([program('trace-echo-client'), str(port), message],
                        name='client', data_limit=7)
        status, _, reports = client.finish()
        server.finish()
        self.assertEqual(status, 0)
        send = [r for r in reports if r['call'] == 'send'][0]
        self.assertEqual(send['bytes'], 100)
        self.assertEqual(data(send), b'abcdefg')

    def test_report_larger_than_socket_buffer(self):
        # 180,000 bytes make a report of 240,000 and more: it still comes
        # whole, below the reader's limit.
        size = 180_000
        for limit in (-1, None):
            with self.subTest(limit=limit):
                traced = Traced([program('trace-big'), str(size)], data_limit=limit)
                status, out, reports = traced.finish()
                self.assertEqual(status, 0)
                self.assertEqual(out.split(), [str(size), str(size)])
                self.assertTrue(all(len(m) <= 256 * 1024 for m in traced.raw))
                moved = [r for r in reports if r['call'] in ('send', 'recv')]
                self.assertEqual(len(moved), 2)
                expected = bytes((i * 7) & 0xff for i in range(size))
                for r in moved:
                    self.assertEqual(r['bytes'], size)
                    self.assertEqual(data(r), expected)


class ThreadsTest(unittest.TestCase, WellFormed):
    def test_every_report_whole(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
            sink.bind(('127.0.0.1', 0))
            port = sink.getsockname()[1]
            threads, count = 8, 500
            # A name that needs escaping in JSON, and one that is not UTF-8.
            traced = Traced([program('trace-threads'), str(port), str(threads), str(count)],
                            name='th"re\\ads\n\udcff')
            status, out, _ = traced.finish()
        self.assertEqual(status, 0)
        # Each message whole and strict JSON (no NaN, valid UTF-8).
        reports = [json.loads(m.decode('utf-8'), parse_constant=self.fail) for m in traced.raw]
        self.assertWellFormed(reports, traced.process.pid)
        self.assertEqual({r['program'] for r in reports}, {'th"re\\ads\n\ufffd'})
        sends = [r for r in reports if r['call'] == 'sendto']
        self.assertEqual(len(sends), threads * count)
        seen = set()
        for r in sends:
            self.assertTrue(r['ok'])
            self.assertEqual(r['remote'], f'127.0.0.1:{port}')
            payload = data(r)
            self.assertEqual(r['bytes'], len(payload))
            self.assertEqual(payload[-1:], b'\xff')
            self.assertEqual(r['args'], f"('127.0.0.1', {port})")
            seen.add(payload)
        self.assertEqual(len(seen), threads * count)
        self.assertEqual(calls(reports).count('socket'), threads + 1)
        self.assertEqual(calls(reports).count('close'), threads + 1)


class ForkTest(unittest.TestCase, WellFormed):
    def test_child_and_exec(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
            sink.bind(('127.0.0.1', 0))
            port = sink.getsockname()[1]
            refused = free_port()
            traced = Traced([program('trace-fork'), str(port), program('trace-echo-client'),
                             str(refused), 'x'], name='forker')
            status, out, reports = traced.finish()
        self.assertEqual(status, 0, out)
        self.assertWellFormed(reports)
        pids = dict(line.split() for line in out.splitlines() if line.split()[0] in
                    ('child', 'parent'))
        child, parent = int(pids['child']), int(pids['parent'])
        self.assertNotEqual(child, parent)

        mine = [r for r in reports if r['pid'] == parent]
        self.assertEqual(calls(mine), ['socket', 'sendto', 'close'])
        self.assertEqual(data(mine[1]), b'parent')
        theirs = [r for r in reports if r['pid'] == child]
        forked = [r for r in theirs if r['program'] == 'forker']
        self.assertEqual(calls(forked), ['sendto', 'close'])
        self.assertEqual(data(forked[0]), b'child')
        # After exec: the same process, under the new program's name.
        execed = [r for r in theirs if r['program'] == 'trace-echo-client']
        self.assertEqual(calls(execed), ['getaddrinfo', 'socket', 'connect', 'close'])
        self.assertEqual(execed[2]['errno'], errno.ECONNREFUSED)
        self.assertEqual(len(forked) + len(execed), len(theirs))


class ChannelTest(unittest.TestCase, WellFormed):
    def test_program_closes_channel(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
            sink.bind(('127.0.0.1', 0))
            sink.settimeout(10)
            port = sink.getsockname()[1]
            traced = Traced([program('trace-close-channel'), str(port), '1000'])
            status, out, reports = traced.finish()
            received = [sink.recv(65536) for _ in range(3)]
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines(),
                         ['close: 0 0', 'send: 5', 'dup2: 1000 send: 10', 'close again: -1 EBADF'])
        # Only the program's own datagrams reached its peer: no report.
        self.assertEqual(received, [b'before', b'after', b'at-channel'])
        self.assertWellFormed(reports)
        self.assertEqual(calls(reports), ['socket', 'connect', 'send'])
        self.assertNotIn(1000, [r['fd'] for r in reports])

    def test_no_channel_no_reports(self):
        # Without SP_TRACE_FD, or with one that is not the channel, the
        # library does nothing and the program runs as it would.
        for value in (None, '1000', 'x', '-1', '1'):
            env = {'LD_PRELOAD': os.environ['SP_TRACE_PRELOAD']}
            if value is not None:
                env['SP_TRACE_FD'] = value
            with self.subTest(value=value):
                port = free_port()
                traced = Traced([program('trace-echo-client'), str(port), 'x'],
                                trace=False, env=env)
                status, out, reports = traced.finish()
                self.assertEqual(status, 3)
                self.assertEqual(out.strip(), 'connect: -1 ECONNREFUSED')
                self.assertEqual(reports, [])


class AddressesTest(unittest.TestCase, WellFormed):
    def test_unix_and_ipv6(self):
        try:
            six = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            six.bind(('::1', 0))
        except OSError:
            self.skipTest('no IPv6 loopback')
        with six, tempfile.TemporaryDirectory() as directory:
            port = six.getsockname()[1]
            traced = Traced([program('trace-addresses'), directory, str(port)])
            status, out, reports = traced.finish()
            self.assertEqual(six.recv(64), b'v6')
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines(), ['recvmsg: 6', 'recvfrom: 2'])
        self.assertWellFormed(reports, traced.process.pid)
        path = os.path.join(directory, 'server.sock')
        name = f'sp-trace-{traced.process.pid}'
        self.assertEqual(calls(reports),
                         ['socket', 'socket', 'bind', 'bind', 'sendto', 'recvfrom', 'sendto',
                          'recvfrom', 'socket', 'sendto', 'close', 'close', 'close'])
        server, client = reports[0]['fd'], reports[1]['fd']
        self.assertEqual(reports[0]['family'], 'unix')
        self.assertEqual(reports[0]['type'], 'dgram')
        self.assertEqual((reports[2]['args'], reports[2]['local']), (f"'{path}'", path))
        self.assertEqual((reports[3]['args'], reports[3]['local']),
                         (f"b'\\x00{name}'", f'@{name}'))

        sendmsg, recvmsg, sendto, recvfrom = reports[4:8]
        self.assertEqual((sendmsg['fd'], sendmsg['remote'], sendmsg['bytes']), (client, path, 6))
        self.assertEqual(data(sendmsg), b'abcdef')
        self.assertEqual(sendmsg['args'], f"'{path}'")
        self.assertEqual((recvmsg['fd'], recvmsg['remote'], recvmsg['args']),
                         (server, f'@{name}', '66'))
        self.assertEqual(data(recvmsg), b'abcdef')
        self.assertEqual((sendto['remote'], recvfrom['remote']), (f'@{name}', path))
        self.assertEqual(data(recvfrom), b'ok')

        v6 = reports[9]
        self.assertEqual(reports[8]['family'], 'inet6')
        self.assertEqual(v6['remote'], f'[::1]:{port}')
        self.assertEqual(v6['args'], f"('::1', {port}, 0, 0)")


class FortifiedTest(unittest.TestCase, WellFormed):
    def test_checked_calls(self):
        traced = Traced([program('trace-fortified'), '64'])
        status, out, reports = traced.finish()
        self.assertEqual(status, 0)
        self.assertEqual(out.split(), ['3', '3', '5'])
        self.assertWellFormed(reports)
        received = [r for r in reports if r['call'] == 'recv']
        self.assertEqual([data(r) for r in received], [b'one', b'two', b'three'])
        self.assertEqual({r['args'] for r in received}, {'64'})


class FilesTest(unittest.TestCase, WellFormed):
    def run_file_io(self, stdin):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, 'file')
            traced = Traced([program('trace-file-io'), path], stdin=stdin)
            status, out, reports = traced.finish()
        self.assertEqual(status, 0)
        self.assertEqual(out.splitlines(), ['errno kept', 'read 9'])
        self.assertWellFormed(reports)
        return reports

    def test_files_and_pipes_not_reported(self):
        read_end, write_end = os.pipe()
        os.write(write_end, b'piped')
        os.close(write_end)
        try:
            reports = self.run_file_io(read_end)
        finally:
            os.close(read_end)
        # The socket, and the socket pair's data (it is made unreported:
        # the report format has no call for it) and its closes.
        self.assertEqual(calls(reports), ['socket', 'close', 'send', 'recv', 'close', 'close'])
        self.assertEqual(reports[0]['fd'], reports[1]['fd'])
        self.assertEqual(data(reports[2]), b'pair')
        self.assertEqual(reports[3]['family'], 'unix')

    def test_inherited_socket(self):
        # A socket the program did not make is one when fstat says so.
        ours, theirs = socket.socketpair()
        with ours, theirs:
            ours.sendall(b'inherited')
            reports = self.run_file_io(theirs.fileno())
        last = reports[-1]
        self.assertEqual((last['fd'], last['call'], data(last)), (0, 'recv', b'inherited'))
        self.assertEqual(last['args'], '64')

if __name__ == '__main__':
    unittest.main(verbosity=2)
