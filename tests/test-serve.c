/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <string.h>

#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-serve.h"
#include "sp-socket.h"
#include "sp-test-util.h"

/* What a serve announced. */
typedef struct
{
  GPtrArray *accepted;     /* SpSocket, in order */
  guint      n_finished;
  gboolean   ok;
  guint      active_when_finished;
  guint      most_active;
} Watch;

static void
on_accepted (SpServe  *serve,
             SpSocket *connection,
             Watch    *watch)
{
  g_ptr_array_add (watch->accepted, g_object_ref (connection));
  watch->most_active = MAX (watch->most_active, sp_serve_get_n_active (serve));
}

static void
on_finished (SpServe  *serve,
             gboolean  ok,
             Watch    *watch)
{
  watch->n_finished++;
  watch->ok = ok;
  watch->active_when_finished = sp_serve_get_n_active (serve);
}

static void
watch_init (Watch   *watch,
            SpServe *serve)
{
  watch->accepted = g_ptr_array_new_with_free_func (g_object_unref);
  watch->n_finished = 0;
  watch->ok = FALSE;
  watch->active_when_finished = 0;
  watch->most_active = 0;
  g_signal_connect (serve, "accepted", G_CALLBACK (on_accepted), watch);
  g_signal_connect (serve, "finished", G_CALLBACK (on_finished), watch);
}

static void
watch_clear (Watch   *watch,
             SpServe *serve)
{
  g_signal_handlers_disconnect_by_data (serve, watch);
  g_clear_pointer (&watch->accepted, g_ptr_array_unref);
}

static gboolean
watch_finished (gpointer data)
{
  return ((Watch *) data)->n_finished > 0;
}

static void
wait_accepted (Watch *watch,
               guint  n)
{
  SpTestCount accepted = { &watch->accepted->len, n };

  g_assert_true (sp_test_poll_until (sp_test_count_reached, &accepted, SP_TEST_GUARD_MS));
}

/* Sockets */

typedef struct
{
  GAsyncResult *result;
} Slot;

static gboolean
all_slots_set (gpointer data)
{
  GPtrArray *slots = data;

  for (guint i = 0; i < slots->len; i++)
    if (((Slot *) g_ptr_array_index (slots, i))->result == NULL)
      return FALSE;
  return TRUE;
}

/* Connects `n` clients at the same time and waits for all of them. */
static GPtrArray *
connect_clients (SpTestFixture *fixture,
                 SpSocket      *listener,
                 guint          n)
{
  GPtrArray *clients = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) slots = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("client%u", i);
      SpSocket *client = sp_test_created_socket (fixture, id, SP_FAMILY_INET,
                                                 SP_SOCKET_TYPE_STREAM);
      Slot *slot = g_new0 (Slot, 1);

      g_ptr_array_add (clients, client);
      g_ptr_array_add (slots, slot);
      sp_socket_connect_async (client, sp_socket_get_local_address (listener), FALSE, 5000,
                               NULL, sp_test_on_result, &slot->result);
    }

  g_assert_true (sp_test_poll_until (all_slots_set, slots, SP_TEST_GUARD_MS));

  for (guint i = 0; i < n; i++)
    {
      Slot *slot = g_ptr_array_index (slots, i);
      SpSocket *client = g_ptr_array_index (clients, i);
      g_autoptr(GError) error = NULL;

      g_assert_true (sp_socket_connect_finish (client, slot->result, &error));
      g_assert_no_error (error);
      g_clear_object (&slot->result);
    }

  return clients;
}

static void
send_text (SpSocket   *self,
           const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (sp_test_send_and_wait (self, SP_CALL_SENDALL, text, NULL, &error), ==,
                   strlen (text));
  g_assert_no_error (error);
}

