/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lecture notes' echo client, in C: sends MESSAGE with send() and again
 * with write(), prints each echo, then half-closes and waits for the end.
 * A refused connect prints what the program saw and exits 3.
 * Usage: trace-echo-client PORT MESSAGE */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  struct addrinfo *info;
  char data[1024];
  ssize_t n;
  int fd, r;

  if (argc != 3)
    return 2;

  if (getaddrinfo ("127.0.0.1", argv[1], &hints, &info) != 0)
    return 1;

  fd = socket (info->ai_family, info->ai_socktype, info->ai_protocol);
  errno = 0;
  r = connect (fd, info->ai_addr, info->ai_addrlen);
  freeaddrinfo (info);
  if (r != 0)
    {
      printf ("connect: %d %s\n", r, errno == ECONNREFUSED ? "ECONNREFUSED" : strerror (errno));
      close (fd);
      return 3;
    }

  send (fd, argv[2], strlen (argv[2]), 0);
  n = recv (fd, data, sizeof data, 0);
  printf ("received: %.*s\n", (int) (n > 0 ? n : 0), data);

  write (fd, argv[2], strlen (argv[2]));
  n = read (fd, data, sizeof data);
  printf ("read: %.*s\n", (int) (n > 0 ? n : 0), data);

  shutdown (fd, SHUT_WR);
  n = recv (fd, data, sizeof data, 0);
  printf ("end: %zd\n", n);
  close (fd);
  return 0;
}
