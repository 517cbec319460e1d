/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Built with _FORTIFY_SOURCE, which turns recv, recvfrom and read with a
 * length not known at compile time into __recv_chk, __recvfrom_chk and
 * __read_chk: those are socket calls too. Usage: trace-fortified LENGTH */
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (int   argc,
      char *argv[])
{
  char data[64];
  size_t len;
  int pair[2];
  ssize_t a, b, c;

  if (argc != 2)
    return 2;
  /* Not checked against the buffer: a length the compiler can prove fits
   * gets the unchecked call. */
  len = (size_t) atoi (argv[1]);
  if (socketpair (AF_UNIX, SOCK_DGRAM, 0, pair) != 0)
    return 2;

  send (pair[0], "one", 3, 0);
  send (pair[0], "two", 3, 0);
  send (pair[0], "three", 5, 0);
  a = recv (pair[1], data, len, 0);
  b = recvfrom (pair[1], data, len, 0, NULL, NULL);
  c = read (pair[1], data, len);
  printf ("%zd %zd %zd\n", a, b, c);
  close (pair[0]);
  close (pair[1]);
  return 0;
}
