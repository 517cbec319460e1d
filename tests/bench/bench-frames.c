/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "bench-frames.h"

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  BenchFrames *frames = user_data;
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

void
bench_frames_watch (BenchFrames  *frames,
                    GtkWidget    *widget,
                    SpTrafficLog *log)
{
  *frames = (BenchFrames) { 0 };
  frames->gaps_ms = g_array_new (FALSE, FALSE, sizeof (double));
  frames->log = log;
  frames->widget = widget;
  frames->tick_id = gtk_widget_add_tick_callback (widget, on_tick, frames, NULL);
}

void
bench_frames_unwatch (BenchFrames *frames)
{
  gtk_widget_remove_tick_callback (frames->widget, frames->tick_id);
  g_clear_pointer (&frames->gaps_ms, g_array_unref);
}

double
bench_frames_longest_of_next (BenchFrames *frames,
                              guint        n)
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

void
bench_frames_start (BenchFrames *frames)
{
  g_array_set_size (frames->gaps_ms, 0);
  frames->started_us = g_get_monotonic_time ();
  frames->longest_ms = 0;
  frames->measuring = TRUE;
}

int
bench_compare_doubles (gconstpointer a,
                       gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
bench_frames_stop (BenchFrames *frames,
                   BenchGaps   *gaps)
{
  GArray *sorted = frames->gaps_ms;
  double sum = 0;

  frames->measuring = FALSE;
  g_array_sort (sorted, bench_compare_doubles);
  for (guint i = 0; i < sorted->len; i++)
    sum += g_array_index (sorted, double, i);

  gaps->n_frames = sorted->len;
  gaps->mean_ms = sorted->len > 0 ? sum / sorted->len : 0;
  gaps->longest_ms = sorted->len > 0 ? g_array_index (sorted, double, sorted->len - 1) : 0;
  gaps->p95_ms = sorted->len > 0 ? g_array_index (sorted, double, sorted->len * 95 / 100) : 0;
  gaps->longest_at_s = (frames->longest_end_us - frames->started_us) / 1e6;
  gaps->longest_n_events = frames->longest_n_events;
}
