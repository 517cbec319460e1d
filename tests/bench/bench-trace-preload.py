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

RUNS = 5
SMALL_CALLS = 100_000
GIB = 1024 ** 3


def run(argv, trace, data_limit=64):
    """One run: the figures the program prints, the reports, their bytes,
    and the CPU seconds the reader spent."""
    traced = Traced(argv, data_limit=data_limit, trace=trace, keep=False)
    status, out, _ = traced.finish(timeout=600)
    if status != 0:
        print(f'FAIL: {argv[0]} exited {status}')
        sys.exit(1)
    return [float(x) for x in out.split()], traced.count, traced.size, traced.reader_cpu


def compare(argv):
    """Untraced and traced runs taken in turn, so that a machine busy with
    something else slows both alike; the median of each figure."""
    runs = {False: [], True: []}
    for _ in range(RUNS):
        for trace in (False, True):
            runs[trace].append(run(argv, trace))

    def medians(results):
        figures = [statistics.median(r[0][i] for r in results)
                   for i in range(len(results[0][0]))]
        return figures, results[-1][1], results[-1][2], statistics.median(r[3] for r in results)

    return medians(runs[False]), medians(runs[True])


def main():
    (plain, _, _, _), (traced, count, size, reader) = compare(
        [program('trace-bench-small'), str(SMALL_CALLS)])
    print(f'send() of 1 byte into a UNIX socket pair, {SMALL_CALLS} calls '
          f'(median of {RUNS}, alternating):')
    print(f'  untraced {plain[0]:8.0f} ns/call wall {plain[1]:8.0f} ns/call CPU')
    print(f'  traced   {traced[0]:8.0f} ns/call wall {traced[1]:8.0f} ns/call CPU  '
          f'(+{traced[0] - plain[0]:.0f} wall, +{traced[1] - plain[1]:.0f} CPU; '
          f'{count} reports of {size / count:.0f} bytes)')
    print(f'  the reader: {reader / SMALL_CALLS * 1e9:.0f} ns of CPU per report')

    (plain, _, _, _), (traced, count, size, reader) = compare(
        [program('trace-bench-tcp'), str(GIB)])
    ratio = traced[0] / plain[0]
    print(f'1 GiB over loopback TCP in 64 KiB sends, data limit 64 (median of {RUNS}):')
    print(f'  untraced {plain[0]:8.0f} MiB/s  {plain[1]:.2f} s CPU')
    print(f'  traced   {traced[0]:8.0f} MiB/s  {traced[1]:.2f} s CPU  ({ratio:.2f} of untraced; '
          f'{count} reports, {size / 1024 / 1024:.1f} MiB; reader {reader:.2f} s CPU)')

    (everything, cpu), count, size, reader = run([program('trace-bench-tcp'), str(GIB // 4)],
                                                 True, -1)
    print('256 MiB, all the data reported (one run, for comparison):')
    print(f'  traced   {everything:8.0f} MiB/s  {cpu:.2f} s CPU  ({everything / plain[0]:.2f} of '
          f'untraced; {count} reports, {size / 1024 / 1024:.1f} MiB; reader {reader:.2f} s CPU)')

    if ratio < 0.5:
        print(f'target missed: traced throughput {ratio:.2f} of untraced, wanted >= 0.5')
        return 1
    print(f'target met: traced throughput {ratio:.2f} of untraced (>= 0.5)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
