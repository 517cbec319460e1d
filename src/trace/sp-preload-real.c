/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <dlfcn.h>
#include <errno.h>

#include "sp-preload-real.h"

__thread int sp_preload_quiet __attribute__((tls_model ("initial-exec")));

void *
sp_real_lookup (void       **slot,
                const char  *name)
{
  void *function = __atomic_load_n (slot, __ATOMIC_ACQUIRE);

  if (function == NULL)
    {
      /* A successful call must leave errno as it was, dlsym included. */
      int saved_errno = errno;

      function = dlsym (RTLD_NEXT, name);
      errno = saved_errno;
      __atomic_store_n (slot, function, __ATOMIC_RELEASE);
    }

  return function;
}
