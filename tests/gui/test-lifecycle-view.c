/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <string.h>
#include <unistd.h>

#include "sp-gui-test-util.h"
#include "sp-kernel-facts.h"
#include "sp-lifecycle-view.h"
#include "sp-presets.h"

/* The diagram of real sessions, stepped one call at a time: every state of
 * each path renders without a warning (the suite runs with fatal
 * warnings), and says in words what it shows. */

typedef struct
{
  SpPlayer   *player;
  GtkWindow  *window;
  GPtrArray  *views;  /* of SpLifecycleView, one per socket id */
} Bench;

static gboolean
player_is_idle (gpointer data)
{
  return sp_player_get_state (SP_PLAYER (data)) != SP_PLAYER_RUNNING;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* A window with one diagram for each of `ids`, on a player of `session`. */
static Bench *
bench_new (SpSession  *session,
           const char *const *ids)
{
  Bench *bench = g_new0 (Bench, 1);
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  bench->player = sp_player_new (session, log);
  bench->views = g_ptr_array_new ();
  bench->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (bench->window, 900, 900);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      GtkWidget *view = sp_lifecycle_view_new ();

      sp_lifecycle_view_set_player (SP_LIFECYCLE_VIEW (view), bench->player);
      sp_lifecycle_view_set_socket_id (SP_LIFECYCLE_VIEW (view), ids[i]);
      gtk_box_append (GTK_BOX (box), view);
      g_ptr_array_add (bench->views, view);
    }

  gtk_window_set_child (bench->window, box);
  gtk_window_present (bench->window);
  sp_gui_wait_for ("map", is_mapped, box);
  return bench;
}

static void
bench_free (Bench *bench)
{
  gtk_window_destroy (bench->window);
  g_ptr_array_unref (bench->views);
  sp_player_restart (bench->player);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_object_unref (bench->player);
  g_free (bench);
}

/* Renders the view as the screen would, to a texture; optionally saved
 * as a PNG where SP_LIFECYCLE_PNG_DIR says, for looking at. */
