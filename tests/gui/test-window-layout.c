/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include <string.h>

#include "sp-composer.h"
#include "sp-gui-test-util.h"
#include "sp-log-detail.h"
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
      /* As the program's: an AdwApplication with its resource path loads
       * the application's style.css, which the layout depends on. */
      shared_application = g_object_new (ADW_TYPE_APPLICATION,
                                         "flags", G_APPLICATION_NON_UNIQUE,
                                         "resource-base-path", RESOURCE_PATH,
                                         NULL);
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

/* Whether the rectangle `rect` of `widget` is drawn where `window` shows
 * it: inside the window and inside the scrolled window that holds
 * `widget`, if any (what lies beyond a viewport's edge is not seen). */
static gboolean
rect_shown (SpWindow              *window,
            GtkWidget             *widget,
            const graphene_rect_t *rect)
{
  GtkWidget *viewport = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_point_t corners[2] = {
    GRAPHENE_POINT_INIT (rect->origin.x, rect->origin.y),
    GRAPHENE_POINT_INIT (rect->origin.x + rect->size.width, rect->origin.y + rect->size.height),
  };
  graphene_rect_t visible = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (GTK_WIDGET (window)),
                                                gtk_widget_get_height (GTK_WIDGET (window)));

  if (!gtk_widget_is_drawable (widget))
    {
      g_test_message ("%s is not drawn", G_OBJECT_TYPE_NAME (widget));
      return FALSE;
    }

  if (viewport != NULL)
    {
      graphene_rect_t bounds;

      if (!gtk_widget_compute_bounds (viewport, GTK_WIDGET (window), &bounds))
        {
          g_test_message ("its scrolled window is not in the window");
          return FALSE;
        }
      graphene_rect_intersection (&visible, &bounds, &visible);
    }

  for (guint i = 0; i < G_N_ELEMENTS (corners); i++)
    {
      graphene_point_t point;

      if (!gtk_widget_compute_point (widget, GTK_WIDGET (window), &corners[i], &point))
        return FALSE;
      /* Rounding in a transform may put an edge a hair outside. */
      if (point.x < visible.origin.x - 0.5 || point.y < visible.origin.y - 0.5 ||
          point.x > visible.origin.x + visible.size.width + 0.5 ||
          point.y > visible.origin.y + visible.size.height + 0.5)
        {
          g_test_message ("(%g, %g) is outside (%g, %g) + %g × %g", point.x, point.y,
                          visible.origin.x, visible.origin.y, visible.size.width,
                          visible.size.height);
          return FALSE;
        }
    }

  return TRUE;
}

/* Whether `widget` is drawn whole where the window shows it. */
static gboolean
widget_shown (SpWindow  *window,
              GtkWidget *widget)
{
  graphene_rect_t rect = GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                             gtk_widget_get_height (widget));

  return rect_shown (window, widget, &rect);
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

static gboolean
is_progress_label (GtkWidget *widget,
                   gpointer   data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "numeric") &&
         gtk_widget_get_ancestor (widget, ADW_TYPE_HEADER_BAR) != NULL;
}

static gboolean
hex_dump_shows_bytes (gpointer data)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (data));

  return gtk_text_buffer_get_char_count (buffer) > 0;
}

/* The whole of the hex dump's first line, its text column last, is where
 * the window shows it, once each of the log detail's pages was shown (the
 * Text and Stream pages are made then). */
static void
assert_hex_dump_shown (SpWindow *window)
{
  GtkWidget *detail = sp_gui_find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_DETAIL);
  GtkWidget *hex = sp_gui_find_by_label (GTK_WIDGET (window), GTK_TYPE_TEXT_VIEW, "Hex Dump");
  GtkTextBuffer *buffer;
  GtkTextIter last;
  GdkRectangle location;
  graphene_rect_t rect;
  int x, y;

  g_assert_nonnull (detail);
  g_assert_nonnull (hex);
  for (guint i = 0; i < 3; i++)
    {
      static const char *pages[] = { "text", "stream", "bytes" };

      sp_log_detail_show_page (SP_LOG_DETAIL (detail), pages[i]);
      sp_gui_iterate_for (100);
    }
  sp_gui_wait_for ("the hex dump to show bytes", hex_dump_shows_bytes, hex);
  sp_gui_wait_for_frame (GTK_WIDGET (window));

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (hex));
  gtk_text_buffer_get_start_iter (buffer, &last);
  gtk_text_iter_forward_to_line_end (&last);
  gtk_text_iter_backward_char (&last);
  gtk_text_view_get_iter_location (GTK_TEXT_VIEW (hex), &last, &location);
  gtk_text_view_buffer_to_window_coords (GTK_TEXT_VIEW (hex), GTK_TEXT_WINDOW_WIDGET,
                                         location.x, location.y, &x, &y);
  rect = GRAPHENE_RECT_INIT (x, y, location.width, location.height);
  if (!rect_shown (window, hex, &rect))
    g_error ("the hex dump's text column is cut off: its first line ends at x = %d "
             "in a pane %d pixels wide", x + location.width, gtk_widget_get_width (hex));
}

