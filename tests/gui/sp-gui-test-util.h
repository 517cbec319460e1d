/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* What the GUI tests share: finding widgets in a tree, and running the
 * main loop until something holds, failing rather than hanging. */

/* The first widget in `widget`'s tree, depth first, itself included, for
 * which `match (widget, data)` holds. */
typedef gboolean (*SpGuiMatch) (GtkWidget *widget,
                                gpointer   data);
GtkWidget *sp_gui_find_matching     (GtkWidget   *widget,
                                     SpGuiMatch   match,
                                     gpointer     data);
/* The first widget of `type` in `widget`'s tree, depth first, itself included. */
GtkWidget *sp_gui_find_descendant   (GtkWidget   *widget,
                                     GType        type);
/* The first widget whose tooltip is `tooltip`. */
GtkWidget *sp_gui_find_by_tooltip   (GtkWidget   *widget,
                                     const char  *tooltip);
/* The first GtkActionable whose action is `action_name` (and, when not
 * NULL, whose target is the string `target`). */
GtkWidget *sp_gui_find_actionable   (GtkWidget   *widget,
                                     const char  *action_name,
                                     const char  *target);
/* The first widget of `type` whose accessible label is `label`, as a
 * screen reader finds it (the tests run with GTK_A11Y=test). */
GtkWidget *sp_gui_find_by_label     (GtkWidget   *widget,
                                     GType        type,
                                     const char  *label);
/* The sidebar's row of socket `id` in a window, or NULL. */
GtkWidget *sp_gui_find_socket_row   (GtkWidget   *window,
                                     const char  *id);
/* Runs the default main context for `ms` milliseconds: layout and drawing
 * happen, and rows exist only once they have. */
void       sp_gui_iterate_for       (guint        ms);
/* Runs it until `done (data)` holds; the test fails after 15 s, naming `what`. */
void       sp_gui_wait_for          (const char  *what,
                                     gboolean   (*done) (gpointer data),
                                     gpointer     data);
/* Runs it until `widget`, which must be mapped, has been laid out and
 * painted once more: what it shows is then up to date. */
void       sp_gui_wait_for_frame    (GtkWidget   *widget);

G_END_DECLS
