/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads and writes a file and a pipe (none of it reported), makes one
 * socket and a socket pair (reported, the pair's calls only), and reads its
 * standard input, which the test makes a socket or a pipe.
 * Usage: trace-file-io PATH */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  char data[64];
  int fd, pipe_fds[2], pair[2], sock;
  ssize_t n;

  if (argc != 2)
    return 2;

  fd = open (argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
  write (fd, "file text", 9);
  lseek (fd, 0, SEEK_SET);
  n = read (fd, data, sizeof data);
  close (fd);

  pipe (pipe_fds);
  write (pipe_fds[1], "pipe", 4);
  read (pipe_fds[0], data, sizeof data);
  close (pipe_fds[0]);
  close (pipe_fds[1]);

  sock = socket (AF_INET, SOCK_STREAM, 0);
  close (sock);

  /* The number the socket had is a file's again. */
  fd = open (argv[1], O_RDONLY);
  read (fd, data, sizeof data);
  close (fd);

  /* A call that succeeds leaves errno as it was, reported or not. */
  socketpair (AF_UNIX, SOCK_STREAM, 0, pair);
  errno = EDOM;
  write (pair[0], "pair", 4);
  read (pair[1], data, sizeof data);
  printf ("errno %s\n", errno == EDOM ? "kept" : "changed");
  close (pair[0]);
  close (pair[1]);

  read (0, data, sizeof data);

  printf ("read %zd\n", n);
  return 0;
}
