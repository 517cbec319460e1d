/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "sp-presets.h"
#include "sp-gui-test-util.h"
#include "sp-sequence-view.h"

/* Every wait ends after this long, so a hang fails the test. */
#define GUARD_SECONDS 10

typedef struct
{
  SpTrafficLog   *log;
  SpPlayer       *player;
  GtkWindow      *window;
  GtkWidget      *scrolled;
  SpSequenceView *view;

  gboolean        finished;
  guint           n_activated;
  guint           last_activated;
} Fixture;

static gboolean
fail_on_timeout (gpointer user_data)
{
  g_error ("timed out waiting for %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the window lay out and draw. */
static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_finished (SpPlayer *player,
             gboolean  all_passed,
             Fixture  *fixture)
{
  g_assert_true (all_passed);
  fixture->finished = TRUE;
}

static void
on_event_activated (SpSequenceView *view,
                    guint           position,
                    Fixture        *fixture)
{
  fixture->n_activated++;
  fixture->last_activated = position;
}

static void
fixture_set_up_session (Fixture   *fixture,
                        SpSession *session,
                        int        height)
{
  fixture->log = sp_traffic_log_new ();
  fixture->player = sp_player_new (session, fixture->log);
  g_signal_connect (fixture->player, "finished", G_CALLBACK (on_finished), fixture);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 700, height);
  fixture->scrolled = gtk_scrolled_window_new ();
  fixture->view = SP_SEQUENCE_VIEW (sp_sequence_view_new ());
  sp_sequence_view_set_player (fixture->view, fixture->player);
  g_signal_connect (fixture->view, "event-activated", G_CALLBACK (on_event_activated), fixture);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (fixture->scrolled), GTK_WIDGET (fixture->view));
  gtk_window_set_child (fixture->window, fixture->scrolled);
  gtk_window_present (fixture->window);
  iterate_for (100);
}

static void
fixture_set_up_preset (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load (data, &error);

  g_assert_no_error (error);
  fixture_set_up_session (fixture, session, 500);
}

/* A short window, so that the echo session is taller than the view. */
static void
fixture_set_up_short (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load ("tcp-echo", &error);

  g_assert_no_error (error);
  fixture_set_up_session (fixture, session, 260);
}

/* A port on loopback that nothing listens on: bound, then closed. */
static guint16
closed_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_STREAM, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &address, &length), ==, 0);
  close (fd);
  return ntohs (address.sin_port);
}

static void
fixture_set_up_refused (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"refused\",\n"
    "  \"sockets\": [ { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
    "  \"steps\": [ { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"127.0.0.1\",\n"
    "                 \"port\": %u, \"expect\": { \"error\": \"ECONNREFUSED\" } } ] }\n",
    closed_port ());
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "refused", &error);

  g_assert_no_error (error);
  fixture_set_up_session (fixture, session, 500);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (fixture->player, fixture);
  gtk_window_destroy (fixture->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->player);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (fixture->log);
}

static void
run_to_end (Fixture *fixture)
{
  guint timeout_id = g_timeout_add_seconds (GUARD_SECONDS, fail_on_timeout, (gpointer) "finished");

  sp_player_run (fixture->player);
  while (!fixture->finished)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout_id);
  /* The log's batched items-changed, then a frame. */
  iterate_for (200);
}

/* Renders the window as the compositor would and checks it drew. With
 * SP_SCREENSHOT_DIR set, also writes it there as `name`. */
static gboolean
window_is_drawable (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0 &&
         gtk_widget_get_height (data) > 0;
}

static void
render (Fixture    *fixture,
        const char *name)
{
  GtkWidget *widget = GTK_WIDGET (fixture->window);
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  const char *directory = g_getenv ("SP_SCREENSHOT_DIR");
  int width;
  int height;

  /* On a busy machine the window may not be mapped and sized yet, and an
   * unmapped widget's paintable draws nothing. */
  sp_gui_wait_for ("the window to be drawable", window_is_drawable, widget);
  /* and a widget with a layout still to do draws nothing either: one
   * that the chart or the log queued after a frame (following new events,
   * a row added a frame) waits for the next */
  for (guint attempt = 0; node == NULL && attempt < 50; attempt++)
    {
      GtkSnapshot *snapshot = gtk_snapshot_new ();

      sp_gui_wait_for_frame (widget);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      gdk_paintable_snapshot (paintable, snapshot, width, height);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);

  if (directory != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("wrote %s", path);
    }
}

