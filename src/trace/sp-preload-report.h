/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include "sp-preload-fds.h"

/* One call, as the wrappers saw it, written as a report of
 * sp-trace-report.h and sent on the channel. Members left zero (NULL, or
 * -1 for the descriptors) are left out of the report. */
typedef struct
{
  int                    fd;
  const char            *call;
  int                    ok;
  int                    error;
  const SpFdInfo        *info;
  const char            *args;
  const char            *result;
  long long              bytes;
  int                    has_bytes;
  int                    new_fd;
  /* "local" is read with getsockname from this descriptor, -1: none. */
  int                    local_fd;
  /* "remote" is this address, or read with getpeername from peer_fd. */
  const struct sockaddr *remote;
  socklen_t              remote_len;
  int                    peer_fd;
  /* The bytes the call moved, `moved` of them. */
  const struct iovec    *iov;
  size_t                 iovcnt;
  size_t                 moved;
} SpReport;

#define SP_REPORT_INIT { .fd = -1, .new_fd = -1, .local_fd = -1, .peer_fd = -1 }

/* When a call began, for the calls that can make another process's call
 * return (send, write, connect, shutdown, close): a receiver woken by a
 * send may report before the send returns, and a recording orders the
 * calls by what caused what (sp-trace-report.h, "start_us"). A wrapper
 * reads the clock before the real call and, just before it reports,
 * hands the time to the report it makes next on this thread. */
long long sp_report_clock_us (void);
void      sp_report_set_start (long long start_us);

/* How many of `moved` bytes a report carries as "data". */
size_t  sp_report_data_length (size_t          moved);
void    sp_report_send        (const SpReport *report);
