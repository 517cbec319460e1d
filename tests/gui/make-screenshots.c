/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Renders the real window in the states the README shows and writes them
 * as PNG files: make-screenshots OUTPUT_DIR. Run by build-aux/screenshots
 * under a virtual display. */
#include "config.h"

#include <adwaita.h>

#include "sp-composer.h"
#include "sp-lifecycle-view.h"
#include "sp-log-detail.h"
#include "sp-log-view.h"
#include "sp-window.h"

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the window settle: answers arrive, rows are built, frames drawn. */
static void
settle (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, on_timeout, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

/* Draws the window once more, so that what it shows is up to date. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);

  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
}

static void
save_png (GtkWidget  *widget,
          const char *directory,
          const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (directory, name, NULL);
  int width;
  int height;

  wait_for_frame (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, path))
    g_error ("could not write %s", path);
  g_print ("%s\n", path);
}

/* `widget` alone, cut from a render of its window. */
static void
save_widget_png (GtkWidget  *window,
                 GtkWidget  *widget,
                 const char *directory,
                 const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (window);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) cut = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guchar *pixels = NULL;
  g_autofree char *path = g_build_filename (directory, name, NULL);
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);
  gsize stride = (gsize) width * 4;
  graphene_rect_t bounds;
  int x, y, w, h;

  if (!gtk_widget_compute_bounds (widget, window, &bounds))
    g_error ("%s: the widget is not in the window", name);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  pixels = g_malloc (stride * height);
  gdk_texture_download (texture, pixels, stride);

  /* A margin of the window around it, as a person would crop. */
  x = MAX (0, (int) bounds.origin.x - 8);
  y = MAX (0, (int) bounds.origin.y - 8);
  w = MIN (width - x, (int) bounds.size.width + 16);
  h = MIN (height - y, (int) bounds.size.height + 16);
  bytes = g_bytes_new (pixels + (gsize) y * stride + (gsize) x * 4, stride * (h - 1) + (gsize) w * 4);
  cut = gdk_memory_texture_new (w, h, GDK_MEMORY_DEFAULT, bytes, stride);
  if (!gdk_texture_save_to_png (cut, path))
    g_error ("could not write %s", path);
  g_print ("%s\n", path);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The list of sockets: the sidebar's list, not a list inside a page. */
static GtkWidget *
find_sidebar (GtkWidget *widget)
{
  if (GTK_IS_LIST_BOX (widget) && gtk_widget_has_css_class (widget, "navigation-sidebar"))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_sidebar (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* Selects socket `id` in the sidebar, as a click on its row does. */
static void
select_socket (SpWindow   *window,
               const char *id)
{
  GtkWidget *list = find_sidebar (GTK_WIDGET (window));

  for (GtkWidget *row = gtk_widget_get_first_child (list);
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (ADW_IS_PREFERENCES_ROW (row) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), id) == 0)
        gtk_list_box_select_row (GTK_LIST_BOX (list), GTK_LIST_BOX_ROW (row));
    }
  settle (400);
}

static void
step_to (SpWindow *window,
         guint     position)
{
  SpPlayer *player = sp_window_get_player (window);

  while (sp_player_get_position (player) < position)
    {
      if (sp_player_get_state (player) != SP_PLAYER_RUNNING)
        g_action_group_activate_action (G_ACTION_GROUP (window), "step", NULL);
      g_main_context_iteration (NULL, TRUE);
    }
  settle (400);
}

/* Selects in the traffic log the `nth` (from 0) event of `socket_id` that
 * moved bytes, and shows `page` of the detail pane. */
static void
select_bytes_event (SpWindow   *window,
                    const char *socket_id,
                    guint       nth,
                    const char *page)
{
  SpTrafficLog *log = sp_player_get_log (sp_window_get_player (window));
  GtkWidget *view = find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW);
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_payload (event) != NULL && nth-- == 0)
        {
          sp_log_view_select_event (SP_LOG_VIEW (view), i);
          break;
        }
    }

  sp_log_detail_show_page (SP_LOG_DETAIL (find_descendant (view, SP_TYPE_LOG_DETAIL)), page);
  settle (400);
}

