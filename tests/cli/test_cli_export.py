#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports that meet a full disk, and exports that must keep every byte.

--export-python writes all of its scripts or none: a small tmpfs in a private
mount namespace (unshare -rm, no privileges needed) fills up on the second
script, and nothing of the export may stay behind.

--export-log writes every payload byte, also those past the traffic log's
memory cap (256 MiB), whatever --data-limit says: a peer sends 20 MiB more
than the cap, and the pcapng (read back by tshark and by hand) and JSON
Lines exports hold each byte it sent, in order. The export replaces its
output whole: a symlink there is replaced, not followed, and on a full disk
the output stays as it was and the exit status is 2.
"""

import hashlib
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402

PAGE = 4096
PRESET = 'preset:tcp-echo'


def pages(size):
    return max(1, -(-size // PAGE))


def namespaces_work():
    if shutil.which('unshare') is None:
        return False
    result = subprocess.run(['unshare', '-rm', 'true'], capture_output=True)
    return result.returncode == 0


class ExportPythonFullDiskTests(cliutil.TestCase):

    def setUp(self):
        super().setUp()
        if not namespaces_work():
            raise unittest.SkipTest('unshare -rm does not work here (no user namespaces)')
        self.work = tempfile.mkdtemp(prefix='sp-export-')
        self.addCleanup(shutil.rmtree, self.work, True)
        # The scripts' sizes, from an export where there is room.
        roomy = os.path.join(self.work, 'roomy')
        result = cliutil.run(['--export-python', PRESET, '--output', roomy])
        self.assertEqual(result.returncode, 0, result.describe())
        self.scripts = sorted(os.listdir(roomy))
        self.assertEqual(self.scripts, ['client.py', 'server.py'])
        self.sizes = {name: os.path.getsize(os.path.join(roomy, name)) for name in self.scripts}
        self.mount = os.path.join(self.work, 'mnt')
        os.mkdir(self.mount)

    def in_namespace(self, size_pages, prepare, output):
        """Mounts a tmpfs of SIZE_PAGES pages on self.mount in a private
        namespace, runs the shell commands PREPARE in it, exports there,
        and returns (exit status, stderr, a listing of the tmpfs with each
        file's contents)."""
        script = f'''
set -e
mount -t tmpfs -o size={size_pages * PAGE} tmpfs "$M"
cd "$M"
{prepare}
set +e
"$EXE" --export-python {PRESET} --output "$OUT" 2>"$M/.stderr" >/dev/null
status=$?
echo "status=$status"
echo "--- stderr"
cat "$M/.stderr"
rm "$M/.stderr"
echo "--- files"
find . -mindepth 1 | sort
echo "--- contents"
find . -type f | sort | while read -r f; do echo "== $f"; cat "$f"; echo; done
'''
        env = cliutil.headless_env(M=self.mount, EXE=cliutil.executable(),
                                   OUT=os.path.join(self.mount, output))
        result = subprocess.run(['unshare', '-rm', 'sh', '-c', script], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = result.stdout
        status = int(out.split('status=', 1)[1].split('\n', 1)[0])
        stderr = out.split('--- stderr\n', 1)[1].split('--- files\n', 1)[0]
        files = out.split('--- files\n', 1)[1].split('--- contents\n', 1)[0].split()
        contents = out.split('--- contents\n', 1)[1]
        return status, stderr, files, contents

    def test_existing_directory_keeps_its_files(self):
        # The notes and the old server.py take a page each, the new
        # server.py fits in what is left, client.py does not.
        size = 2 + pages(self.sizes['server.py'])
        status, stderr, files, contents = self.in_namespace(
            size, 'mkdir out; printf "my notes" > out/notes.txt; '
                  'printf "old server" > out/server.py', 'out')
        self.assertEqual(status, 2, stderr)
        self.assertIn(os.path.join(self.mount, 'out', 'client.py'), stderr)
        self.assertIn('No space left on device', stderr)
        self.assertEqual(files, ['./out', './out/notes.txt', './out/server.py'], contents)
        self.assertIn('== ./out/notes.txt\nmy notes\n', contents)
        self.assertIn('== ./out/server.py\nold server\n', contents)

    def test_directory_made_for_the_export_goes_again(self):
        size = pages(self.sizes['server.py'])
        status, stderr, files, contents = self.in_namespace(size, ':', 'new/python')
        self.assertEqual(status, 2, stderr)
        self.assertIn(os.path.join(self.mount, 'new', 'python', 'client.py'), stderr)
        self.assertEqual(files, [], contents)

    def test_export_with_room_replaces_only_its_own_files(self):
        size = 2 + pages(self.sizes['server.py']) + pages(self.sizes['client.py'])
        status, stderr, files, contents = self.in_namespace(
            size, 'mkdir out; printf "my notes" > out/notes.txt; '
                  'printf "old server" > out/server.py', 'out')
        self.assertEqual(status, 0, stderr)
        self.assertEqual(files, ['./out', './out/client.py', './out/notes.txt',
                                 './out/server.py'], contents)
        self.assertIn('== ./out/notes.txt\nmy notes\n', contents)
        self.assertNotIn('old server', contents)


# The traffic log's payload cap (SP_TRAFFIC_LOG_DEFAULT_CAP) and a transfer
# that goes 20 MiB past it.
LOG_CAP = 256 << 20
TOTAL = LOG_CAP + (20 << 20)
CHUNK = 1 << 20
# The port in getsockname's result, plain ("getsockname() -> ('127.0.0.1', 40000)")
# or JSON ("call":"getsockname",…,"result":"('127.0.0.1', 40000)").
GETSOCKNAME_RE = re.compile(r"getsockname[^\n]*?\('127\.0\.0\.1', (\d+)\)")


def sink_session(path):
    sockets = [{'id': 'server', 'family': 'inet', 'type': 'stream', 'address': '127.0.0.1',
                'port': 0}]
    steps = [{'socket': 'server', 'call': 'bind'},
             {'socket': 'server', 'call': 'listen', 'backlog': 1},
             {'socket': 'server', 'call': 'getsockname'},
             {'socket': 'server', 'call': 'accept', 'as': 'conn', 'timeout-ms': 60000},
             {'socket': 'conn', 'call': 'recv', 'bufsize': 65536, 'until': 'eof',
              'timeout-ms': 60000},
             {'socket': 'conn', 'call': 'close'},
             {'socket': 'server', 'call': 'close'}]
    with open(path, 'w') as f:
        json.dump({'format': 'socket-playground-session', 'version': 1, 'title': 'sink',
                   'sockets': sockets, 'steps': steps}, f)


def chunk(index):
    """A different megabyte each time, so that bytes out of order or lost
    change the digest."""
    return hashlib.sha256(index.to_bytes(4, 'big')).digest() * (CHUNK // 32)


def pcapng_tcp_payloads(path):
    """The TCP payloads of an Ethernet pcapng file, in file order, read
    block by block (Enhanced Packet Blocks only)."""
    with open(path, 'rb') as f:
        data = memoryview(f.read())
    offset = 0
    while offset < len(data):
        kind, length = struct.unpack_from('<II', data, offset)
        if kind == 6:
            captured, = struct.unpack_from('<I', data, offset + 20)
            frame = data[offset + 28:offset + 28 + captured]
            ip = frame[14:]
            if struct.unpack_from('>H', frame, 12)[0] == 0x0800 and ip[9] == 6:
                ip_header = (ip[0] & 0xf) * 4
                total = struct.unpack_from('>H', ip, 2)[0]
                tcp = ip[ip_header:total]
                payload = tcp[(tcp[12] >> 4) * 4:]
                if len(payload):
                    yield payload
        offset += length


class ExportLogEveryByteTests(cliutil.TestCase):

    def transfer(self, extra_args):
        """Runs the sink session with EXTRA_ARGS while a peer sends TOTAL
        bytes; returns (the digest of what was sent, stdout)."""
        session = os.path.join(self.tmp, 'sink.json')
        sink_session(session)
        out_path = os.path.join(self.tmp, 'stdout')
        with open(out_path, 'wb') as out, open(os.path.join(self.tmp, 'stderr'), 'wb') as err:
            process = subprocess.Popen([cliutil.executable(), '--headless', session]
                                       + extra_args, stdout=out, stderr=err,
                                       stdin=subprocess.DEVNULL, env=cliutil.headless_env(),
                                       start_new_session=True)
            self.addCleanup(cliutil.kill_group, process)
            port = None
            for _ in range(1000):
                with open(out_path, 'rb') as f:
                    match = GETSOCKNAME_RE.search(f.read().decode('utf-8', 'replace'))
                if match:
                    port = int(match.group(1))
                    break
                if process.poll() is not None:
                    break
                threading.Event().wait(0.01)
            self.assertIsNotNone(port, 'the session never printed its port')
            digest = hashlib.sha256()
            with socket.create_connection(('127.0.0.1', port), timeout=60) as s:
                for index in range(TOTAL // CHUNK):
                    data = chunk(index)
                    digest.update(data)
                    s.sendall(data)
            status = process.wait(timeout=120)
        with open(os.path.join(self.tmp, 'stderr'), 'rb') as f:
            stderr = f.read().decode('utf-8', 'replace')
        self.assertEqual(status, 0, stderr)
        with open(out_path, 'rb') as f:
            stdout = f.read().decode('utf-8', 'replace')
        return digest.hexdigest(), stdout

    def test_pcapng_has_every_byte_past_the_cap(self):
        output = os.path.join(self.tmp, 'sink.pcapng')
        sent, stdout = self.transfer(['--export-log', 'pcapng', '--output', output])
        # The run itself went past the cap: the log says it dropped payload.
        self.assertIn('of older payload dropped', stdout)
        digest = hashlib.sha256()
        received = 0
        for payload in pcapng_tcp_payloads(output):
            digest.update(payload)
            received += len(payload)
        self.assertEqual(received, TOTAL)
        self.assertEqual(digest.hexdigest(), sent)
        tshark = shutil.which('tshark')
        if tshark is None:
            return
        # A real reader agrees: every payload byte is captured.
        result = subprocess.run([tshark, '-r', output, '-o', 'tcp.desegment_tcp_streams:FALSE',
                                 '-T', 'fields', '-e', 'tcp.len'],
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(sum(int(n) for n in result.stdout.split() if n), TOTAL)

    def test_jsonl_has_every_byte_whatever_the_data_limit(self):
        output = os.path.join(self.tmp, 'sink.jsonl')
        sent, stdout = self.transfer(['--json', '--data-limit', '16',
                                      '--export-log', 'jsonl', '--output', output])
        # What a person reads is cut at --data-limit ...
        printed = [e for e in cliutil.json_lines(stdout) if e['kind'] == 'received']
        self.assertTrue(printed)
        self.assertTrue(all(len(e['data_hex'] or '') <= 32 for e in printed))
        # ... the export is not.
        digest = hashlib.sha256()
        received = 0
        with open(output) as f:
            for line in f:
                event = json.loads(line)
                if event['kind'] != 'received':
                    continue
                self.assertNotIn('truncated', event)
                self.assertNotIn('dropped', event)
                data = bytes.fromhex(event['data_hex'])
                self.assertEqual(len(data), event['bytes'])
                digest.update(data)
                received += len(data)
        self.assertEqual(received, TOTAL)
        self.assertEqual(digest.hexdigest(), sent)


class ExportLogReplacesTests(cliutil.TestCase):

    def test_symlink_at_the_output_is_replaced_not_followed(self):
        target = os.path.join(self.tmp, 'target')
        with open(target, 'w') as f:
            f.write('keep')
        link = os.path.join(self.tmp, 'log.jsonl')
        os.symlink(target, link)
        result = cliutil.run(['--headless', 'preset:tcp-echo', '--export-log', 'jsonl',
                              '--output', link])
        self.assertEqual(result.returncode, 0, result.describe())
        self.assertFalse(os.path.islink(link))
        with open(target) as f:
            self.assertEqual(f.read(), 'keep')
        with open(link) as f:
            self.assertTrue(cliutil.json_lines(f.read()))
        self.assertEqual(sorted(os.listdir(self.tmp)), ['log.jsonl', 'target'])

    def test_output_in_a_missing_directory_is_refused_before_the_run(self):
        output = os.path.join(self.tmp, 'missing', 'log.pcapng')
        result = cliutil.run(['--headless', 'preset:tcp-echo', '--export-log', 'pcapng',
                              '--output', output])
        self.assertEqual(result.returncode, 2, result.describe())
        self.assertIn(output, result.stderr)
        self.assertEqual(result.stdout, '')
        self.assertEqual(os.listdir(self.tmp), [])

    def test_full_disk_keeps_the_old_output_and_says_so(self):
        if not namespaces_work():
            self.skipTest('unshare -rm does not work here (no user namespaces)')
        mount = os.path.join(self.tmp, 'mnt')
        os.mkdir(mount)
        # One page for the old export, nothing left for the new one.
        script = '''
set -e
ip link set lo up
mount -t tmpfs -o size=4096 tmpfs "$M"
printf old > "$M/log.csv"
set +e
"$EXE" --headless preset:tcp-echo --export-log csv --output "$M/log.csv" >/dev/null
echo "status=$?"
ls -A "$M"
cat "$M/log.csv"
'''
        env = cliutil.headless_env(M=mount, EXE=cliutil.executable())
        result = subprocess.run(['unshare', '-rmn', 'sh', '-c', script], env=env,
                                capture_output=True, text=True, timeout=60)
        self.assertIn('status=2\nlog.csv\nold', result.stdout, result.stderr)
        self.assertIn(os.path.join(mount, 'log.csv'), result.stderr)
        self.assertIn('No space left on device', result.stderr)


if __name__ == '__main__':
    unittest.main()