static void
assert_description (Fixture    *fixture,
                    const char *expected)
{
  g_autofree char *message =
    gtk_test_accessible_check_property (GTK_ACCESSIBLE (fixture->view),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);

  if (message != NULL)
    g_error ("accessible description: %s", message);
}

/* The position of the first event on `socket_id` of `kind`. */
static guint
find_position (SpTrafficLog *log,
               const char   *socket_id,
               SpEventKind   kind)
{
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_kind (event) == kind)
        return i;
    }
  g_error ("no such event on %s", socket_id);
}

static GtkGesture *
find_click_gesture (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_GESTURE_CLICK (controller))
        return GTK_GESTURE (controller);
    }
  g_error ("no click gesture");
}

/* Clicks halfway along the arrow that starts at `row`, through the
 * view's own click handler. */
static void
click_arrow (Fixture *fixture,
             guint    row)
{
  SpSequenceLayout *layout = sp_sequence_view_get_layout (fixture->view);
  const SpSequenceRow *data = sp_sequence_layout_get_row (layout, row);
  SpSequenceGeometry geometry;
  double x1, y1, x2, y2;

  g_assert_cmpint (data->arrow, >=, 0);
  sp_sequence_view_get_geometry (fixture->view, &geometry);
  sp_sequence_layout_get_arrow_line (layout, sp_sequence_layout_get_arrow (layout, data->arrow),
                                     &geometry, &x1, &y1, &x2, &y2);
  g_signal_emit_by_name (find_click_gesture (GTK_WIDGET (fixture->view)), "released",
                         1, (x1 + x2) / 2, (y1 + y2) / 2);
}

static void
test_echo (Fixture       *fixture,
           gconstpointer  data)
{
  SpSequenceLayout *layout = sp_sequence_view_get_layout (fixture->view);
  guint n_events;
  guint send;
  g_autofree char *expected = NULL;

  assert_description (fixture, "No events yet");
  run_to_end (fixture);

  n_events = sp_traffic_log_get_n_appended (fixture->log);
  g_assert_cmpuint (sp_sequence_layout_get_n_rows (layout), ==, n_events);
  g_assert_cmpuint (sp_sequence_layout_get_n_lanes (layout), ==, 3);
  expected = g_strdup_printf ("3 sockets, %u events, last: server called close", n_events);
  assert_description (fixture, expected);
  render (fixture, "sequence-echo.png");

  /* A click on the client's send arrow activates that send. */
  send = find_position (fixture->log, "client", SP_EVENT_SENT);
  click_arrow (fixture, send);
  g_assert_cmpuint (fixture->n_activated, ==, 1);
  g_assert_cmpuint (fixture->last_activated, ==, send);

  /* A click in the header, over no row, activates nothing. */
  g_signal_emit_by_name (find_click_gesture (GTK_WIDGET (fixture->view)), "released", 1, 5.0, 5.0);
  g_assert_cmpuint (fixture->n_activated, ==, 1);

  /* Restart clears the log: the chart empties. */
  sp_player_restart (fixture->player);
  iterate_for (100);
  g_assert_cmpuint (sp_sequence_layout_get_n_rows (layout), ==, 0);
  assert_description (fixture, "No events yet");
  render (fixture, "sequence-empty.png");
}

