#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A UDP peer written with Python's socket module, as a peer for tests.

Usage: peer-udp-echo.py [HOST]

Binds HOST (default 127.0.0.1) on an ephemeral port, prints the port on
stdout, waits for one datagram, answers b"pong:" followed by it to the
address it came from, prints that address as "HOST PORT" and exits 0.
"""

import signal
import socket
import sys

# A peer must never outlive a test that went wrong.
signal.alarm(30)

host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
family = socket.AF_INET6 if ":" in host else socket.AF_INET

with socket.socket(family, socket.SOCK_DGRAM) as peer:
    peer.bind((host, 0))
    print(peer.getsockname()[1], flush=True)
    data, address = peer.recvfrom(1024)
    peer.sendto(b"pong:" + data, address)
    print(address[0], address[1], flush=True)