static void
perform (SpPlayer   *player,
         const char *socket,
         SpCall      call,
         const char *to)
{
  g_autoptr(SpStep) step = sp_step_new (socket, call);

  step->to = g_strdup (to);
  if (call == SP_CALL_ACCEPT)
    step->as = g_strdup ("conn");
  sp_player_perform (player, step);
  while (sp_player_get_state (player) == SP_PLAYER_RUNNING && call != SP_CALL_ACCEPT)
    g_main_context_iteration (NULL, TRUE);
}

static void
make_by_hand (SpWindow *window)
{
  g_autoptr(SpSocketConfig) server = sp_socket_config_new ("server", SP_FAMILY_INET,
                                                           SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocketConfig) client = sp_socket_config_new ("client", SP_FAMILY_INET,
                                                           SP_SOCKET_TYPE_STREAM);
  SpPlayer *player;
  SpSession *session;

  g_action_group_activate_action (G_ACTION_GROUP (window), "new-session", NULL);
  settle (300);
  player = sp_window_get_player (window);
  session = sp_player_get_session (player);
  sp_session_set_title (session, "Echo, by hand");
  server->address = g_strdup ("127.0.0.1");
  server->port = 0;
  client->address = g_strdup ("127.0.0.1");
  client->port = 0;
  sp_session_add_socket (session, server);
  sp_session_add_socket (session, client);
  settle (300);

  perform (player, "server", SP_CALL_BIND, NULL);
  perform (player, "server", SP_CALL_LISTEN, NULL);
  perform (player, "server", SP_CALL_ACCEPT, NULL);
  perform (player, "client", SP_CALL_CONNECT, "server");
  settle (400);
  select_socket (window, "client");
  sp_composer_set_text (SP_COMPOSER (find_descendant (GTK_WIDGET (window), SP_TYPE_COMPOSER)),
                        "Hello\\r\\n");
  settle (400);
}

/* The client sends `text`, which the composer shows as `escaped`, with
 * sendall, and conn receives it. */
