/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <stdio.h>

#include "sp-stdout.h"

gboolean
sp_stdout_write (const char *text,
                 gsize       length)
{
  static gboolean failed;

  if (failed)
    return FALSE;

  if (fwrite (text, 1, length, stdout) == length && fflush (stdout) == 0)
    return TRUE;

  /* Said once: a run that goes on emitting events must not repeat it. */
  g_printerr (_("write error: %s\n"), g_strerror (errno));
  failed = TRUE;
  return FALSE;
}
