/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sp-code-view.h"
#include "sp-gui-test-util.h"
#include "sp-presets.h"

/* The Python view is a program: copied through the clipboard and run by
 * Python, it does what the session did. */

/* A server bound to port 0 and a client that connects to it, in one
 * session: the program must find the port as the session did. */
static const char echo_session[] =
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"echo\",\n"
  "  \"sockets\": [ { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
  "                   \"address\": \"127.0.0.1\", \"port\": 0,\n"
  "                   \"options\": { \"SO_REUSEADDR\": true } },\n"
  "                 { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
  "  \"steps\": [\n"
  "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
  "    { \"socket\": \"server\", \"call\": \"listen\", \"backlog\": 1 },\n"
  "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
  "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n"
  "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"Hello\\r\\n\" } },\n"
  "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 1024,\n"
  "      \"expect\": { \"data\": { \"text\": \"Hello\\r\\n\" } } },\n"
  "    { \"call\": \"sleep\", \"ms\": 10 },\n"
  "    { \"socket\": \"client\", \"call\": \"close\" },\n"
  "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 1024, \"until\": \"eof\" },\n"
  "    { \"socket\": \"conn\", \"call\": \"close\" },\n"
  "    { \"socket\": \"server\", \"call\": \"close\" } ] }\n";

/* A recv that nothing answers: it times out, as the program must too. */
static const char timeout_session[] =
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"silence\",\n"
  "  \"sockets\": [ { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
  "                   \"address\": \"127.0.0.1\", \"port\": 0 },\n"
  "                 { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
  "  \"steps\": [\n"
  "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
  "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
  "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
  "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n"
  "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 16, \"timeout-ms\": 200,\n"
  "      \"expect\": { \"error\": \"ETIMEDOUT\" } },\n"
  "    { \"socket\": \"client\", \"call\": \"close\" } ] }\n";

/* A name nobody knows: the lookup and the connect raise socket.gaierror. */
static const char lookup_session[] =
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"no name\",\n"
  "  \"sockets\": [ { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
  "  \"steps\": [\n"
  "    { \"call\": \"gethostbyname\", \"host\": \"no-such-host.invalid\",\n"
  "      \"expect\": { \"any\": true } },\n"
  "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"no-such-host.invalid\",\n"
  "      \"port\": 80, \"expect\": { \"any\": true } } ] }\n";

typedef struct
{
  SpSession    *session;
  SpTrafficLog *log;
  SpPlayer     *player;
  GtkWindow    *window;
  SpCodeView   *view;
} Fixture;

static gboolean
player_is_finished (gpointer data)
{
  return sp_player_get_state (data) == SP_PLAYER_FINISHED;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char *source = data;
  g_autoptr(GError) error = NULL;

  /* A preset's id, or a session's JSON. */
  if (source[0] != '{')
    fixture->session = sp_presets_load (source, &error);
  else
    fixture->session = sp_session_new_from_data (source, -1, "session.json", &error);
  g_assert_no_error (error);

  fixture->log = sp_traffic_log_new ();
  fixture->player = sp_player_new (fixture->session, fixture->log);
  /* The failed lookup needs a DNS server's answer: a name this machine
   * knows itself would not fail. */
  if (source == lookup_session)
    sp_player_set_allow_remote (fixture->player, TRUE);
  fixture->view = SP_CODE_VIEW (g_object_ref_sink (sp_code_view_new ()));
  fixture->window = GTK_WINDOW (g_object_ref (gtk_window_new ()));
  gtk_window_set_default_size (fixture->window, 600, 400);
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->view));
  sp_code_view_set_player (fixture->view, fixture->player);
  gtk_window_present (fixture->window);

  sp_player_run (fixture->player);
  sp_gui_wait_for ("the end of the session", player_is_finished, fixture->player);
  sp_gui_iterate_for (50);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gtk_window_destroy (fixture->window);
  g_clear_object (&fixture->window);
  g_assert_finalize_object (g_steal_pointer (&fixture->view));
  g_assert_finalize_object (g_steal_pointer (&fixture->player));
  g_assert_finalize_object (g_steal_pointer (&fixture->log));
  g_assert_finalize_object (g_steal_pointer (&fixture->session));
}

static gboolean
is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

static void
on_clipboard_text (GObject      *clipboard,
                   GAsyncResult *result,
                   gpointer      data)
{
  char **text = data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (clipboard), result, &error);
  g_assert_no_error (error);
}

/* What the view's Copy puts on the clipboard, read back from it. */
static char *
copy (Fixture *fixture)
{
  GtkWidget *button = sp_gui_find_actionable (GTK_WIDGET (fixture->view), "code.copy", NULL);
  char *text = NULL;

  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (button), NULL, on_clipboard_text,
                                 &text);
  sp_gui_wait_for ("the clipboard", is_set, &text);
  return text;
}

typedef struct
{
  gboolean  done;
  char     *out;
  char     *err;
} Run;

static void
on_communicated (GObject      *object,
                 GAsyncResult *result,
                 gpointer      data)
{
  Run *run = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &run->out, &run->err,
                                        &error);
  g_assert_no_error (error);
  run->done = TRUE;
}

static gboolean
run_is_done (gpointer data)
{
  return ((Run *) data)->done;
}

/* Runs `program` with Python, as a student who pasted it into a file
 * would, and fails unless it exits 0. */
