/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include <string.h>

#include "sp-gui-test-util.h"
#include "sp-log-view.h"
#include "sp-socket-page.h"
#include "sp-window.h"

/* The window's layout and what its header and sidebar say: a small window,
 * toasts, a restart, a step edited after it ran. */

static GtkApplication *shared_application;

static SpWindow *
new_window (int width,
            int height)
{
  g_autoptr(GError) error = NULL;
  SpWindow *window;

  if (shared_application == NULL)
    {
      shared_application = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
      g_assert_true (g_application_register (G_APPLICATION (shared_application), NULL, &error));
      g_assert_no_error (error);
    }

  window = g_object_ref (sp_window_new (shared_application));
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  sp_gui_wait_for_frame (GTK_WIDGET (window));
  return window;
}

static void
destroy_window (SpWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (window);
  sp_gui_iterate_for (50);
}

static void
open_preset (SpWindow   *window,
             const char *id)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-preset",
                                  g_variant_new_string (id));
  sp_gui_iterate_for (100);
}

static gboolean
player_is_idle (gpointer data)
{
  return sp_player_get_state (SP_PLAYER (data)) != SP_PLAYER_RUNNING;
}

static void
step (SpWindow *window)
{
  SpPlayer *player = sp_window_get_player (window);

  g_action_group_activate_action (G_ACTION_GROUP (window), "step", NULL);
  sp_gui_wait_for ("a step", player_is_idle, player);
}

/* Whether `widget` is drawn inside the window, whole. */
static gboolean
inside_window (SpWindow  *window,
               GtkWidget *widget)
{
  graphene_rect_t bounds;

  if (!gtk_widget_is_drawable (widget) ||
      !gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &bounds))
    return FALSE;

  return bounds.origin.x >= 0 && bounds.origin.y >= 0 &&
         bounds.origin.x + bounds.size.width <= gtk_widget_get_width (GTK_WIDGET (window)) &&
         bounds.origin.y + bounds.size.height <= gtk_widget_get_height (GTK_WIDGET (window));
}

static gboolean
is_label (GtkWidget *widget,
          gpointer   text)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (widget)), text) == 0;
}

static gboolean
is_label_containing (GtkWidget *widget,
                     gpointer   text)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), text) != NULL;
}

/* At 800×600 nothing is cut off: the window is no wider than that, the
 * panels fold behind their toggle, which shows them, every panel's tab is
 * in the window, and so are the calls of the selected socket. */
static void
test_small_window (void)
{
  SpWindow *window = new_window (800, 600);
  GtkWidget *toggle;
  GtkWidget *bind;
  int minimum;

  /* What the window draws: its content, without the shadow around it. */
  gtk_widget_measure (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)),
                      GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  g_assert_cmpint (minimum, <=, 800);

  open_preset (window, "tcp-echo");
  sp_gui_wait_for_frame (GTK_WIDGET (window));

  bind = sp_gui_find_actionable (GTK_WIDGET (window), "call.bind", NULL);
  g_assert_nonnull (bind);
  g_assert_true (inside_window (window, bind));

  /* The panels are folded away; their toggle is in the header and shows
   * them, tabs and all. */
  toggle = sp_gui_find_actionable (GTK_WIDGET (window), "win.show-panels", NULL);
  g_assert_true (inside_window (window, toggle));
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_action_group_change_action_state (G_ACTION_GROUP (window), "show-panels",
                                      g_variant_new_boolean (TRUE));
  sp_gui_iterate_for (400);
  sp_gui_wait_for_frame (GTK_WIDGET (window));
  for (guint i = 0; i < 3; i++)
    {
      static const char *tabs[] = { "Steps", "Python", "Sequence" };
      GtkWidget *tab = sp_gui_find_matching (GTK_WIDGET (window), is_label, (gpointer) tabs[i]);

      g_assert_nonnull (tab);
      if (!inside_window (window, tab))
        g_error ("the %s tab is not in the window", tabs[i]);
    }

  /* At 1280×800 they are side by side, unfolded. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  sp_gui_iterate_for (400);
  sp_gui_wait_for_frame (GTK_WIDGET (window));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (toggle)));
  g_assert_true (inside_window (window, bind));

  destroy_window (window);
}

/* A toast shows above the traffic log, never over its newest rows. */
static void
test_toast_above_log (void)
{
  SpWindow *window = new_window (1280, 800);
  GtkWidget *log = sp_gui_find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW);
  GtkWidget *overlay = sp_gui_find_descendant (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY);

  g_assert_nonnull (log);
  g_assert_nonnull (overlay);
  g_assert_false (gtk_widget_is_ancestor (log, overlay));

  destroy_window (window);
}

