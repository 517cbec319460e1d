#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Many TCP clients at once, as a peer for testing an echo server.

Usage: peer-many-clients.py PORT N [HOST]

Opens N connections to HOST:PORT (default host 127.0.0.1) without waiting
for any of them, sends a different message on each once all are connected,
and checks that each one gets exactly its own message back. Prints a
summary line; exits 0 when every echo was right, 1 otherwise.
"""

import errno
import selectors
import signal
import socket
import sys
import time

signal.alarm(40)

port = int(sys.argv[1])
count = int(sys.argv[2])
host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
deadline = time.monotonic() + 30

selector = selectors.DefaultSelector()
clients = []

for i in range(count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    code = sock.connect_ex((host, port))
    if code not in (0, errno.EINPROGRESS):
        print(f"client {i}: connect failed: {errno.errorcode.get(code, code)}")
        sys.exit(1)
    clients.append(sock)
    selector.register(sock, selectors.EVENT_WRITE, i)

# Wait until every connection is established before sending anything.
pending = set(range(count))
while pending:
    if time.monotonic() > deadline:
        print(f"{len(pending)} connections never completed")
        sys.exit(1)
    for key, _ in selector.select(timeout=1):
        i = key.data
        code = clients[i].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        if code != 0:
            print(f"client {i}: connect failed: {errno.errorcode.get(code, code)}")
            sys.exit(1)
        selector.unregister(clients[i])
        pending.discard(i)

expected = {}
received = {}
for i, sock in enumerate(clients):
    message = f"client {i} says hello {'x' * (i % 37)}\n".encode()
    sock.setblocking(True)
    sock.sendall(message)
    sock.setblocking(False)
    expected[i] = message
    received[i] = b""
    selector.register(sock, selectors.EVENT_READ, i)

pending = set(range(count))
while pending:
    if time.monotonic() > deadline:
        print(f"{len(pending)} echoes never completed")
        sys.exit(1)
    for key, _ in selector.select(timeout=1):
        i = key.data
        data = clients[i].recv(4096)
        if not data:
            print(f"client {i}: server closed early after {received[i]!r}")
            sys.exit(1)
        received[i] += data
        if len(received[i]) >= len(expected[i]):
            selector.unregister(clients[i])
            pending.discard(i)

wrong = [i for i in range(count) if received[i] != expected[i]]
for sock in clients:
    sock.close()

if wrong:
    i = wrong[0]
    print(f"{len(wrong)} wrong echoes; client {i} got {received[i]!r}, expected {expected[i]!r}")
    sys.exit(1)

print(f"{count} clients echoed correctly")
