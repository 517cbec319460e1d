/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Several files written into one directory as a whole, or not at all.
 *
 * Each file goes first to a temporary name in the target directory (made,
 * with any missing parents, if it is not there), is synced, and only when
 * every one is written are they renamed over their names. On a failure
 * (a full disk, a file that cannot be created) the temporaries are removed,
 * and so are the directories this call made; files of the directory that
 * are not among `names` are never touched, and those that are keep their
 * old contents. The error names the file that could not be written. */

typedef struct
{
  const char *name;      /* a file name in the directory: "server.py" */
  const char *contents;
  gsize       length;
  int         mode;      /* as open(2) takes it: 0755 */
} SpFileContents;

/* Writes all of `data` to `fd`, again after EINTR or a short write;
 * FALSE with errno set when a write fails. */
gboolean sp_write_all                  (int                   fd,
                                        const void           *data,
                                        gsize                 length);

gboolean sp_files_replace              (const char           *directory,
                                        const SpFileContents *files,
                                        guint                 n_files,
                                        GError              **error);

/* sp_files_replace in a worker thread, so that a window's main loop does
 * not wait for the disk. `files` and what they point to are copied. */
void     sp_files_replace_async        (const char           *directory,
                                        const SpFileContents *files,
                                        guint                 n_files,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
gboolean sp_files_replace_finish       (GAsyncResult         *result,
                                        GError              **error);

G_END_DECLS
