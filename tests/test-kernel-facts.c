/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-kernel-facts.h"
#include "sp-test-util.h"

/* The one watcher of a socket's kernel facts, on real loopback sockets. */

typedef struct
{
  guint bytes_waiting;
  guint tcp_state;
  guint accept_queue;
  guint changed;
} Counts;

static void
on_notify (GObject    *object,
           GParamSpec *pspec,
           Counts     *counts)
{
  if (g_str_equal (pspec->name, "bytes-waiting"))
    counts->bytes_waiting++;
  else if (g_str_equal (pspec->name, "tcp-state"))
    counts->tcp_state++;
  else if (g_str_equal (pspec->name, "accept-queue"))
    counts->accept_queue++;
}

static void
on_changed (SpKernelFacts *facts,
            Counts        *counts)
{
  counts->changed++;
}

static void
count_signals (SpKernelFacts *facts,
               Counts        *counts)
{
  g_signal_connect (facts, "notify", G_CALLBACK (on_notify), counts);
  g_signal_connect (facts, "changed", G_CALLBACK (on_changed), counts);
}

/* A client of `listener` that connected, not yet accepted. */
static SpSocket *
connected_client (SpTestFixture *fixture,
                  SpSocket      *listener,
                  const char    *id)
{
  g_autoptr(GError) error = NULL;
  SpSocket *client = sp_test_created_socket (fixture, id, SP_FAMILY_INET,
                                             SP_SOCKET_TYPE_STREAM);

  g_assert_true (sp_test_connect_and_wait (client, sp_socket_get_local_address (listener),
                                           FALSE, &error));
  g_assert_no_error (error);
  return client;
}

typedef struct
{
  SpKernelFacts *facts;
  gint64         value;
} Expected;

/* The kernel finishes a handshake or a delivery on loopback soon after
 * the call returns, not always before: refresh until it has. */
static gboolean
refreshed_accept_queue_is (gpointer data)
{
  Expected *expected = data;

  sp_kernel_facts_refresh (expected->facts);
  return sp_kernel_facts_get_accept_queue (expected->facts) == expected->value;
}

static gboolean
refreshed_bytes_waiting_is (gpointer data)
{
  Expected *expected = data;

  sp_kernel_facts_refresh (expected->facts);
  return sp_kernel_facts_get_bytes_waiting (expected->facts) == expected->value;
}

/* Read without refresh: only the watcher's own timer can change it. */
static gboolean
accept_queue_is (gpointer data)
{
  Expected *expected = data;

  return sp_kernel_facts_get_accept_queue (expected->facts) == expected->value;
}

static gboolean
has_timer (SpKernelFacts *facts)
{
  return g_main_context_find_source_by_user_data (g_main_context_get_thread_default (),
                                                  facts) != NULL;
}

/* Two connections the kernel completed and nobody accepted wait in the
 * listener's queue. */
static void
test_accept_queue (SpTestFixture *fixture,
                   gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpKernelFacts) facts = sp_kernel_facts_watch (listener);
  g_autoptr(SpSocket) first = NULL;
  g_autoptr(SpSocket) second = NULL;

  g_assert_true (sp_kernel_facts_get_socket (facts) == listener);
  g_assert_cmpint (sp_kernel_facts_get_accept_queue (facts), ==, 0);
  g_assert_cmpstr (sp_kernel_facts_get_tcp_state (facts), ==, "LISTEN");
  /* A listener has no bytes to read. */
  g_assert_cmpint (sp_kernel_facts_get_bytes_waiting (facts), ==, -1);

  first = connected_client (fixture, listener, "first");
  second = connected_client (fixture, listener, "second");
  g_assert_true (sp_test_poll_until (refreshed_accept_queue_is, &(Expected) { facts, 2 },
                                     2000));
  g_assert_cmpint (sp_kernel_facts_get_accept_queue (facts), ==, 2);

  g_assert_true (sp_socket_close (first, NULL));
  g_assert_true (sp_socket_close (second, NULL));
  g_assert_true (sp_socket_close (listener, NULL));
  g_assert_finalize_object (g_steal_pointer (&facts));
  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* Without a refresh, the watcher's own timer sees the queue grow; it stops
 * when the socket closes, and reads at once then. */
