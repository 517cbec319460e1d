#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP echo server written with Python's socket module, as a peer for tests.

Usage: peer-echo.py [HOST]

Binds HOST (default 127.0.0.1) on an ephemeral port, prints the port on
stdout, serves one connection (echoing every chunk until the client closes)
and exits 0.
"""

import signal
import socket
import sys

# A peer must never outlive a test that went wrong.
signal.alarm(30)

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
family = socket.AF_INET6 if ":" in host else socket.AF_INET

with socket.socket(family, socket.SOCK_STREAM) as server:
    server.bind((host, 0))
    server.listen(1)
    print(server.getsockname()[1], flush=True)
    conn, _ = server.accept()
    with conn:
        conn.settimeout(20)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            conn.sendall(data)
