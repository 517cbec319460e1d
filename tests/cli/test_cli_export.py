#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exports that meet a full disk, and exports that must keep every byte.

--export-python writes all of its scripts or none: a small tmpfs in a private
mount namespace (unshare -rm, no privileges needed) fills up on the second
script, and nothing of the export may stay behind.
"""

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
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


if __name__ == '__main__':
    unittest.main()
