/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include "sp-test-util.h"
#include "sp-trace.h"

/* Real python3 programs, traced by data/trace/ (found beside the build
 * tree's tests as beside its executable), their reports read into a log. */

typedef struct
{
  SpTestFixture  base;
  char          *dir;
  SpTrace       *trace;
  gboolean       exited;
  int            status;
  guint          n_events_before;
} Fixture;

static gboolean
has_exited (gpointer data)
{
  return ((Fixture *) data)->exited;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  sp_test_fixture_set_up (&fixture->base, data);
  fixture->dir = g_dir_make_tmp ("sp-test-trace-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->trace = sp_trace_new (fixture->base.log);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  /* The trace holds itself while its program runs: a test that failed
   * part way ends the program first. */
  if (fixture->trace != NULL && sp_trace_get_running (fixture->trace))
    {
      sp_trace_stop (fixture->trace, 100);
      sp_test_iterate_until (has_exited, fixture, SP_TEST_GUARD_MS);
    }
  g_clear_object (&fixture->trace);

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  sp_test_fixture_tear_down (&fixture->base, data);
}

static void
on_exited (SpTrace *trace,
           int      status,
           Fixture *fixture)
{
  fixture->exited = TRUE;
  fixture->status = status;
}

static char *
write_program (Fixture    *fixture,
               const char *name,
               const char *text)
{
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Runs the program to its end; returns its exit status. */
static int
run_to_exit (Fixture           *fixture,
             const char * const *argv)
{
  g_autoptr(GError) error = NULL;

  g_signal_connect (fixture->trace, "exited", G_CALLBACK (on_exited), fixture);
  g_assert_true (sp_trace_start (fixture->trace, argv, &error));
  g_assert_no_error (error);
  g_assert_true (sp_trace_get_running (fixture->trace));
  g_assert_true (sp_test_iterate_until (has_exited, fixture,
                                        SP_TEST_GUARD_MS));
  g_assert_false (sp_trace_get_running (fixture->trace));
  g_assert_cmpint (sp_trace_get_exit_status (fixture->trace), ==, fixture->status);
  return fixture->status;
}

static SpEvent *
event_at (Fixture *fixture,
          guint    position)
{
  g_assert_cmpuint (position, <, sp_traffic_log_get_n_appended (fixture->base.log));
  return sp_traffic_log_get_event (fixture->base.log, position);
}

static void
assert_event (SpEvent     *event,
              const char  *socket_id,
              SpEventKind  kind,
              SpCall       call,
              SpState      state)
{
  g_assert_cmpstr (sp_event_get_socket_id (event), ==, socket_id);
  g_assert_cmpint (sp_event_get_kind (event), ==, kind);
  g_assert_cmpstr (sp_call_to_string (sp_event_get_call (event)), ==, sp_call_to_string (call));
  g_assert_cmpstr (sp_state_to_string (sp_event_get_state (event)), ==,
                   sp_state_to_string (state));
}

static const char conversation[] =
  "import socket\n"
  "listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
  "listener.bind(('127.0.0.1', 0))\n"
  "listener.listen(1)\n"
  "client = socket.create_connection(listener.getsockname())\n"
  "conn, _ = listener.accept()\n"
  "client.sendall(b'Hello World')\n"
  "assert conn.recv(5) == b'Hello'\n"
  "client.shutdown(socket.SHUT_WR)\n"
  "conn.close()\n"
  "client.close()\n"
  "listener.close()\n";

/* Socket ids, lifecycle states, kinds, bytes and the accepted socket, for
 * the calls of one program in the order it made them. */
static void
test_conversation (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *path = NULL;
  const char *argv[2] = { NULL, NULL };
  SpTrafficLog *log = fixture->base.log;
  guint n, i = 0;
  int pid;
  const char *program;

  if (python == NULL)
    return;

  path = write_program (fixture, "talk.py", conversation);
  argv[0] = path;
  sp_trace_set_data_limit (fixture->trace, 3);
  g_assert_cmpint (run_to_exit (fixture, argv), ==, 0);
  g_assert_cmpstr (sp_trace_get_program (fixture->trace), ==, "talk.py");
  g_assert_cmpuint (sp_trace_get_n_malformed (fixture->trace), ==, 0);

  n = sp_traffic_log_get_n_appended (log);
  /* socket bind listen getsockname | getaddrinfo socket connect | accept
   * sendall recv shutdown close close close */
  g_assert_cmpuint (n, ==, 14);

  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:3", SP_EVENT_CALL, SP_CALL_SOCKET, SP_STATE_CREATED);
    g_assert_cmpstr (sp_event_get_detail (e), ==, "fd 3");
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:3", SP_EVENT_CALL, SP_CALL_BIND, SP_STATE_BOUND);
    g_assert_cmpstr (sp_event_get_args (e), ==, "('127.0.0.1', 0)");
    g_assert_true (g_str_has_prefix (sp_event_get_local (e), "127.0.0.1:"));
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:3", SP_EVENT_CALL, SP_CALL_LISTEN, SP_STATE_LISTENING);
    g_assert_cmpstr (sp_event_get_args (e), ==, "1");
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:3", SP_EVENT_CALL, SP_CALL_GETSOCKNAME, SP_STATE_LISTENING);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, NULL, SP_EVENT_CALL, SP_CALL_GETADDRINFO, SP_STATE_UNCREATED);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:4", SP_EVENT_CALL, SP_CALL_SOCKET, SP_STATE_CREATED);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:4", SP_EVENT_CALL, SP_CALL_CONNECT, SP_STATE_CONNECTED);
    g_assert_true (g_str_has_prefix (sp_event_get_remote (e), "127.0.0.1:"));
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:3", SP_EVENT_CALL, SP_CALL_ACCEPT, SP_STATE_LISTENING);
    g_assert_true (g_str_has_prefix (sp_event_get_detail (e), "(talk.py:5, ('127.0.0.1', "));
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    g_autoptr(GBytes) payload = NULL;

    assert_event (e, "talk.py:4", SP_EVENT_SENT, SP_CALL_SENDALL, SP_STATE_CONNECTED);
    /* Counted whole, its bytes cut to the data limit. */
    g_assert_cmpuint (sp_event_get_bytes (e), ==, 11);
    payload = sp_event_get_payload (e);
    sp_test_assert_bytes_equal (payload, "Hel");
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    /* Accepted, never created: it starts out connected. */
    assert_event (e, "talk.py:5", SP_EVENT_RECEIVED, SP_CALL_RECV, SP_STATE_CONNECTED);
    g_assert_cmpstr (sp_event_get_args (e), ==, "5");
    g_assert_cmpuint (sp_event_get_bytes (e), ==, 5);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:4", SP_EVENT_CALL, SP_CALL_SHUTDOWN, SP_STATE_SHUT_WRITE);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:5", SP_EVENT_CALL, SP_CALL_CLOSE, SP_STATE_CLOSED);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:4", SP_EVENT_CALL, SP_CALL_CLOSE, SP_STATE_CLOSED);
  }
  {
    g_autoptr(SpEvent) e = event_at (fixture, i++);
    assert_event (e, "talk.py:3", SP_EVENT_CALL, SP_CALL_CLOSE, SP_STATE_CLOSED);
  }

  /* Every event came from the program itself. */
  for (guint position = 0; position < n; position++)
    {
      g_assert_true (sp_trace_get_origin (fixture->trace, position, &pid, &program));
      g_assert_cmpint (pid, ==, sp_trace_get_pid (fixture->trace));
      g_assert_cmpstr (program, ==, "talk.py");
    }
  g_assert_false (sp_trace_get_origin (fixture->trace, n, &pid, &program));
}

