/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The peer of bench-first-frame.py: the smallest libadwaita application
 * that shows a window of the same size as Socket Playground's (a header bar
 * and a label), reporting its first frame the way the app does when
 * SP_REPORT_FIRST_FRAME is set. What the app adds on top of this is what it
 * costs to start. */
#include "config.h"

#include <adwaita.h>

static void
on_first_frame_painted (GdkFrameClock *clock,
                        gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_painted, user_data);
  g_printerr ("first-frame monotonic-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
}

static void
on_window_realized (GtkWidget *window,
                    gpointer   user_data)
{
  g_signal_handlers_disconnect_by_func (window, on_window_realized, user_data);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_first_frame_painted), NULL);
}

static void
on_activate (GApplication *application,
             gpointer      user_data)
{
  GtkWidget *window = adw_application_window_new (GTK_APPLICATION (application));
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new ("An empty window");

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_widget_set_vexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), "Empty window");
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  g_signal_connect (window, "realize", G_CALLBACK (on_window_realized), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) application = NULL;

  application = adw_application_new ("io.github.socketplayground.BenchEmptyWindow",
                                     G_APPLICATION_DEFAULT_FLAGS);
  g_signal_connect (application, "activate", G_CALLBACK (on_activate), NULL);
  return g_application_run (G_APPLICATION (application), argc, argv);
}
