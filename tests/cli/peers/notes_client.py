#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The chat client of the lecture notes with its typed lines fixed: connect,
send a message, print what the server answers; exit 0 when the answer is the
one expected.

    notes_client.py PORT MESSAGE EXPECTED_ANSWER
"""

import socket
import sys

HOST = '127.0.0.1'  # The server's hostname or IP address
PORT = int(sys.argv[1])
message, expected = sys.argv[2], sys.argv[3]

s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(20)
s.connect((HOST, PORT))
s.sendall(bytes(message, 'UTF-8'))
data = s.recv(1024)
print('Received from server:', repr(data))
s.close()
sys.exit(0 if data == expected.encode('utf-8') else 1)
