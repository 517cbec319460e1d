/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <stdio.h>

#include "sp-stdout.h"

static gboolean failed;

/* Said once: a run that goes on emitting events must not repeat it. */
static gboolean
report_failure (void)
{
  g_printerr (_("write error: %s\n"), g_strerror (errno));
  failed = TRUE;
  return FALSE;
}

gboolean
sp_stdout_append (const char *text,
                  gsize       length)
{
  if (failed)
    return FALSE;

  if (fwrite (text, 1, length, stdout) == length)
    return TRUE;
  return report_failure ();
}

gboolean
sp_stdout_flush (void)
{
  if (failed)
    return FALSE;

  if (fflush (stdout) == 0)
    return TRUE;
  return report_failure ();
}

gboolean
sp_stdout_write (const char *text,
                 gsize       length)
{
  return sp_stdout_append (text, length) && sp_stdout_flush ();
}
