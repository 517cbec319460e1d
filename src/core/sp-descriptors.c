/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sp-descriptors.h"

/* The spare descriptor: -1 while given up (or before prepare). A mutex, as
 * the name lookup's worker thread meets EMFILE too. */
static GMutex reserve_lock;
static gboolean prepared;
static int reserve = -1;

/* /dev/null: always there, read-only, and costs nothing to hold. */
static int
open_reserve (void)
{
  return open ("/dev/null", O_RDONLY | O_CLOEXEC);
}

void
sp_descriptors_prepare (void)
{
  g_mutex_lock (&reserve_lock);
  if (!prepared)
    {
      /* GTask's type registers its thread pool with GLib's worker context,
       * whose GWakeup g_error()s when no descriptor is left; the default
       * context is the one every async result comes back to. */
      g_main_context_default ();
      g_type_ensure (G_TYPE_TASK);

      reserve = open_reserve ();
      prepared = TRUE;
    }
  g_mutex_unlock (&reserve_lock);
}

gboolean
sp_descriptors_is_limit (int code)
{
  return code == EMFILE || code == ENFILE;
}

void
sp_descriptors_ran_out (void)
{
  g_mutex_lock (&reserve_lock);
  if (reserve >= 0)
    {
      close (reserve);
      reserve = -1;
    }
  g_mutex_unlock (&reserve_lock);
}

void
sp_descriptors_freed (void)
{
  g_mutex_lock (&reserve_lock);
  /* Called just after a close, when at least one descriptor is free: the
   * reserve is back before the next call of the session can take it. */
  if (prepared && reserve < 0)
    reserve = open_reserve ();
  g_mutex_unlock (&reserve_lock);
}
