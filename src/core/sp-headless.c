/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-codegen.h"
#include "sp-describe.h"
#include "sp-event-line.h"
#include "sp-headless.h"
#include "sp-log-export.h"
#include "sp-log-stream.h"
#include "sp-player.h"
#include "sp-presets.h"
#include "sp-stdout.h"
#include "sp-trace-run.h"

typedef struct
{
  const SpCommandLine *command_line;
  SpTrafficLog        *log;
  GMainLoop           *loop;
  int                  id_width;
  int                  status;
  GString             *line;
  SpLogStream         *export;   /* --export-log, written as the run goes */
  SpPlayer            *player;
  guint                time_limit_id;
  GSource             *flush_source;
  gboolean             unflushed;
} Headless;

static void
headless_clear (Headless *headless)
{
  g_clear_pointer (&headless->export, sp_log_stream_free);
  g_clear_object (&headless->log);
  g_clear_pointer (&headless->loop, g_main_loop_unref);
  if (headless->flush_source != NULL)
    g_source_destroy (headless->flush_source);
  g_clear_pointer (&headless->flush_source, g_source_unref);
  if (headless->line != NULL)
    g_string_free (g_steal_pointer (&headless->line), TRUE);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Headless, headless_clear)

/* Output: each line is built in one string (sp-event-line.c) and
 * appended to standard output, which is flushed once per main-loop
 * iteration (FlushSource). */

/* The export takes the bytes as they were recorded, not what the log
 * keeps of them: past the log's cap, older payloads are dropped from
 * memory, and the export still has every byte. */
static void
export_event (Headless     *headless,
              SpTrafficLog *log,
              guint         position,
              SpEvent      *event)
{
  g_autoptr(GBytes) payload = NULL;
  const guint8 *data;
  gsize size;

  /* NULL: an event without bytes (a call, the cap's marker). */
  data = sp_traffic_log_peek_appending_payload (log, position, &size);
  if (data != NULL)
    payload = g_bytes_new_static (data, size);

  sp_log_stream_add (headless->export, event, payload);
}

/* When no one reads the output any more, the run stops: the sockets close
 * as after a failed step. */
static void
output_failed (Headless *headless)
{
  headless->status = 1;
  g_main_loop_quit (headless->loop);
}

static void
flush_output (Headless *headless)
{
  if (!headless->unflushed)
    return;

  headless->unflushed = FALSE;
  if (!sp_stdout_flush ())
    output_failed (headless);
}

/* Lines go out once per main-loop iteration, not once per event: a serve
 * with thousands of connections makes several events for each, and a
 * write(2) per line cost more than the events did. The flush comes as the
 * loop prepares to wait, so whoever watches the output as it happens
 * sees every line as soon as nothing else is ready. */
typedef struct
{
  GSource   source;
  Headless *headless;
} FlushSource;

static gboolean
flush_prepare (GSource *source,
               int     *timeout)
{
  flush_output (((FlushSource *) source)->headless);
  *timeout = -1;
  return FALSE;
}

static gboolean
flush_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs flush_funcs = { flush_prepare, NULL, flush_dispatch, NULL, NULL, NULL };

static void
on_appended (SpTrafficLog *log,
             guint         position,
             Headless     *headless)
{
  g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, position);
  GString *line = headless->line;

  if (event == NULL)
    return;

  if (headless->export != NULL)
    export_event (headless, log, position, event);

  g_string_truncate (line, 0);
  if (headless->command_line->json)
    {
      g_autofree char *json = sp_log_export_event_to_json (event,
                                                           headless->command_line->data_limit);

      g_string_append (line, json);
    }
  else
    sp_event_line_append_plain (line, event, headless->id_width);
  g_string_append_c (line, '\n');

  headless->unflushed = TRUE;
  if (!sp_stdout_append (line->str, line->len))
    output_failed (headless);
}

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  Headless   *headless)
{
  if (passed)
    return;

  /* Standard error is not buffered: the events before it go first. */
  flush_output (headless);
  g_printerr ("%s\n", message);
  headless->status = 1;
  g_main_loop_quit (headless->loop);
}

/* Told as a step's failure is, and it ends the run the same way. */
static void
on_serve_failed (SpPlayer   *player,
                 guint       index,
                 const char *message,
                 SpStep     *step,
                 Headless   *headless)
{
  on_step_finished (player, index, FALSE, message, step, headless);
}

static void
on_finished (SpPlayer *player,
             gboolean  all_passed,
             Headless *headless)
{
  /* A failure already told needs no second, vaguer message. */
  flush_output (headless);
  if (!all_passed && headless->status == 0)
    {
      g_printerr ("%s\n", _("The session finished, but not every step met its expectation."));
      headless->status = 1;
    }
  g_main_loop_quit (headless->loop);
}

/* --time-limit: the run stops as after a failed step, its sockets closed
 * by the player's teardown, and says what it was doing. */
static gboolean
on_time_limit (gpointer user_data)
{
  Headless *headless = user_data;
  guint limit = headless->command_line->time_limit_s;
  g_autofree char *running = sp_player_describe_running (headless->player);

  flush_output (headless);
  if (running != NULL)
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "--time-limit: stopped after %u second, while %s was running\n",
                             "--time-limit: stopped after %u seconds, while %s was running\n",
                             limit),
                limit, running);
  else
    g_printerr (g_dngettext (GETTEXT_PACKAGE,
                             "--time-limit: stopped after %u second, between steps\n",
                             "--time-limit: stopped after %u seconds, between steps\n",
                             limit),
                limit);
  headless->status = 1;
  headless->time_limit_id = 0;
  g_main_loop_quit (headless->loop);
  return G_SOURCE_REMOVE;
}

