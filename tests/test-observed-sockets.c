/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>

#include "sp-observed-sockets.h"
#include "sp-sequence-layout.h"
#include "sp-test-util.h"
#include "sp-trace.h"

/* A real python3 program, traced, its sockets read from the log as the
 * window's sidebar, diagram and sequence chart read them. */

typedef struct
{
  SpTestFixture      base;
  char              *dir;
  SpTrace           *trace;
  SpObservedSockets *observed;
  gboolean           exited;
  guint              n_changed;
  guint              n_log_batches;
  guint              n_reported;
} Fixture;

static gboolean
has_exited (gpointer data)
{
  return ((Fixture *) data)->exited;
}

static void
on_exited (Fixture *fixture)
{
  fixture->exited = TRUE;
}

static void
on_changed (SpObservedSockets *observed,
            Fixture           *fixture)
{
  fixture->n_changed++;
  fixture->n_reported += sp_observed_sockets_get_changed (observed)->len;
}

static void
on_log_batch (Fixture *fixture)
{
  fixture->n_log_batches++;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  sp_test_fixture_set_up (&fixture->base, data);
  fixture->dir = g_dir_make_tmp ("sp-test-observed-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->trace = sp_trace_new (fixture->base.log);
  fixture->observed = sp_observed_sockets_new ();
  g_signal_connect (fixture->observed, "changed", G_CALLBACK (on_changed), fixture);
  g_signal_connect_swapped (fixture->base.log, "items-changed", G_CALLBACK (on_log_batch),
                            fixture);
  g_signal_connect_swapped (fixture->trace, "exited", G_CALLBACK (on_exited), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "talk.py", NULL);

  if (fixture->trace != NULL && sp_trace_get_running (fixture->trace))
    {
      sp_trace_stop (fixture->trace, 100);
      sp_test_iterate_until (has_exited, fixture, SP_TEST_GUARD_MS);
    }
  g_signal_handlers_disconnect_by_data (fixture->base.log, fixture);
  g_assert_finalize_object (fixture->observed);
  g_clear_object (&fixture->trace);
  g_unlink (path);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  sp_test_fixture_tear_down (&fixture->base, data);
}

/* The echo of the notes in one program, and a datagram socket left open. */
static const char conversation[] =
  "import socket\n"
  "listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
  "listener.bind(('127.0.0.1', 0))\n"
  "listener.listen(1)\n"
  "client = socket.create_connection(listener.getsockname())\n"
  "conn, _ = listener.accept()\n"
  "client.sendall(b'Hello World')\n"
  "assert conn.recv(1024) == b'Hello World'\n"
  "conn.sendall(b'Hello World')\n"
  "assert client.recv(1024) == b'Hello World'\n"
  "udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
  "udp.bind(('::1', 0))\n"
  "client.close()\n"
  "conn.close()\n"
  "listener.close()\n";

/* Runs the conversation to its end; FALSE without python3. */
static gboolean
run_conversation (Fixture *fixture)
{
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[2] = { NULL, NULL };

  if (python == NULL)
    {
      g_test_skip ("no python3");
      return FALSE;
    }

  path = g_build_filename (fixture->dir, "talk.py", NULL);
  g_assert_true (g_file_set_contents (path, conversation, -1, NULL));
  argv[0] = path;
  g_assert_cmpuint (sp_observed_sockets_add_trace (fixture->observed, fixture->trace,
                                                   fixture->base.log), ==, 0);
  g_assert_true (sp_trace_start (fixture->trace, argv, &error));
  g_assert_no_error (error);
  g_assert_true (sp_test_iterate_until (has_exited, fixture, SP_TEST_GUARD_MS));
  sp_traffic_log_flush (fixture->base.log);
  return TRUE;
}

static const SpObservedSocket *
lookup (Fixture    *fixture,
        const char *id)
{
  const SpObservedSocket *socket = sp_observed_sockets_lookup (fixture->observed, id);

  g_assert_nonnull (socket);
  g_assert_cmpstr (socket->id, ==, id);
  return socket;
}

static void
test_sockets (Fixture       *fixture,
              gconstpointer  data)
{
  const SpObservedSocket *socket;
  g_autofree const char **accepted = NULL;
  int pid;

  if (!run_conversation (fixture))
    return;

  pid = sp_trace_get_pid (fixture->trace);
  g_assert_cmpuint (sp_observed_sockets_get_n_programs (fixture->observed), ==, 1);
  g_assert_true (sp_observed_sockets_get_trace (fixture->observed, 0) == fixture->trace);

  /* In the order they appeared; the accepted one names its listener. */
  g_assert_cmpuint (sp_observed_sockets_get_n_sockets (fixture->observed), ==, 4);
  g_assert_cmpstr (sp_observed_sockets_get_socket (fixture->observed, 0)->id, ==, "talk.py:3");
  g_assert_cmpstr (sp_observed_sockets_get_socket (fixture->observed, 1)->id, ==, "talk.py:4");
  g_assert_cmpstr (sp_observed_sockets_get_socket (fixture->observed, 2)->id, ==, "talk.py:5");
  g_assert_cmpstr (sp_observed_sockets_get_socket (fixture->observed, 3)->id, ==, "talk.py:6");

  socket = lookup (fixture, "talk.py:3");
  g_assert_true (socket->family_known && socket->type_known);
  g_assert_cmpint (socket->family, ==, SP_FAMILY_INET);
  g_assert_cmpint (socket->type, ==, SP_SOCKET_TYPE_STREAM);
  g_assert_cmpint (socket->state, ==, SP_STATE_CLOSED);
  g_assert_true (socket->listens);
  g_assert_false (socket->connects);
  g_assert_null (socket->listener);
  g_assert_cmpint (socket->pid, ==, pid);
  g_assert_cmpstr (socket->program_name, ==, "talk.py");
  g_assert_true (g_str_has_prefix (socket->local, "127.0.0.1:"));
  /* The peer accept returned is the accepted socket's, not the listener's. */
  g_assert_null (socket->remote);

  socket = lookup (fixture, "talk.py:4");
  g_assert_true (socket->connects);
  g_assert_false (socket->listens);
  g_assert_true (socket->family_known);
  g_assert_cmpint (socket->family, ==, SP_FAMILY_INET);
  g_assert_cmpint (socket->state, ==, SP_STATE_CLOSED);
  g_assert_cmpstr (socket->remote, ==, lookup (fixture, "talk.py:3")->local);

  socket = lookup (fixture, "talk.py:5");
  g_assert_cmpstr (socket->listener, ==, "talk.py:3");
  g_assert_false (socket->listens || socket->connects);
  g_assert_cmpint (socket->type, ==, SP_SOCKET_TYPE_STREAM);
  g_assert_cmpint (socket->state, ==, SP_STATE_CLOSED);
  g_assert_cmpstr (socket->local, ==, lookup (fixture, "talk.py:3")->local);
  g_assert_cmpstr (socket->remote, ==, lookup (fixture, "talk.py:4")->local);

  /* Never closed: as its newest event left it. */
  socket = lookup (fixture, "talk.py:6");
  g_assert_cmpint (socket->family, ==, SP_FAMILY_INET6);
  g_assert_cmpint (socket->type, ==, SP_SOCKET_TYPE_DGRAM);
  g_assert_cmpint (socket->state, ==, SP_STATE_BOUND);
  g_assert_true (g_str_has_prefix (socket->local, "[::1]:"));

  accepted = sp_observed_sockets_get_accepted (fixture->observed, "talk.py:3");
  g_assert_cmpstrv (accepted, ((const char *[]) { "talk.py:5", NULL }));
  g_assert_null (sp_observed_sockets_lookup (fixture->observed, "talk.py:7"));

  /* Once per batch of the log (and for the program's start and exit),
   * never once per event. */
  g_assert_cmpuint (fixture->n_changed, >, 0);
  g_assert_cmpuint (fixture->n_changed, <=, fixture->n_log_batches + 3);
  g_assert_cmpuint (fixture->n_reported, >=, 4);
}

/* The chart gives the program's sockets lanes, the accepted one beside its
 * listener, and arrows for its connect and its data, as for the
 * playground's own sockets. */
static void
test_sequence_chart (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpSequenceLayout) layout = sp_sequence_layout_new ();
  int listener, client, conn;
  gboolean connect_arrow = FALSE;
  guint data_to_conn = 0, data_to_client = 0;

  if (!run_conversation (fixture))
    return;

  sp_sequence_layout_update (layout, fixture->base.log, NULL);
  listener = sp_sequence_layout_lookup_lane (layout, "talk.py:3");
  client = sp_sequence_layout_lookup_lane (layout, "talk.py:4");
  conn = sp_sequence_layout_lookup_lane (layout, "talk.py:5");
  g_assert_cmpint (listener, >=, 0);
  g_assert_cmpint (client, >=, 0);
  g_assert_cmpint (conn, >=, 0);
  g_assert_cmpint (sp_sequence_layout_lookup_lane (layout, "talk.py:6"), >=, 0);
  g_assert_cmpint (sp_sequence_layout_get_lane (layout, conn)->listener, ==, listener);

  for (guint i = 0; i < sp_sequence_layout_get_n_arrows (layout); i++)
    {
      const SpSequenceArrow *arrow = sp_sequence_layout_get_arrow (layout, i);

      if (arrow->kind == SP_SEQUENCE_ARROW_CONNECT && arrow->from_lane == client &&
          arrow->to_lane == listener)
        connect_arrow = TRUE;
      if (arrow->kind == SP_SEQUENCE_ARROW_DATA && !arrow->in_flight)
        {
          if (arrow->from_lane == client && arrow->to_lane == conn)
            data_to_conn += arrow->bytes;
          if (arrow->from_lane == conn && arrow->to_lane == client)
            data_to_client += arrow->bytes;
        }
    }
  g_assert_true (connect_arrow);
  g_assert_cmpuint (data_to_conn, ==, 11);
  g_assert_cmpuint (data_to_client, ==, 11);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/Sp/ObservedSockets/sockets", test_sockets);
  ADD ("/Sp/ObservedSockets/sequence-chart", test_sequence_chart);

  return g_test_run ();
}