static void
render (SpLifecycleView *view,
        const char      *name)
{
  GtkWidget *widget = GTK_WIDGET (view);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  const char *directory = g_getenv ("SP_LIFECYCLE_PNG_DIR");

  /* A change is laid out on the next frame. */
  sp_gui_wait_for_frame (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 100);
  g_assert_cmpint (height, >, 50);

  /* The view's own drawing, as its parent would ask for it. */
  GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (
                                           gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);

  if (directory != NULL && name != NULL)
    {
      g_autofree char *file = g_strconcat (name, ".png", NULL);
      g_autofree char *path = g_build_filename (directory, file, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
    }
}

static char *
describe (Bench *bench,
          guint  index)
{
  return sp_lifecycle_view_describe (g_ptr_array_index (bench->views, index));
}

/* Runs the session's next step and renders every view after it. */
static void
step (Bench *bench)
{
  sp_player_step (bench->player);
  sp_gui_wait_for ("the step", player_is_idle, bench->player);
  /* The log tells its readers in batches. */
  sp_traffic_log_flush (sp_player_get_log (bench->player));

  for (guint i = 0; i < bench->views->len; i++)
    render (g_ptr_array_index (bench->views, i), NULL);
}

static void
step_to (Bench *bench,
         guint  position)
{
  while (sp_player_get_position (bench->player) < position)
    step (bench);
}

static void
assert_describes (Bench      *bench,
                  guint       index,
                  const char *expected)
{
  g_autofree char *description = describe (bench, index);

  if (strstr (description, expected) == NULL)
    g_error ("“%s” does not say “%s”", description, expected);
}

static SpSession *
load_preset (const char *id)
{
  g_autoptr(GError) error = NULL;
  SpSession *session = sp_presets_load (id, &error);

  g_assert_no_error (error);
  return session;
}

/* The stream server, its client and the socket accept returned, through
 * every step of the echo preset. */
static void
test_echo (void)
{
  g_autoptr(SpSession) session = load_preset ("tcp-echo");
  const char *const ids[] = { "server", "client", "conn", NULL };
  Bench *bench = bench_new (session, ids);
  guint n_steps = sp_session_get_n_steps (session);

  assert_describes (bench, 0, "server: not created yet");
  render (g_ptr_array_index (bench->views, 0), "server-uncreated");

  step_to (bench, 2);
  assert_describes (bench, 0, "server: listening, 0 connections waiting");
  assert_describes (bench, 0, "kernel TCP state LISTEN");

  step_to (bench, 4);
  assert_describes (bench, 0, "1 accepted");
  assert_describes (bench, 1, "client: connected");
  assert_describes (bench, 1, "kernel TCP state ESTABLISHED");
  assert_describes (bench, 2, "conn: connected");

  step_to (bench, 6);
  render (g_ptr_array_index (bench->views, 0), "server-listening");
  render (g_ptr_array_index (bench->views, 1), "client-connected");
  render (g_ptr_array_index (bench->views, 2), "conn-connected");

  step_to (bench, n_steps);
  assert_describes (bench, 0, "server: closed");
  assert_describes (bench, 1, "client: closed");
  assert_describes (bench, 2, "conn: closed");
  render (g_ptr_array_index (bench->views, 1), "client-closed");

  /* The colours come from the theme: dark and high contrast redraw. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  render (g_ptr_array_index (bench->views, 0), "server-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  bench_free (bench);
}

/* A datagram socket: bind, sendto and recvfrom, close. */
static void
test_datagram (void)
{
  g_autoptr(SpSession) session = load_preset ("udp");
  const char *const ids[] = { "server", "client", NULL };
  Bench *bench = bench_new (session, ids);

  step_to (bench, 1);
  assert_describes (bench, 0, "server: bound");
  g_assert_null (strstr (describe (bench, 0), "TCP"));
  step_to (bench, 3);
  assert_describes (bench, 1, "client: bound");
  render (g_ptr_array_index (bench->views, 0), "datagram-bound");
  render (g_ptr_array_index (bench->views, 1), "datagram-client");
  step_to (bench, sp_session_get_n_steps (session));
  assert_describes (bench, 0, "server: closed");

  bench_free (bench);
}

static void
test_unix (void)
{
  g_autoptr(SpSession) session = load_preset ("unix-echo");
  const char *const ids[] = { "server", "client", "conn", NULL };
  SpSocketConfig *server = sp_session_find_socket (session, "server");
  Bench *bench;

  /* The preset's abstract name is one for the whole machine, and other
   * tests replay it at the same time. */
  g_free (server->address);
  server->address = g_strdup_printf ("@sp-test-lifecycle-%d", (int) getpid ());
  bench = bench_new (session, ids);

  step_to (bench, 4);
  assert_describes (bench, 0, "server: listening");
  assert_describes (bench, 2, "conn: connected");
  /* No TCP state for a UNIX socket. */
  g_assert_null (strstr (describe (bench, 2), "TCP"));
  step_to (bench, sp_session_get_n_steps (session));
  assert_describes (bench, 1, "client: closed");

  bench_free (bench);
}

/* The connect nobody listens for: the edge it tried is marked with the
 * errno until the next call. */
static void
test_failed_connect (void)
{
  g_autoptr(SpSession) session = load_preset ("errors");
  const char *const ids[] = { "client", "second", NULL };
  Bench *bench = bench_new (session, ids);

  step_to (bench, 1);
  assert_describes (bench, 0, "connect failed with ECONNREFUSED");
  render (g_ptr_array_index (bench->views, 0), "client-refused");
  step_to (bench, 2);
  g_assert_null (strstr (describe (bench, 0), "failed"));
  assert_describes (bench, 0, "client: closed");

  step_to (bench, 5);
  assert_describes (bench, 1, "bind failed with EADDRINUSE");

  bench_free (bench);
}

typedef struct
{
  Bench      *bench;
  guint       index;
  const char *text;
} Saying;

static gboolean
says (gpointer data)
{
  Saying *saying = data;
  g_autofree char *description = describe (saying->bench, saying->index);

  return strstr (description, saying->text) != NULL;
}

/* Connections the kernel completed but accept has not taken wait in the
 * listener's queue, and the diagram shows them. */
static void
test_accept_queue (void)
{
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,\n"
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                { \"id\": \"a\" }, { \"id\": \"b\" } ],\n"
    "  \"steps\": [ { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "              { \"socket\": \"server\", \"call\": \"listen\", \"backlog\": 4 },\n"
    "              { \"socket\": \"a\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "              { \"socket\": \"b\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "              { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" } ] }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "queue", &error);
  const char *const ids[] = { "server", NULL };
  Bench *bench;

  g_assert_no_error (error);
  bench = bench_new (session, ids);

  step_to (bench, 4);
  sp_gui_wait_for ("the queue", says, &(Saying) { bench, 0, "2 connections waiting" });
  render (g_ptr_array_index (bench->views, 0), "server-queue");
  step_to (bench, 5);
  sp_gui_wait_for ("the accept", says, &(Saying) { bench, 0, "1 connection waiting, 1 accepted" });

  bench_free (bench);
}

/* Runs `step` as the window's buttons do, and renders every view after it. */
static void
perform (Bench  *bench,
         SpStep *step)
{
  sp_player_perform (bench->player, step);
  sp_gui_wait_for ("the call", player_is_idle, bench->player);
  sp_traffic_log_flush (sp_player_get_log (bench->player));
  g_object_unref (step);

  for (guint i = 0; i < bench->views->len; i++)
    render (g_ptr_array_index (bench->views, i), NULL);
}

/* A stream socket that has neither listened nor connected shows both ways
 * on from bound, and becomes a server or a client once it takes one. */
static void
test_undecided (void)
{
  const char *json =
    "{ \"format\": \"socket-playground-session\", \"version\": 1,\n"
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                { \"id\": \"client\" }, { \"id\": \"probe\" } ],\n"
    "  \"steps\": [ { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "              { \"socket\": \"client\", \"call\": \"socket\" },\n"
    "              { \"socket\": \"probe\", \"call\": \"socket\" } ] }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "undecided", &error);
  const char *const ids[] = { "server", "client", "probe", NULL };
  SpStep *step;
  Bench *bench;

  g_assert_no_error (error);
  bench = bench_new (session, ids);
  assert_describes (bench, 0, "server: not created yet");
  render (g_ptr_array_index (bench->views, 0), "undecided-uncreated");

  step_to (bench, 3);
  assert_describes (bench, 0, "server: bound: next listen or connect");
  assert_describes (bench, 1, "client: created: next bind or connect");
  render (g_ptr_array_index (bench->views, 0), "undecided-bound");
  render (g_ptr_array_index (bench->views, 1), "undecided-created");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_FORCE_DARK);
  render (g_ptr_array_index (bench->views, 0), "undecided-bound-dark");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);

  /* A connect refused before it decided shows on the connect way. */
  step = sp_step_new ("probe", SP_CALL_CONNECT);
  step->address = g_strdup ("127.0.0.1");
  step->port = 9;
  step->expect.error = g_strdup ("ECONNREFUSED");
  step->has_expect = TRUE;
  perform (bench, step);
  assert_describes (bench, 2, "connect failed with ECONNREFUSED");
  render (g_ptr_array_index (bench->views, 2), "undecided-refused");

  /* listen: a server's path, with its queue. */
  perform (bench, sp_step_new ("server", SP_CALL_LISTEN));
  assert_describes (bench, 0, "server: listening, 0 connections waiting");
  g_assert_null (strstr (describe (bench, 0), "next"));

  /* connect: a client's. */
  step = sp_step_new ("client", SP_CALL_CONNECT);
  step->to = g_strdup ("server");
  perform (bench, step);
  assert_describes (bench, 1, "client: connected");
  g_assert_null (strstr (describe (bench, 1), "next"));
  render (g_ptr_array_index (bench->views, 1), "decided-client");

  bench_free (bench);
}

/* The view follows the socket's one watcher of kernel facts while it is
 * shown, and lets go of it when hidden. */
static void
test_watch (void)
{
  g_autoptr(SpSession) session = load_preset ("tcp-echo");
  const char *const ids[] = { "server", NULL };
  Bench *bench = bench_new (session, ids);
  GtkWidget *view = g_ptr_array_index (bench->views, 0);
  SpSocket *server;
  g_autoptr(SpKernelFacts) facts = NULL;

  step_to (bench, 2);
  server = sp_player_lookup_socket (bench->player, "server");
  g_assert_nonnull (server);
  facts = sp_kernel_facts_watch (server);
  /* Ours and the view's. */
  g_assert_cmpuint (G_OBJECT (facts)->ref_count, ==, 2);

  gtk_widget_set_visible (view, FALSE);
  g_assert_cmpuint (G_OBJECT (facts)->ref_count, ==, 1);
  /* Shown again, it follows the watcher again. */
  gtk_widget_set_visible (view, TRUE);
  sp_gui_wait_for ("map", is_mapped, view);
  g_assert_cmpuint (G_OBJECT (facts)->ref_count, ==, 2);
  assert_describes (bench, 0, "kernel TCP state LISTEN");

  /* A restart makes the socket again: the view lets the old one go. */
  sp_player_restart (bench->player);
  sp_traffic_log_flush (sp_player_get_log (bench->player));
  g_assert_cmpuint (G_OBJECT (facts)->ref_count, ==, 1);

  bench_free (bench);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/Sp/LifecycleView/echo", test_echo);
  g_test_add_func ("/Sp/LifecycleView/datagram", test_datagram);
  g_test_add_func ("/Sp/LifecycleView/unix", test_unix);
  g_test_add_func ("/Sp/LifecycleView/failed-connect", test_failed_connect);
  g_test_add_func ("/Sp/LifecycleView/accept-queue", test_accept_queue);
  g_test_add_func ("/Sp/LifecycleView/undecided", test_undecided);
  g_test_add_func ("/Sp/LifecycleView/watch", test_watch);

  return g_test_run ();
}
