/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A burst of 200,000 UDP datagrams (packetsender --rate 0) into a socket in
 * the real window, which receives them with recvfrom while the traffic log
 * follows them. Prints how many datagrams were sent, how many the kernel
 * dropped because the socket's buffer was full (UDP RcvbufErrors), how many
 * the log holds, and the gaps between frames while they arrived, from a
 * tick callback that keeps the frame clock running; the frames as the run
 * started, before the burst, are measured apart. Needs a display
 * (xvfb-run) and packetsender; run with `meson test --benchmark window-burst`. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "sp-window.h"

#define N_DATAGRAMS   200000
#define RCVBUF        0
#define QUIET_MS      3000
/* Frames the window draws after the run started, before the burst */
#define SETTLE_FRAMES 30
#define GUARD_SECONDS 180

typedef struct
{
  gint64  last_frame_us;
  GArray *gaps_ms;       /* double, between consecutive frames */
  gboolean measuring;
  /* where the longest gap ended: to tell what held the frame back */
  gint64  started_us;
  double  longest_ms;
  gint64  longest_end_us;
  guint   longest_n_events;
  SpTrafficLog *log;
  guint   n_frames;
} Frames;

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Frames *frames = user_data;
  gint64 now = g_get_monotonic_time ();

  if (frames->measuring && frames->last_frame_us != 0)
    {
      double gap = (now - frames->last_frame_us) / 1000.0;

      g_array_append_val (frames->gaps_ms, gap);
      if (gap > frames->longest_ms)
        {
          frames->longest_ms = gap;
          frames->longest_end_us = now;
          frames->longest_n_events = sp_traffic_log_get_n_appended (frames->log);
        }
    }
  frames->last_frame_us = now;
  frames->n_frames++;

  return G_SOURCE_CONTINUE;
}

/* The longest gap between the next `n` frames. */
static double
longest_gap_of_frames (Frames *frames,
                       guint   n)
{
  guint until = frames->n_frames + n;

  frames->longest_ms = 0;
  frames->measuring = TRUE;
  while (frames->n_frames < until)
    g_main_context_iteration (NULL, TRUE);
  frames->measuring = FALSE;
  g_array_set_size (frames->gaps_ms, 0);
  return frames->longest_ms;
}

static gboolean
on_guard (gpointer data)
{
  g_error ("the burst did not end within %d s", GUARD_SECONDS);
  return G_SOURCE_REMOVE;
}

/* UDP RcvbufErrors from /proc/net/snmp: datagrams the kernel dropped
 * because a socket's receive buffer was full. */
static guint64
rcvbuf_errors (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/net/snmp", &text, NULL, NULL))
    return 0;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      g_auto(GStrv) names = NULL;
      g_auto(GStrv) values = NULL;

      if (!g_str_has_prefix (lines[i], "Udp: ") || !g_str_has_prefix (lines[i + 1], "Udp: "))
        continue;

      names = g_strsplit (lines[i], " ", -1);
      values = g_strsplit (lines[i + 1], " ", -1);
      for (guint j = 0; names[j] != NULL && values[j] != NULL; j++)
        {
          if (g_str_equal (names[j], "RcvbufErrors"))
            return g_ascii_strtoull (values[j], NULL, 10);
        }
    }

  return 0;
}

static guint16
bound_port (SpTrafficLog *log)
{
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (sp_event_get_call (event) == SP_CALL_BIND && sp_event_get_ok (event))
        return (guint16) g_ascii_strtoull (strrchr (sp_event_get_local (event), ':') + 1, NULL, 10);
    }

  return 0;
}

