/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sp-traffic-log.h"

/* The gaps between a window's frames, measured from a tick callback that
 * keeps the frame clock running, for the window benchmarks. */
typedef struct
{
  gint64        last_frame_us;
  GArray       *gaps_ms;       /* double, between consecutive frames */
  gboolean      measuring;
  /* where the longest gap ended: to tell what held the frame back */
  gint64        started_us;
  double        longest_ms;
  gint64        longest_end_us;
  guint         longest_n_events;
  SpTrafficLog *log;
  guint         n_frames;
  guint         tick_id;
  GtkWidget    *widget;
} BenchFrames;

typedef struct
{
  guint  n_frames;
  double mean_ms;
  double p95_ms;
  double longest_ms;
  /* seconds after bench_frames_start, and the log's length then */
  double longest_at_s;
  guint  longest_n_events;
} BenchGaps;

/* Follows `widget`'s frames; `log` is read where the longest gap ends. */
void   bench_frames_watch           (BenchFrames *frames,
                                     GtkWidget   *widget,
                                     SpTrafficLog *log);
void   bench_frames_unwatch         (BenchFrames *frames);
/* The longest gap between the next `n` frames, apart from any measure. */
double bench_frames_longest_of_next (BenchFrames *frames,
                                     guint        n);
void   bench_frames_start           (BenchFrames *frames);
void   bench_frames_stop            (BenchFrames *frames,
                                     BenchGaps   *gaps);

int    bench_compare_doubles        (gconstpointer a,
                                     gconstpointer b);
