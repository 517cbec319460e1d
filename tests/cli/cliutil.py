# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the command-line contract tests (tests/cli/test_*.py).

Standard library only. The executable under test is $SP_EXECUTABLE, which
tests/meson.build puts in the test environment.
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, '..', 'fixtures', 'cli'))
PEERS = os.path.join(HERE, 'peers')

# One output line of plain --headless mode: "[0.003] conn    recv(1024) -> b'Hello World' (11 bytes)".
# Calls on no socket are the module's own: "[0.000]        socket.gethostname() -> 'vm'".
PLAIN_CALL_RE = re.compile(r'^\[\d+\.\d{3}\] (?:\S+\s+\w+|\s*socket\.\w+)\(.*\) -> .+$')
# A note line: "[0.001]        # text" (a step's note; it may have no socket).
PLAIN_NOTE_RE = re.compile(r'^\[\d+\.\d{3}\] \s*(?:\S+\s+)?(?:#|\w+:|…) .*$')

REQUIRED_JSON_KEYS = ('seq', 'time', 'step', 'socket', 'call', 'ok', 'state', 'local',
                      'remote', 'bytes', 'data_hex', 'error')


def executable():
    path = os.environ.get('SP_EXECUTABLE')
    if not path:
        raise unittest.SkipTest('SP_EXECUTABLE is not set: run these tests with meson test')
    if not os.access(path, os.X_OK):
        raise AssertionError(f'SP_EXECUTABLE={path} is not an executable file')
    return path


def headless_env(**extra):
    """The test environment without any display, as a headless run must work."""
    env = dict(os.environ)
    for name in ('DISPLAY', 'WAYLAND_DISPLAY'):
        env.pop(name, None)
    # Plain ASCII/UTF-8 messages regardless of the machine's locale.
    env.setdefault('LC_ALL', 'C.UTF-8')
    env.update(extra)
    return env


class Result:
    """What one run of the executable did."""

    def __init__(self, args, returncode, stdout, stderr, elapsed, timed_out):
        self.args = args
        self.returncode = returncode
        self.stdout_bytes = stdout
        self.stderr_bytes = stderr
        self.stdout = stdout.decode('utf-8', 'replace')
        self.stderr = stderr.decode('utf-8', 'replace')
        self.elapsed = elapsed
        self.timed_out = timed_out

    def describe(self, limit=3000):
        def cut(text):
            return text if len(text) <= limit else text[:limit] + f'… ({len(text)} chars)'
        status = 'timed out' if self.timed_out else f'exit status {self.returncode}'
        return (f'\n$ {" ".join(self.args)}\n{status} after {self.elapsed:.2f} s\n'
                f'--- stdout ---\n{cut(self.stdout)}--- stderr ---\n{cut(self.stderr)}')


# Sessions that bind a fixed UNIX abstract name cannot run twice at the same
# time on one machine (the abstract namespace is shared); these tests run in
# parallel, so such runs take this lock, and retry when someone else (another
# suite) held the name.
SHARED_NAME_PRESETS = {'preset:unix-echo': 'socket-playground-echo'}
LOCK_PATH = os.path.join(tempfile.gettempdir(), 'socket-playground-cli-tests.lock')


@contextlib.contextmanager
def shared_name_lock(args):
    names = [SHARED_NAME_PRESETS[a] for a in args if a in SHARED_NAME_PRESETS]
    if not names:
        yield None
        return
    with open(LOCK_PATH, 'a') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield names[0]
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_shared(f):
    """What a running child has written so far to F, a file it shares with
    us. Read without moving the file offset the two share: after a seek,
    the child's next write would land at the start and overwrite lines."""
    fd = f.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).decode('utf-8', 'replace')


def run(args, timeout=30.0, env=None, cwd=None, stdin=subprocess.DEVNULL):
    """Runs socket-playground ARGS; never raises on a timeout (the result says so)."""
    with shared_name_lock(args) as name:
        for attempt in range(5):
            result = _run(args, timeout, env, cwd, stdin)
            if not (name and result.returncode == 1 and 'EADDRINUSE' in result.stderr
                    and attempt < 4):
                return result
            print(f'(the abstract name {name} was taken by another process; retrying)',
                  file=sys.stderr)
            time.sleep(0.5)
        return result


def _run(args, timeout, env, cwd, stdin):
    argv = [executable()] + list(args)
    started = time.monotonic()
    process = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env or headless_env(), cwd=cwd,
                               start_new_session=True)
    timed_out = False
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(process)
        stdout, stderr = process.communicate()
    return Result(argv, process.returncode, stdout, stderr, time.monotonic() - started,
                  timed_out)