static const char *
row_subtitle (SpWindow   *window,
              const char *id)
{
  GtkWidget *row = sp_gui_find_socket_row (GTK_WIDGET (window), id);

  return row != NULL ? adw_action_row_get_subtitle (ADW_ACTION_ROW (row)) : NULL;
}

typedef struct
{
  SpWindow   *window;
  const char *id;
  const char *ending;
} RowSays;

static gboolean
row_says (gpointer data)
{
  RowSays *says = data;
  const char *subtitle = row_subtitle (says->window, says->id);

  return subtitle != NULL && g_str_has_suffix (subtitle, says->ending);
}

/* After a restart the sidebar says what the diagram says: not created yet. */
static void
test_restart_sidebar (void)
{
  SpWindow *window = new_window (1280, 800);
  RowSays listening = { window, "server", "listening" };
  RowSays uncreated = { window, "server", "not created yet" };

  open_preset (window, "tcp-echo");
  step (window);
  step (window);
  sp_gui_wait_for ("the row to say listening", row_says, &listening);

  g_action_group_activate_action (G_ACTION_GROUP (window), "restart", NULL);
  sp_gui_wait_for ("the row to say not created yet", row_says, &uncreated);
  sp_gui_iterate_for (200);
  g_assert_true (row_says (&uncreated));

  destroy_window (window);
}

static const char *
progress_text (SpWindow *window)
{
  GtkWidget *label = sp_gui_find_matching (GTK_WIDGET (window), is_label_containing,
                                           (gpointer) "steps run");

  return label != NULL ? gtk_label_get_label (GTK_LABEL (label)) : NULL;
}

/* A step edited after it ran has not run as it reads now: the header says
 * so, rather than that every step ran. */
static void
test_edited_step_progress (void)
{
  SpWindow *window = new_window (1280, 800);
  SpSession *session;
  g_autoptr(SpStep) edited = NULL;

  open_preset (window, "tcp-echo");
  session = sp_player_get_session (sp_window_get_player (window));
  step (window);
  step (window);
  g_assert_cmpstr (progress_text (window), ==, "2 of 12 steps run");

  /* What the steps panel does when an edit is applied. */
  edited = sp_step_copy (sp_session_get_step (session, 1));
  edited->backlog = 5;
  sp_session_remove_step (session, 1);
  sp_session_insert_step (session, 1, edited);
  sp_gui_iterate_for (50);

  g_assert_nonnull (progress_text (window));
  g_assert_true (g_str_has_prefix (progress_text (window),
                                   "2 of 12 steps run, 1 edited after it ran"));

  g_action_group_activate_action (G_ACTION_GROUP (window), "restart", NULL);
  sp_gui_iterate_for (50);
  g_assert_cmpstr (progress_text (window), ==, "0 of 12 steps run");

  destroy_window (window);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/Sp/WindowLayout/small-window", test_small_window);
  g_test_add_func ("/Sp/WindowLayout/toast-above-log", test_toast_above_log);
  g_test_add_func ("/Sp/WindowLayout/restart-sidebar", test_restart_sidebar);
  g_test_add_func ("/Sp/WindowLayout/edited-step-progress", test_edited_step_progress);

  return g_test_run ();
}
