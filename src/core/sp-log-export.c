/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-log-export.h"

#include "sp-data.h"
#include "sp-errno.h"
#include "sp-pcapng.h"

gboolean
sp_log_format_from_string (const char  *text,
                           SpLogFormat *format)
{
  static const SpLogFormat formats[] = {
    SP_LOG_FORMAT_JSONL, SP_LOG_FORMAT_CSV, SP_LOG_FORMAT_PCAPNG,
  };

  g_return_val_if_fail (format != NULL, FALSE);

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (formats); i++)
    {
      if (g_str_equal (text, sp_log_format_to_string (formats[i])))
        {
          *format = formats[i];
          return TRUE;
        }
    }

  return FALSE;
}

const char *
sp_log_format_to_string (SpLogFormat format)
{
  switch (format)
    {
    case SP_LOG_FORMAT_CSV:
      return "csv";
    case SP_LOG_FORMAT_PCAPNG:
      return "pcapng";
    case SP_LOG_FORMAT_JSONL:
    default:
      return "jsonl";
    }
}

const char *
sp_log_export_kind_name (SpEventKind kind)
{
  switch (kind)
    {
    case SP_EVENT_SENT:
      return "sent";
    case SP_EVENT_RECEIVED:
      return "received";
    case SP_EVENT_NOTE:
      return "note";
    case SP_EVENT_DROPPED:
      return "dropped";
    case SP_EVENT_CALL:
    default:
      return "call";
    }
}

char *
sp_log_export_explain_event (SpEvent *event)
{
  const char *address;

  g_return_val_if_fail (SP_IS_EVENT (event), NULL);

  if (sp_event_get_kind (event) == SP_EVENT_NOTE)
    return g_strdup (sp_event_get_detail (event));

  address = sp_event_get_remote (event);
  if (address == NULL)
    address = sp_event_get_local (event);
  return sp_errno_explain (sp_event_get_error_code (event),
                           sp_call_to_string (sp_event_get_call (event)), address);
}

/* JSON */

