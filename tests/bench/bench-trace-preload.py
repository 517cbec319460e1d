# SPDX-License-Identifier: GPL-3.0-or-later
"""What the preload library (src/trace/) costs a traced program, measured
side by side with the same program untraced in the same run:

- one small call: 100,000 send()s of one byte into a UNIX socket pair;
- throughput: 1 GiB over loopback TCP in 64 KiB send()s to a thread of the
  same program, both sides traced, with SP_TRACE_DATA_LIMIT=64 (the target:
  at least half the untraced throughput), and, for comparison, 256 MiB
  with all the data reported.

The parent's part (reading the channel) is played by traceutil.Traced,
which counts the reports. Exits 1 when the throughput target is missed."""

import statistics
import sys

from traceutil import Traced, program

RUNS = 3
SMALL_CALLS = 100_000
GIB = 1024 ** 3


def run(argv, trace, data_limit=64):
    traced = Traced(argv, data_limit=data_limit, trace=trace, keep=False)
    status, out, _ = traced.finish(timeout=600)
    if status != 0:
        print(f'FAIL: {argv[0]} exited {status}')
        sys.exit(1)
    return float(out.strip()), traced.count, traced.size


def median(argv, trace, data_limit=64):
    results = [run(argv, trace, data_limit) for _ in range(RUNS)]
    return statistics.median(r[0] for r in results), results[-1][1], results[-1][2]


def main():
    small = [program('trace-bench-small'), str(SMALL_CALLS)]
    plain, _, _ = median(small, False)
    traced, count, size = median(small, True)
    print(f'send() of 1 byte, {SMALL_CALLS} calls (median of {RUNS}):')
    print(f'  untraced {plain:8.0f} ns/call')
    print(f'  traced   {traced:8.0f} ns/call  (+{traced - plain:.0f} ns; '
          f'{count} reports, {size / count:.0f} bytes each)')

    tcp = [program('trace-bench-tcp'), str(GIB)]
    plain, _, _ = median(tcp, False)
    traced, count, size = median(tcp, True)
    ratio = traced / plain
    print(f'1 GiB over loopback TCP, 64 KiB sends (median of {RUNS}):')
    print(f'  untraced              {plain:8.0f} MiB/s')
    print(f'  traced, data limit 64 {traced:8.0f} MiB/s  ({ratio:.2f} of untraced; '
          f'{count} reports, {size / 1024 / 1024:.1f} MiB)')

    everything, count, size = run([program('trace-bench-tcp'), str(GIB // 4)], True, -1)
    print('256 MiB, all the data reported:')
    print(f'  traced, no data limit {everything:8.0f} MiB/s  ({everything / plain:.2f} of '
          f'untraced; {count} reports, {size / 1024 / 1024:.1f} MiB)')

    if ratio < 0.5:
        print(f'target missed: traced throughput {ratio:.2f} of untraced, wanted >= 0.5')
        return 1
    print(f'target met: traced throughput {ratio:.2f} of untraced (>= 0.5)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
