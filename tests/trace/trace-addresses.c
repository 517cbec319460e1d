/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Datagrams between a UNIX socket bound to a path and one bound to an
 * abstract name, through sendmsg and recvmsg with several buffers, and one
 * to an IPv6 address. Usage: trace-addresses DIRECTORY PORT6 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  struct sockaddr_un server = { .sun_family = AF_UNIX };
  struct sockaddr_un client = { .sun_family = AF_UNIX };
  struct sockaddr_un from;
  struct sockaddr_in6 six = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
  char first[2], rest[64], reply[64];
  struct iovec out[3] = { { "ab", 2 }, { "cde", 3 }, { "f", 1 } };
  struct iovec in[2] = { { first, sizeof first }, { rest, sizeof rest } };
  struct msghdr message = { 0 };
  socklen_t client_len, from_len;
  int s, c, v6;
  ssize_t n;

  if (argc != 3)
    return 2;

  snprintf (server.sun_path, sizeof server.sun_path, "%s/server.sock", argv[1]);
  snprintf (client.sun_path + 1, sizeof client.sun_path - 1, "sp-trace-%d", (int) getpid ());
  client_len = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + 1 +
                            strlen (client.sun_path + 1));

  s = socket (AF_UNIX, SOCK_DGRAM, 0);
  c = socket (AF_UNIX, SOCK_DGRAM, 0);
  if (bind (s, (struct sockaddr *) &server, sizeof server) != 0 ||
      bind (c, (struct sockaddr *) &client, client_len) != 0)
    return 1;

  message.msg_name = &server;
  message.msg_namelen = sizeof server;
  message.msg_iov = out;
  message.msg_iovlen = 3;
  sendmsg (c, &message, 0);

  memset (&message, 0, sizeof message);
  message.msg_name = &from;
  message.msg_namelen = sizeof from;
  message.msg_iov = in;
  message.msg_iovlen = 2;
  n = recvmsg (s, &message, 0);
  printf ("recvmsg: %zd\n", n);

  sendto (s, "ok", 2, 0, (struct sockaddr *) &from, message.msg_namelen);
  from_len = sizeof from;
  n = recvfrom (c, reply, sizeof reply, 0, (struct sockaddr *) &from, &from_len);
  printf ("recvfrom: %zd\n", n);

  six.sin6_port = htons ((unsigned short) atoi (argv[2]));
  v6 = socket (AF_INET6, SOCK_DGRAM, 0);
  sendto (v6, "v6", 2, 0, (struct sockaddr *) &six, sizeof six);

  close (v6);
  close (c);
  close (s);
  unlink (server.sun_path);
  return 0;
}
