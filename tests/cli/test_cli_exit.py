#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exit status and error messages of the command line (DESIGN.md, "Command
line"): 0 when every step met its expectation, 1 when a step failed (the
message names the step index, the socket and what was expected), 2 when the
file cannot be read or is not a valid session (FILE:LINE:COL: message, or
FILE: steps[3].bufsize: message) and for usage errors. It never crashes,
whatever the file holds: a corpus of malformed sessions
(tests/fixtures/cli/bad/) must give exactly 2, and 300 seeded random
mutations of a valid session must give 0, 1 or 2, never a signal.
"""

import concurrent.futures
import copy
import glob
import json
import os
import random
import re
import resource
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
from cliutil import fixture, render  # noqa: E402

MUTATIONS = 300
MUTATION_SEED = 5062
# Longer than the default wait of a step (10 s), so one such wait finishes.
MUTATION_TIMEOUT = 15.0


def load_fixture(*parts):
    with open(fixture(*parts), encoding='utf-8') as f:
        return json.load(f)


class ExitStatusTests(cliutil.TestCase):

    def test_0_when_every_step_passes(self):
        result = cliutil.run(['--headless', fixture('sessions', 'echo-local.json')])
        self.assertExit(result, 0, 'a passing session')
        self.assertEqual(result.stderr, '', 'a passing run writes nothing on stderr')

    def test_0_for_a_session_without_steps(self):
        # A saved session with sockets but no steps yet is valid: all of its
        # (zero) steps pass.
        result = cliutil.run(['--headless', fixture('sessions', 'no-steps.json')], timeout=10)
        self.assertExit(result, 0, 'a session with "steps": []')

    def test_session_without_steps_member_ends(self):
        # No "sockets" and no "steps" at all: refused (2) or nothing to do (0),
        # but either way at once.
        path = cliutil.write_session(self.tmp, 'bare.json', {
            "format": "socket-playground-session", "version": 1, "title": "bare"})
        result = cliutil.run(['--headless', path], timeout=10)
        self.assertFalse(result.timed_out, 'hangs' + result.describe())
        self.assertIn(result.returncode, (0, 2), result.describe())

    def test_1_when_an_expected_error_does_not_happen(self):
        result = cliutil.run(['--headless',
                              fixture('sessions', 'expect-refused-but-listening.json')])
        self.assertExit(result, 1, 'expected ECONNREFUSED from a listening port')
        # Text for people numbers steps from 1, as the window does (index 2).
        self.assertRegex(result.stderr, r'\bstep 3 \(client connect\)', 'names the step')
        self.assertIn('client', result.stderr, 'names the socket')
        self.assertIn('ECONNREFUSED', result.stderr, 'says what was expected')

    def test_1_when_received_data_differs(self):
        result = cliutil.run(['--headless', fixture('sessions', 'expect-wrong-data.json')])
        self.assertExit(result, 1, 'expected other data')
        self.assertRegex(result.stderr, r'\bstep 6 \(conn recv\)', 'names the step (index 5)')
        self.assertIn('conn', result.stderr, 'names the socket')
        self.assertIn('Goodbye', result.stderr, 'says what was expected')
        self.assertIn('Hello World', result.stderr, 'and what came instead')

    def test_1_when_a_call_fails_without_expect(self):
        port = cliutil.free_port()
        session = render('templates/refused-unexpected.json', self.tmp, PORT=port)
        result = cliutil.run(['--headless', session])
        self.assertExit(result, 1, 'an unexpected ECONNREFUSED')
        self.assertRegex(result.stderr, r'\bstep 1 \(client connect\)')
        self.assertIn('client', result.stderr)
        self.assertIn('ECONNREFUSED', result.stderr)

    def test_1_with_json_output_too(self):
        result = cliutil.run(['--headless', fixture('sessions', 'expect-wrong-data.json'),
                              '--json'])
        self.assertExit(result, 1, 'expected other data, --json')
        events = cliutil.json_lines(result.stdout)
        self.assertIn('Goodbye', result.stderr)
        # JSON keeps the 0-based index; the message for people counts from 1.
        received = [e for e in events if e['call'] == 'recv' and e['socket'] == 'conn']
        self.assertTrue(received, result.describe())
        self.assertEqual(received[0]['step'], 5, result.describe())
        self.assertRegex(result.stderr, r'\bstep 6 \(conn recv\)', result.describe())


class UnreadableFileTests(cliutil.TestCase):

    def assertRefused(self, args, *needles, why=''):
        result = cliutil.run(args)
        self.assertExit(result, 2, why or ' '.join(args))
        self.assertTrue(result.stderr.strip(), 'a message on stderr' + result.describe())
        for needle in needles:
            self.assertIn(needle, result.stderr, result.describe())
        return result

    def test_missing_file(self):
        path = os.path.join(self.tmp, 'does-not-exist.json')
        self.assertRefused(['--headless', path], path)

    def test_directory(self):
        self.assertRefused(['--headless', self.tmp], self.tmp)

    def test_unreadable_file(self):
        path = os.path.join(self.tmp, 'secret.json')
        with open(path, 'w') as f:
            f.write('{}')
        os.chmod(path, 0)
        if os.access(path, os.R_OK):
            self.skipTest('running as root: a mode 000 file is still readable')
        self.assertRefused(['--headless', path], path)

    def test_endless_stream_is_refused(self):
        # /dev/zero never ends. Without a limit the program reads it into
        # memory for as long as memory lasts, so this runs under a 1.5 GB
        # address-space limit, and asks only for an orderly refusal.
        if os.environ.get('SP_SANITIZE_ADDRESS') == '1':
            self.skipTest("AddressSanitizer's shadow memory does not fit in a 1.5 GB "
                          'address space')

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))

        for path in ('/dev/zero', '/dev/urandom'):
            with self.subTest(path=path):
                if not os.path.exists(path):
                    self.skipTest(f'no {path}')
                process = subprocess.Popen([self.exe, '--headless', path],
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           stdin=subprocess.DEVNULL, preexec_fn=limit,
                                           env=cliutil.headless_env(), start_new_session=True)
                try:
                    out, err = process.communicate(timeout=20)
                except subprocess.TimeoutExpired:
                    cliutil.kill_group(process)
                    out, err = process.communicate()
                    self.fail(f'--headless {path} still reading after 20 s')
                self.assertGreaterEqual(process.returncode, 0,
                                        f'killed by signal {-process.returncode}: '
                                        + err.decode('utf-8', 'replace')[:500])
                self.assertEqual(process.returncode, 2, err.decode('utf-8', 'replace')[:500])
                self.assertIn(path, err.decode('utf-8', 'replace'))

    def test_invalid_json_reports_file_line_column(self):
        path = os.path.join(self.tmp, 'syntax.json')
        with open(path, 'w') as f:
            f.write('{\n'
                    '  "format": "socket-playground-session",\n'
                    '  "version": 1,\n'
                    '  "title": @,\n'         # line 4, the @ in column 12
                    '  "steps": []\n'
                    '}\n')
        result = self.assertRefused(['--headless', path])
        self.assertTrue(result.stderr.startswith(f'{path}:4:12: '),
                        'FILE:LINE:COL: message' + result.describe())

    def test_invalid_json_on_one_line(self):
        path = os.path.join(self.tmp, 'one-line.json')
        text = '{"format": "socket-playground-session", "version": 1, "title": @, "steps": []}'
        with open(path, 'w') as f:
            f.write(text)
        result = self.assertRefused(['--headless', path])
        self.assertTrue(result.stderr.startswith(f'{path}:1:{text.index("@") + 1}: '),
                        'FILE:1:COL: message, COL the column of the "@"' + result.describe())

    def test_truncated_json_reports_a_position(self):
        path = os.path.join(self.tmp, 'cut.json')
        with open(fixture('sessions', 'echo-local.json')) as f:
            text = f.read()
        with open(path, 'w') as f:
            f.write(text[:text.index('"steps"')])
        result = self.assertRefused(['--headless', path])
        self.assertRegex(result.stderr, '^' + re.escape(path) + r':\d+:\d+: \S')

    def test_schema_error_names_the_json_path(self):
        path = os.path.join(self.tmp, 'schema.json')
        document = load_fixture('sessions', 'five-steps.json')
        document['steps'][3] = {'socket': 's', 'call': 'recv', 'bufsize': 'lots'}
        cliutil.write_session(self.tmp, 'schema.json', document)
        result = self.assertRefused(['--headless', path])
        self.assertTrue(result.stderr.startswith(f'{path}: steps[3].bufsize: '),
                        'FILE: steps[3].bufsize: message' + result.describe())

    def test_schema_error_in_sockets_names_the_json_path(self):
        document = load_fixture('sessions', 'echo-local.json')
        document['sockets'][1]['port'] = 70000
        path = cliutil.write_session(self.tmp, 'port.json', document)
        result = self.assertRefused(['--headless', path])
        self.assertTrue(result.stderr.startswith(f'{path}: sockets[1].port: '),
                        'FILE: sockets[1].port: message' + result.describe())

    def test_unknown_keys_are_named(self):
        base = load_fixture('sessions', 'echo-local.json')
        cases = {
            'top': lambda d: d.update(colour='red'),
            'socket': lambda d: d['sockets'][0].update(adress='127.0.0.1'),
            'step': lambda d: d['steps'][5].update(bufsiz=10),
            'expect': lambda d: d['steps'][5]['expect'].update(dtaa=1),
            'data': lambda d: d['steps'][4]['data'].update(txet='x'),
        }
        keys = {'top': 'colour', 'socket': 'adress', 'step': 'bufsiz', 'expect': 'dtaa',
                'data': 'txet'}
        for where, change in cases.items():
            with self.subTest(where=where):
                document = copy.deepcopy(base)
                change(document)
                path = cliutil.write_session(self.tmp, f'unknown-{where}.json', document)
                result = self.assertRefused(['--headless', path], keys[where])
                self.assertTrue(result.stderr.startswith(path), result.describe())

    def test_newer_version_names_the_version_read(self):
        document = load_fixture('sessions', 'five-steps.json')
        document['version'] = 2
        path = cliutil.write_session(self.tmp, 'v2.json', document)
        result = self.assertRefused(['--headless', path])
        self.assertRegex(result.stderr, r'\b2\b', 'names the version of the file')
        self.assertRegex(result.stderr, r'(?i)version\s*1\b|\bv1\b|\(version 1\)',
                         'names the version this build reads' + result.describe())

    def test_unknown_preset(self):
        result = self.assertRefused(['--headless', 'preset:no-such-preset'], 'no-such-preset')
        self.assertIn('tcp-echo', result.stderr, 'helpfully lists the presets')
        self.assertRefused(['--export-python', 'preset:no-such-preset', '--output', self.tmp],
                           'no-such-preset')

    def test_export_python_output_is_not_a_directory(self):
        path = os.path.join(self.tmp, 'a-file')
        with open(path, 'w') as f:
            f.write('x')
        self.assertRefused(['--export-python', 'preset:tcp-echo', '--output', path], path)

    def test_export_python_of_a_bad_file(self):
        path = os.path.join(self.tmp, 'missing.json')
        self.assertRefused(['--export-python', path, '--output',
                            os.path.join(self.tmp, 'out')], path)


class UsageTests(cliutil.TestCase):

    def assertUsageError(self, args):
        result = cliutil.run(args)
        self.assertExit(result, 2, 'usage error: ' + ' '.join(args))
        self.assertTrue(result.stderr.strip(), 'says what is wrong' + result.describe())

    def test_usage_errors(self):
        echo = fixture('sessions', 'echo-local.json')
        cases = [
            ['--headless'],
            ['--headless', echo, '--export-python', echo, '--output', self.tmp],
            ['--headless', echo, '--list-presets'],
            ['--list-presets', '--version'],
            ['--headless', echo, '--version'],
            ['--headless', echo, echo],
            ['--headless', echo, '--no-such-option'],
            ['--headless', echo, '--step-delay', 'soon'],
            ['--headless', echo, '--step-delay', '-1'],
            ['--headless', echo, '--data-limit', '-4'],
            ['--headless', echo, '--data-limit', 'lots'],
            ['--export-python', echo],
            ['--headless', echo, '--export-log', 'jsonl'],
        ]
        for args in cases:
            with self.subTest(args=' '.join(args)):
                self.assertUsageError(args)


def bad_corpus(tmp):
    """The files of tests/fixtures/cli/bad/, plus the ones too big to keep
    in the tree, written into TMP."""
    files = sorted(glob.glob(fixture('bad', '*.json')))
    base = load_fixture('sessions', 'echo-local.json')

    def big(name, change):
        document = copy.deepcopy(base)
        change(document)
        path = os.path.join(tmp, name)
        with open(path, 'w') as f:
            json.dump(document, f)
        files.append(path)

    ten_mb = 'A' * (10 * 1024 * 1024)
    big('string-10mb-call.json', lambda d: d['steps'][0].update(call=ten_mb))
    big('string-10mb-socket-id.json', lambda d: d['steps'][0].update(socket=ten_mb))
    big('string-10mb-key.json', lambda d: d['steps'][0].update({ten_mb: 1}))
    big('string-10mb-hex.json',
        lambda d: d['steps'][4].update(data={'hex': 'zz' * (5 * 1024 * 1024)}))
    big('deep-array-100000.json', lambda d: None)
    with open(files[-1], 'w') as f:
        f.write('[' * 100000 + ']' * 100000)
    big('many-steps-unknown-call.json',
        lambda d: d['steps'].extend([{'socket': 'client', 'call': 'close'}] * 100000
                                    + [{'socket': 'client', 'call': 'nope'}]))
    return files


class NeverCrashTests(cliutil.TestCase):

    def test_malformed_corpus_exits_2(self):
        files = bad_corpus(self.tmp)
        self.assertGreaterEqual(len(files), 100, 'the corpus is all there')

        def check(path):
            return path, cliutil.run(['--headless', path], timeout=MUTATION_TIMEOUT)

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(check, files))
        for path, result in results:
            with self.subTest(file=os.path.basename(path)):
                self.assertFalse(result.timed_out, 'hangs' + result.describe(500))
                self.assertGreaterEqual(result.returncode, 0,
                                        f'killed by signal {-result.returncode}'
                                        + result.describe(500))
                self.assertEqual(result.returncode, 2, result.describe(500))
                self.assertTrue(result.stderr.strip(), 'no message' + result.describe(500))
                self.assertTrue(result.stderr.startswith(path),
                                'the message starts with the file name' + result.describe(500))
                self.assertEqual(result.stdout, '', 'no event runs from a bad file')

    def test_malformed_corpus_with_json_and_export(self):
        files = sorted(glob.glob(fixture('bad', '*.json')))
        out = os.path.join(self.tmp, 'out')

        def check(path):
            return (path, cliutil.run(['--headless', path, '--json'], timeout=MUTATION_TIMEOUT),
                    cliutil.run(['--export-python', path, '--output', out],
                                timeout=MUTATION_TIMEOUT))

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(check, files))
        for path, headless, export in results:
            with self.subTest(file=os.path.basename(path)):
                self.assertExit(headless, 2, '--json')
                self.assertExit(export, 2, '--export-python')
        self.assertFalse(os.path.exists(out) and os.listdir(out),
                         'nothing exported from a bad file')

    def test_random_mutations(self):
        with open(fixture('sessions', 'fuzz-base.json'), encoding='utf-8') as f:
            base_text = f.read()
        rng = random.Random(MUTATION_SEED)
        cases = []
        while len(cases) < MUTATIONS:
            data = mutate(base_text, rng)
            if is_safe(data):
                cases.append(data)
        directory = os.path.join(self.tmp, 'mutations')
        os.makedirs(directory)
        paths = []
        for number, data in enumerate(cases):
            path = os.path.join(directory, f'mutation-{number:03d}.json')
            with open(path, 'wb') as f:
                f.write(data)
            paths.append(path)

        def check(path):
            return path, cliutil.run(['--headless', path], timeout=MUTATION_TIMEOUT)

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(check, paths))

        counts = {}
        failures = []
        for path, result in results:
            with open(path, 'rb') as f:
                text = f.read().decode('utf-8', 'replace')
            if result.timed_out:
                if may_wait_long(text):
                    counts['timeout (allowed: the session asks for long waits)'] = \
                        counts.get('timeout (allowed: the session asks for long waits)', 0) + 1
                    continue
                failures.append((path, text, result, 'hung'))
                continue
            counts[result.returncode] = counts.get(result.returncode, 0) + 1
            if result.returncode < 0:
                failures.append((path, text, result, f'signal {-result.returncode}'))
            elif result.returncode not in (0, 1, 2):
                failures.append((path, text, result, f'exit status {result.returncode}'))
            elif result.returncode == 2 and not result.stderr.strip():
                failures.append((path, text, result, 'exit 2 without a message'))
        print(f'\nmutation outcomes: {counts}', file=sys.stderr)
        if failures:
            report = []
            for path, text, result, why in failures[:5]:
                report.append(f'{os.path.basename(path)}: {why}\n{text[:1500]}'
                              + result.describe(800))
            self.fail(f'{len(failures)} of {MUTATIONS} mutations misbehaved:\n'
                      + '\n'.join(report))


# Mutations

CALLS = ['socket', 'setsockopt', 'bind', 'listen', 'accept', 'connect', 'connect_ex', 'send',
         'sendall', 'sendto', 'recv', 'recvfrom', 'recv_into', 'recvfrom_into', 'shutdown',
         'close', 'getsockname', 'getpeername', 'gethostname', 'serve', 'sleep', 'note',
         'frobnicate', '', 'BIND', 'recv ']
# (gethostbyname and getaddrinfo are left out: with a mutated or missing host
# they could send a name to the DNS.)
KEYS = ['socket', 'call', 'address', 'port', 'to', 'as', 'backlog', 'bufsize', 'until', 'count',
        'data', 'replies', 'how', 'timeout-ms', 'mode', 'connections', 'ms', 'expect', 'text',
        'hex', 'encoding', 'error', 'contains', 'bytes', 'ok', 'id', 'family', 'type', 'protocol',
        'options', 'format', 'version', 'title', 'description', 'sockets', 'steps', 'colour',
        '', 'SO_REUSEADDR', 'IPV6_V6ONLY']
# Addresses are only ever loopback (or no address at all).
SAFE_ADDRESSES = ['127.0.0.1', 'localhost', '', '0x7F000001', '::1', '::ffff:7f00:1',
                  '::ffff:127.0.0.1']
SAFE_PORTS = [0, 1, 9, 65535, -1, 65536, 2 ** 31, -2 ** 31, 2 ** 63, 10 ** 30, 0.5, 1e308]
STRINGS = ['', 'x', 'conn', 'server', 'client', 'udp', 'sender', 'ghost', 'eof', 'echo',
           'reply', 'discard', 'stream', 'dgram', 'raw', 'seqpacket', 'inet', 'inet6', 'unix',
           'tcp', 'udp', 'icmp', 'read', 'write', 'both', 'ECONNREFUSED', 'EBOGUS', 'utf-8',
           'latin-1', 'klingon', 'SO_REUSEADDR', '\u00e9\u00e8', '\U0001f4a5', '\x00', '\\',
           '\ud800', 'A' * 5000, 'socket-playground-session', '48 65', 'zz']
NUMBERS = [0, 1, -1, 2, 7, 1024, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 63 - 1,
           2 ** 63, -2 ** 63, 2 ** 64, 10 ** 30, 0.5, -0.0, 1e308, -1e308, 3.14]
ADDRESS_KEYS = ('address', 'host')
PORT_KEYS = ('port',)
WAIT_KEYS = ('ms', 'timeout-ms')


def random_value(rng, key=None, depth=0):
    if key in ADDRESS_KEYS:
        return rng.choice(SAFE_ADDRESSES + [None, True, 5, [], {}])
    if key in PORT_KEYS:
        return rng.choice(SAFE_PORTS + [None, '80', True, []])
    if key in WAIT_KEYS:
        return rng.choice([0, 1, 50, -1, 2 ** 31, 2 ** 63, 1e308, 0.5, '10', None, []])
    choice = rng.randrange(9)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice(NUMBERS)
    if choice in (3, 4):
        return rng.choice(STRINGS + CALLS)
    if choice == 5 and depth < 3:
        return [random_value(rng, None, depth + 1) for _ in range(rng.randrange(3))]
    if choice == 6 and depth < 3:
        keys = [rng.choice(KEYS) for _ in range(rng.randrange(3))]
        return {key: random_value(rng, key, depth + 1) for key in keys}
    if choice == 7:
        return rng.choice([{'text': 'hi'}, {'hex': '00 ff'}, {'hex': 'zz'}, {'text': ''},
                           {'error': 'ECONNREFUSED'}, {'bytes': 3}, {'ok': False},
                           {'contains': {'text': 'x'}}, {'data': {'hex': ''}}])
    return [[[[[[[]]]]]]] if depth < 2 else 0


def containers(node, path=()):
    """Every (container, key-or-index) pair inside NODE."""
    found = []
    if isinstance(node, dict):
        for key in list(node):
            found.append((node, key))
            found.extend(containers(node[key]))
    elif isinstance(node, list):
        for index in range(len(node)):
            found.append((node, index))
            found.extend(containers(node[index]))
    return found


def mutate_document(document, rng):
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        spots = containers(document)
        if not spots:
            return document
        parent, key = rng.choice(spots)
        name = key if isinstance(key, str) else None
        operation = rng.randrange(8)
        if operation == 0:
            parent[key] = random_value(rng, name)
        elif operation == 1:
            del parent[key]
        elif operation == 2 and isinstance(parent, dict):
            new_key = rng.choice(KEYS)
            parent[new_key] = random_value(rng, new_key)
        elif operation == 3 and isinstance(parent, list):
            parent.insert(rng.randrange(len(parent) + 1), copy.deepcopy(parent[key]))
        elif operation == 4 and isinstance(parent, list) and len(parent) > 1:
            other = rng.randrange(len(parent))
            parent[key], parent[other] = parent[other], parent[key]
        elif operation == 5:
            steps = document.get('steps') if isinstance(document, dict) else None
            if isinstance(steps, list) and steps and isinstance(steps[0], dict):
                step = rng.choice(steps)
                if isinstance(step, dict):
                    step['call'] = rng.choice(CALLS)
        elif operation == 6:
            steps = document.get('steps') if isinstance(document, dict) else None
            if isinstance(steps, list) and steps:
                step = rng.choice(steps)
                if isinstance(step, dict):
                    step['socket'] = rng.choice(['server', 'client', 'conn', 'udp', 'sender',
                                                 'ghost', '', None, 0])
        else:
            parent[key] = random_value(rng, name)
    return document


def mutate_text(text, rng):
    data = bytearray(text.encode('utf-8'))  # the result is bytes, maybe not UTF-8
    for _ in range(rng.choice([1, 1, 2, 4])):
        if not data:
            break
        position = rng.randrange(len(data))
        operation = rng.randrange(6)
        if operation == 0:
            del data[position:position + rng.randrange(1, 40)]
        elif operation == 1:
            # no digits: a port must not become some other service's port
            data[position:position] = bytes(rng.choice(b'{}[]",:\\ \n\x00\xff\xc3tnfu-eE.')
                                            for _ in range(rng.randrange(1, 4)))
        elif operation == 2:
            data[position] = rng.choice(b'{}[]",:\\ \n\x00\xff\x80')
        elif operation == 3:
            del data[position:]
        elif operation == 4:
            chunk = data[position:position + rng.randrange(1, 60)]
            data[position:position] = chunk
        else:
            data[position:position] = b'[' * 2000 + b']' * rng.choice([0, 2000])
    return bytes(data)


def mutate(base_text, rng):
    if rng.random() < 0.7:
        document = mutate_document(json.loads(base_text), rng)
        text = json.dumps(document, ensure_ascii=rng.random() < 0.5, indent=1)
        # a lone surrogate ('\\ud800' unescaped) becomes bytes that are not UTF-8
        return text.encode('utf-8', 'surrogatepass')
    return mutate_text(base_text, rng)


ADDRESS_VALUE_RE = re.compile(r'(["\'])(?:address|host)\1\s*:\s*(["\'])(.*?)(?<!\\)\2', re.S)


def _addresses_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ADDRESS_KEYS:
                yield value
            yield from _addresses_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from _addresses_in(value)


def is_safe(data):
    """Only loopback targets, and no name lookups: every dotted quad is
    127.x, and every address or host string is one of SAFE_ADDRESSES, both
    as Python's json reads the text and as the raw text has it (json-glib
    is more lenient than Python)."""
    text = data.decode('latin-1')
    for quad in re.findall(r'(?<![\d.])\d+\.\d+\.\d+\.\d+', text):
        if not quad.startswith('127.'):
            return False
    for match in ADDRESS_VALUE_RE.finditer(text):
        if match.group(3) not in SAFE_ADDRESSES:
            return False
    try:
        document = json.loads(data.decode('utf-8'))
    except (ValueError, RecursionError):
        return True
    return all(not isinstance(value, str) or value in SAFE_ADDRESSES
               for value in _addresses_in(document))


def may_wait_long(text):
    """Whether a session may legitimately take 10 s or more: a waiting step
    without a short timeout (the default wait is 10 s), a long sleep, many
    repetitions or connections, or a parse that the mutation made unclear."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False   # not JSON (or too deep for Python): it must be refused quickly
    steps = document.get('steps') if isinstance(document, dict) else None
    if not isinstance(steps, list):
        return False
    waiting = {'accept', 'connect', 'connect_ex', 'send', 'sendall', 'sendto', 'recv',
               'recvfrom', 'recv_into', 'recvfrom_into', 'serve', 'gethostbyname', 'getaddrinfo'}
    for step in steps:
        if not isinstance(step, dict):
            continue
        timeout = step.get('timeout-ms')
        if step.get('call') in waiting and not (isinstance(timeout, int)
                                                and not isinstance(timeout, bool)
                                                and 0 < timeout <= 3000):
            return True
        for key in ('ms', 'count', 'connections'):
            value = step.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                if (key == 'ms' and value > 3000) or (key != 'ms' and value > 3):
                    return True
        if 'until' in step:
            return True
    return False


if __name__ == '__main__':
    cliutil.main()