/* Four calls, a wait for a file to appear, and two calls. */
static const char calls_around_a_wait[] =
  "import os, socket, sys, time\n"
  "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()\n"
  "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()\n"
  "deadline = time.monotonic() + 20\n"
  "while not os.path.exists(sys.argv[1]) and time.monotonic() < deadline:\n"
  "    time.sleep(0.01)\n"
  "socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()\n";

static gboolean
has_events (gpointer data)
{
  Fixture *fixture = data;

  return sp_traffic_log_get_n_appended (fixture->base.log) >= 4;
}

/* A log cleared while the program runs (a restart) numbers events from 0
 * again: the events after it are still known as the program's. */
static void
test_origin_after_clear (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *script = write_program (fixture, "waits.py", calls_around_a_wait);
  g_autofree char *go = g_build_filename (fixture->dir, "go", NULL);
  const char *argv[] = { script, go, NULL };
  g_autoptr(GError) error = NULL;
  const char *program;
  int pid;

  g_signal_connect (fixture->trace, "exited", G_CALLBACK (on_exited), fixture);
  g_assert_true (sp_trace_start (fixture->trace, argv, &error));
  g_assert_no_error (error);
  g_assert_true (sp_test_iterate_until (has_events, fixture, SP_TEST_GUARD_MS));
  g_assert_true (sp_trace_get_origin (fixture->trace, 3, &pid, &program));

  sp_traffic_log_clear (fixture->base.log);
  g_assert_true (g_file_set_contents (go, "", 0, NULL));
  g_assert_true (sp_test_iterate_until (has_exited, fixture, SP_TEST_GUARD_MS));

  g_assert_cmpuint (sp_traffic_log_get_n_appended (fixture->base.log), ==, 2);
  for (guint position = 0; position < 2; position++)
    {
      g_assert_true (sp_trace_get_origin (fixture->trace, position, &pid, &program));
      g_assert_cmpstr (program, ==, "waits.py");
    }
  /* No event is there since the clear: none is the program's. */
  g_assert_false (sp_trace_get_origin (fixture->trace, 2, &pid, &program));
}

