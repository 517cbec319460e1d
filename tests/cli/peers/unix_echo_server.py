#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The notes' echo server over a UNIX domain stream socket at PATH.

    unix_echo_server.py PATH
"""

import os
import socket
import sys

PATH = sys.argv[1]

with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.settimeout(30)
    s.bind(PATH)
    s.listen(1)
    conn, addr = s.accept()
    with conn:
        conn.settimeout(30)
        while True:
            data = conn.recv(1024)
            if not data:
                break
            print('Received', repr(data), flush=True)
            conn.sendall(data)
os.unlink(PATH)
