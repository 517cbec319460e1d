#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A TCP client written with Python's socket module, as a peer for tests.

Usage: peer-client.py PORT MESSAGE [HOST]

Connects to HOST:PORT (default host 127.0.0.1), sends MESSAGE, shuts down
its sending side, reads until the server closes and prints what it
received (without adding a newline). Exits 0.
"""

import signal
import socket
import sys

signal.alarm(30)

port = int(sys.argv[1])
message = sys.argv[2].encode("utf-8")
host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"

with socket.create_connection((host, port), timeout=20) as conn:
    conn.sendall(message)
    conn.shutdown(socket.SHUT_WR)
    chunks = []
    while True:
        data = conn.recv(1024)
        if not data:
            break
        chunks.append(data)

sys.stdout.write(b"".join(chunks).decode("utf-8", "replace"))
sys.stdout.flush()
