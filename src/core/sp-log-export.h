/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-event.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

/* The traffic log written out: JSON Lines, CSV and pcapng.
 *
 * A traffic log belongs to the thread that made it and keeps growing while
 * sockets are live, so the formatting runs on that thread and yields bytes;
 * only the writing of those bytes goes to another thread
 * (sp_log_export_to_file_async). The formats are a product contract: the
 * command line's --export-log writes them with the same per-event writers
 * (sp-log-stream.h), as the events come. */

typedef enum
{
  SP_LOG_FORMAT_JSONL,
  SP_LOG_FORMAT_CSV,
  SP_LOG_FORMAT_PCAPNG,
} SpLogFormat;

/* "jsonl", "csv", "pcapng" (exactly, lower case): the --export-log
 * argument and the usual file name extension. */
gboolean     sp_log_format_from_string        (const char           *text,
                                               SpLogFormat          *format);
const char  *sp_log_format_to_string          (SpLogFormat           format);

/* "call", "sent", "received", "note", "dropped": the "kind" field. */
const char  *sp_log_export_kind_name          (SpEventKind           kind);

/* The sentence for a student about a failed event: a note from the player
 * already is that sentence; a call's errno is explained with the address
 * it was about (the peer, or its own). Free with g_free. */
char        *sp_log_export_explain_event      (SpEvent              *event);

/* One JSON object for an event, without a newline, as `--json` prints it
 * and the JSON Lines export writes it: at most `data_limit` payload bytes
 * in "data_hex" (then "truncated": true). Free with g_free. */
char        *sp_log_export_event_to_json      (SpEvent              *event,
                                               gint64                data_limit);

/* One CSV record for an event, RFC 4180 quoting, ending in CRLF, appended
 * to `out`; sp_log_export_csv_header() is the header line. */
void         sp_log_export_append_csv_row     (GString              *out,
                                               SpEvent              *event);
const char  *sp_log_export_csv_header         (void);

/* JSON Lines and CSV one event at a time, as the whole-log export below
 * writes them: what a file starts with (CSV's header line, nothing for
 * JSON Lines), then each event appended to `out` with `payload` as its
 * bytes, whole (NULL: none, or dropped by the log's cap). pcapng has its
 * own writer (sp-pcapng.h). */
const char  *sp_log_export_text_header        (SpLogFormat           format);
void         sp_log_export_append_event       (GString              *out,
                                               SpLogFormat           format,
                                               SpEvent              *event,
                                               GBytes               *payload);

/* The whole log (every appended event, flushed or not) in `format`: whole
 * payloads in JSON Lines and CSV. Call on the log's thread. */
GBytes      *sp_log_export_to_bytes           (SpTrafficLog         *log,
                                               SpLogFormat           format,
                                               GError              **error);

/* sp_log_export_to_bytes() written to `stream` (blocking; for a stream the
 * caller already writes from a worker thread, the bytes must have been
 * made on the log's thread: use sp_log_export_to_bytes there and
 * g_output_stream_write_bytes). Does not close the stream. */
gboolean     sp_log_export_write              (SpTrafficLog         *log,
                                               SpLogFormat           format,
                                               GOutputStream        *stream,
                                               GCancellable         *cancellable,
                                               GError              **error);

/* Formats the log now, on the calling (the log's) thread, then replaces
 * `file` with the result asynchronously (GIO writes in a worker thread), so
 * a window stays responsive while a large export goes to disk. */
void         sp_log_export_to_file_async      (SpTrafficLog         *log,
                                               SpLogFormat           format,
                                               GFile                *file,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean     sp_log_export_to_file_finish     (SpTrafficLog         *log,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