static void
send_by_hand (SpWindow   *window,
              const char *escaped,
              const char *text)
{
  SpPlayer *player = sp_window_get_player (window);
  g_autoptr(SpStep) sendall = sp_step_new ("client", SP_CALL_SENDALL);
  g_autoptr(GError) error = NULL;

  sp_composer_set_text (SP_COMPOSER (find_descendant (GTK_WIDGET (window), SP_TYPE_COMPOSER)),
                        escaped);
  sendall->data = sp_step_data_new_text (text, NULL, &error);
  g_assert_no_error (error);
  sp_player_perform (player, sendall);
  while (sp_player_get_state (player) == SP_PLAYER_RUNNING)
    g_main_context_iteration (NULL, TRUE);
  perform (player, "conn", SP_CALL_RECV, NULL);
  settle (400);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  SpWindow *window;

  gtk_init ();
  adw_init ();

  if (argc != 2)
    g_error ("usage: make-screenshots OUTPUT_DIR");

  /* An AdwApplication with the app's resource path loads its style.css. */
  application = g_object_new (ADW_TYPE_APPLICATION,
                              "flags", G_APPLICATION_NON_UNIQUE,
                              "resource-base-path", RESOURCE_PATH,
                              NULL);
  if (!g_application_register (G_APPLICATION (application), NULL, &error))
    g_error ("%s", error->message);

  window = sp_window_new (application);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  settle (800);
  save_png (GTK_WIDGET (window), argv[1], "window-empty.png");

  /* The echo preset halfway: the server has accepted, data has crossed. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-preset",
                                  g_variant_new_string ("tcp-echo"));
  settle (400);
  step_to (window, 6);
  save_png (GTK_WIDGET (window), argv[1], "window-echo.png");

  /* The lifecycle diagram of the listener and of the client. */
  save_widget_png (GTK_WIDGET (window),
                   find_descendant (GTK_WIDGET (window), SP_TYPE_LIFECYCLE_VIEW),
                   argv[1], "lifecycle-server.png");
  select_socket (window, "client");
  save_widget_png (GTK_WIDGET (window),
                   find_descendant (GTK_WIDGET (window), SP_TYPE_LIFECYCLE_VIEW),
                   argv[1], "lifecycle-client.png");
  select_socket (window, "server");

  /* The Python the steps so far amount to. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-panel",
                                  g_variant_new_string ("code"));
  settle (300);
  save_png (GTK_WIDGET (window), argv[1], "window-python.png");

  /* The whole echo as a sequence chart. */
  step_to (window, sp_session_get_n_steps (sp_player_get_session (sp_window_get_player (window))));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-panel",
                                  g_variant_new_string ("sequence"));
  settle (400);
  save_png (GTK_WIDGET (window), argv[1], "window-sequence.png");

  /* The traffic log: what conn received, in the hex pane. */
  select_bytes_event (window, "conn", 0, "bytes");
  save_png (GTK_WIDGET (window), argv[1], "window-log.png");

  /* The encoding lab: é as UTF-8 (two bytes), then as Latin-1 (one byte,
   * which UTF-8 cannot decode). */
  /* A taller log for the crops of it. */
  gtk_paned_set_position (GTK_PANED (gtk_widget_get_ancestor (
                            find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW),
                            GTK_TYPE_PANED)),
                          360);
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-preset",
                                  g_variant_new_string ("encode-decode"));
  settle (400);
  step_to (window, 8);
  select_bytes_event (window, "conn", 1, "text");
  save_widget_png (GTK_WIDGET (window), find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW),
                   argv[1], "log-encoding.png");

  /* Follow stream: one sendall of 40 bytes read by three recv calls. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-preset",
                                  g_variant_new_string ("partial-reads"));
  settle (400);
  step_to (window, 9);
  select_bytes_event (window, "client", 0, "stream");
  save_widget_png (GTK_WIDGET (window), find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW),
                   argv[1], "log-stream.png");

  gtk_paned_set_position (GTK_PANED (gtk_widget_get_ancestor (
                            find_descendant (GTK_WIDGET (window), SP_TYPE_LOG_VIEW),
                            GTK_TYPE_PANED)),
                          500);

  /* What the kernel answers to a connect nobody listens for. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-preset",
                                  g_variant_new_string ("errors"));
  settle (400);
  step_to (window, 1);
  select_socket (window, "client");
  save_widget_png (GTK_WIDGET (window),
                   find_descendant (GTK_WIDGET (window), SP_TYPE_LIFECYCLE_VIEW),
                   argv[1], "lifecycle-refused.png");
  step_to (window, 3);
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-panel",
                                  g_variant_new_string ("steps"));
  settle (300);
  save_png (GTK_WIDGET (window), argv[1], "window-error.png");

  /* Presentation mode on a 1920×1080 projector (the window's default size
   * counts 10 pixels more than it draws): the echo a few steps in, the
   * client's sendall just made, its bytes in the caption. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1920 + 10, 1080 + 10);
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-preset",
                                  g_variant_new_string ("tcp-echo"));
  settle (400);
  g_action_group_change_action_state (G_ACTION_GROUP (window), "presentation",
                                      g_variant_new_boolean (TRUE));
  settle (400);
  step_to (window, 5);
  settle (400);
  save_png (GTK_WIDGET (window), argv[1], "presentation.png");
  g_action_group_change_action_state (G_ACTION_GROUP (window), "presentation",
                                      g_variant_new_boolean (FALSE));

  /* By hand, as a student works: a server made to listen, a client that
   * connected to it by its default destination, "Hello" in the composer. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1280 + 10, 800 + 10);
  make_by_hand (window);
  save_png (GTK_WIDGET (window), argv[1], "window-by-hand.png");

  /* The same in dark style. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  settle (400);
  save_png (GTK_WIDGET (window), argv[1], "window-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* At 800×600 the panels fold away behind their toggle; the client has
   * sent a line, which the server's conn received: the hex pane shows it
   * 8 bytes a line, and the log the columns that fit. */
  gtk_window_set_default_size (GTK_WINDOW (window), 800 + 10, 600 + 10);
  send_by_hand (window, "Hello, server!\\r\\n", "Hello, server!\r\n");
  select_bytes_event (window, "conn", 0, "bytes");
  settle (600);
  save_png (GTK_WIDGET (window), argv[1], "window-800x600.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  settle (400);
  save_png (GTK_WIDGET (window), argv[1], "window-800x600-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  gtk_window_destroy (GTK_WINDOW (window));
  return 0;
}