static const char connect_ex_refused[] =
  "import socket, sys\n"
  "port = int(sys.argv[1])\n"
  "s = socket.socket()\n"
  "sys.exit(s.connect_ex(('127.0.0.1', port)) and 5)\n";

/* connect_ex returns the errno, shown as the playground shows its own;
 * the exit status is the program's. */
static void
test_connect_ex_and_status (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *path = NULL;
  g_autofree char *port = NULL;
  g_autoptr(SpEvent) event = NULL;
  const char *argv[3] = { NULL, NULL, NULL };

  if (python == NULL)
    return;

  path = write_program (fixture, "scan.py", connect_ex_refused);
  port = g_strdup_printf ("%u", sp_test_closed_port (AF_INET));
  argv[0] = path;
  argv[1] = port;
  g_assert_cmpint (run_to_exit (fixture, argv), ==, 5);

  event = sp_test_find_event (fixture->base.log, "scan.py:3", SP_EVENT_CALL, SP_CALL_CONNECT_EX);
  g_assert_nonnull (event);
  g_assert_false (sp_event_get_ok (event));
  g_assert_cmpint (sp_event_get_error_code (event), ==, ECONNREFUSED);
}

/* Whatever arrives on the channel, the trace goes on and counts what it
 * could not read. */
static void
test_malformed_reports (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *path = NULL;
  const char *argv[2] = { NULL, NULL };

  if (python == NULL)
    return;

  path = write_program (fixture, "junk.py",
                        "import os\n"
                        "fd = int(os.environ['SP_TRACE_FD'])\n"
                        "for junk in (b'{', b'null', b'{\"call\": 1}', b'\\xc3\\x28',\n"
                        "             b'{\"pid\": 1, \"fd\": 3, \"call\": \"dance\", \"ok\": true}',\n"
                        "             b'{\"pid\": 1, \"fd\": 3, \"call\": \"recv\", \"ok\": 1}',\n"
                        "             b'{\"pid\": 1, \"fd\": -7, \"call\": \"recv\", \"ok\": true}',\n"
                        "             b'{\"pid\": 1, \"fd\": 3, \"call\": \"recv\", \"ok\": true,'\n"
                        "             b' \"bytes\": -1}'):\n"
                        "    os.write(fd, junk)\n"
                        "os.write(fd, b'{\"pid\": 1, \"fd\": 3, \"call\": \"recv\", \"ok\": true,'\n"
                        "             b' \"bytes\": 2, \"data\": \"aGk=\", \"extra\": [1]}')\n");
  argv[0] = path;
  g_assert_cmpint (run_to_exit (fixture, argv), ==, 0);
  g_assert_cmpuint (sp_trace_get_n_malformed (fixture->trace), ==, 8);
  g_assert_cmpuint (sp_traffic_log_get_n_appended (fixture->base.log), ==, 1);
  {
    g_autoptr(SpEvent) e = event_at (fixture, 0);
    g_autoptr(GBytes) payload = sp_event_get_payload (e);

    /* pid 1 is not the program's: a process of its own. */
    assert_event (e, "junk.py[1]:3", SP_EVENT_RECEIVED, SP_CALL_RECV, SP_STATE_CONNECTED);
    sp_test_assert_bytes_equal (payload, "hi");
  }
}

