/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Which descriptors are sockets the library reports on: those of the
 * inet, inet6 and unix families. A descriptor is learnt when a call made
 * it (socket, accept) or, the first time it is used, from fstat and
 * getsockopt; it is forgotten when it is closed, so that a read of a file
 * costs those calls once, not on every read. A byte per descriptor, read
 * and written atomically: threads need no lock. */

typedef struct
{
  int family;   /* AF_INET, AF_INET6, AF_UNIX */
  int type;     /* SOCK_STREAM, SOCK_DGRAM, …; 0 when unknown */
} SpFdInfo;

/* Whether `fd` is a socket to report on; fills `info` when it is. */
int          sp_fds_lookup     (int         fd,
                                SpFdInfo   *info);
/* A socket a call returned: reported on when its family is one of ours. */
void         sp_fds_learn      (int         fd,
                                int         family,
                                int         type);
void         sp_fds_forget     (int         fd);
void         sp_fds_forget_from (unsigned int first,
                                 unsigned int last);

/* "inet", "inet6", "unix"; "stream", "dgram", "seqpacket", "raw" or NULL. */
const char  *sp_fds_family_name (int        family);
const char  *sp_fds_type_name   (int        type);
