/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>

#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-event-line.h"
#include "sp-log-export.h"
#include "sp-recording.h"
#include "sp-stdout.h"
#include "sp-trace-run.h"
#include "sp-trace.h"

/* How long the program has to end after it is asked to (Ctrl+C, a
 * reader of our output that went away) before it is killed. */
#define STOP_GRACE_MS 3000
/* How long a program has to end of the Ctrl+C it got with us before it
 * is asked to. */
#define INTERRUPT_GRACE_MS 500
/* Socket ids are padded to the widest seen so far, up to this. */
#define MAX_ID_WIDTH  24

typedef struct
{
  const SpCommandLine *command_line;
  SpTrafficLog        *log;
  SpTrace             *trace;
  GMainLoop           *loop;
  GString             *line;
  int                  id_width;
  int                  status;
  guint                flush_id;
  guint                interrupt_id;
  gboolean             output_failed;
} TraceRun;

/* --json: the fields --headless prints, then the process that made the
 * call. */
static void
append_json (TraceRun *run,
             guint     position,
             SpEvent  *event)
{
  g_autofree char *json = sp_log_export_event_to_json (event, run->command_line->data_limit);
  const char *program = sp_trace_get_program (run->trace);
  int pid = sp_trace_get_pid (run->trace);
  g_autofree char *program_json = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  gsize length = strlen (json);

  sp_trace_get_origin (run->trace, position, &pid, &program);
  json_node_set_string (node, program);
  program_json = json_to_string (node, FALSE);

  /* The object without its closing brace, then the two members. */
  g_string_append_len (run->line, json, length > 0 ? length - 1 : 0);
  g_string_append_printf (run->line, ",\"pid\":%d,\"program\":%s}", pid, program_json);
}

static void
output_failed (TraceRun *run)
{
  /* No one reads what the program does any more: ask it to end, and
   * still exit with its status. */
  run->output_failed = TRUE;
  sp_trace_stop (run->trace, STOP_GRACE_MS);
}

static gboolean
on_flush (gpointer user_data)
{
  TraceRun *run = user_data;

  run->flush_id = 0;
  if (!sp_stdout_flush ())
    output_failed (run);
  return G_SOURCE_REMOVE;
}

static void
on_appended (SpTrafficLog *log,
             guint         position,
             TraceRun     *run)
{
  g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, position);
  const char *socket_id;

  if (event == NULL || run->output_failed)
    return;

  socket_id = sp_event_get_socket_id (event);
  if (socket_id != NULL)
    run->id_width = MIN (MAX (run->id_width, (int) g_utf8_strlen (socket_id, -1)), MAX_ID_WIDTH);

  g_string_truncate (run->line, 0);
  if (run->command_line->json)
    append_json (run, position, event);
  else
    sp_event_line_append_plain (run->line, event, run->id_width);
  g_string_append_c (run->line, '\n');

  /* A batch of reports comes in one delivery: its lines go out together,
   * with one write, once it is done. */
  if (!sp_stdout_append (run->line->str, run->line->len))
    output_failed (run);
  else if (run->flush_id == 0)
    run->flush_id = g_idle_add_full (G_PRIORITY_HIGH, on_flush, run, NULL);
}

static void
on_exited (SpTrace  *trace,
           int       status,
           TraceRun *run)
{
  run->status = status;
  g_main_loop_quit (run->loop);
}

static gboolean
on_interrupt_grace (gpointer user_data)
{
  TraceRun *run = user_data;

  run->interrupt_id = 0;
  sp_trace_stop (run->trace, STOP_GRACE_MS);
  return G_SOURCE_REMOVE;
}

/* Ctrl+C reaches the program too, as it shares our terminal: it has a
 * moment to end as it would untraced (Python's KeyboardInterrupt) before
 * it is asked to. We wait for it either way, so that its last calls are
 * shown and its status is ours. */
static gboolean
on_interrupt (gpointer user_data)
{
  TraceRun *run = user_data;

  if (run->interrupt_id == 0)
    run->interrupt_id = g_timeout_add (INTERRUPT_GRACE_MS, on_interrupt_grace, run);
  return G_SOURCE_CONTINUE;
}

/* A SIGTERM sent to us alone is passed on. */
static gboolean
on_terminate (gpointer user_data)
{
  TraceRun *run = user_data;

  sp_trace_stop (run->trace, STOP_GRACE_MS);
  return G_SOURCE_CONTINUE;
}

/* --record: a folder that is not there is found before the program runs,
 * not after it did its work. */
