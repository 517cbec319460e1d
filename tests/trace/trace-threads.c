/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Several threads sending datagrams at once, on sockets of their own and on
 * one they share, with bytes that need escaping in JSON.
 * Usage: trace-threads PORT THREADS COUNT */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in destination = { .sin_family = AF_INET };
static int shared_fd;
static int count;

static void *
run (void *data)
{
  int id = (int) (long) data;
  int fd = socket (AF_INET, SOCK_DGRAM, 0);

  for (int i = 0; i < count; i++)
    {
      char message[64];
      int len = snprintf (message, sizeof message, "t%d \"%d\" \\ \n", id, i);

      message[len++] = (char) 0xff;
      sendto (i % 2 ? shared_fd : fd, message, (size_t) len, 0,
              (struct sockaddr *) &destination, sizeof destination);
    }

  close (fd);
  return NULL;
}

int
main (int   argc,
      char *argv[])
{
  pthread_t threads[64];
  int n_threads;

  if (argc != 4)
    return 2;

  destination.sin_port = htons ((unsigned short) atoi (argv[1]));
  destination.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  n_threads = atoi (argv[2]);
  count = atoi (argv[3]);
  if (n_threads < 1 || n_threads > 64)
    return 2;

  shared_fd = socket (AF_INET, SOCK_DGRAM, 0);
  for (long i = 0; i < n_threads; i++)
    pthread_create (&threads[i], NULL, run, (void *) i);
  for (int i = 0; i < n_threads; i++)
    pthread_join (threads[i], NULL);
  close (shared_fd);
  printf ("sent\n");
  return 0;
}
