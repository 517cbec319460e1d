/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include "sp-poller.h"

/* Socket pairs: real sockets whose readiness the test decides. */

typedef struct
{
  int            fds[2];
  SpPollerWatch *watch;
  GArray        *order;   /* where each callback appends its index */
  guint          index;
  guint          n_ready;
} Pair;

static void
pair_open (Pair   *pair,
           guint   index,
           GArray *order)
{
  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                                 pair->fds));
  pair->watch = NULL;
  pair->order = order;
  pair->index = index;
  pair->n_ready = 0;
}

static void
pair_close (Pair *pair)
{
  g_clear_pointer (&pair->watch, sp_poller_unwatch);
  close (pair->fds[0]);
  close (pair->fds[1]);
}

static void
on_ready (gpointer user_data)
{
  Pair *pair = user_data;

  pair->n_ready++;
  g_array_append_val (pair->order, pair->index);
}

static void
on_timed_out (gpointer user_data)
{
  Pair *pair = user_data;

  g_array_append_val (pair->order, pair->index);
  g_clear_pointer (&pair->watch, sp_poller_unwatch);
}

static GMainContext *
push_context (void)
{
  GMainContext *context = g_main_context_new ();

  g_main_context_push_thread_default (context);
  return context;
}

static void
pop_context (GMainContext *context)
{
  /* Nothing is left in it: an empty poller goes. */
  g_assert_false (g_main_context_iteration (context, FALSE));
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
}

/* Ready for as long as the condition holds, as poll() is. */
static void
test_ready (void)
{
  GMainContext *context = push_context ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  Pair pair;
  char byte;

  pair_open (&pair, 0, order);
  pair.watch = sp_poller_watch (context, pair.fds[0], G_IO_IN, 0, on_ready, NULL, &pair);
  g_assert_nonnull (pair.watch);

  g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (pair.n_ready, ==, 0);

  g_assert_cmpint (write (pair.fds[1], "x", 1), ==, 1);
  g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (pair.n_ready, ==, 1);
  g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (pair.n_ready, ==, 2);

  g_assert_cmpint (read (pair.fds[0], &byte, 1), ==, 1);
  g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (pair.n_ready, ==, 2);

  pair_close (&pair);
  pop_context (context);
}

/* Deadlines fire soonest first, whatever order they were set in. */
static void
test_timeouts (void)
{
  GMainContext *context = push_context ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  const guint timeouts_ms[] = { 60, 20, 40 };
  Pair pairs[G_N_ELEMENTS (timeouts_ms)];

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      pair_open (&pairs[i], i, order);
      pairs[i].watch = sp_poller_watch (context, pairs[i].fds[0], G_IO_IN, timeouts_ms[i],
                                        on_ready, on_timed_out, &pairs[i]);
      g_assert_nonnull (pairs[i].watch);
    }

  while (order->len < G_N_ELEMENTS (pairs))
    g_main_context_iteration (context, TRUE);

  g_assert_cmpuint (g_array_index (order, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (order, guint, 1), ==, 2);
  g_assert_cmpuint (g_array_index (order, guint, 2), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    pair_close (&pairs[i]);
  pop_context (context);
}

/* A callback that ends other watches: those ready in the same round are
 * not called, and the poller frees them only after it. */
static void
on_ready_end_all (gpointer user_data)
{
  Pair *pairs = user_data;

  g_array_append_val (pairs[0].order, pairs[0].index);
  g_clear_pointer (&pairs[0].watch, sp_poller_unwatch);
  g_clear_pointer (&pairs[1].watch, sp_poller_unwatch);
}

static void
test_unwatch_while_ready (void)
{
  GMainContext *context = push_context ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  Pair pairs[2];

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      pair_open (&pairs[i], i, order);
      g_assert_cmpint (write (pairs[i].fds[1], "x", 1), ==, 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    pairs[i].watch = sp_poller_watch (context, pairs[i].fds[0], G_IO_IN, 0,
                                      on_ready_end_all, NULL, pairs);

  g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (order->len, ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    pair_close (&pairs[i]);
  pop_context (context);
}

/* A second watch on one descriptor is refused, so that its caller waits
 * its own way. */
static void
test_same_descriptor (void)
{
  GMainContext *context = push_context ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  Pair pair;

  pair_open (&pair, 0, order);
  pair.watch = sp_poller_watch (context, pair.fds[0], G_IO_IN, 0, on_ready, NULL, &pair);
  g_assert_nonnull (pair.watch);
  g_assert_null (sp_poller_watch (context, pair.fds[0], G_IO_OUT, 0, on_ready, NULL, &pair));

  pair_close (&pair);
  pop_context (context);
}

/* A kept watch stays in the set while paused and calls nothing then,
 * even with data waiting; resumed, it is called when readiness begins, or
 * at once for a new condition that holds already. */
static void
test_kept (void)
{
  GMainContext *context = push_context ();
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  Pair pair;
  char byte;

  pair_open (&pair, 0, order);
  pair.watch = sp_poller_keep (context, pair.fds[0], G_IO_IN, 0, on_ready, NULL, &pair);
  g_assert_nonnull (pair.watch);

  g_assert_cmpint (write (pair.fds[1], "x", 1), ==, 1);
  g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (pair.n_ready, ==, 1);
  /* Edge-triggered: not again for the byte still waiting. */
  g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (pair.n_ready, ==, 1);

  sp_poller_pause (pair.watch);
  g_assert_true (sp_poller_is_paused (pair.watch));
  g_assert_cmpint (write (pair.fds[1], "y", 1), ==, 1);
  g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (pair.n_ready, ==, 1);

  /* As a caller does: reads until EAGAIN, then waits again. */
  while (read (pair.fds[0], &byte, 1) == 1)
    ;
  g_assert_true (sp_poller_resume (pair.watch, G_IO_IN, 0, on_ready, NULL, &pair));
  g_main_context_iteration (context, FALSE);
  g_assert_cmpuint (pair.n_ready, ==, 1);
  g_assert_cmpint (write (pair.fds[1], "z", 1), ==, 1);
  g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (pair.n_ready, ==, 2);

  sp_poller_pause (pair.watch);
  g_assert_true (sp_poller_resume (pair.watch, G_IO_OUT, 0, on_ready, NULL, &pair));
  g_main_context_iteration (context, TRUE);
  g_assert_cmpuint (pair.n_ready, ==, 3);

  pair_close (&pair);
  pop_context (context);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Poller/ready", test_ready);
  g_test_add_func ("/Sp/Poller/timeouts", test_timeouts);
  g_test_add_func ("/Sp/Poller/unwatch-while-ready", test_unwatch_while_ready);
  g_test_add_func ("/Sp/Poller/same-descriptor", test_same_descriptor);
  g_test_add_func ("/Sp/Poller/kept", test_kept);
  return g_test_run ();
}
