/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The cost of one small call: COUNT send()s of one byte into a UNIX stream
 * socket pair, drained by a thread through raw system calls (which the
 * library does not see). Prints nanoseconds per send, of wall-clock time
 * and of the process's CPU time (both threads).
 * Usage: trace-bench-small COUNT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int drain_fd;

static void *
drain (void *data)
{
  char buffer[65536];

  while (syscall (SYS_read, drain_fd, buffer, sizeof buffer) > 0)
    ;
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  struct timespec start, end;
  struct rusage usage;
  pthread_t thread;
  int fds[2];
  long count;
  double ns, cpu_ns;

  if (argc != 2)
    return 2;
  count = atol (argv[1]);

  if (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) != 0)
    return 1;
  drain_fd = fds[1];
  pthread_create (&thread, NULL, drain, NULL);

  clock_gettime (CLOCK_MONOTONIC, &start);
  for (long i = 0; i < count; i++)
    if (send (fds[0], "x", 1, 0) != 1)
      return 1;
  clock_gettime (CLOCK_MONOTONIC, &end);

  syscall (SYS_shutdown, fds[0], SHUT_WR);
  pthread_join (thread, NULL);

  getrusage (RUSAGE_SELF, &usage);
  ns = (double) (end.tv_sec - start.tv_sec) * 1e9 + (double) (end.tv_nsec - start.tv_nsec);
  cpu_ns = (double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e9 +
           (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e3;
  printf ("%.1f %.1f\n", ns / (double) count, cpu_ns / (double) count);
  return 0;
}
