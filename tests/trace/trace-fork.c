/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A program whose child sends a datagram, then runs another program (which
 * is followed under its own name), and whose parent sends one after it.
 * Usage: trace-fork PORT PROGRAM [ARG…] */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  struct sockaddr_in destination = { .sin_family = AF_INET };
  int fd, status;
  pid_t child;

  if (argc < 3)
    return 2;

  destination.sin_port = htons ((unsigned short) atoi (argv[1]));
  destination.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fd = socket (AF_INET, SOCK_DGRAM, 0);

  fflush (stdout);
  child = fork ();
  if (child == 0)
    {
      printf ("child %d\n", (int) getpid ());
      fflush (stdout);
      sendto (fd, "child", 5, 0, (struct sockaddr *) &destination, sizeof destination);
      close (fd);
      execv (argv[2], argv + 2);
      _exit (127);
    }

  waitpid (child, &status, 0);
  printf ("parent %d\n", (int) getpid ());
  sendto (fd, "parent", 6, 0, (struct sockaddr *) &destination, sizeof destination);
  close (fd);
  return 0;
}
