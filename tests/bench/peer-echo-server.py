#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plain echo server bench-serve-clients.py compares `serve` with: one
Python process, a selectors loop, no logging.

Usage: peer-echo-server.py CONNECTIONS BACKLOG

Listens on 127.0.0.1 on an ephemeral port, prints "port N", echoes every
byte on every connection, and exits 0 once CONNECTIONS connections have
come and gone.
"""

import resource
import selectors
import signal
import socket
import sys

signal.alarm(300)

connections, backlog = int(sys.argv[1]), int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

selector = selectors.DefaultSelector()
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(('127.0.0.1', 0))
listener.listen(backlog)
listener.setblocking(False)
selector.register(listener, selectors.EVENT_READ)
print(f'port {listener.getsockname()[1]}', flush=True)

accepted = 0
closed = 0
while closed < connections:
    for key, _ in selector.select():
        if key.fileobj is listener:
            while accepted < connections:
                try:
                    conn, _ = listener.accept()
                except BlockingIOError:
                    break
                accepted += 1
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ)
            continue
        conn = key.fileobj
        data = conn.recv(4096)
        if data:
            # Small messages: the send buffer always has room for them.
            conn.sendall(data)
        else:
            selector.unregister(conn)
            conn.close()
            closed += 1

listener.close()
