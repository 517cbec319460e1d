#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A client over a UNIX domain stream socket: connect to PATH, send MESSAGE,
read until the server closes; exit 0 when it read EXPECTED.

    unix_client.py PATH MESSAGE EXPECTED
"""

import socket
import sys

PATH, message, expected = sys.argv[1], sys.argv[2], sys.argv[3]

with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.settimeout(20)
    s.connect(PATH)
    s.sendall(message.encode('utf-8'))
    received = b''
    while True:
        data = s.recv(1024)
        if not data:
            break
        received += data
print('Received from server:', repr(received))
sys.exit(0 if received == expected.encode('utf-8') else 1)