static void
append_json_string (GString    *out,
                    const char *value)
{
  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = *p;

      /* JSON is UTF-8: a byte that is not part of a character (a peer's
       * path, a traced program's argument) must not make the whole line
       * unreadable, so it stands as U+FFFD, as g_utf8_make_valid() does. */
      if (c >= 0x80)
        {
          gunichar ch = g_utf8_get_char_validated (p, -1);

          if (ch == (gunichar) -1 || ch == (gunichar) -2)
            g_string_append (out, "\\ufffd");
          else
            {
              const char *next = g_utf8_next_char (p);

              g_string_append_len (out, p, next - p);
              p = next - 1;
            }
          continue;
        }

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static void
append_member (GString    *out,
               const char *name,
               const char *value)
{
  g_string_append_printf (out, ",\"%s\":", name);
  append_json_string (out, value);
}

static void
append_json_payload (GString *out,
                     SpEvent *event,
                     GBytes  *payload,
                     gint64   data_limit)
{
  const guint8 *data;
  gsize size;
  gsize shown;

  if (payload == NULL)
    {
      g_string_append (out, "null");
      if (sp_event_get_payload_dropped (event))
        g_string_append (out, ",\"dropped\":true");
      return;
    }

  data = g_bytes_get_data (payload, &size);
  shown = MIN (size, (guint64) data_limit);

  g_string_append_c (out, '"');
  sp_data_append_hex (out, data, shown, '\0');
  g_string_append_c (out, '"');
  if (shown < size)
    g_string_append (out, ",\"truncated\":true");
}

static void
append_json_error (GString *out,
                   SpEvent *event)
{
  int code = sp_event_get_error_code (event);
  g_autofree char *explanation = NULL;

  if (code == 0)
    {
      g_string_append (out, "null");
      return;
    }

  explanation = sp_log_export_explain_event (event);
  g_string_append (out, "{\"name\":");
  append_json_string (out, sp_errno_name (code));
  g_string_append_printf (out, ",\"code\":%d", code);
  append_member (out, "message", sp_errno_message (code));
  append_member (out, "explanation", explanation);
  g_string_append_c (out, '}');
}

/* Written by hand so that times read 0.003, not 0.0030000000000000001,
 * and members keep the order the command line has always printed. */
static void
append_json (GString *out,
             SpEvent *event,
             GBytes  *payload,
             gint64   data_limit)
{
  int step = sp_event_get_step (event);

  g_string_append_printf (out, "{\"seq\":%u,\"time\":%.6f,\"step\":", sp_event_get_seq (event),
                          sp_event_get_time_us (event) / 1e6);
  if (step >= 0)
    g_string_append_printf (out, "%d", step);
  else
    g_string_append (out, "null");
  append_member (out, "socket", sp_event_get_socket_id (event));
  append_member (out, "kind", sp_log_export_kind_name (sp_event_get_kind (event)));
  append_member (out, "call", sp_call_to_string (sp_event_get_call (event)));
  g_string_append_printf (out, ",\"ok\":%s", sp_event_get_ok (event) ? "true" : "false");
  append_member (out, "state", sp_event_get_socket_id (event) != NULL
                               ? sp_state_to_string (sp_event_get_state (event)) : NULL);
  append_member (out, "local", sp_event_get_local (event));
  append_member (out, "remote", sp_event_get_remote (event));
  append_member (out, "args", sp_event_get_args (event));
  append_member (out, "result", sp_event_get_detail (event));
  g_string_append_printf (out, ",\"bytes\":%" G_GSIZE_FORMAT ",\"data_hex\":",
                          sp_event_get_bytes (event));
  append_json_payload (out, event, payload, data_limit);
  g_string_append (out, ",\"error\":");
  append_json_error (out, event);
  /* Only where an impairment did something, so that every other line
   * stays as it always was. */
  if (sp_event_get_impaired (event) != SP_IMPAIRED_NONE)
    append_member (out, "impaired", sp_impaired_to_string (sp_event_get_impaired (event)));
  g_string_append_c (out, '}');
}

char *
sp_log_export_event_to_json (SpEvent *event,
                             gint64   data_limit)
{
  g_autoptr(GBytes) payload = NULL;
  GString *out;

  g_return_val_if_fail (SP_IS_EVENT (event), NULL);

  payload = sp_event_get_payload (event);
  out = g_string_new (NULL);
  append_json (out, event, payload, data_limit);
  return g_string_free (out, FALSE);
}

/* CSV */

/* The columns are JSON Lines' members of the same names. args and result
 * came later and are appended, so that a reader that counts columns by
 * position still finds the first thirteen where they always were. */
const char *
sp_log_export_csv_header (void)
{
  return "seq,time,step,socket,kind,call,ok,state,local,remote,bytes,error,data_hex,"
         "args,result\r\n";
}

/* A text field quoted, with quotes doubled, as RFC 4180 has it. */
static void
append_csv_field (GString    *out,
                  const char *value)
{
  g_string_append_c (out, '"');
  for (const char *p = value != NULL ? value : ""; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_row (GString *out,
                SpEvent *event,
                GBytes  *payload)
{
  const char *fields[7];

  fields[0] = sp_event_get_socket_id (event);
  fields[1] = sp_log_export_kind_name (sp_event_get_kind (event));
  fields[2] = sp_call_to_string (sp_event_get_call (event));
  fields[3] = sp_event_get_ok (event) ? "true" : "false";
  fields[4] = sp_state_to_string (sp_event_get_state (event));
  fields[5] = sp_event_get_local (event);
  fields[6] = sp_event_get_remote (event);

  g_string_append_printf (out, "%u,%.6f,%d,", sp_event_get_seq (event),
                          sp_event_get_time_us (event) / 1e6, sp_event_get_step (event));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      append_csv_field (out, fields[i]);
      g_string_append_c (out, ',');
    }
  g_string_append_printf (out, "%" G_GSIZE_FORMAT ",", sp_event_get_bytes (event));
  append_csv_field (out, sp_errno_name (sp_event_get_error_code (event)));
  g_string_append_c (out, ',');
  /* Hex needs no quoting: written at once, without a copy to quote. */
  g_string_append_c (out, '"');
  if (payload != NULL)
    {
      gsize size;
      const guint8 *data = g_bytes_get_data (payload, &size);

      sp_data_append_hex (out, data, size, ' ');
    }
  g_string_append (out, "\",");
  append_csv_field (out, sp_event_get_args (event));
  g_string_append_c (out, ',');
  append_csv_field (out, sp_event_get_detail (event));
  g_string_append (out, "\r\n");
}

void
sp_log_export_append_csv_row (GString *out,
                              SpEvent *event)
{
  g_autoptr(GBytes) payload = NULL;

  g_return_if_fail (out != NULL);
  g_return_if_fail (SP_IS_EVENT (event));

  payload = sp_event_get_payload (event);
  append_csv_row (out, event, payload);
}

/* One event at a time */

const char *
sp_log_export_text_header (SpLogFormat format)
{
  return format == SP_LOG_FORMAT_CSV ? sp_log_export_csv_header () : "";
}

void
sp_log_export_append_event (GString     *out,
                            SpLogFormat  format,
                            SpEvent     *event,
                            GBytes      *payload)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (SP_IS_EVENT (event));
  g_return_if_fail (format != SP_LOG_FORMAT_PCAPNG);

  if (format == SP_LOG_FORMAT_CSV)
    append_csv_row (out, event, payload);
  else
    {
      /* Every byte: --data-limit is for what a person reads on a terminal. */
      append_json (out, event, payload, G_MAXINT64);
      g_string_append_c (out, '\n');
    }
}

/* The whole log */

static GBytes *
format_text (SpTrafficLog *log,
             SpLogFormat   format)
{
  GString *text = g_string_new (sp_log_export_text_header (format));
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      g_autoptr(GBytes) payload = sp_event_get_payload (event);

      sp_log_export_append_event (text, format, event, payload);
    }

  return g_string_free_to_bytes (text);
}

GBytes *
sp_log_export_to_bytes (SpTrafficLog  *log,
                        SpLogFormat    format,
                        GError       **error)
{
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (format)
    {
    case SP_LOG_FORMAT_PCAPNG:
      return sp_pcapng_from_log (log);
    case SP_LOG_FORMAT_JSONL:
    case SP_LOG_FORMAT_CSV:
    default:
      return format_text (log, format);
    }
}

gboolean
sp_log_export_write (SpTrafficLog   *log,
                     SpLogFormat     format,
                     GOutputStream  *stream,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(GBytes) bytes = NULL;
  gsize size;
  const void *data;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  bytes = sp_log_export_to_bytes (log, format, error);
  if (bytes == NULL)
    return FALSE;

  data = g_bytes_get_data (bytes, &size);
  return g_output_stream_write_all (stream, data, size, NULL, cancellable, error);
}

static void
on_replaced (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_log_export_to_file_async (SpTrafficLog        *log,
                             SpLogFormat          format,
                             GFile               *file,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  g_return_if_fail (SP_IS_TRAFFIC_LOG (log));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (log, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_log_export_to_file_async);

  bytes = sp_log_export_to_bytes (log, format, &error);
  if (bytes == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_NONE,
                                       cancellable, on_replaced, g_steal_pointer (&task));
}

gboolean
sp_log_export_to_file_finish (SpTrafficLog  *log,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, log), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sp_log_export_to_file_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