/* Stepping one step at a time: the chart follows each step. */
static void
test_stepping (Fixture       *fixture,
               gconstpointer  data)
{
  SpSequenceLayout *layout = sp_sequence_view_get_layout (fixture->view);

  for (guint i = 0; i < 5; i++)
    {
      guint timeout_id = g_timeout_add_seconds (GUARD_SECONDS, fail_on_timeout, (gpointer) "step");

      sp_player_step (fixture->player);
      while (sp_player_get_position (fixture->player) < i + 1 ||
             sp_player_get_state (fixture->player) == SP_PLAYER_RUNNING)
        g_main_context_iteration (NULL, TRUE);
      g_source_remove (timeout_id);
      iterate_for (50);
      g_assert_cmpuint (sp_sequence_layout_get_n_rows (layout), ==,
                        sp_traffic_log_get_n_appended (fixture->log));
      render (fixture, "sequence-step.png");
    }

  /* After five steps the client has sent and nobody has received yet. */
  assert_description (fixture, "3 sockets, 8 events, last: client sent 11 bytes to conn");
}

static void
test_udp (Fixture       *fixture,
          gconstpointer  data)
{
  SpSequenceLayout *layout = sp_sequence_view_get_layout (fixture->view);
  guint send;

  run_to_end (fixture);
  g_assert_cmpuint (sp_sequence_layout_get_n_lanes (layout), ==, 2);
  assert_description (fixture, "2 sockets, 9 events, last: server called close");
  render (fixture, "sequence-udp.png");

  send = find_position (fixture->log, "server", SP_EVENT_SENT);
  click_arrow (fixture, send);
  g_assert_cmpuint (fixture->last_activated, ==, send);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  run_to_end (fixture);
  assert_description (fixture, "1 socket, 2 events, last: client: connect failed with ECONNREFUSED");
  render (fixture, "sequence-refused.png");
}

static void
append_note (SpTrafficLog *log,
             const char   *text)
{
  SpEventInfo info = {
    .kind = SP_EVENT_NOTE,
    .call = SP_CALL_NOTE,
    .ok = TRUE,
    .step = -1,
    .detail = text,
  };

  sp_traffic_log_append (log, &info);
  sp_traffic_log_flush (log);
  iterate_for (50);
}

static double
bottom (GtkAdjustment *adjustment)
{
  return gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
}

/* New events scroll to the bottom, unless the user scrolled back up. */
static void
test_follow (Fixture       *fixture,
             gconstpointer  data)
{
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (fixture->scrolled));
  double upper;

  run_to_end (fixture);
  g_assert_cmpfloat (bottom (vadjustment), >, 0);
  g_assert_true (sp_sequence_view_get_following (fixture->view));
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (vadjustment), bottom (vadjustment), 0.5);

  /* Scrolled back: new events grow the chart, the view stays put. */
  gtk_adjustment_set_value (vadjustment, 0);
  g_assert_false (sp_sequence_view_get_following (fixture->view));
  upper = gtk_adjustment_get_upper (vadjustment);
  append_note (fixture->log, "while scrolled back");
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >, upper);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), ==, 0);
  render (fixture, "sequence-top.png");

  /* Back at the bottom, it follows again. */
  gtk_adjustment_set_value (vadjustment, bottom (vadjustment));
  g_assert_true (sp_sequence_view_get_following (fixture->view));
  append_note (fixture->log, "following again");
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (vadjustment), bottom (vadjustment), 0.5);
  g_assert_cmpfloat (gtk_adjustment_get_value (vadjustment), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/Sp/SequenceView/echo", Fixture, "tcp-echo",
              fixture_set_up_preset, test_echo, fixture_tear_down);
  g_test_add ("/Sp/SequenceView/stepping", Fixture, "tcp-echo",
              fixture_set_up_preset, test_stepping, fixture_tear_down);
  g_test_add ("/Sp/SequenceView/udp", Fixture, "udp",
              fixture_set_up_preset, test_udp, fixture_tear_down);
  g_test_add ("/Sp/SequenceView/refused", Fixture, NULL,
              fixture_set_up_refused, test_refused, fixture_tear_down);
  g_test_add ("/Sp/SequenceView/follow", Fixture, NULL,
              fixture_set_up_short, test_follow, fixture_tear_down);

  return g_test_run ();
}
