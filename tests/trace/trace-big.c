/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One datagram of SIZE bytes through a UNIX socket pair: its report, with
 * all of its data, is larger than a default socket buffer.
 * Usage: trace-big SIZE */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  size_t size;
  char *data;
  int pair[2], buffer;
  ssize_t sent, received;

  if (argc != 2)
    return 2;
  size = (size_t) atol (argv[1]);
  data = malloc (size);
  if (data == NULL || socketpair (AF_UNIX, SOCK_DGRAM, 0, pair) != 0)
    return 1;
  for (size_t i = 0; i < size; i++)
    data[i] = (char) (i * 7);

  /* Room for the datagram itself, within net.core.wmem_max. */
  buffer = (int) size + 4096;
  setsockopt (pair[0], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);

  sent = send (pair[0], data, size, 0);
  memset (data, 0, size);
  received = recv (pair[1], data, size, 0);
  printf ("%zd %zd\n", sent, received);
  close (pair[0]);
  close (pair[1]);
  free (data);
  return 0;
}