static guint
count_received (SpTrafficLog *log)
{
  SpTrafficQuery query = { .socket_id = "receiver", .show = SP_TRAFFIC_SHOW_DATA };
  g_autoptr(GArray) found = sp_traffic_log_query (log, 0, G_MAXUINT, &query);

  return found->len;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static char *
write_session (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sp-bench-XXXXXX", &error);
  char *path;
  g_autofree char *json = g_strdup_printf (
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"title\": \"UDP burst\","
    "  \"sockets\": [ { \"id\": \"receiver\", \"family\": \"inet\", \"type\": \"dgram\","
    "                   \"address\": \"127.0.0.1\", \"port\": 0 } ],"
    "  \"steps\": ["
    "    { \"socket\": \"receiver\", \"call\": \"bind\" },"
    "    { \"socket\": \"receiver\", \"call\": \"recvfrom\", \"bufsize\": 2048,"
    "      \"count\": %d, \"timeout-ms\": %d } ] }",
    N_DATAGRAMS, QUIET_MS);

  g_assert_no_error (error);
  path = g_build_filename (dir, "burst.sockplay", NULL);
  if (!g_file_set_contents (path, json, -1, &error))
    g_error ("%s", error->message);

  return path;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *packetsender = g_find_program_in_path ("packetsender");
  g_autofree char *session_path = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *output = NULL;
  g_autoptr(GSubprocess) sender = NULL;
  g_autoptr(GFile) file = NULL;
  Frames frames = { 0 };
  SpWindow *window;
  SpPlayer *player;
  SpTrafficLog *log;
  guint64 dropped_before, dropped;
  guint sent = 0, received;
  guint16 port;
  double max_gap, p95_gap, sum = 0;
  double start_gap;
  const char *found;

  if (packetsender == NULL)
    {
      g_printerr ("packetsender is not installed: skipped\n");
      return 77;
    }

  gtk_init ();
  adw_init ();
  application = g_object_new (ADW_TYPE_APPLICATION, "flags", G_APPLICATION_NON_UNIQUE,
                              "resource-base-path", RESOURCE_PATH, NULL);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("%s", error->message);

  window = sp_window_new (application);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));

  g_timeout_add_seconds (GUARD_SECONDS, on_guard, NULL);
  session_path = write_session ();
  file = g_file_new_for_path (session_path);
  sp_window_open (window, file);
  /* The window reads the file asynchronously, then makes a new player. */
  while (g_strcmp0 (sp_session_get_title (sp_player_get_session (sp_window_get_player (window))),
                    "UDP burst") != 0)
    g_main_context_iteration (NULL, TRUE);
  player = sp_window_get_player (window);
  log = sp_player_get_log (player);

  frames.gaps_ms = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), on_tick, &frames, NULL);
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  frames.log = log;
  while ((port = bound_port (log)) == 0)
    g_main_context_iteration (NULL, TRUE);
  /* The run's start shows the socket's page for the first time, a frame
   * that has nothing to do with the burst: it is measured on its own. */
  start_gap = longest_gap_of_frames (&frames, SETTLE_FRAMES);

  /* packetsender blocks while it sends: it runs as a child, and the
   * window's main loop goes on meanwhile. */
  port_text = g_strdup_printf ("%u", port);
  dropped_before = rcvbuf_errors ();
  frames.started_us = g_get_monotonic_time ();
  frames.longest_ms = 0;
  frames.measuring = TRUE;
  sender = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                             &error, packetsender, "-u", "-A", "--num",
                             G_STRINGIFY (N_DATAGRAMS), "--rate", "0", "127.0.0.1", port_text,
                             "payload", NULL);
  if (sender == NULL)
    g_error ("%s", error->message);

  /* The recvfrom step ends once no datagram came for QUIET_MS. */
  while (sp_player_get_state (player) != SP_PLAYER_FINISHED)
    g_main_context_iteration (NULL, TRUE);
  frames.measuring = FALSE;
  dropped = rcvbuf_errors () - dropped_before;

  /* Its exit status counts bytes; what it sent is in its output. */
  if (!g_subprocess_communicate_utf8 (sender, NULL, NULL, &output, NULL, &error))
    g_error ("%s", error->message);
  found = output != NULL ? strstr (output, "Sent ") : NULL;
  if (found != NULL)
    sent = (guint) g_ascii_strtoull (found + 5, NULL, 10);

  sp_traffic_log_flush (log);
  received = count_received (log);

  g_array_sort (frames.gaps_ms, compare_doubles);
  for (guint i = 0; i < frames.gaps_ms->len; i++)
    sum += g_array_index (frames.gaps_ms, double, i);
  max_gap = frames.gaps_ms->len > 0 ? g_array_index (frames.gaps_ms, double,
                                                     frames.gaps_ms->len - 1) : 0;
  p95_gap = frames.gaps_ms->len > 0 ? g_array_index (frames.gaps_ms, double,
                                                     frames.gaps_ms->len * 95 / 100) : 0;

  g_print ("packetsender sent: %u datagrams to a socket in the window (SO_RCVBUF %d)\n",
           sent, RCVBUF);
  g_print ("dropped by the kernel, receive buffer full (UDP RcvbufErrors): %" G_GUINT64_FORMAT "\n",
           dropped);
  g_print ("in the traffic log: %u (%.1f%% of sent; %.1f%% of those that reached the socket)\n",
           received, sent > 0 ? 100.0 * received / sent : 0,
           sent > dropped ? 100.0 * received / (sent - dropped) : 0);
  g_print ("before the burst, as the run started: longest gap %.1f ms over %d frames\n",
           start_gap, SETTLE_FRAMES);
  g_print ("frames while they arrived: %u, gap mean %.1f ms, p95 %.1f ms, longest %.1f ms "
           "(target < 50 ms)\n",
           frames.gaps_ms->len, frames.gaps_ms->len > 0 ? sum / frames.gaps_ms->len : 0,
           p95_gap, max_gap);
  g_print ("the longest gap ended %.2f s after the burst began, with %u events in the log\n",
           (frames.longest_end_us - frames.started_us) / 1e6, frames.longest_n_events);

  g_unlink (session_path);
  g_array_unref (frames.gaps_ms);
  gtk_window_destroy (GTK_WINDOW (window));

  return received + dropped >= sent && sent > 0 ? 0 : 1;
}