static GBytes *
receive_once (SpSocket *self)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = sp_test_receive_and_wait (self, SP_CALL_RECV, 4096, 5000, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

/* Receives until `length` bytes came, or until end of file if -1. */
static char *
receive_text (SpSocket *self,
              gssize    length)
{
  GString *text = g_string_new (NULL);

  while (length < 0 || text->len < (gsize) length)
    {
      g_autoptr(GBytes) bytes = receive_once (self);

      if (g_bytes_get_size (bytes) == 0)
        break;
      g_string_append_len (text, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  return g_string_free (text, FALSE);
}

static void
close_socket (SpSocket *self)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_socket_close (self, &error));
  g_assert_no_error (error);
}

static gboolean
n_active_is (gpointer data)
{
  gpointer *pair = data;

  return sp_serve_get_n_active (pair[0]) == GPOINTER_TO_UINT (pair[1]);
}

static void
wait_n_active (SpServe *serve,
               guint    n)
{
  gpointer pair[2] = { serve, GUINT_TO_POINTER (n) };

  sp_test_poll_until (n_active_is, pair, SP_TEST_GUARD_MS);
  g_assert_cmpuint (sp_serve_get_n_active (serve), ==, n);
}

/* Tests */

static void
test_echo_concurrent (SpTestFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 8);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 3, 1024, 5000);
  g_autoptr(GPtrArray) clients = NULL;
  Watch watch;

  watch_init (&watch, serve);
  g_assert_true (sp_serve_get_bounded (serve));
  sp_serve_start (serve);

  clients = connect_clients (fixture, listener, 3);
  wait_accepted (&watch, 3);
  /* All three are served at once, none waits for another. */
  g_assert_cmpuint (sp_serve_get_n_active (serve), ==, 3);
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      SpSocket *connection = g_ptr_array_index (watch.accepted, i);
      g_autofree char *id = g_strdup_printf ("server-%u", i + 1);

      g_assert_cmpstr (sp_socket_get_id (connection), ==, id);
      g_assert_true (sp_socket_get_listener (connection) == listener);
    }

  /* Interleaved: each round sends on every client before reading any. */
  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *message = g_strdup_printf ("client %u, round %u|", i, round);

          send_text (g_ptr_array_index (clients, i), message);
        }

      for (guint i = 3; i > 0; i--)
        {
          g_autofree char *message = g_strdup_printf ("client %u, round %u|", i - 1, round);
          g_autofree char *echoed = receive_text (g_ptr_array_index (clients, i - 1),
                                                  strlen (message));

          g_assert_cmpstr (echoed, ==, message);
        }
    }

  /* Each connection ends when its client closes; the serve after the last. */
  close_socket (g_ptr_array_index (clients, 1));
  wait_n_active (serve, 2);
  close_socket (g_ptr_array_index (clients, 0));
  wait_n_active (serve, 1);
  sp_test_poll_for (50);
  g_assert_cmpuint (watch.n_finished, ==, 0);
  g_assert_false (sp_serve_get_finished (serve));

  close_socket (g_ptr_array_index (clients, 2));
  g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
  sp_test_poll_for (50);
  g_assert_cmpuint (watch.n_finished, ==, 1);
  g_assert_true (watch.ok);
  g_assert_cmpuint (watch.active_when_finished, ==, 0);
  g_assert_true (sp_serve_get_finished (serve));
  g_assert_true (sp_serve_get_ok (serve));

  /* The served connections were closed by the serve. */
  for (guint i = 0; i < 3; i++)
    {
      SpSocket *connection = g_ptr_array_index (watch.accepted, i);

      g_assert_cmpint (sp_socket_get_state (connection), ==, SP_STATE_CLOSED);
      g_assert_cmpuint (sp_socket_get_bytes_sent (connection), ==,
                        sp_socket_get_bytes_received (connection));
    }

  watch_clear (&watch, serve);
  g_clear_pointer (&clients, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_discard (SpTestFixture *fixture,
              gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_DISCARD, NULL, 1, 16, 5000);
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;
  SpSocket *client;
  Watch watch;

  watch_init (&watch, serve);
  sp_serve_start (serve);
  clients = connect_clients (fixture, listener, 1);
  client = g_ptr_array_index (clients, 0);

  send_text (client, "into the void, ");
  send_text (client, "and more, ");
  send_text (client, "and the end.");
  g_assert_true (sp_socket_shutdown (client, SP_SHUTDOWN_WRITE, &error));

  /* Nothing comes back; the serve closes after our end of file. */
  answer = receive_text (client, -1);
  g_assert_cmpstr (answer, ==, "");
  g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
  g_assert_true (watch.ok);

  {
    SpSocket *connection = g_ptr_array_index (watch.accepted, 0);

    g_assert_cmpuint (sp_socket_get_bytes_received (connection), ==, 37);
    g_assert_cmpuint (sp_socket_get_bytes_sent (connection), ==, 0);
  }

  watch_clear (&watch, serve);
  g_clear_pointer (&clients, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_reply (SpTestFixture *fixture,
            gconstpointer  data)
{
  const char *response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                         "Content-Length: 6\r\n\r\nhello\n";
  g_autoptr(GBytes) reply = g_bytes_new_static (response, strlen (response));
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_REPLY, reply, 2, 1024, 5000);
  g_autoptr(GPtrArray) clients = NULL;
  Watch watch;

  watch_init (&watch, serve);
  sp_serve_start (serve);
  clients = connect_clients (fixture, listener, 2);

  /* Every request gets the answer, then the server closes. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *answer = NULL;

      send_text (g_ptr_array_index (clients, i), "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
      answer = receive_text (g_ptr_array_index (clients, i), -1);
      g_assert_cmpstr (answer, ==, response);
    }

  g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
  g_assert_true (watch.ok);
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, 2);

  watch_clear (&watch, serve);
  g_clear_pointer (&clients, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_finished_after_n (SpTestFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 2, 1024, 5000);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) third = NULL;
  g_autofree char *echoed = NULL;
  Watch watch;

  watch_init (&watch, serve);
  sp_serve_start (serve);

  /* One after the other: the first is over before the second comes. */
  first = connect_clients (fixture, listener, 1);
  send_text (g_ptr_array_index (first, 0), "one");
  echoed = receive_text (g_ptr_array_index (first, 0), 3);
  g_assert_cmpstr (echoed, ==, "one");
  g_clear_pointer (&echoed, g_free);
  close_socket (g_ptr_array_index (first, 0));
  wait_n_active (serve, 0);
  sp_test_poll_for (50);
  g_assert_cmpuint (watch.n_finished, ==, 0);

  second = connect_clients (fixture, listener, 1);
  send_text (g_ptr_array_index (second, 0), "two");
  echoed = receive_text (g_ptr_array_index (second, 0), 3);
  g_assert_cmpstr (echoed, ==, "two");
  g_clear_pointer (&echoed, g_free);
  close_socket (g_ptr_array_index (second, 0));

  g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
  g_assert_true (watch.ok);
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, 2);

  /* A third client finds nobody accepting any more. */
  third = connect_clients (fixture, listener, 1);
  sp_test_poll_for (100);
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, 2);
  g_assert_cmpint (sp_socket_get_accept_queue (listener), ==, 1);
  g_assert_cmpuint (watch.n_finished, ==, 1);

  watch_clear (&watch, serve);
  g_clear_pointer (&first, g_ptr_array_unref);
  g_clear_pointer (&second, g_ptr_array_unref);
  g_clear_pointer (&third, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_open_ended (SpTestFixture *fixture,
                 gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 0, 1024, 100);
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *echoed = NULL;
  Watch watch;

  watch_init (&watch, serve);
  g_assert_false (sp_serve_get_bounded (serve));
  sp_serve_start (serve);

  /* Open-ended: no time limit applies, however long nobody comes. */
  sp_test_poll_for (300);
  g_assert_cmpuint (watch.n_finished, ==, 0);

  clients = connect_clients (fixture, listener, 2);
  wait_accepted (&watch, 2);
  send_text (g_ptr_array_index (clients, 0), "still here");
  echoed = receive_text (g_ptr_array_index (clients, 0), 10);
  g_assert_cmpstr (echoed, ==, "still here");
  close_socket (g_ptr_array_index (clients, 0));
  wait_n_active (serve, 1);

  /* Closing the listener ends the accepting; the serve finishes
   * normally once the connection still open is done too. */
  close_socket (listener);
  sp_test_poll_for (100);
  g_assert_cmpuint (watch.n_finished, ==, 0);
  g_assert_cmpuint (sp_serve_get_n_active (serve), ==, 1);

  close_socket (g_ptr_array_index (clients, 1));
  g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
  g_assert_true (watch.ok);
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, 2);

  watch_clear (&watch, serve);
  g_clear_pointer (&clients, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
on_connection_idle (SpServe  *serve,
                    SpSocket *connection,
                    guint    *n_idle)
{
  (*n_idle)++;
}

/* An open-ended serve given an idle timeout closes a silent connection,
 * says so, and goes on: keeping house is no failure. A connection that
 * talks within each idle period is served past it. */
static void
test_idle_open_ended (SpTestFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 0, 1024, 100);
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *rest = NULL;
  guint n_idle = 0;
  Watch watch;

  watch_init (&watch, serve);
  g_signal_connect (serve, "connection-idle", G_CALLBACK (on_connection_idle), &n_idle);
  sp_serve_set_idle_timeout (serve, 500);
  g_assert_cmpuint (sp_serve_get_idle_timeout_ms (serve), ==, 500);
  sp_serve_start (serve);

  clients = connect_clients (fixture, listener, 2);
  wait_accepted (&watch, 2);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *echoed = NULL;

      send_text (g_ptr_array_index (clients, 1), "tick");
      echoed = receive_text (g_ptr_array_index (clients, 1), 4);
      g_assert_cmpstr (echoed, ==, "tick");
      sp_test_poll_for (150);
    }

  /* The silent one was closed: its client reads end of file. */
  g_assert_true (sp_test_poll_until (sp_test_count_reached,
                                     &(SpTestCount) { &n_idle, 1 }, SP_TEST_GUARD_MS));
  g_assert_cmpuint (n_idle, ==, 1);
  g_assert_cmpuint (sp_serve_get_n_active (serve), ==, 1);
  rest = receive_text (g_ptr_array_index (clients, 0), -1);
  g_assert_cmpstr (rest, ==, "");

  close_socket (listener);
  close_socket (g_ptr_array_index (clients, 1));
  g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
  g_assert_true (watch.ok);
  g_assert_cmpint (sp_serve_get_error (serve, NULL, NULL), ==, 0);

  g_signal_handlers_disconnect_by_data (serve, &n_idle);
  watch_clear (&watch, serve);
  g_clear_pointer (&clients, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_accept_timeout (SpTestFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 1, 1024, 100);
  Watch watch;
  const char *socket_id = NULL;
  SpCall call = SP_CALL_SERVE;
  int code;

  /* A bounded serve that nobody connects to fails after its time limit. */
  watch_init (&watch, serve);
  sp_serve_start (serve);
  g_assert_true (sp_test_poll_until (watch_finished, &watch, 3000));
  g_assert_false (watch.ok);
  g_assert_false (sp_serve_get_ok (serve));
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, 0);

  /* What failed is named: the accept on the listener, with its own errno. */
  code = sp_serve_get_error (serve, &call, &socket_id);
  g_assert_cmpint (code, ==, ETIMEDOUT);
  g_assert_cmpint (call, ==, SP_CALL_ACCEPT);
  g_assert_cmpstr (socket_id, ==, sp_socket_get_id (listener));

  watch_clear (&watch, serve);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_stop (SpTestFixture *fixture,
           gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 5, 1024, 5000);
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *rest = NULL;
  Watch watch;

  watch_init (&watch, serve);
  sp_serve_start (serve);
  clients = connect_clients (fixture, listener, 1);
  wait_accepted (&watch, 1);

  /* stop() closes what it serves: the client reads end of file. */
  sp_serve_stop (serve);
  g_assert_cmpuint (sp_serve_get_n_active (serve), ==, 0);
  rest = receive_text (g_ptr_array_index (clients, 0), -1);
  g_assert_cmpstr (rest, ==, "");
  g_assert_cmpint (sp_socket_get_state (g_ptr_array_index (watch.accepted, 0)), ==,
                   SP_STATE_CLOSED);

  /* Its pending accept ends with the listener. */
  close_socket (listener);
  sp_test_poll_for (50);

  watch_clear (&watch, serve);
  g_clear_pointer (&clients, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* Peers */

static gboolean
both_done (gpointer data)
{
  gpointer *pair = data;

  return sp_test_conversation_done (pair[0]) && watch_finished (pair[1]);
}

static void
test_python_client (SpTestFixture *fixture,
                    gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, 1, 1024, 5000);
  g_autofree char *port = g_strdup_printf ("%u", sp_test_listener_port (listener));
  g_autofree char *script = sp_test_peer_script ("peer-client.py");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  SpTestConversation conversation = { 0 };
  Watch watch;
  gpointer pair[2] = { &conversation, &watch };

  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script, port,
                           "echo me, Python", NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  watch_init (&watch, serve);
  sp_serve_start (serve);
  sp_test_conversation_start (&conversation, process, NULL);

  g_assert_true (sp_test_poll_until (both_done, pair, SP_TEST_GUARD_MS));
  g_assert_cmpstr (conversation.output, ==, "echo me, Python");
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_true (watch.ok);
  g_free (conversation.output);

  watch_clear (&watch, serve);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_many_clients (SpTestFixture *fixture,
                   gconstpointer  data)
{
  const guint n = 200;
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 256);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_ECHO, NULL, n, 4096, 30000);
  g_autofree char *port = g_strdup_printf ("%u", sp_test_listener_port (listener));
  g_autofree char *count = g_strdup_printf ("%u", n);
  g_autofree char *script = sp_test_peer_script ("peer-many-clients.py");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  SpTestConversation conversation = { 0 };
  Watch watch;
  gpointer pair[2] = { &conversation, &watch };

  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script, port, count,
                           NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  watch_init (&watch, serve);
  sp_serve_start (serve);
  sp_test_conversation_start (&conversation, process, NULL);

  g_assert_true (sp_test_poll_until (both_done, pair, 45000));

  g_test_message ("peer said: %s", conversation.output);
  g_assert_true (g_subprocess_get_successful (process));
  g_assert_true (g_str_has_prefix (conversation.output, "200 clients echoed correctly"));
  g_assert_true (watch.ok);
  g_assert_cmpuint (sp_serve_get_n_accepted (serve), ==, n);
  g_assert_cmpuint (watch.accepted->len, ==, n);
  /* The peer connects all of them before it sends on any and closes none
   * before every echo came, so all were served at the same time. */
  g_assert_cmpuint (watch.most_active, ==, n);
  g_free (conversation.output);

  watch_clear (&watch, serve);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* A reply serve with a replies table, asked by Python clients: each request
 * gets the first entry it contains, and one that contains none the reply. */
