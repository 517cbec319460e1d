/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sequence chart of a long session: 50 sockets, 10,000 events, scrolled
 * continuously for a few seconds under a (virtual) display. Prints frame
 * intervals and paint times from the GdkFrameClock, and the layout time per
 * appended event. Run with `meson test --benchmark sequence-view`. */
#include "config.h"

#include <adwaita.h>

#include "sp-sequence-view.h"

#define N_PAIRS      24     /* client + conn each, a listener and a datagram socket: 50 */
#define N_EVENTS     10000
#define SCROLL_SECS  4

typedef struct
{
  GtkAdjustment *vadjustment;
  double         step;
  gint64         started_us;
  gint64         last_frame_us;
  gint64         paint_began_us;
  GArray        *intervals_ms;   /* double */
  GArray        *paints_ms;      /* double */
  gboolean       done;
} Bench;

static void
append (SpTrafficLog *log,
        SpEventKind   kind,
        SpCall        call,
        const char   *socket_id,
        const char   *local,
        const char   *remote,
        gsize         bytes)
{
  SpEventInfo info = {
    .kind = kind,
    .call = call,
    .ok = TRUE,
    .state = kind == SP_EVENT_CALL && call == SP_CALL_LISTEN ? SP_STATE_LISTENING : SP_STATE_CONNECTED,
    .step = -1,
    .socket_id = socket_id,
    .local = local,
    .remote = remote,
    .bytes = bytes,
  };

  sp_traffic_log_append (log, &info);
}

/* A listener, pairs of client and conn that talk back and forth (each send
 * read by one or two recvs), and a datagram socket sending to itself's
 * neighbour: what a busy lecture session looks like, only longer. */
static void
fill_log (SpTrafficLog *log)
{
  const char *server = "127.0.0.1:5000";
  char clients[N_PAIRS][16], conns[N_PAIRS][16], ports[N_PAIRS][24];
  guint32 seed = 1;

  append (log, SP_EVENT_CALL, SP_CALL_LISTEN, "server", server, NULL, 0);
  append (log, SP_EVENT_CALL, SP_CALL_BIND, "datagrams", "127.0.0.1:6000", NULL, 0);
  for (guint i = 0; i < N_PAIRS; i++)
    {
      g_snprintf (clients[i], sizeof clients[i], "client%u", i);
      g_snprintf (conns[i], sizeof conns[i], "conn%u", i);
      g_snprintf (ports[i], sizeof ports[i], "127.0.0.1:%u", 40000 + i);
      append (log, SP_EVENT_CALL, SP_CALL_CONNECT, clients[i], ports[i], server, 0);
      append (log, SP_EVENT_CALL, SP_CALL_ACCEPT, "server", server, ports[i], 0);
    }

  while (sp_traffic_log_get_n_appended (log) < N_EVENTS)
    {
      guint pair;
      gsize bytes;

      seed = seed * 1103515245 + 12345;
      pair = (seed >> 8) % N_PAIRS;
      bytes = 1 + (seed >> 4) % 2000;

      append (log, SP_EVENT_SENT, SP_CALL_SENDALL, clients[pair], ports[pair], server, bytes);
      if (bytes > 1000)
        {
          append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, conns[pair], server, ports[pair], 1000);
          append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, conns[pair], server, ports[pair], bytes - 1000);
        }
      else
        append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, conns[pair], server, ports[pair], bytes);
      append (log, SP_EVENT_SENT, SP_CALL_SENDALL, conns[pair], server, ports[pair], bytes);
      append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, clients[pair], ports[pair], server, bytes);
      if (pair % 8 == 0)
        append (log, SP_EVENT_SENT, SP_CALL_SENDTO, "datagrams", "127.0.0.1:6000", "127.0.0.1:6000", 64);
    }
}

static void
add_sockets (SpSequenceLayout *layout)
{
  sp_sequence_layout_add_socket (layout, "server", NULL, SP_SOCKET_TYPE_STREAM);
  for (guint i = 0; i < N_PAIRS; i++)
    {
      g_autofree char *conn = g_strdup_printf ("conn%u", i);

      sp_sequence_layout_add_socket (layout, conn, "server", SP_SOCKET_TYPE_STREAM);
    }
}

/* Layout cost alone: the events read a few at a time, as a live session
 * delivers them. */