static gboolean
is_window_title (GtkWidget *widget,
                 gpointer   data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "title") &&
         gtk_widget_get_ancestor (widget, ADW_TYPE_WINDOW_TITLE) != NULL;
}

static gboolean
is_composer_preview (GtkWidget *widget,
                     gpointer   data)
{
  return GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "monospace") &&
         gtk_widget_get_ancestor (widget, SP_TYPE_COMPOSER) != NULL;
}

/* The header of column `title` of the traffic log, whole, is where the
 * window shows it. */
static void
assert_log_column_shown (SpWindow   *window,
                         const char *title)
{
  GtkWidget *log = sp_gui_find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW);
  GtkWidget *column_view = sp_gui_find_descendant (log, GTK_TYPE_COLUMN_VIEW);
  GtkWidget *header = sp_gui_find_matching (column_view, is_label, (gpointer) title);

  g_assert_nonnull (header);
  /* The column's title button spans the column. */
  while (header != column_view && g_strcmp0 (gtk_widget_get_css_name (header), "button") != 0)
    header = gtk_widget_get_parent (header);
  g_assert_true (header != column_view);
  if (!widget_shown (window, header))
    g_error ("the log's %s column is not in the window", title);
}

/* At 800×600 nothing is cut off: the window is no wider than that, the
 * panels fold behind their toggle, which shows them, every panel's tab is
 * in the window, and so are the calls of the selected socket, the header's
 * progress, the log's columns up to Bytes and the hex dump's text column. */
static void
test_small_window (void)
{
  SpWindow *window = new_window (800, 600);
  GtkWidget *toggle;
  GtkWidget *bind;
  GtkWidget *progress;
  GtkWidget *preview;
  GtkWidget *title;
  GtkWidget *row;
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

  /* Up to the client's sendall of "Hello World", which the hex pane shows. */
  for (guint i = 0; i < 5; i++)
    step (window);
  sp_gui_wait_for_frame (GTK_WIDGET (window));
  assert_hex_dump_shown (window);
  assert_log_column_shown (window, "Call");
  assert_log_column_shown (window, "Bytes");
  /* The client's page, as it opens: what the composer's bytes are, under it. */
  row = sp_gui_find_socket_row (GTK_WIDGET (window), "client");
  g_assert_nonnull (row);
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)), GTK_LIST_BOX_ROW (row));
  sp_gui_iterate_for (200);
  sp_gui_wait_for_frame (GTK_WIDGET (window));
  preview = sp_gui_find_matching (GTK_WIDGET (window), is_composer_preview, NULL);
  g_assert_nonnull (preview);
  if (!widget_shown (window, preview))
    g_error ("the composer's bytes \"%s\" are cut off", gtk_label_get_label (GTK_LABEL (preview)));

  progress = sp_gui_find_matching (GTK_WIDGET (window), is_progress_label, NULL);
  g_assert_nonnull (progress);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (progress)), !=, "");
  g_assert_true (widget_shown (window, progress));
  if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (progress))))
    g_error ("the progress \"%s\" is cut short", gtk_label_get_label (GTK_LABEL (progress)));
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (progress)), ==, "5/12");

  /* A title as short as a student's gives is whole. */
  sp_session_set_title (sp_player_get_session (sp_window_get_player (window)), "Echo, by hand");
  sp_gui_iterate_for (100);
  sp_gui_wait_for_frame (GTK_WIDGET (window));
  title = sp_gui_find_matching (GTK_WIDGET (window), is_window_title, NULL);
  g_assert_nonnull (title);
  g_assert_true (widget_shown (window, title));
  if (pango_layout_is_ellipsized (gtk_label_get_layout (GTK_LABEL (title))))
    g_error ("the title \"%s\" is cut short", gtk_label_get_label (GTK_LABEL (title)));

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
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (progress)), ==, "5 of 12 steps run");

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
