/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Throughput over loopback TCP: BYTES sent in 64 KiB send()s to a thread of
 * the same program that recv()s them; both sides are traced when the
 * program is. Prints MiB per second, from the first send to the receiver's
 * end of stream, and the CPU seconds the process used (both threads).
 * Usage: trace-bench-tcp BYTES */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static int listener;
static long long received;

static void *
receive (void *data)
{
  static char buffer[CHUNK];
  int conn = accept (listener, NULL, NULL);
  ssize_t n;

  while ((n = recv (conn, buffer, sizeof buffer, 0)) > 0)
    received += n;
  close (conn);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  static char chunk[CHUNK];
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t len = sizeof address;
  struct timespec start, end;
  struct rusage usage;
  pthread_t thread;
  long long total, sent = 0;
  double seconds;
  int fd;

  if (argc != 2)
    return 2;
  total = atoll (argv[1]);
  memset (chunk, 'x', sizeof chunk);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  listener = socket (AF_INET, SOCK_STREAM, 0);
  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 1) != 0 ||
      getsockname (listener, (struct sockaddr *) &address, &len) != 0)
    return 1;
  pthread_create (&thread, NULL, receive, NULL);

  fd = socket (AF_INET, SOCK_STREAM, 0);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    return 1;

  clock_gettime (CLOCK_MONOTONIC, &start);
  while (sent < total)
    {
      size_t want = total - sent < CHUNK ? (size_t) (total - sent) : CHUNK;
      ssize_t n = send (fd, chunk, want, 0);

      if (n <= 0)
        return 1;
      sent += n;
    }
  shutdown (fd, SHUT_WR);
  pthread_join (thread, NULL);
  clock_gettime (CLOCK_MONOTONIC, &end);
  close (fd);
  close (listener);

  if (received != total)
    return 1;
  getrusage (RUSAGE_SELF, &usage);
  seconds = (double) (end.tv_sec - start.tv_sec) + (double) (end.tv_nsec - start.tv_nsec) / 1e9;
  printf ("%.1f %.3f\n", (double) total / seconds / (1024.0 * 1024.0),
          (double) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          (double) (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
  return 0;
}
