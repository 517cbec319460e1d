/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-log-export.h"

G_BEGIN_DECLS

/* A log export written as the log grows, for --export-log: each event goes
 * to disk as it is appended, with its payload as it was recorded, so the
 * export holds every byte however long the run, and memory does not grow
 * with it.
 *
 * The bytes go to a temporary file beside `path`, which takes its name only
 * at sp_log_stream_finish: a reader never sees half an export, a symlink at
 * `path` is replaced and not followed, and a failed export (a full disk)
 * leaves `path` as it was. Freed before it finished, the stream removes its
 * temporary file.
 *
 * Writes go to the file from the calling thread, 256 KiB at a time, as the
 * headless runner's own output goes to stdout: the disk's pace is what
 * keeps the memory bounded, where a queue for a writer thread would grow
 * with a fast peer. The window exports from the log afterwards
 * (sp_log_export_to_file_async) and does not use this.
 *
 * The files are the ones sp_log_export_to_bytes makes of the same events,
 * with every payload where the log's cap has dropped some, and one more
 * difference: a pcapng writer fed as things happen cannot know that a
 * socket's endpoint belongs to the log before its first event, which the
 * whole-log writer learns beforehand. */
typedef struct _SpLogStream SpLogStream;

SpLogStream *sp_log_stream_new     (const char   *path,
                                    SpLogFormat   format,
                                    GError      **error);
/* `payload`: the event's bytes (NULL for an event without any). A failed
 * write is kept for sp_log_stream_finish, and later events are not
 * written. */
void         sp_log_stream_add     (SpLogStream  *self,
                                    SpEvent      *event,
                                    GBytes       *payload);
/* Writes what is left, syncs, and renames the file into place; or
 * removes it and says why, naming `path`. */
gboolean     sp_log_stream_finish  (SpLogStream  *self,
                                    GError      **error);
void         sp_log_stream_free    (SpLogStream  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLogStream, sp_log_stream_free)

G_END_DECLS
