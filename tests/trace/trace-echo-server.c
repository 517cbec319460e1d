/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The lecture notes' echo server, in C: one connection, echoed until the
 * client closes. Usage: trace-echo-server PORT */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  char data[1024];
  int listener, conn, one = 1;
  ssize_t n;

  if (argc != 2)
    return 2;

  address.sin_port = htons ((unsigned short) atoi (argv[1]));
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);

  listener = socket (AF_INET, SOCK_STREAM, 0);
  setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (listener, (struct sockaddr *) &address, sizeof address) != 0 ||
      listen (listener, 1) != 0)
    {
      perror ("bind/listen");
      return 1;
    }

  conn = accept (listener, NULL, NULL);
  if (conn < 0)
    {
      perror ("accept");
      return 1;
    }

  while ((n = recv (conn, data, sizeof data, 0)) > 0)
    send (conn, data, (size_t) n, 0);

  close (conn);
  close (listener);
  printf ("served\n");
  return 0;
}
