#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The echo server of the lecture notes (bind, listen, accept, then recv and
sendall until the client closes), on 127.0.0.1 and the port given.

    notes_echo_server.py PORT
"""

import socket
import sys

HOST = '127.0.0.1'  # Standard loopback interface address (localhost)
PORT = int(sys.argv[1])

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.settimeout(30)  # a test peer must never wait forever
    s.bind((HOST, PORT))
    s.listen()
    conn, addr = s.accept()
    with conn:
        conn.settimeout(30)
        print('Connected by', addr, flush=True)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            print('Received', repr(data), flush=True)
            conn.sendall(data)
