# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a program under the preload library as the parent does (the channel
of src/core/sp-trace-report.h) and collects its reports.

Standard library only. SP_TRACE_PRELOAD names the library; SP_TRACE_PROGRAMS
the directory of the test programs.
"""

import json
import os
import resource
import socket
import subprocess
import threading

CHANNEL_FD = 1000
REPORT_MAX = 256 * 1024


def library():
    return os.environ['SP_TRACE_PRELOAD']


def program(name):
    return os.path.join(os.environ['SP_TRACE_PROGRAMS'], name)


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Traced:
    """One traced run. Reports are read as they come, on a thread, so that
    the program never waits on a full channel; `wait_for` waits for one."""

    def __init__(self, argv, name=None, data_limit=None, env=None, trace=True, keep=True,
                 stdin=None):
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.raw = []
        # Without `keep` (benchmarks), reports are only counted.
        self.keep = keep
        self.count = 0
        self.size = 0
        # CPU seconds the reading took: the parent's share of the cost.
        self.reader_cpu = 0.0
        self.lock = threading.Condition()
        self.done = False
        child_env = dict(os.environ)
        child_env.pop('SP_TRACE_PRELOAD_EXECED', None)
        pass_fds = ()
        if trace:
            os.dup2(theirs.fileno(), CHANNEL_FD, inheritable=True)
            child_env.update(LD_PRELOAD=library(), SP_TRACE_FD=str(CHANNEL_FD),
                             SP_TRACE_PROGRAM=name or os.path.basename(argv[0]))
            if data_limit is not None:
                child_env['SP_TRACE_DATA_LIMIT'] = str(data_limit)
            pass_fds = (CHANNEL_FD,)
        child_env.update(env or {})
        try:
            self.process = subprocess.Popen(argv, env=child_env, pass_fds=pass_fds,
                                            stdin=stdin, stdout=subprocess.PIPE, text=True)
        finally:
            if trace:
                os.close(CHANNEL_FD)
            theirs.close()
        self.channel = ours
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        # One buffer for every report: recv(REPORT_MAX) would map and unmap
        # a quarter of a megabyte each time, and pace the program by it.
        buffer = bytearray(REPORT_MAX + 1)
        view = memoryview(buffer)
        while True:
            message = bytes(view[:self.channel.recv_into(buffer)])
            with self.lock:
                if not message:
                    usage = resource.getrusage(resource.RUSAGE_THREAD)
                    self.reader_cpu = usage.ru_utime + usage.ru_stime
                    self.done = True
                    self.lock.notify_all()
                    return
                self.count += 1
                self.size += len(message)
                if self.keep:
                    self.raw.append(message)
                    self.lock.notify_all()

    def reports(self):
        with self.lock:
            return [json.loads(m) for m in self.raw]

    def wait_for(self, predicate, timeout=10):
        def found():
            return any(predicate(json.loads(m)) for m in self.raw)
        with self.lock:
            if not self.lock.wait_for(lambda: found() or self.done, timeout):
                raise TimeoutError('no such report')
            if not found():
                raise AssertionError('the channel ended without such a report')

    def finish(self, timeout=60):
        """Waits for the program and for the end of the channel; returns
        (exit status, stdout, reports)."""
        try:
            out, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise
        self.reader.join(timeout)
        if self.reader.is_alive():
            raise TimeoutError('the channel did not end')
        self.channel.close()
        return self.process.returncode, out, self.reports()
