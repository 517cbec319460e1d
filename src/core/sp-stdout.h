/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes `text` to standard output and flushes it. SIGPIPE is ignored, so
 * a reader that went away (`| head -1`) shows as a failed write, as does a
 * full disk: the first failure is reported on standard error, as
 * "write error: Broken pipe", and this and every later call return FALSE,
 * so that the caller stops and exits with status 1 as other command-line
 * tools do. */
gboolean sp_stdout_write  (const char *text,
                           gsize       length);
/* The same in two halves: text that waits in the buffer (a terminal's
 * line buffer still shows each line), and the flush that sends it. */
gboolean sp_stdout_append (const char *text,
                           gsize       length);
gboolean sp_stdout_flush  (void);

G_END_DECLS