static void
test_replies_python_clients (SpTestFixture *fixture,
                             gconstpointer  data)
{
  static const struct { const char *request; const char *answer; } cases[] = {
    { "GET /5062CEM.php?lecturer=Terry%20Richards \r\n", "Hello Terry Richards" },
    { "GET /5062CEM.php?lecturer=Ian%20Cornelius \r\n", "Hello Ian Cornelius" },
    { "GET /5062CEM.php\r\n", "Hello, welcome" },
    /* both names: the first entry wins */
    { "lecturer=Terry%20Richards lecturer=Ian%20Cornelius", "Hello Ian Cornelius" },
  };
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(GBytes) fallback = g_bytes_new_static ("Hello, welcome", 14);
  g_autoptr(GBytes) ian = g_bytes_new_static ("lecturer=Ian%20Cornelius", 24);
  g_autoptr(GBytes) ian_answer = g_bytes_new_static ("Hello Ian Cornelius", 19);
  g_autoptr(GBytes) terry = g_bytes_new_static ("lecturer=Terry%20Richards", 25);
  g_autoptr(GBytes) terry_answer = g_bytes_new_static ("Hello Terry Richards", 20);
  g_autoptr(SpServe) serve = sp_serve_new (listener, SP_SERVE_REPLY, fallback,
                                           G_N_ELEMENTS (cases), 1024, 5000);
  g_autofree char *port = g_strdup_printf ("%u", sp_test_listener_port (listener));
  g_autofree char *script = sp_test_peer_script ("peer-client.py");
  Watch watch;

  sp_serve_add_reply (serve, ian, ian_answer);
  sp_serve_add_reply (serve, terry, terry_answer);
  watch_init (&watch, serve);
  sp_serve_start (serve);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GError) error = NULL;
      SpTestConversation conversation = { 0 };

      process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script, port,
                               cases[i].request, NULL);
      if (process == NULL)
        {
          g_test_skip (error->message);
          break;
        }

      sp_test_conversation_start (&conversation, process, NULL);
      g_assert_true (sp_test_poll_until (sp_test_conversation_done, &conversation,
                                         SP_TEST_GUARD_MS));
      g_assert_cmpstr (conversation.output, ==, cases[i].answer);
      g_assert_true (g_subprocess_get_successful (process));
      g_free (conversation.output);
    }

  if (!g_test_failed () && sp_serve_get_n_accepted (serve) == G_N_ELEMENTS (cases))
    {
      g_assert_true (sp_test_poll_until (watch_finished, &watch, SP_TEST_GUARD_MS));
      g_assert_true (watch.ok);
    }

  watch_clear (&watch, serve);
  g_assert_finalize_object (g_steal_pointer (&serve));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

int
main (int   argc,
      char *argv[])
{
  /* A test that fails on a known bug must not hide the results of the
   * tests after it. */
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

#define ADD(path, func) \
  g_test_add (path, SpTestFixture, NULL, sp_test_fixture_set_up, func, \
              sp_test_fixture_tear_down)

  ADD ("/Sp/Serve/echo-concurrent", test_echo_concurrent);
  ADD ("/Sp/Serve/discard", test_discard);
  ADD ("/Sp/Serve/reply", test_reply);
  ADD ("/Sp/Serve/replies-python-clients", test_replies_python_clients);
  ADD ("/Sp/Serve/finished-after-n", test_finished_after_n);
  ADD ("/Sp/Serve/open-ended", test_open_ended);
  ADD ("/Sp/Serve/idle-open-ended", test_idle_open_ended);
  ADD ("/Sp/Serve/accept-timeout", test_accept_timeout);
  ADD ("/Sp/Serve/stop", test_stop);
  ADD ("/Sp/Serve/python-client", test_python_client);
  ADD ("/Sp/Serve/many-clients", test_many_clients);

#undef ADD

  return g_test_run ();
}
