/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sp-descriptors.h"

/* The spare descriptors: -1 while given up (or before prepare). A few, not
 * one: what a window does next may take a pipe, or a file and a socket. A
 * mutex, as the name lookup's worker thread meets EMFILE too. */
#define RESERVE_SIZE 4

static GMutex reserve_lock;
static gboolean prepared;
static int reserve[RESERVE_SIZE] = { -1, -1, -1, -1 };
/* How many it held at start: under a very low limit, fewer than four. */
static guint reserve_target;

/* /dev/null: always there, read-only, and costs nothing to hold. As many
 * as there is room for; returns how many are held. With the lock held. */
static guint
fill_reserve (void)
{
  guint held = 0;

  for (guint i = 0; i < RESERVE_SIZE; i++)
    {
      if (reserve[i] < 0)
        reserve[i] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (reserve[i] >= 0)
        held++;
    }
  return held;
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

      reserve_target = fill_reserve ();
      prepared = TRUE;
    }
  g_mutex_unlock (&reserve_lock);
}

gboolean
sp_descriptors_is_limit (int code)
{
  return code == EMFILE || code == ENFILE;
}

/* With the lock held. */
static void
empty_reserve (void)
{
  for (guint i = 0; i < RESERVE_SIZE; i++)
    if (reserve[i] >= 0)
      {
        close (reserve[i]);
        reserve[i] = -1;
      }
}

void
sp_descriptors_ran_out (void)
{
  g_mutex_lock (&reserve_lock);
  empty_reserve ();
  g_mutex_unlock (&reserve_lock);
}

gboolean
sp_descriptors_reclaim (void)
{
  gboolean whole = TRUE;

  g_mutex_lock (&reserve_lock);
  if (prepared)
    {
      whole = fill_reserve () >= reserve_target;
      /* Part of it would only take room the window may still need. */
      if (!whole)
        empty_reserve ();
    }
  g_mutex_unlock (&reserve_lock);
  return whole;
}

void
sp_descriptors_made (void)
{
  int probe;
  int code;

  g_mutex_lock (&reserve_lock);
  if (!prepared)
    {
      g_mutex_unlock (&reserve_lock);
      return;
    }
  /* A copy of a spare asks the same of the table as an open() would,
   * without looking up a path: this runs for every connection accepted. */
  probe = -1;
  code = 0;
  for (guint i = 0; i < RESERVE_SIZE && probe < 0 && code == 0; i++)
    if (reserve[i] >= 0)
      {
        probe = fcntl (reserve[i], F_DUPFD_CLOEXEC, 0);
        code = probe < 0 ? errno : 0;
      }
  if (probe < 0 && code == 0)
    {
      probe = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      code = errno;
    }
  if (probe >= 0)
    close (probe);
  else if (sp_descriptors_is_limit (code))
    empty_reserve ();
  g_mutex_unlock (&reserve_lock);
}
