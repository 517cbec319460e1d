/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A traced program flooding the window with reports (DESIGN.md, "Watching a
 * program you wrote"): trace-bench-small makes 200,000 one-byte send()s as
 * fast as it can, each reported by the preloaded library, run from the
 * window (Run a Program…) as a user would. Prints how many calls reached
 * the log and how fast, the gaps between the window's frames meanwhile
 * (from a tick callback that keeps the frame clock running), and how much
 * the window's memory grew. Target: the window does not freeze, no two
 * frames 50 ms or more apart, the bound the UDP burst into the window
 * keeps too; the benchmark fails (status 1) when it is missed. Needs a
 * display (xvfb-run); run with `meson test --benchmark window-trace-flood`. */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>

#include "bench-frames.h"
#include "sp-window.h"

#define N_CALLS        200000
#define QUIET_MS       2000
#define SETTLE_FRAMES  30
#define GUARD_SECONDS  300
#define TARGET_GAP_MS  50.0

static gboolean
on_guard (gpointer data)
{
  g_error ("the flood did not end within %d s", GUARD_SECONDS);
  return G_SOURCE_REMOVE;
}

/* VmRSS of this process, in KiB. */
static guint64
resident_kib (void)
{
  g_autofree char *status = NULL;
  const char *found;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (found = strstr (status, "VmRSS:")) == NULL)
    return 0;
  return g_ascii_strtoull (found + strlen ("VmRSS:"), NULL, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  const char *programs = g_getenv ("SP_TRACE_PROGRAMS");
  g_autofree char *program = NULL;
  const char *args[4];
  g_autofree char *command = NULL;
  double panel_gap_ms;
  BenchFrames frames;
  BenchGaps gaps;
  SpTrafficLog *log;
  SpWindow *window;
  guint64 rss_before, rss_after;
  gint64 started, last_growth, first_event = 0, last_event = 0;
  guint n = 0;

  if (programs == NULL || g_getenv ("SP_TRACE_PRELOAD") == NULL)
    {
      g_printerr ("SP_TRACE_PROGRAMS or SP_TRACE_PRELOAD is missing: skipped\n");
      return 77;
    }
  program = g_build_filename (programs, "trace-bench-small", NULL);

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

  log = sp_player_get_log (sp_window_get_player (window));
  bench_frames_watch (&frames, GTK_WIDGET (window), log);
  bench_frames_longest_of_next (&frames, SETTLE_FRAMES);
  rss_before = resident_kib ();

  /* The Programs panel and a terminal are made for the first program: a
   * frame that has nothing to do with the flood, measured on its own. */
  args[0] = "true";
  args[1] = NULL;
  bench_frames_start (&frames);
  if (!sp_window_run_program (window, args, &error))
    g_error ("%s", error->message);
  panel_gap_ms = bench_frames_longest_of_next (&frames, SETTLE_FRAMES);

  /* The program waits a second before its flood, so that the frame its
   * tab and terminal are made in is told apart from the flood's. */
  command = g_strdup_printf ("sleep 1; exec '%s' %d", program, N_CALLS);
  args[0] = "sh";
  args[1] = "-c";
  args[2] = command;
  args[3] = NULL;
  bench_frames_start (&frames);
  started = g_get_monotonic_time ();
  if (!sp_window_run_program (window, args, &error))
    g_error ("%s", error->message);

  last_growth = g_get_monotonic_time ();
  while (n < N_CALLS || g_get_monotonic_time () - last_growth < QUIET_MS * 1000)
    {
      guint now_n;

      g_main_context_iteration (NULL, TRUE);
      now_n = sp_traffic_log_get_n_appended (log);
      if (now_n != n)
        {
          last_growth = g_get_monotonic_time ();
          if (n == 0)
            first_event = last_growth;
          last_event = last_growth;
          n = now_n;
        }
    }
  bench_frames_stop (&frames, &gaps);
  bench_frames_unwatch (&frames);
  rss_after = resident_kib ();

  g_print ("trace-bench-small %d (one-byte send()s, reported by the preloaded library), run "
           "from the window\n", N_CALLS);
  g_print ("  %u events in the log, the first %.2f s after Run, the last %.2f s after the "
           "first: %.0f calls a second\n", n, (first_event - started) / 1e6,
           (last_event - first_event) / 1e6,
           last_event > first_event ? n / ((last_event - first_event) / 1e6) : 0.0);
  g_print ("  the first program's panel and terminal, made before the flood: longest gap "
           "%.1f ms over %d frames\n", panel_gap_ms, SETTLE_FRAMES);
  g_print ("  frames meanwhile: %u, gap mean %.1f ms, p95 %.1f ms, longest %.1f ms (%.2f s "
           "after Run, %u events in the log)\n", gaps.n_frames, gaps.mean_ms, gaps.p95_ms,
           gaps.longest_ms, gaps.longest_at_s, gaps.longest_n_events);
  g_print ("  resident memory: %" G_GUINT64_FORMAT " MiB before, %" G_GUINT64_FORMAT
           " MiB after (%.0f bytes an event)\n", rss_before / 1024, rss_after / 1024,
           n > 0 ? (double) (rss_after - rss_before) * 1024 / n : 0.0);
  g_print ("\n| what | ours | target | met? |\n|---|---|---|---|\n");
  g_print ("| longest gap between frames while a traced program floods the window | %.1f ms "
           "| < %.0f ms | %s |\n", gaps.longest_ms, TARGET_GAP_MS,
           gaps.longest_ms < TARGET_GAP_MS ? "yes" : "no");

  gtk_window_destroy (GTK_WINDOW (window));
  return gaps.longest_ms < TARGET_GAP_MS ? 0 : 1;
}