static gboolean
check_record_path (const char  *path,
                   GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   _("--record: “%s” is a folder; give the session file’s name"), path);
      return FALSE;
    }
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("--record: there is no folder “%s” to write “%s” in"), folder, path);
      return FALSE;
    }
  return TRUE;
}

/* The session's title: the command as it was typed. */
static char *
command_title (char **argv)
{
  g_autoptr(GString) title = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *base = i == 0 ? g_path_get_basename (argv[i]) : NULL;

      if (i > 0)
        g_string_append_c (title, ' ');
      g_string_append (title, base != NULL ? base : argv[i]);
    }
  return g_string_free (g_steal_pointer (&title), FALSE);
}

/* Writes the recording; the program's status unless that fails. */
static int
write_recording (const SpCommandLine *command_line,
                 SpRecording         *recording,
                 int                  status)
{
  g_autofree char *title = command_title (command_line->program_argv);
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *steps = NULL;
  g_autofree char *sockets = NULL;
  guint n_left_out = 0;
  guint n_steps, n_sockets;

  session = sp_recording_to_session (recording, title, &n_left_out);
  n_steps = sp_session_get_n_steps (session);
  n_sockets = g_list_model_get_n_items (sp_session_get_sockets (session));

  if (!sp_session_save_to_file (session, command_line->record, &error))
    {
      g_printerr (_("--record: could not write “%s”: %s\n"), command_line->record,
                  error->message);
      return status != 0 ? status : 1;
    }

  steps = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step", "%u steps", n_steps),
                           n_steps);
  sockets = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u socket", "%u sockets",
                                          n_sockets), n_sockets);
  /* Translators: "Recorded 12 steps on 3 sockets in echo.json" */
  g_printerr (_("Recorded %s on %s in %s\n"), steps, sockets, command_line->record);
  if (n_left_out > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "%u call was left out: it failed only because its socket "
                             "did not block, or it set an option sessions do not know\n",
                             "%u calls were left out: they failed only because their socket "
                             "did not block, or they set an option sessions do not know\n",
                             n_left_out),
                n_left_out);
  return status;
}

int
sp_trace_run (const SpCommandLine *command_line)
{
  TraceRun run = { .command_line = command_line, .id_width = 6 };
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpTrace) trace = sp_trace_new (log);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GString) line = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpRecording) recording = NULL;
  guint sigint_id, sigterm_id;

  run.log = log;
  run.trace = trace;
  run.loop = loop;
  run.line = line;

  if (command_line->record != NULL)
    {
      if (!check_record_path (command_line->record, &error))
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      recording = sp_recording_new ();
      /* A program that sends gigabytes makes a session of steps, not of
       * gigabytes: past the log's default cap, sends are kept without
       * their bytes. */
      sp_recording_set_data_cap (recording, SP_TRAFFIC_LOG_DEFAULT_CAP);
      sp_trace_set_recording (trace, recording);
    }

  /* One byte more than --data-limit shows, so that the JSON can say
   * "truncated" where the program sent or received more; a recording
   * sends again all the program sent. */
  if (recording != NULL || command_line->data_limit == G_MAXINT64)
    sp_trace_set_data_limit (trace, -1);
  else
    sp_trace_set_data_limit (trace, command_line->data_limit + 1);
  g_signal_connect (log, "appended", G_CALLBACK (on_appended), &run);
  g_signal_connect (trace, "exited", G_CALLBACK (on_exited), &run);

  if (!sp_trace_start (trace, (const char * const *) command_line->program_argv, &error))
    {
      g_printerr ("%s\n", error->message);
      g_signal_handlers_disconnect_by_data (log, &run);
      g_signal_handlers_disconnect_by_data (trace, &run);
      return 2;
    }

  sigint_id = g_unix_signal_add (SIGINT, on_interrupt, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, on_terminate, &run);

  g_main_loop_run (loop);
  g_clear_handle_id (&run.flush_id, g_source_remove);
  g_clear_handle_id (&run.interrupt_id, g_source_remove);
  sp_stdout_flush ();

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (log, &run);
  g_signal_handlers_disconnect_by_data (trace, &run);

  if (sp_trace_get_n_malformed (trace) > 0)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "--trace: %u report could not be read and was skipped\n",
                             "--trace: %u reports could not be read and were skipped\n",
                             sp_trace_get_n_malformed (trace)),
                sp_trace_get_n_malformed (trace));

  if (recording != NULL)
    return write_recording (command_line, recording, run.status);
  return run.status;
}