def kill_group(process):
    """Kills a process started with start_new_session=True, and its children."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def list_presets():
    result = run(['--list-presets'], timeout=30)
    if result.returncode != 0:
        raise AssertionError('--list-presets failed' + result.describe())
    presets = []
    for line in result.stdout.splitlines():
        if line.strip():
            parts = line.split(None, 1)
            presets.append((parts[0], parts[1].strip() if len(parts) > 1 else ''))
    return presets


def json_lines(text):
    """Parses JSON Lines; raises AssertionError naming the first bad line."""
    events = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            value = json.loads(line)
        except ValueError as e:
            raise AssertionError(f'line {number} is not JSON ({e}): {line!r}')
        if not isinstance(value, dict):
            raise AssertionError(f'line {number} is not a JSON object: {line!r}')
        events.append(value)
    return events


# Ports, addresses and waiting

def free_port(kind=socket.SOCK_STREAM, host='127.0.0.1'):
    """A port that was free for both TCP and UDP on HOST a moment ago."""
    family = socket.AF_INET6 if ':' in host else socket.AF_INET
    for _ in range(50):
        with socket.socket(family, kind) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        other = socket.SOCK_DGRAM if kind == socket.SOCK_STREAM else socket.SOCK_STREAM
        try:
            with socket.socket(family, other) as s:
                s.bind((host, port))
        except OSError:
            continue
        return port
    raise AssertionError('could not find a free port')


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(('::1', 0))
        return True
    except OSError:
        return False


def _proc_table(name):
    try:
        with open(f'/proc/net/{name}') as f:
            return [line.split() for line in f.readlines()[1:]]
    except OSError:
        return []


def _local_port(fields):
    return int(fields[1].rsplit(':', 1)[1], 16)


def is_listening(port, proto='tcp'):
    """True when some socket listens on (TCP) or is bound to (UDP) PORT."""
    if proto == 'tcp':
        return any(len(f) > 3 and f[3] == '0A' and _local_port(f) == port
                   for name in ('tcp', 'tcp6') for f in _proc_table(name))
    return any(len(f) > 3 and _local_port(f) == port
               for name in ('udp', 'udp6') for f in _proc_table(name))


def unix_path_listening(path):
    """True when a bound UNIX socket has PATH (a stream one: listening)."""
    for f in _proc_table('unix'):
        # Num RefCount Protocol Flags Type St Inode Path
        if len(f) >= 8 and f[7] == path:
            flags, kind = int(f[3], 16), int(f[4], 16)
            if kind != 1 or flags & 0x10000:
                return True
    return False


def wait_until(predicate, timeout=5.0, process=None, interval=0.02):
    """Polls PREDICATE until true; False after TIMEOUT or when PROCESS ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        if process is not None and process.poll() is not None:
            return predicate()
        time.sleep(interval)
    return predicate()


def tcp_port_is_free(port, host='127.0.0.1'):
    """Nothing listens on HOST:PORT (judged by /proc, without connecting)."""
    return not is_listening(port, 'tcp')


# Sessions

def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def render(template, directory, name=None, **values):
    """Writes fixture TEMPLATE into DIRECTORY with placeholders filled in:
    the JSON string "@NAME@" (quotes included) becomes the number or
    string given for NAME, and @NAME@ inside a string becomes its text."""
    with open(fixture(template), encoding='utf-8') as f:
        text = f.read()
    for key, value in values.items():
        if isinstance(value, int):
            text = text.replace(f'"@{key}@"', str(value))
        text = text.replace(f'@{key}@', str(value))
    leftover = re.search(r'@[A-Z_]+@', text)
    if leftover:
        raise AssertionError(f'{template}: placeholder {leftover.group(0)} not filled')
    json.loads(text)  # the rendered session must be JSON
    path = os.path.join(directory, name or os.path.basename(template))
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path


def write_session(directory, name, document):
    path = os.path.join(directory, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(document, f, indent=2)
    return path


class Peer:
    """A background process (a peer, or the program itself in the background)."""

    def __init__(self, argv, cwd=None, env=None, stdin=subprocess.DEVNULL):
        self.argv = list(argv)
        self.output = tempfile.TemporaryFile()
        self.errors = tempfile.TemporaryFile()
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.argv, cwd=cwd, env=env, stdin=stdin,
                                        stdout=self.output, stderr=self.errors,
                                        start_new_session=True)

    def poll(self):
        return self.process.poll()

    def wait(self, timeout):
        """The exit status, or None (and the process killed) after TIMEOUT."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(self.process)
            return None

    def stop(self):
        kill_group(self.process)

    def text(self):
        parts = []
        for name, f in (('stdout', self.output), ('stderr', self.errors)):
            parts.append(f'--- {os.path.basename(self.argv[0])} … {name} ---\n'
                         + read_shared(f))
        return '\n'.join(parts)

    def stdout(self):
        return read_shared(self.output)

    def describe(self):
        return (f'\n$ {" ".join(self.argv)}\nexit status {self.process.returncode}\n'
                + self.text())


class TestCase(unittest.TestCase):
    """A test case with a private temporary directory and peers killed in tearDown."""

    maxDiff = None

    def setUp(self):
        self.exe = executable()
        self.tmp = tempfile.mkdtemp(prefix='sp-cli-test-')
        self.peers = []

    def tearDown(self):
        for peer in self.peers:
            peer.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start_peer(self, argv, **kwargs):
        peer = Peer(argv, **kwargs)
        self.peers.append(peer)
        return peer

    def start_session(self, args):
        """The program in the background (a session that is itself a server)."""
        return self.start_peer([self.exe] + list(args), env=headless_env())

    def compile_c(self, name, source):
        """A C program built from `source` in the test's directory; the test
        is skipped where there is no compiler."""
        compiler = shutil.which('cc') or shutil.which('gcc')
        if compiler is None:
            self.skipTest('no C compiler (build-aux/debian-packages.txt)')
        path = os.path.join(self.tmp, name)
        with open(path + '.c', 'w', encoding='utf-8') as f:
            f.write(textwrap.dedent(source))
        subprocess.run([compiler, '-o', path, path + '.c'], check=True, timeout=60)
        return path

    def assertExit(self, result, status, why=''):
        self.assertFalse(result.timed_out, f'{why} timed out' + result.describe())
        self.assertGreaterEqual(result.returncode, 0,
                                f'{why} killed by signal {-result.returncode}'
                                + result.describe())
        self.assertEqual(result.returncode, status, why + result.describe())


def main():
    """Runs the tests of the calling module, printing unittest's summary."""
    program = unittest.main(module='__main__', exit=False, verbosity=2)
    result = program.result
    skipped = getattr(result, 'skipped', [])
    if skipped:
        print('\nSkipped:', file=sys.stderr)
        for test, reason in skipped:
            print(f'  {test.id()}: {reason}', file=sys.stderr)
    sys.exit(0 if result.wasSuccessful() else 1)