static void
measure_layout (SpTrafficLog *log)
{
  g_autoptr(SpSequenceLayout) layout = sp_sequence_layout_new ();
  g_autoptr(SpTrafficLog) growing = sp_traffic_log_new ();
  gint64 total_us = 0;
  guint n = sp_traffic_log_get_n_appended (log);

  add_sockets (layout);
  for (guint position = 0; position < n; position++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, position);
      SpEventInfo info = {
        .kind = sp_event_get_kind (event),
        .call = sp_event_get_call (event),
        .ok = sp_event_get_ok (event),
        .state = sp_event_get_state (event),
        .step = -1,
        .socket_id = sp_event_get_socket_id (event),
        .local = sp_event_get_local (event),
        .remote = sp_event_get_remote (event),
        .bytes = sp_event_get_bytes (event),
      };
      gint64 begin;

      sp_traffic_log_append (growing, &info);
      if (position % 10 != 9 && position != n - 1)
        continue;
      begin = g_get_monotonic_time ();
      sp_sequence_layout_update (layout, growing, NULL);
      total_us += g_get_monotonic_time () - begin;
    }

  g_print ("layout: %u events, %u lanes, %u arrows, %.2f µs per appended event (batches of 10)\n",
           sp_sequence_layout_get_n_rows (layout), sp_sequence_layout_get_n_lanes (layout),
           sp_sequence_layout_get_n_arrows (layout), (double) total_us / n);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
print_figures (const char *name,
               GArray     *values)
{
  double sum = 0;

  if (values->len == 0)
    {
      g_print ("%s: no frames\n", name);
      return;
    }

  g_array_sort (values, compare_doubles);
  for (guint i = 0; i < values->len; i++)
    sum += g_array_index (values, double, i);
  g_print ("%s: %u frames, mean %.2f ms, p95 %.2f ms, max %.2f ms\n", name, values->len,
           sum / values->len, g_array_index (values, double, (values->len * 95) / 100),
           g_array_index (values, double, values->len - 1));
}

/* Scrolls a little every frame, down then back up. */
static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  Bench *bench = user_data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);
  double value = gtk_adjustment_get_value (bench->vadjustment);
  double bottom = gtk_adjustment_get_upper (bench->vadjustment) -
                  gtk_adjustment_get_page_size (bench->vadjustment);

  if (bench->started_us == 0)
    bench->started_us = now;
  if (bench->last_frame_us != 0)
    {
      double interval = (now - bench->last_frame_us) / 1000.0;

      g_array_append_val (bench->intervals_ms, interval);
    }
  bench->last_frame_us = now;

  if ((value + bench->step > bottom && bench->step > 0) || (value + bench->step < 0 && bench->step < 0))
    bench->step = -bench->step;
  gtk_adjustment_set_value (bench->vadjustment, value + bench->step);

  if (now - bench->started_us > SCROLL_SECS * G_USEC_PER_SEC)
    {
      bench->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
on_before_paint (GdkFrameClock *clock,
                 Bench         *bench)
{
  bench->paint_began_us = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  double paint;

  if (bench->paint_began_us == 0 || bench->started_us == 0)
    return;
  paint = (g_get_monotonic_time () - bench->paint_began_us) / 1000.0;
  g_array_append_val (bench->paints_ms, paint);
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpSession) session = NULL;
  g_autoptr(SpTrafficLog) log = NULL;
  g_autoptr(SpPlayer) player = NULL;
  GtkWidget *window, *scrolled, *view;
  GdkFrameClock *clock;
  Bench bench = { 0 };
  gint64 begin;

  if (!gtk_init_check ())
    {
      g_print ("no display: run under xvfb-run\n");
      return 0;
    }
  adw_init ();

  session = sp_session_new ();
  log = sp_traffic_log_new ();
  player = sp_player_new (session, log);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  scrolled = gtk_scrolled_window_new ();
  view = sp_sequence_view_new ();
  sp_sequence_view_set_player (SP_SEQUENCE_VIEW (view), player);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  settle (200);

  /* The whole session reaches the view in the log's batches. */
  begin = g_get_monotonic_time ();
  fill_log (log);
  sp_traffic_log_flush (log);
  g_print ("view: took %u events in %.1f ms (one batch)\n", sp_traffic_log_get_n_appended (log),
           (g_get_monotonic_time () - begin) / 1000.0);
  measure_layout (log);
  settle (300);

  bench.vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  bench.step = 45;
  bench.intervals_ms = g_array_new (FALSE, FALSE, sizeof (double));
  bench.paints_ms = g_array_new (FALSE, FALSE, sizeof (double));
  gtk_adjustment_set_value (bench.vadjustment, 0);

  clock = gtk_widget_get_frame_clock (view);
  g_signal_connect (clock, "before-paint", G_CALLBACK (on_before_paint), &bench);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &bench);
  gtk_widget_add_tick_callback (view, on_tick, &bench, NULL);
  while (!bench.done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (clock, &bench);

  g_print ("scrolled %d s at %.0f px per frame over %.0f px\n", SCROLL_SECS, ABS (bench.step),
           gtk_adjustment_get_upper (bench.vadjustment));
  print_figures ("frame interval", bench.intervals_ms);
  print_figures ("paint (update, layout, snapshot, render)", bench.paints_ms);

  g_array_unref (bench.intervals_ms);
  g_array_unref (bench.paints_ms);
  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
