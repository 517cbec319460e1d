# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared helpers for the benchmarks against real peers (tests/bench/bench-*.py).

Standard library only. Each benchmark runs Socket Playground and its peer
side by side in the same run, because a shared machine is too noisy for
absolute figures to mean much: the ratio is what counts. A benchmark exits
77 (skipped) when a peer is not installed, 1 when a measurement could not be
made (or, in one that holds its target, as serve-clients does, missed it), and
0 otherwise, printing whether each target was met.
"""

import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

SKIP = 77
HERE = os.path.dirname(os.path.abspath(__file__))


class BenchError(Exception):
    """A measurement that could not be made (a peer or the app misbehaved)."""


def skip(message):
    print(f'SKIP: {message}', flush=True)
    sys.exit(SKIP)


def require_program(name, package):
    path = shutil.which(name)
    if path is None:
        skip(f'{name} is not installed (Debian package {package}, '
             'listed in build-aux/debian-packages.txt)')
    return path


def executable():
    path = os.environ.get('SP_EXECUTABLE')
    if not path or not os.access(path, os.X_OK):
        skip('SP_EXECUTABLE is not set to the built program: run with '
             'meson test --benchmark')
    return path


def headless_env():
    env = dict(os.environ)
    for name in ('DISPLAY', 'WAYLAND_DISPLAY'):
        env.pop(name, None)
    env['LC_ALL'] = 'C.UTF-8'
    return env


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(run):
    """Runs RUN(tmpdir); turns a BenchError into exit status 1."""
    tmp = tempfile.mkdtemp(prefix='sp-bench-')
    try:
        run(tmp)
    except BenchError as e:
        print(f'ERROR: {e}', flush=True)
        sys.exit(1)
    finally:
        # Nothing this benchmark started outlives it, whatever went wrong.
        for child in _children:
            child.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(0)


# Processes

_children = []


class Child:
    """A process in its own session, output to files, reaped with wait4 so
    that its CPU time is known; its peak resident memory comes from VmHWM
    (see sample_hwm)."""

    def __init__(self, argv, tmp, name, env=None):
        self.argv = list(argv)
        self.name = name
        self.stdout_path = os.path.join(tmp, f'{name}.out')
        self.stderr_path = os.path.join(tmp, f'{name}.err')
        self.status = None
        self.rusage = None
        self.hwm_kib = 0
        self.ended = None
        with open(self.stdout_path, 'wb') as out, open(self.stderr_path, 'wb') as err:
            self.started = time.monotonic()
            self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=out,
                                            stderr=err, env=env, start_new_session=True)
        self.pid = self.process.pid
        _children.append(self)

    def _reap(self, flags):
        """True once the process has ended (and its status and rusage kept).
        Popen.poll() must not be used: it would reap without the rusage."""
        if self.status is None:
            pid, status, rusage = os.wait4(self.pid, flags)
            if pid == self.pid:
                self.ended = time.monotonic()
                self.status = os.waitstatus_to_exitcode(status)
                self.rusage = rusage
                self.process.returncode = self.status
        return self.status is not None

    def wait(self, timeout):
        """The exit status (negative: killed by that signal); kills the
        process and raises BenchError after TIMEOUT seconds."""
        deadline = time.monotonic() + timeout
        while not self._reap(os.WNOHANG):
            self.sample_hwm()
            if time.monotonic() > deadline:
                self.kill()
                raise BenchError(f'{self.name} did not end within {timeout:.0f} s'
                                 + self.describe())
            time.sleep(0.002)
        return self.status

    def kill(self):
        if self.status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap(0)

    def alive(self):
        return not self._reap(os.WNOHANG)

    def sample_hwm(self):
        """Keeps VmHWM, the peak resident memory of the program itself.
        ru_maxrss would not do: a child forked from this script starts with
        the script's own pages, and the kernel keeps that peak across exec."""
        try:
            self.hwm_kib = max(self.hwm_kib, proc_status_kib(self.pid, 'VmHWM'))
        except (OSError, BenchError):
            pass

    def peak_rss_mib(self):
        """The last VmHWM seen, in MiB (0 when the process never was sampled)."""
        return self.hwm_kib / 1024

    def cpu_seconds(self):
        return self.rusage.ru_utime + self.rusage.ru_stime if self.rusage else 0.0

    def stdout(self):
        with open(self.stdout_path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def stderr(self):
        with open(self.stderr_path, 'rb') as f:
            return f.read().decode('utf-8', 'replace')

    def describe(self, limit=2000):
        def cut(text):
            return text if len(text) <= limit else '…' + text[-limit:]
        return (f'\n$ {" ".join(self.argv)}\nexit status {self.status}\n'
                f'--- stdout (end) ---\n{cut(self.stdout())}\n'
                f'--- stderr (end) ---\n{cut(self.stderr())}')

    def wait_for_output(self, pattern, timeout=10.0):
        """The first match of regular expression PATTERN in stdout."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern, re.MULTILINE)
        while time.monotonic() < deadline:
            match = regex.search(self.stdout())
            if match:
                return match
            if not self.alive():
                break
            time.sleep(0.01)
        self.kill()
        raise BenchError(f'{self.name} never printed {pattern!r}' + self.describe())


def proc_status_kib(pid, field):
    """A VmHWM/VmRSS-style field of /proc/PID/status, in KiB."""
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise BenchError(f'/proc/{pid}/status has no {field}')


# Ports

def free_port(kind=socket.SOCK_STREAM):
    """A loopback port nobody held a moment ago (for peers that want a number)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _bound_ports(proto):
    ports = set()
    for name in (proto, proto + '6'):
        try:
            with open(f'/proc/net/{name}') as f:
                rows = [line.split() for line in f.readlines()[1:]]
        except OSError:
            continue
        for row in rows:
            # A TCP socket counts once it listens (state 0A); UDP once bound.
            if proto == 'udp' or row[3] == '0A':
                ports.add(int(row[1].rsplit(':', 1)[1], 16))
    return ports


def wait_bound(child, port, proto='tcp', timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port in _bound_ports(proto):
            return
        if not child.alive():
            break
        time.sleep(0.01)
    child.kill()
    raise BenchError(f'{child.name} did not {"listen" if proto == "tcp" else "bind"} on '
                     f'127.0.0.1:{port}' + child.describe())


# Sessions

def write_session(tmp, name, title, sockets, steps):
    document = {
        'format': 'socket-playground-session',
        'version': 1,
        'title': title,
        'sockets': sockets,
        'steps': steps,
    }
    path = os.path.join(tmp, name)
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(document, f, indent=2)
    return path


# A getsockname step's plain output line: "server getsockname() -> ('127.0.0.1', 43347)".
GETSOCKNAME_RE = r"getsockname\(\) -> \('127\.0\.0\.1', (\d+)\)"


# Reporting

def median(values):
    return statistics.median(values) if values else 0.0


def print_rounds(header, rows):
    """One line per round: a header of column names, then the values."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    for row in [header] + rows:
        print('  '.join(cell.rjust(width) for cell, width in zip(row, widths)))


def print_table(rows):
    """The results as the README's markdown table: what, ours, peer, ratio,
    target, met. Each row is a tuple of those six strings."""
    print()
    print('| what | ours | peer | ratio | target | met? |')
    print('|---|---|---|---|---|---|')
    for row in rows:
        print('| ' + ' | '.join(row) + ' |')
    sys.stdout.flush()


def met(condition):
    return 'yes' if condition else 'no'