static void
test_timer (SpTestFixture *fixture,
            gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpKernelFacts) facts = sp_kernel_facts_watch (listener);
  g_autoptr(SpSocket) client = NULL;
  Counts counts = { 0 };

  g_assert_true (has_timer (facts));
  count_signals (facts, &counts);

  client = connected_client (fixture, listener, "client");
  /* No tick of the test's own: only the watcher wakes the loop. */
  g_assert_true (sp_test_iterate_until (accept_queue_is, &(Expected) { facts, 1 }, 2000));
  g_assert_cmpuint (counts.accept_queue, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 1);

  g_assert_true (sp_socket_close (listener, NULL));
  g_assert_cmpint (sp_kernel_facts_get_accept_queue (facts), ==, -1);
  g_assert_null (sp_kernel_facts_get_tcp_state (facts));
  g_assert_cmpuint (counts.changed, ==, 2);
  g_assert_false (has_timer (facts));

  /* Made again, it is watched again. */
  g_assert_true (sp_socket_create (listener, NULL));
  g_assert_true (has_timer (facts));

  g_assert_true (sp_socket_close (client, NULL));
  g_assert_true (sp_socket_close (listener, NULL));
  g_assert_finalize_object (g_steal_pointer (&facts));
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* A connected pair: what one side sent and the other has not read. */
static void
test_bytes_waiting (SpTestFixture *fixture,
                    gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpSocket) client = connected_client (fixture, listener, "client");
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(SpKernelFacts) facts = NULL;
  g_autoptr(GError) error = NULL;

  conn = sp_test_accept_and_wait (listener, "conn", 5000, &error);
  g_assert_no_error (error);
  facts = sp_kernel_facts_watch (conn);
  g_assert_cmpint (sp_kernel_facts_get_bytes_waiting (facts), ==, 0);
  g_assert_cmpint (sp_kernel_facts_get_accept_queue (facts), ==, -1);

  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "Hello", NULL, &error),
                   ==, 5);
  g_assert_no_error (error);
  g_assert_true (sp_test_poll_until (refreshed_bytes_waiting_is, &(Expected) { facts, 5 },
                                     2000));
  g_assert_cmpint (sp_kernel_facts_get_bytes_waiting (facts), ==, 5);
  g_assert_cmpstr (sp_kernel_facts_get_tcp_state (facts), ==, "ESTABLISHED");

  g_assert_true (sp_socket_close (client, NULL));
  g_assert_true (sp_socket_close (conn, NULL));
  g_assert_true (sp_socket_close (listener, NULL));
  g_assert_finalize_object (g_steal_pointer (&facts));
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* One watcher per socket while anyone holds it; a new one after. */
static void
test_shared (SpTestFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpSocket) other = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  SpKernelFacts *first = sp_kernel_facts_watch (listener);
  SpKernelFacts *second = sp_kernel_facts_watch (listener);
  g_autoptr(SpKernelFacts) elsewhere = sp_kernel_facts_watch (other);
  g_autoptr(SpKernelFacts) again = NULL;

  g_assert_true (first == second);
  g_assert_true (first != elsewhere);
  g_object_unref (second);

  /* The socket does not keep its watcher alive. */
  g_assert_finalize_object (first);
  again = sp_kernel_facts_watch (listener);
  g_assert_nonnull (again);
  g_assert_true (sp_kernel_facts_get_socket (again) == listener);
  g_assert_cmpstr (sp_kernel_facts_get_tcp_state (again), ==, "LISTEN");
  g_assert_true (has_timer (again));

  g_assert_true (sp_socket_close (listener, NULL));
  g_assert_true (sp_socket_close (other, NULL));
  g_assert_finalize_object (g_steal_pointer (&again));
  g_assert_finalize_object (g_steal_pointer (&elsewhere));
  g_assert_finalize_object (g_steal_pointer (&listener));
  g_assert_finalize_object (g_steal_pointer (&other));
}

/* Readings that find nothing new tell nobody; one that does tells about
 * what changed, and says "changed" once. */
static void
test_notify_on_change (SpTestFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpSocket) client = connected_client (fixture, listener, "client");
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(SpKernelFacts) facts = NULL;
  g_autoptr(GError) error = NULL;
  Counts counts = { 0 };

  conn = sp_test_accept_and_wait (listener, "conn", 5000, &error);
  g_assert_no_error (error);
  facts = sp_kernel_facts_watch (conn);
  count_signals (facts, &counts);

  sp_kernel_facts_refresh (facts);
  sp_kernel_facts_refresh (facts);
  g_assert_cmpuint (counts.bytes_waiting + counts.tcp_state + counts.accept_queue, ==, 0);
  g_assert_cmpuint (counts.changed, ==, 0);

  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "seven!!", NULL, &error),
                   ==, 7);
  g_assert_true (sp_test_poll_until (refreshed_bytes_waiting_is, &(Expected) { facts, 7 },
                                     2000));
  g_assert_cmpuint (counts.bytes_waiting, ==, 1);
  g_assert_cmpuint (counts.tcp_state, ==, 0);
  g_assert_cmpuint (counts.accept_queue, ==, 0);
  g_assert_cmpuint (counts.changed, ==, 1);

  sp_kernel_facts_refresh (facts);
  g_assert_cmpuint (counts.bytes_waiting, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 1);

  /* Closing changes two facts in one reading: each notifies, "changed"
   * comes once. */
  g_assert_true (sp_socket_close (conn, NULL));
  g_assert_cmpint (sp_kernel_facts_get_bytes_waiting (facts), ==, -1);
  g_assert_null (sp_kernel_facts_get_tcp_state (facts));
  g_assert_cmpuint (counts.bytes_waiting, ==, 2);
  g_assert_cmpuint (counts.tcp_state, ==, 1);
  g_assert_cmpuint (counts.changed, ==, 2);

  g_assert_true (sp_socket_close (client, NULL));
  g_assert_true (sp_socket_close (listener, NULL));
  g_assert_finalize_object (g_steal_pointer (&facts));
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

#define ADD(path, func) \
  g_test_add (path, SpTestFixture, NULL, sp_test_fixture_set_up, func, \
              sp_test_fixture_tear_down)

  ADD ("/Sp/KernelFacts/accept-queue", test_accept_queue);
  ADD ("/Sp/KernelFacts/timer", test_timer);
  ADD ("/Sp/KernelFacts/bytes-waiting", test_bytes_waiting);
  ADD ("/Sp/KernelFacts/shared", test_shared);
  ADD ("/Sp/KernelFacts/notify-on-change", test_notify_on_change);

#undef ADD

  return g_test_run ();
}