static int
widest_id (SpSession *session)
{
  GListModel *sockets = sp_session_get_sockets (session);
  guint n_steps = sp_session_get_n_steps (session);
  int width = 6;

  for (guint i = 0; i < g_list_model_get_n_items (sockets); i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (sockets, i);

      width = MAX (width, (int) g_utf8_strlen (config->id, -1));
    }

  for (guint i = 0; i < n_steps; i++)
    {
      g_autoptr(SpStep) step = g_list_model_get_item (sp_session_get_steps (session), i);

      if (step->as != NULL)
        width = MAX (width, (int) g_utf8_strlen (step->as, -1));
    }

  return MIN (width, 24);
}

static int
run_headless (const SpCommandLine *command_line)
{
  g_auto(Headless) headless = { .command_line = command_line };
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(SpPlayer) player = NULL;
  SpLogFormat format = SP_LOG_FORMAT_JSONL;

  if (command_line->export_log != NULL &&
      !sp_log_format_from_string (command_line->export_log, &format))
    {
      g_autofree char *shown = sp_describe_text (command_line->export_log);

      g_printerr (_("--export-log: “%s” is not a format this build writes; "
                    "use jsonl, csv or pcapng\n"), shown);
      return 2;
    }

  session = sp_presets_load_any (command_line->file, &error);
  if (session == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (command_line->export_log != NULL)
    {
      headless.export = sp_log_stream_new (command_line->output, format, &error);
      if (headless.export == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
    }

  headless.log = sp_traffic_log_new ();
  headless.loop = g_main_loop_new (NULL, FALSE);
  headless.id_width = widest_id (session);
  headless.line = g_string_new (NULL);
  g_signal_connect (headless.log, "appended", G_CALLBACK (on_appended), &headless);

  player = sp_player_new (session, headless.log);
  sp_player_set_step_delay (player, command_line->step_delay);
  sp_player_set_allow_remote (player, command_line->allow_remote);
  g_signal_connect (player, "step-finished", G_CALLBACK (on_step_finished), &headless);
  g_signal_connect (player, "finished", G_CALLBACK (on_finished), &headless);
  g_signal_connect (player, "serve-failed", G_CALLBACK (on_serve_failed), &headless);

  headless.player = player;
  if (command_line->time_limit_s > 0)
    headless.time_limit_id = g_timeout_add_full (G_PRIORITY_HIGH,
                                                 command_line->time_limit_s * 1000,
                                                 on_time_limit, &headless, NULL);

  /* First among the sources, so that none ready before it keeps it from
   * being prepared. */
  headless.flush_source = g_source_new (&flush_funcs, sizeof (FlushSource));
  ((FlushSource *) headless.flush_source)->headless = &headless;
  g_source_set_priority (headless.flush_source, G_PRIORITY_HIGH);
  g_source_set_static_name (headless.flush_source, "SpHeadless flush");
  g_source_attach (headless.flush_source, NULL);

  sp_player_run (player);
  g_main_loop_run (headless.loop);
  flush_output (&headless);

  g_clear_handle_id (&headless.time_limit_id, g_source_remove);
  headless.player = NULL;

  g_signal_handlers_disconnect_by_data (player, &headless);
  g_signal_handlers_disconnect_by_data (headless.log, &headless);

  if (headless.export != NULL && !sp_log_stream_finish (headless.export, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  return headless.status;
}

static int
run_export_python (const SpCommandLine *command_line)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GPtrArray) scripts = NULL;
  g_autoptr(GString) paths = g_string_new (NULL);

  session = sp_presets_load_any (command_line->file, &error);
  if (session == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  scripts = sp_codegen_python_scripts (session, &error);
  if (scripts == NULL || !sp_codegen_export_python (session, command_line->output, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  for (guint i = 0; i < scripts->len; i++)
    {
      SpScript *script = g_ptr_array_index (scripts, i);
      g_autofree char *path = g_build_filename (command_line->output, script->filename, NULL);

      g_string_append_printf (paths, "%s\n", path);
    }

  return sp_stdout_write (paths->str, paths->len) ? 0 : 1;
}

static int
list_presets (void)
{
  g_auto(GStrv) ids = sp_presets_list_ids ();
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = sp_presets_load (ids[i], &error);

      if (session == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
      g_string_append_printf (text, "%-22s %s\n", ids[i], sp_session_get_title (session));
    }

  return sp_stdout_write (text->str, text->len) ? 0 : 1;
}

static int
print_text (const char *text)
{
  return sp_stdout_write (text, strlen (text)) ? 0 : 1;
}

int
sp_headless_run (const SpCommandLine *command_line)
{
  g_autofree char *version = NULL;

  switch (command_line->command)
    {
    case SP_COMMAND_HEADLESS:
      return run_headless (command_line);

    case SP_COMMAND_EXPORT_PYTHON:
      return run_export_python (command_line);

    case SP_COMMAND_TRACE:
      return sp_trace_run (command_line);

    case SP_COMMAND_LIST_PRESETS:
      return list_presets ();

    case SP_COMMAND_VERSION:
      version = g_strdup_printf ("socket-playground %s\n", PACKAGE_VERSION);
      return print_text (version);

    case SP_COMMAND_HELP:
      return print_text (command_line->help);

    case SP_COMMAND_WINDOW:
    default:
      g_return_val_if_reached (2);
    }
}
