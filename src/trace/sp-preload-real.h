/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-preload-channel.h"
#include "sp-preload-fds.h"

/* What the wrappers share: the libc functions they stand in for, and
 * whether a call on a descriptor is to be reported. */

/* Only the wrappers leave the library; everything else is hidden. */
#define SP_EXPORT __attribute__((visibility ("default")))

/* The next definition of `name` after this library (libc's), looked up
 * once. Lookups race harmlessly: every thread finds the same address. */
#define SP_REAL(name) \
  ((__typeof__ (&name)) sp_real_lookup (&sp_real_##name, #name))
#define SP_DEFINE_REAL(name) static void *sp_real_##name

void  *sp_real_lookup (void       **slot,
                       const char  *name);

/* Non-zero while a call the library reports as one (getaddrinfo) makes
 * socket calls of its own (NSS modules do), which are not the program's. */
extern __thread int sp_preload_quiet __attribute__((tls_model ("initial-exec")));

/* Whether reports are being made at all, from this thread. */
static inline int
sp_preload_reporting (void)
{
  return sp_channel_active () && sp_preload_quiet == 0;
}

/* Whether a call on `fd` is reported: never one on the channel itself. */
static inline int
sp_preload_watched (int       fd,
                    SpFdInfo *info)
{
  return sp_preload_reporting () && fd != sp_channel_fd () && sp_fds_lookup (fd, info);
}

/* A descriptor a call just made: if it is the channel's number, the
 * program closed the channel in a way the library did not see (a
 * close_range, say), and reports would go to the program's socket. */
static inline void
sp_preload_check_new (int fd)
{
  if (fd >= 0 && fd == sp_channel_fd ())
    sp_channel_stop ();
}
