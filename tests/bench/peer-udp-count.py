#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plain receiver bench-udp-burst.py compares the app with: a Python
recvfrom loop and nothing else.

Usage: peer-udp-count.py RCVBUF BUFSIZE QUIET_MS MAX

Binds 127.0.0.1 on an ephemeral port with SO_RCVBUF=RCVBUF (0: the
system's default, left alone), prints
"port N rcvbuf M" (M as the kernel reports it), then calls recvfrom(BUFSIZE)
until MAX datagrams came or none came for QUIET_MS, and prints
"received N bytes B".
"""

import signal
import socket
import sys

signal.alarm(300)

rcvbuf, bufsize, quiet_ms, limit = (int(arg) for arg in sys.argv[1:5])

with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    if rcvbuf > 0:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(('127.0.0.1', 0))
    print(f'port {s.getsockname()[1]} rcvbuf '
          f'{s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)}', flush=True)
    s.settimeout(quiet_ms / 1000)
    received = 0
    total = 0
    try:
        while received < limit:
            data, _ = s.recvfrom(bufsize)
            received += 1
            total += len(data)
    except socket.timeout:
        pass
    print(f'received {received} bytes {total}', flush=True)