/* socket and close, after what was there */
static gboolean
log_grew (gpointer data)
{
  Fixture *fixture = data;

  return sp_traffic_log_get_n_appended (fixture->base.log) >= fixture->n_events_before + 2;
}

/* A program that ignores SIGTERM is killed after the grace period. */
static void
test_stop (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *stubborn = NULL;
  g_autofree char *obedient = NULL;
  const char *argv[2] = { NULL, NULL };
  g_autoptr(GError) error = NULL;
  gint64 started;

  if (python == NULL)
    return;

  obedient = write_program (fixture, "obedient.py", "import time\ntime.sleep(60)\n");
  stubborn = write_program (fixture, "stubborn.py",
                            "import signal, socket, time\n"
                            "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                            "socket.socket().close()\n"
                            "time.sleep(60)\n");

  g_signal_connect (fixture->trace, "exited", G_CALLBACK (on_exited), fixture);
  argv[0] = obedient;
  g_assert_true (sp_trace_start (fixture->trace, argv, &error));
  g_assert_no_error (error);
  sp_trace_stop (fixture->trace, SP_TEST_GUARD_MS);
  g_assert_true (sp_test_iterate_until (has_exited, fixture,
                                        SP_TEST_GUARD_MS));
  g_assert_cmpint (fixture->status, ==, 128 + SIGTERM);

  g_clear_object (&fixture->trace);
  fixture->trace = sp_trace_new (fixture->base.log);
  fixture->exited = FALSE;
  g_signal_connect (fixture->trace, "exited", G_CALLBACK (on_exited), fixture);
  argv[0] = stubborn;
  g_assert_true (sp_trace_start (fixture->trace, argv, &error));
  g_assert_no_error (error);
  /* Before it ignores SIGTERM, it would simply die of it: its socket
   * says that it does. */
  fixture->n_events_before = sp_traffic_log_get_n_appended (fixture->base.log);
  g_assert_true (sp_test_iterate_until (log_grew, fixture, SP_TEST_GUARD_MS));
  started = g_get_monotonic_time ();
  sp_trace_stop (fixture->trace, 300);
  g_assert_true (sp_test_iterate_until (has_exited, fixture,
                                        SP_TEST_GUARD_MS));
  g_assert_cmpint (fixture->status, ==, 128 + SIGKILL);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 300 * 1000);
}

static void
test_cannot_start (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->dir, "missing", NULL);
  g_autofree char *missing_py = g_build_filename (fixture->dir, "missing.py", NULL);
  const char *argv[2] = { NULL, NULL };

  argv[0] = missing;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sp_trace_start (fixture->trace, argv, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, missing));
  }

  g_clear_object (&fixture->trace);
  fixture->trace = sp_trace_new (fixture->base.log);
  argv[0] = missing_py;
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sp_trace_start (fixture->trace, argv, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, missing_py));
  }
  g_assert_false (sp_trace_get_running (fixture->trace));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/Sp/Trace/conversation", test_conversation);
  ADD ("/Sp/Trace/origin-after-clear", test_origin_after_clear);
  ADD ("/Sp/Trace/connect-ex-and-status", test_connect_ex_and_status);
  ADD ("/Sp/Trace/malformed-reports", test_malformed_reports);
  ADD ("/Sp/Trace/stop", test_stop);
  ADD ("/Sp/Trace/cannot-start", test_cannot_start);

  return g_test_run ();
}