static void
assert_runs (const char *program)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sp-code-view-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GSubprocess) python = NULL;
  Run run = { FALSE, NULL, NULL };

  g_assert_no_error (error);
  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/usr/bin/python3 is not installed");
      g_rmdir (dir);
      return;
    }

  path = g_build_filename (dir, "pasted.py", NULL);
  g_assert_true (g_file_set_contents (path, program, -1, NULL));
  python = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, "/usr/bin/python3", path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (python, NULL, NULL, on_communicated, &run);
  sp_gui_wait_for ("Python", run_is_done, &run);

  if (!g_subprocess_get_if_exited (python) || g_subprocess_get_exit_status (python) != 0)
    g_error ("Python did not run the program:\n%s\n%s", program, run.err);

  g_free (run.out);
  g_free (run.err);
  g_unlink (path);
  g_rmdir (dir);
}

/* The echo by itself: imports first, each socket made before its first
 * call, the client finds the server's port by asking it. */
static void
test_runs_as_pasted (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *shown = sp_code_view_get_text (fixture->view);
  g_autofree char *pasted = copy (fixture);

  g_assert_cmpuint (sp_player_get_n_failed (fixture->player), ==, 0);
  g_assert_cmpstr (pasted, ==, shown);
  g_assert_true (g_str_has_prefix (pasted, "import socket\nimport time\n\n"));
  g_assert_nonnull (strstr (pasted, "server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                                    "server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
                                    "server.bind(('127.0.0.1', 0))\n"));
  g_assert_nonnull (strstr (pasted, "client.connect(server.getsockname())  # ('127.0.0.1', "));
  g_assert_nonnull (strstr (pasted, "time.sleep("));
  /* The socket accept made is not made again. */
  g_assert_null (strstr (pasted, "conn = socket.socket("));

  assert_runs (pasted);
}

/* The errors a session expects: the program catches each, prints it and
 * goes on. */
static void
test_errors_run_on (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *pasted = copy (fixture);

  g_assert_true (g_str_has_prefix (pasted, "import socket\n\n"));
  g_assert_nonnull (strstr (pasted, "try:\n"
                                    "    client.connect(('127.0.0.1', 9))\n"
                                    "except ConnectionRefusedError as e:\n"
                                    "    print(e)  # [Errno 111] Connection refused\n"));
  g_assert_nonnull (strstr (pasted, "except OSError as e:\n"
                                    "    print(e)  # [Errno 107] "));

  assert_runs (pasted);
}

/* A failed name lookup is caught as the socket.gaierror it is, and the
 * program runs on. */
static void
test_lookup_runs_on (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *pasted = copy (fixture);

  g_assert_nonnull (strstr (pasted, "except socket.gaierror as e:\n"
                                    "    print(e)  # [Errno -"));
  g_assert_null (strstr (pasted, "except gaierror"));
  g_assert_null (strstr (pasted, "OSError"));

  assert_runs (pasted);
}

/* A call that timed out in the session times out in the program, after
 * as long, instead of waiting for ever. */
static void
test_timeout_runs_on (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *pasted = copy (fixture);

  g_assert_nonnull (strstr (pasted, "conn.settimeout(0.2)\n"
                                    "try:\n"
                                    "    data = conn.recv(16)\n"
                                    "except TimeoutError as e:\n"
                                    "    print(e)  # timed out\n"
                                    "conn.settimeout(None)\n"));

  assert_runs (pasted);
}

/* A view first shown after the steps ran, as the Python tab is when the
 * window starts on another one: it shows what it would have shown all
 * along, scrolled to the end. */
static void
test_shown_late (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (echo_session, -1, "session.json",
                                                           &error);
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpPlayer) player = NULL;
  g_autofree char *text = NULL;
  GtkAdjustment *vadjustment;
  GtkWidget *text_view;
  GtkWindow *window;
  SpCodeView *view;

  g_assert_no_error (error);
  player = sp_player_new (session, log);
  view = SP_CODE_VIEW (g_object_ref_sink (sp_code_view_new ()));
  sp_code_view_set_player (view, player);
  sp_player_run (player);
  sp_gui_wait_for ("the end of the session", player_is_finished, player);
  g_assert_null (sp_gui_find_descendant (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW));

  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 400, 120);
  gtk_window_set_child (window, GTK_WIDGET (view));
  gtk_window_present (window);
  sp_gui_iterate_for (200);

  text_view = sp_gui_find_descendant (GTK_WIDGET (view), GTK_TYPE_TEXT_VIEW);
  g_assert_nonnull (text_view);
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (text_view));
  g_assert_cmpfloat (gtk_adjustment_get_upper (vadjustment), >,
                     gtk_adjustment_get_page_size (vadjustment));
  g_assert_cmpfloat_with_epsilon (gtk_adjustment_get_value (vadjustment),
                                  gtk_adjustment_get_upper (vadjustment) -
                                  gtk_adjustment_get_page_size (vadjustment), 1.0);
  text = sp_code_view_get_text (view);
  g_assert_true (g_str_has_prefix (text, "import socket\nimport time\n\n"));

  gtk_window_destroy (window);
  g_assert_finalize_object (view);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/Sp/CodeView/runs-as-pasted", Fixture, echo_session,
              fixture_set_up, test_runs_as_pasted, fixture_tear_down);
  g_test_add ("/Sp/CodeView/errors-run-on", Fixture, "errors",
              fixture_set_up, test_errors_run_on, fixture_tear_down);
  g_test_add ("/Sp/CodeView/lookup-runs-on", Fixture, lookup_session,
              fixture_set_up, test_lookup_runs_on, fixture_tear_down);
  g_test_add ("/Sp/CodeView/timeout-runs-on", Fixture, timeout_session,
              fixture_set_up, test_timeout_runs_on, fixture_tear_down);
  g_test_add_func ("/Sp/CodeView/shown-late", test_shown_late);

  return g_test_run ();
}
