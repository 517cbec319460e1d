/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A program that closes descriptors it did not open, the channel among them,
 * then puts a socket of its own at the channel's number: it must go on as
 * if untraced, and nothing but its own datagrams may reach its peer.
 * Usage: trace-close-channel PORT CHANNEL_FD */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  struct sockaddr_in destination = { .sin_family = AF_INET };
  int fd, channel, r;
  ssize_t n;

  if (argc != 3)
    return 2;

  destination.sin_port = htons ((unsigned short) atoi (argv[1]));
  destination.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  channel = atoi (argv[2]);

  fd = socket (AF_INET, SOCK_DGRAM, 0);
  connect (fd, (struct sockaddr *) &destination, sizeof destination);
  send (fd, "before", 6, 0);

  errno = 0;
  r = close (channel);
  printf ("close: %d %d\n", r, errno);

  n = send (fd, "after", 5, 0);
  printf ("send: %zd\n", n);

  r = dup2 (fd, channel);
  n = send (channel, "at-channel", 10, 0);
  printf ("dup2: %d send: %zd\n", r, n);
  close (channel);

  /* A second close of the same number fails as it would untraced. */
  errno = 0;
  r = close (channel);
  printf ("close again: %d %s\n", r, errno == EBADF ? "EBADF" : strerror (errno));

  close (fd);
  return 0;
}
