#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Impaired datagram sockets on the command line: what --headless prints
for datagrams a bad network dropped, duplicated, held back or delayed (plain
and --json), that a seed replays the same way, and that a session whose
"impair" is wrong exits 2 with the JSON path of the problem.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402

PRESET = 'preset:udp-bad-network'
# What the preset's seed does to its six datagrams: 1 twice, 4 never, 3 after 5.
ARRIVALS = [b'datagram 1', b'datagram 1', b'datagram 2', b'datagram 5', b'datagram 3',
            b'datagram 6']


def session(impair, family='inet', kind='dgram'):
    return {
        'format': 'socket-playground-session',
        'version': 1,
        'sockets': [
            {'id': 'server', 'family': 'inet', 'type': 'dgram', 'address': '127.0.0.1',
             'port': 0},
            {'id': 'client', 'family': family, 'type': kind, 'impair': impair},
        ],
        'steps': [{'socket': 'server', 'call': 'bind'}],
    }


class ImpairTests(cliutil.TestCase):

    def test_plain_output(self):
        result = cliutil.run(['--headless', PRESET], timeout=60)
        self.assertExit(result, 0, PRESET)
        lines = result.stdout.splitlines()
        for line in lines:
            self.assertTrue(cliutil.PLAIN_CALL_RE.match(line) or cliutil.PLAIN_NOTE_RE.match(line),
                            f'not a plain output line: {line!r}' + result.describe())

        calls = [line for line in lines if re.search(r'client\s+sendto\(', line)]
        self.assertEqual(len(calls), 6, result.describe())
        self.assertTrue(calls[3].endswith("-> 10  # dropped by impairment: never sent"),
                        calls[3])
        self.assertTrue(calls[0].endswith('-> 10  # delayed 200 ms, then duplicated'), calls[0])
        self.assertTrue(calls[2].endswith('-> 10  # delayed 200 ms, then held back'), calls[2])

        # The network's own lines: what left, in the order it left, each
        # naming the call it came from by its seq.
        network = [line for line in lines if re.search(r'client\s+network: ', line)]
        left = [re.search(r"network: b'([^']*)'", line).group(1).encode() for line in network]
        self.assertEqual(left, ARRIVALS, result.describe())
        self.assertRegex(network[1], r'# copy of #\d+$')
        self.assertRegex(network[4], r'# #\d+ delayed 200 ms, held back, sent after #\d+$')

        received = [re.search(r"recvfrom\(1024\) -> \(b'([^']*)'", line)
                    for line in lines if re.search(r'server\s+recvfrom', line)]
        self.assertEqual([m.group(1).encode() for m in received if m], ARRIVALS)

    def test_json_marks_and_replay(self):
        runs = []
        for _ in range(2):
            result = cliutil.run(['--headless', PRESET, '--json'], timeout=60)
            self.assertExit(result, 0, PRESET + ' --json')
            runs.append(cliutil.json_lines(result.stdout))

        events = runs[0]
        for event in events:
            missing = [k for k in cliutil.REQUIRED_JSON_KEYS if k not in event]
            self.assertFalse(missing, f'{missing} missing in {event}')

        sent = [e.get('impaired') for e in events if e['socket'] == 'client'
                and e['kind'] == 'sent']
        calls = [mark for mark in sent if mark not in ('released', 'copy')]
        left = [mark for mark in sent if mark in ('released', 'copy')]
        self.assertEqual(calls, ['delayed', 'delayed', 'delayed', 'dropped', 'delayed',
                                 'delayed'])
        self.assertEqual(left, ['released', 'copy', 'released', 'released', 'released',
                                'released'])
        # Only events an impairment touched have the member.
        self.assertFalse(any('impaired' in e for e in events if e['socket'] == 'server'))

        on_wire = [bytes.fromhex(e['data_hex']) for e in events
                   if e.get('impaired') in ('released', 'copy')]
        received = [bytes.fromhex(e['data_hex']) for e in events
                    if e['socket'] == 'server' and e['kind'] == 'received']
        self.assertEqual(on_wire, ARRIVALS)
        self.assertEqual(received, ARRIVALS)

        # The same seed, the same story for each socket (times, ports, and
        # how the two sockets' events interleave aside).
        def story(run, socket_id):
            return [(e['kind'], e['call'], e['ok'], e.get('impaired'), e['data_hex'])
                    for e in run if e['socket'] == socket_id]
        for socket_id in ('client', 'server'):
            self.assertEqual(story(runs[0], socket_id), story(runs[1], socket_id))

    def test_refused_sessions(self):
        cases = [
            (session({'drop': 101}), 'sockets[1].impair.drop: must be a whole number from 0 to 100'),
            (session({'dorp': 5}), 'sockets[1].impair.dorp: unknown member (did you mean “drop”?)'),
            (session({'seed': -1}), 'sockets[1].impair.seed: must be a whole number from 0 to '
                                    '4294967295'),
            (session({'drop': 10}, kind='stream'),
             'sockets[1].impair: only datagram sockets (type “dgram”) of family “inet” or '
             '“inet6” can be impaired'),
            (session({'drop': 10}, family='unix'),
             'sockets[1].impair: only datagram sockets'),
        ]
        for number, (document, message) in enumerate(cases):
            with self.subTest(message=message):
                path = cliutil.write_session(self.tmp, f'bad-{number}.json', document)
                result = cliutil.run(['--headless', path])
                self.assertExit(result, 2, path)
                self.assertIn(f'{path}: {message}', result.stderr, result.describe())


if __name__ == '__main__':
    cliutil.main()
