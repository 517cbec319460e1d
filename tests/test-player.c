/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-player.h"
#include "sp-test-util.h"

#define GUARD_MS 15000

/* The session of DESIGN.md, with an ephemeral port: the client goes
 * "to" wherever the server was bound. %s is the expected text of step 5. */
#define ECHO_SESSION \
  "{\n" \
  "  \"format\": \"socket-playground-session\",\n" \
  "  \"version\": 1,\n" \
  "  \"title\": \"TCP echo, one connection\",\n" \
  "  \"description\": \"plain text\",\n" \
  "  \"sockets\": [\n" \
  "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n" \
  "      \"address\": \"127.0.0.1\", \"port\": %u,\n" \
  "      \"options\": { \"SO_REUSEADDR\": true } },\n" \
  "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" }\n" \
  "  ],\n" \
  "  \"steps\": [\n" \
  "    { \"socket\": \"server\", \"call\": \"bind\" },\n" \
  "    { \"socket\": \"server\", \"call\": \"listen\", \"backlog\": 1 },\n" \
  "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n" \
  "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n" \
  "    { \"socket\": \"client\", \"call\": \"sendall\",\n" \
  "      \"data\": { \"text\": \"Hello World\" } },\n" \
  "    { \"socket\": \"conn\",   \"call\": \"recv\", \"bufsize\": 1024,\n" \
  "      \"expect\": { \"data\": { \"text\": \"%s\" } } },\n" \
  "    { \"socket\": \"client\", \"call\": \"close\" },\n" \
  "    { \"socket\": \"conn\",   \"call\": \"recv\", \"bufsize\": 1024, \"until\": \"eof\" },\n" \
  "    { \"socket\": \"conn\",   \"call\": \"close\" },\n" \
  "    { \"socket\": \"server\", \"call\": \"close\" }\n" \
  "  ]\n" \
  "}\n"

#define SESSION_HEAD \
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"test\",\n"

/* What a player announced. */

typedef struct
{
  guint     index;
  gboolean  passed;
  char     *message;
  gint64    time_us;
  SpStep   *step;
} StepResult;

typedef struct
{
  GArray   *sequence;     /* int: +(i+1) started, -(i+1) finished */
  GArray   *started_us;   /* gint64, per step-started */
  GPtrArray *started;     /* SpStep, per step-started */
  GArray   *results;      /* StepResult */
  GPtrArray *added;       /* SpSocket, from socket-added */
  guint     n_finished;
  gboolean  all_passed;
  gint64    finished_us;
  /* Set by the test: what step-finished should do. */
  guint     pause_after;  /* G_MAXUINT: never */
  SpPlayer *player;
} Recorder;

static void
step_result_clear (StepResult *result)
{
  g_free (result->message);
  g_clear_object (&result->step);
}

static void
on_step_started (SpPlayer *player,
                 guint     index,
                 SpStep   *step,
                 Recorder *recorder)
{
  int entry = index + 1;
  gint64 now = g_get_monotonic_time ();

  g_array_append_val (recorder->sequence, entry);
  g_array_append_val (recorder->started_us, now);
  g_ptr_array_add (recorder->started, g_object_ref (step));
}

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  Recorder   *recorder)
{
  StepResult result = {
    index, passed, g_strdup (message), g_get_monotonic_time (), g_object_ref (step)
  };
  int entry = -(int) (index + 1);

  g_test_message ("step %u %s%s%s", index, passed ? "passed" : "failed",
                  message != NULL ? ": " : "", message != NULL ? message : "");
  g_array_append_val (recorder->sequence, entry);
  g_array_append_val (recorder->results, result);

  if (index == recorder->pause_after)
    sp_player_pause (player);
}

static void
on_finished (SpPlayer *player,
             gboolean  all_passed,
             Recorder *recorder)
{
  recorder->n_finished++;
  recorder->all_passed = all_passed;
  recorder->finished_us = g_get_monotonic_time ();
}

static void
on_socket_added (SpPlayer *player,
                 SpSocket *socket,
                 Recorder *recorder)
{
  g_ptr_array_add (recorder->added, g_object_ref (socket));
}

static void
recorder_init (Recorder *recorder,
               SpPlayer *player)
{
  memset (recorder, 0, sizeof *recorder);
  recorder->sequence = g_array_new (FALSE, FALSE, sizeof (int));
  recorder->started_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  recorder->started = g_ptr_array_new_with_free_func (g_object_unref);
  recorder->results = g_array_new (FALSE, FALSE, sizeof (StepResult));
  g_array_set_clear_func (recorder->results, (GDestroyNotify) step_result_clear);
  recorder->added = g_ptr_array_new_with_free_func (g_object_unref);
  recorder->pause_after = G_MAXUINT;
  recorder->player = player;
  g_signal_connect (player, "step-started", G_CALLBACK (on_step_started), recorder);
  g_signal_connect (player, "step-finished", G_CALLBACK (on_step_finished), recorder);
  g_signal_connect (player, "finished", G_CALLBACK (on_finished), recorder);
  g_signal_connect (player, "socket-added", G_CALLBACK (on_socket_added), recorder);
}

static void
recorder_clear (Recorder *recorder)
{
  g_signal_handlers_disconnect_by_data (recorder->player, recorder);
  g_clear_pointer (&recorder->sequence, g_array_unref);
  g_clear_pointer (&recorder->started_us, g_array_unref);
  g_clear_pointer (&recorder->started, g_ptr_array_unref);
  g_clear_pointer (&recorder->results, g_array_unref);
  g_clear_pointer (&recorder->added, g_ptr_array_unref);
}

static StepResult *
result_at (Recorder *recorder,
           guint     i)
{
  g_assert_cmpuint (i, <, recorder->results->len);
  return &g_array_index (recorder->results, StepResult, i);
}

/* The last result for step `index`, or NULL. */
static StepResult *
result_for (Recorder *recorder,
            guint     index)
{
  for (guint i = recorder->results->len; i > 0; i--)
    {
      StepResult *result = result_at (recorder, i - 1);

      if (result->index == index)
        return result;
    }

  return NULL;
}

static guint
count_results_for (Recorder *recorder,
                   guint     index)
{
  guint n = 0;

  for (guint i = 0; i < recorder->results->len; i++)
    if (result_at (recorder, i)->index == index)
      n++;
  return n;
}

static gboolean
has_finished (gpointer data)
{
  return ((Recorder *) data)->n_finished > 0;
}

/* A run ends with "finished", or stops at a step that failed. */
static gboolean
has_ended (gpointer data)
{
  Recorder *recorder = data;

  if (recorder->n_finished > 0)
    return TRUE;
  for (guint i = 0; i < recorder->results->len; i++)
    if (!result_at (recorder, i)->passed)
      return TRUE;
  return FALSE;
}

static void
wait_results (Recorder *recorder,
              guint     n)
{
  SpTestCount results = { &recorder->results->len, n };

  g_assert_true (sp_test_iterate_until (sp_test_count_reached, &results, GUARD_MS));
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (haystack == NULL || strstr (haystack, needle) == NULL)
    g_error ("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* Sessions and players */

static SpSession *
load_session (const char *json)
{
  g_autoptr(GError) error = NULL;
  SpSession *session = sp_session_new_from_data (json, -1, "test-session", &error);

  g_assert_no_error (error);
  g_assert_nonnull (session);
  return session;
}

static SpPlayer *
new_player (const char    *json,
            SpTrafficLog **log)
{
  g_autoptr(SpSession) session = load_session (json);

  *log = sp_traffic_log_new ();
  return sp_player_new (session, *log);
}

/* Drops the player and its log, checking that nothing kept them. */
static void
finalize_player (SpPlayer     *player,
                 SpTrafficLog *log)
{
  /* Idle returns of finished calls may still hold sockets. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (player);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (log);
}

static guint
count_calls (SpTrafficLog *log,
             SpCall        call)
{
  guint n = 0;

  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (sp_event_get_call (event) == call && sp_event_get_kind (event) != SP_EVENT_NOTE)
        n++;
    }

  return n;
}

static void
assert_payload (SpEvent    *event,
                const char *text)
{
  g_autoptr(GBytes) payload = NULL;

  g_assert_nonnull (event);
  payload = sp_event_get_payload (event);
  sp_test_assert_bytes_equal (payload, text);
}

/* Tests */

static void
test_echo_session (void)
{
  g_autofree char *json = g_strdup_printf (ECHO_SESSION, 0, "Hello World");
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpEvent) received = NULL;
  g_autoptr(SpEvent) sent = NULL;
  SpSocket *conn;
  Recorder recorder;

  recorder_init (&recorder, player);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_IDLE);
  g_assert_cmpuint (sp_player_get_position (player), ==, 0);

  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  sp_test_iterate_for (50);

  /* Every step passed, in order, each finished before the next started. */
  g_assert_cmpuint (recorder.results->len, ==, 10);
  g_assert_cmpuint (recorder.sequence->len, ==, 20);
  for (guint i = 0; i < 10; i++)
    {
      StepResult *result = result_at (&recorder, i);

      g_assert_cmpint (g_array_index (recorder.sequence, int, 2 * i), ==, (int) i + 1);
      g_assert_cmpint (g_array_index (recorder.sequence, int, 2 * i + 1), ==, -(int) i - 1);
      g_assert_cmpuint (result->index, ==, i);
      g_assert_true (result->passed);
      g_assert_null (result->message);
    }

  g_assert_cmpuint (recorder.n_finished, ==, 1);
  g_assert_true (recorder.all_passed);
  g_assert_true (sp_player_get_all_passed (player));
  g_assert_cmpuint (sp_player_get_n_failed (player), ==, 0);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_FINISHED);
  g_assert_cmpuint (sp_player_get_position (player), ==, 10);

  /* server and client from the configuration, conn from accept. */
  g_assert_cmpuint (recorder.added->len, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (sp_player_get_sockets (player)), ==, 3);
  conn = sp_player_lookup_socket (player, "conn");
  g_assert_nonnull (conn);
  g_assert_true (sp_socket_get_listener (conn) == sp_player_lookup_socket (player, "server"));
  g_assert_cmpint (sp_socket_get_state (conn), ==, SP_STATE_CLOSED);
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (player, "server")), ==,
                   SP_STATE_CLOSED);

  /* The events carry the step that made them. */
  received = sp_test_find_event (log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV);
  g_assert_nonnull (received);
  g_assert_cmpint (sp_event_get_step (received), ==, 7);
  g_assert_cmpuint (sp_event_get_bytes (received), ==, 0);
  {
    g_autoptr(SpEvent) hello = NULL;

    for (guint i = 0; i < sp_traffic_log_get_n_appended (log) && hello == NULL; i++)
      {
        g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

        if (sp_event_get_kind (event) == SP_EVENT_RECEIVED && sp_event_get_step (event) == 5)
          hello = g_steal_pointer (&event);
      }
    assert_payload (hello, "Hello World");
    g_assert_cmpstr (sp_event_get_socket_id (hello), ==, "conn");
  }
  sent = sp_test_find_event (log, "client", SP_EVENT_SENT, SP_CALL_SENDALL);
  assert_payload (sent, "Hello World");
  g_assert_cmpint (sp_event_get_step (sent), ==, 4);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_expectation_fails (void)
{
  g_autofree char *json = g_strdup_printf (ECHO_SESSION, 0, "Hello Mars");
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;
  StepResult *result;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  sp_test_iterate_for (100);

  for (guint i = 0; i < 5; i++)
    g_assert_true (result_at (&recorder, i)->passed);

  result = result_for (&recorder, 5);
  g_assert_nonnull (result);
  g_assert_false (result->passed);
  /* The message names the step as the window numbers it (from 1), the
   * socket and what was expected. */
  assert_contains (result->message, "step 6 (conn recv)");
  assert_contains (result->message, "conn");
  assert_contains (result->message, "recv");
  assert_contains (result->message, "Hello Mars");
  assert_contains (result->message, "Hello World");

  g_assert_false (sp_player_get_all_passed (player));
  g_assert_cmpuint (sp_player_get_n_failed (player), ==, 1);
  if (recorder.n_finished > 0)
    g_assert_false (recorder.all_passed);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_expected_errors (void)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\" }, { \"id\": \"scanner\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"127.0.0.1\",\n"
    "      \"port\": %u, \"expect\": { \"error\": \"ECONNREFUSED\" } },\n"
    "    { \"socket\": \"scanner\", \"call\": \"connect_ex\", \"address\": \"127.0.0.1\",\n"
    "      \"port\": %u }\n"
    "  ] }\n", port, port);
  g_autofree char *args = g_strdup_printf ("('127.0.0.1', %u)", port);
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpEvent) refused = NULL;
  g_autoptr(SpEvent) scanned = NULL;
  Recorder recorder;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));

  /* The error that was expected, and connect_ex's errno result, pass. */
  g_assert_cmpuint (recorder.results->len, ==, 2);
  g_assert_true (result_at (&recorder, 0)->passed);
  g_assert_true (result_at (&recorder, 1)->passed);
  g_assert_cmpuint (recorder.n_finished, ==, 1);
  g_assert_true (recorder.all_passed);

  refused = sp_test_find_event (log, "client", SP_EVENT_CALL, SP_CALL_CONNECT);
  g_assert_nonnull (refused);
  g_assert_cmpint (sp_event_get_error_code (refused), ==, ECONNREFUSED);
  g_assert_cmpstr (sp_event_get_args (refused), ==, args);
  g_assert_cmpint (sp_event_get_step (refused), ==, 0);
  scanned = sp_test_find_event (log, "scanner", SP_EVENT_CALL, SP_CALL_CONNECT_EX);
  g_assert_nonnull (scanned);
  g_assert_cmpint (sp_event_get_error_code (scanned), ==, ECONNREFUSED);
  g_assert_cmpint (sp_event_get_step (scanned), ==, 1);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Runs a one-step session and returns the failure message of that step. */
static char *
run_failing_step (const char *sockets,
                  const char *step)
{
  g_autofree char *json = g_strdup_printf (SESSION_HEAD "\"sockets\": [ %s ],\n"
                                           "\"steps\": [ %s ] }\n", sockets, step);
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;
  char *message;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 1);
  g_assert_false (result_at (&recorder, 0)->passed);
  g_assert_false (sp_player_get_all_passed (player));
  message = g_strdup (result_at (&recorder, 0)->message);

  recorder_clear (&recorder);
  finalize_player (player, log);
  return message;
}

static void
test_unexpected_results (void)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *step = NULL;
  g_autofree char *message = NULL;

  /* A refused connect without "expect" fails and says why. */
  step = g_strdup_printf ("{ \"socket\": \"client\", \"call\": \"connect\", "
                          "\"address\": \"127.0.0.1\", \"port\": %u }", port);
  message = run_failing_step ("{ \"id\": \"client\" }", step);
  assert_contains (message, "step 1 (client connect)");
  assert_contains (message, "client");
  assert_contains (message, "ECONNREFUSED");
  g_clear_pointer (&step, g_free);
  g_clear_pointer (&message, g_free);

  /* Expecting an error from a call that succeeds fails too. */
  message = run_failing_step ("{ \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 }",
                              "{ \"socket\": \"server\", \"call\": \"bind\", "
                              "\"expect\": { \"error\": \"EADDRINUSE\" } }");
  assert_contains (message, "EADDRINUSE");
  assert_contains (message, "server");
  g_clear_pointer (&message, g_free);

  /* connect_ex with "ok" expected wants 0. */
  step = g_strdup_printf ("{ \"socket\": \"client\", \"call\": \"connect_ex\", "
                          "\"address\": \"127.0.0.1\", \"port\": %u, "
                          "\"expect\": { \"ok\": true } }", port);
  message = run_failing_step ("{ \"id\": \"client\" }", step);
  assert_contains (message, "connect_ex");
  assert_contains (message, "ECONNREFUSED");
  g_clear_pointer (&message, g_free);

  /* "to" a socket that has no address yet names the field. */
  message = run_failing_step ("{ \"id\": \"client\" }, { \"id\": \"server\" }",
                              "{ \"socket\": \"client\", \"call\": \"connect\", "
                              "\"to\": \"server\" }");
  assert_contains (message, "to:");
  assert_contains (message, "server");
}

static gboolean step_has_started (gpointer data);

static void
run_repeats (gboolean in_thread)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                 { \"id\": \"client\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"count\": 3,\n"
    "      \"data\": { \"text\": \"hello\" }, \"expect\": { \"bytes\": 15 } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 5, \"count\": 2,\n"
    "      \"expect\": { \"data\": { \"text\": \"hellohello\" } } },\n"
    "    { \"socket\": \"client\", \"call\": \"shutdown\", \"how\": \"write\" },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 2, \"until\": \"eof\",\n"
    "      \"expect\": { \"contains\": { \"text\": \"ell\" }, \"bytes\": 5 } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"expect\": { \"bytes\": 0 } }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;
  guint n_sent = 0;
  guint n_received = 0;

  sp_player_set_reads_in_thread (player, in_thread);
  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 9);
  for (guint i = 0; i < 9; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_true (recorder.all_passed);

  /* Each underlying call is its own event. */
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (sp_event_get_kind (event) == SP_EVENT_SENT && sp_event_get_step (event) == 4)
        n_sent++;
      if (sp_event_get_kind (event) == SP_EVENT_RECEIVED && sp_event_get_step (event) == 7)
        n_received++;
    }
  g_assert_cmpuint (n_sent, ==, 3);
  /* "lo" arrives as 2 + 2 + 1 bytes, then end of file. */
  g_assert_cmpuint (n_received, ==, 4);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_repeats (void)
{
  run_repeats (FALSE);
}

/* The same calls, made on the I/O thread, come to the same results. */
static void
test_repeats_in_thread (void)
{
  run_repeats (TRUE);
}

typedef struct
{
  guint16 port;
  guint   n;
} Trickle;

/* Datagrams a millisecond apart from another thread, as a peer sends. */
static gpointer
trickle_datagrams (gpointer data)
{
  Trickle *trickle = data;
  struct sockaddr_in to = {
    .sin_family = AF_INET,
    .sin_port = htons (trickle->port),
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  g_assert_no_errno (fd);
  for (guint i = 0; i < trickle->n; i++)
    {
      g_autofree char *text = g_strdup_printf ("datagram %03u", i);

      g_assert_no_errno (sendto (fd, text, strlen (text), 0, (struct sockaddr *) &to,
                                 sizeof to));
      g_usleep (1000);
    }
  close (fd);
  return NULL;
}

/* A repeated recvfrom keeps every datagram of a peer while the main loop
 * is busy (a window drawing): its calls are made on the I/O thread. With
 * a small receive buffer the socket holds a few dozen datagrams, 40 ms of
 * them, time enough for the I/O thread on a loaded machine; a receive made
 * from the busy loop would lose most of the rest. */
static void
test_busy_loop_loses_nothing (void)
{
  const guint n = 400;
  g_autofree char *json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"rx\", \"family\": \"inet\", \"type\": \"dgram\",\n"
    "                   \"address\": \"127.0.0.1\", \"port\": 0,\n"
    "                   \"options\": { \"SO_RCVBUF\": 16384 } } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"rx\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"rx\", \"call\": \"recvfrom\", \"count\": %u, \"timeout-ms\": 5000 },\n"
    "    { \"socket\": \"rx\", \"call\": \"close\" }\n"
    "  ] }\n", n);
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  gpointer receive_started[2] = { NULL, GINT_TO_POINTER (1) };
  Trickle trickle = { .n = n };
  Recorder recorder;
  GThread *sender;
  guint n_received = 0;

  sp_player_set_reads_in_thread (player, TRUE);
  recorder_init (&recorder, player);
  receive_started[0] = &recorder;
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (step_has_started, receive_started, GUARD_MS));
  trickle.port = sp_test_listener_port (sp_player_lookup_socket (player, "rx"));

  /* The loop stands still while all of them are sent, and longer. */
  sender = g_thread_new ("trickle", trickle_datagrams, &trickle);
  g_usleep ((n + 200) * 1000);

  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_thread_join (sender);
  g_assert_true (recorder.all_passed);
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (sp_event_get_kind (event) == SP_EVENT_RECEIVED)
        {
          g_autofree char *text = g_strdup_printf ("datagram %03u", n_received);

          assert_payload (event, text);
          n_received++;
        }
    }
  g_assert_cmpuint (n_received, ==, n);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Closed while its calls wait on the I/O thread, a recv fails with EBADF
 * after what it received, as a blocked call would. */
static void
test_close_while_reading_in_thread (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"rx\", \"family\": \"inet\", \"type\": \"dgram\",\n"
    "                   \"address\": \"127.0.0.1\", \"port\": 0 } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"rx\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"rx\", \"call\": \"recvfrom\", \"count\": 10, \"timeout-ms\": 5000 }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  gpointer receive_started[2] = { NULL, GINT_TO_POINTER (1) };
  Trickle trickle = { .n = 3 };
  Recorder recorder;
  GThread *sender;
  SpSocket *rx;
  g_autoptr(GError) error = NULL;
  guint n = 0;
  g_autoptr(SpEvent) last = NULL;

  sp_player_set_reads_in_thread (player, TRUE);
  recorder_init (&recorder, player);
  receive_started[0] = &recorder;
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (step_has_started, receive_started, GUARD_MS));
  rx = sp_player_lookup_socket (player, "rx");
  trickle.port = sp_test_listener_port (rx);
  sender = g_thread_new ("trickle", trickle_datagrams, &trickle);
  g_thread_join (sender);
  /* Taken by the I/O thread, not yet handed over: no loop turned. */
  g_usleep (100 * 1000);

  g_assert_true (sp_socket_close (rx, &error));
  g_assert_no_error (error);
  n = sp_traffic_log_get_n_appended (log);
  g_assert_cmpuint (n, >=, 5);
  last = sp_traffic_log_get_event (log, n - 1);
  g_assert_cmpint (sp_event_get_call (last), ==, SP_CALL_CLOSE);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, n - 5 + i);
      g_autofree char *text = g_strdup_printf ("datagram %03u", i);

      g_assert_cmpint (sp_event_get_kind (event), ==, SP_EVENT_RECEIVED);
      assert_payload (event, text);
    }
  {
    g_autoptr(SpEvent) failed = sp_traffic_log_get_event (log, n - 2);

    g_assert_cmpint (sp_event_get_call (failed), ==, SP_CALL_RECVFROM);
    g_assert_cmpint (sp_event_get_error_code (failed), ==, EBADF);
  }

  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_unix_session (void)
{
  g_autofree char *name = g_strdup_printf ("@sp-test-player-%d", (int) getpid ());
  g_autofree char *json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"family\": \"unix\", \"address\": \"%s\" },\n"
    "                 { \"id\": \"client\", \"family\": \"unix\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n"
    "    { \"socket\": \"client\", \"call\": \"sendall\",\n"
    "      \"data\": { \"text\": \"over unix\" } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\",\n"
    "      \"expect\": { \"data\": { \"text\": \"over unix\" } } },\n"
    "    { \"socket\": \"client\", \"call\": \"getpeername\" },\n"
    "    { \"socket\": \"client\", \"call\": \"close\" },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"until\": \"eof\" }\n"
    "  ] }\n", name);
  g_autofree char *bound = NULL;
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpEvent) peer = NULL;
  SpSocket *server;
  Recorder recorder;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 9);
  g_assert_true (recorder.all_passed);

  server = sp_player_lookup_socket (player, "server");
  bound = sp_endpoint_format (sp_socket_get_local_address (server));
  g_assert_cmpstr (bound, ==, name);
  peer = sp_test_find_event (log, "client", SP_EVENT_CALL, SP_CALL_GETPEERNAME);
  g_assert_nonnull (peer);
  assert_contains (sp_event_get_detail (peer), name + 1);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Item 7 of the by-hand report: a UNIX accept failed with ETIMEDOUT long
 * before its timeout-ms. An accept on an abstract name waits its own
 * timeout, replayed or performed, no less and not much more. */
static void
assert_accept_waited (Recorder     *recorder,
                      SpTrafficLog *log,
                      guint         n_started,
                      guint         timeout_ms)
{
  StepResult *result = result_at (recorder, recorder->results->len - 1);
  gint64 waited_ms = (result->time_us -
                      g_array_index (recorder->started_us, gint64, n_started - 1)) / 1000;
  g_autofree char *detail = g_strdup_printf ("no answer within %u ms", timeout_ms);
  g_autoptr(SpEvent) timeout = NULL;

  g_test_message ("accept waited %" G_GINT64_FORMAT " ms of %u", waited_ms, timeout_ms);
  g_assert_false (result->passed);
  g_assert_cmpint (result->step->call, ==, SP_CALL_ACCEPT);
  assert_contains (result->message, "ETIMEDOUT");
  g_assert_cmpint (waited_ms, >=, timeout_ms);
  g_assert_cmpint (waited_ms, <, timeout_ms + 1000);

  sp_traffic_log_flush (log);
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (log)); i > 0 && timeout == NULL; i--)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (log), i - 1);

      if (sp_event_get_call (event) == SP_CALL_ACCEPT && sp_event_get_error_code (event) != 0)
        timeout = g_steal_pointer (&event);
    }
  g_assert_nonnull (timeout);
  g_assert_cmpint (sp_event_get_error_code (timeout), ==, ETIMEDOUT);
  g_assert_cmpstr (sp_event_get_detail (timeout), ==, detail);
}

static void
test_unix_accept_timeout (void)
{
  g_autofree char *name = g_strdup_printf ("@sp-test-player-timeout-%d", (int) getpid ());
  g_autofree char *json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"family\": \"unix\", \"address\": \"%s\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"timeout-ms\": 2500 }\n"
    "  ] }\n", name);
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpStep) accept = sp_step_new ("server", SP_CALL_ACCEPT);
  Recorder recorder;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 3);
  assert_accept_waited (&recorder, log, 3, 2500);

  /* As the window's accept button makes it. */
  accept->as = g_strdup ("conn");
  accept->timeout_ms = 2000;
  sp_player_perform (player, accept);
  wait_results (&recorder, 4);
  assert_accept_waited (&recorder, log, 4, 2000);
  assert_contains (result_at (&recorder, 3)->message, "step 4 (server accept)");

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_restart (void)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *json = g_strdup_printf (ECHO_SESSION, port, "Hello World");
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpSocket) server = NULL;
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  Recorder recorder;

  recorder_init (&recorder, player);

  /* One step at a time: bind, listen, connect, accept. */
  for (guint i = 0; i < 4; i++)
    {
      sp_player_step (player);
      wait_results (&recorder, i + 1);
      g_assert_true (result_at (&recorder, i)->passed);
      g_assert_cmpuint (sp_player_get_position (player), ==, i + 1);
    }
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.results->len, ==, 4);
  g_assert_cmpuint (recorder.n_finished, ==, 0);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_IDLE);

  server = g_object_ref (sp_player_lookup_socket (player, "server"));
  client = g_object_ref (sp_player_lookup_socket (player, "client"));
  conn = g_object_ref (sp_player_lookup_socket (player, "conn"));
  g_assert_cmpint (sp_socket_get_state (server), ==, SP_STATE_LISTENING);
  g_assert_cmpuint (sp_traffic_log_get_n_appended (log), >, 0);

  sp_player_restart (player);

  /* Everything is closed and forgotten, the log is empty. */
  g_assert_cmpint (sp_socket_get_fd (server), ==, -1);
  g_assert_cmpint (sp_socket_get_fd (client), ==, -1);
  g_assert_cmpint (sp_socket_get_fd (conn), ==, -1);
  g_assert_cmpint (sp_socket_get_state (server), ==, SP_STATE_CLOSED);
  g_assert_cmpuint (g_list_model_get_n_items (sp_player_get_sockets (player)), ==, 0);
  g_assert_null (sp_player_lookup_socket (player, "server"));
  g_assert_null (sp_player_lookup_socket (player, "conn"));
  g_assert_cmpuint (sp_traffic_log_get_n_appended (log), ==, 0);
  sp_traffic_log_flush (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (sp_player_get_position (player), ==, 0);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_IDLE);
  g_assert_cmpuint (sp_player_get_n_failed (player), ==, 0);

  /* The same fixed port binds again: the old listener is really gone. */
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 14);
  for (guint i = 4; i < 14; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_true (recorder.all_passed);
  g_assert_true (sp_player_lookup_socket (player, "server") != server);

  recorder_clear (&recorder);
  /* conn holds its listener. */
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&server));
  g_assert_finalize_object (g_steal_pointer (&client));
  finalize_player (player, log);
}

static gboolean
step_has_started (gpointer data)
{
  gpointer *pair = data;
  Recorder *recorder = pair[0];
  int entry = GPOINTER_TO_INT (pair[1]) + 1;

  for (guint i = 0; i < recorder->sequence->len; i++)
    if (g_array_index (recorder->sequence, int, i) == entry)
      return TRUE;
  return FALSE;
}

static void
test_restart_while_waiting (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"timeout-ms\": 300 }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  gpointer accept_started[2] = { NULL, GINT_TO_POINTER (2) };
  Recorder recorder;

  recorder_init (&recorder, player);
  accept_started[0] = &recorder;
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (step_has_started, accept_started, GUARD_MS));
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);

  /* The waiting accept is abandoned: its answer must not be reported. */
  sp_player_restart (player);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_IDLE);
  sp_test_iterate_for (500);
  g_assert_cmpuint (count_results_for (&recorder, 2), ==, 0);
  g_assert_cmpuint (recorder.n_finished, ==, 0);

  /* A fresh run gets as far as the accept again, which times out. */
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  sp_test_iterate_for (100);
  g_assert_cmpuint (count_results_for (&recorder, 2), ==, 1);
  g_assert_false (result_for (&recorder, 2)->passed);
  assert_contains (result_for (&recorder, 2)->message, "ETIMEDOUT");

  recorder_clear (&recorder);
  finalize_player (player, log);
}

typedef struct
{
  guint  ticks;
  guint  ticks_at_accept_end;
  guint  id;
} Ticker;

static gboolean
on_ten_ms (gpointer user_data)
{
  Ticker *ticker = user_data;

  ticker->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
on_accept_finished (SpPlayer   *player,
                    guint       index,
                    gboolean    passed,
                    const char *message,
                    SpStep     *step,
                    Ticker     *ticker)
{
  if (index == 2)
    ticker->ticks_at_accept_end = ticker->ticks;
}

/* The product requires it: a step that waits does not block the loop. */
static void
test_non_blocking (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"timeout-ms\": 1000 }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Ticker ticker = { 0 };
  Recorder recorder;
  StepResult *result;
  gint64 waited_ms;

  recorder_init (&recorder, player);
  g_signal_connect (player, "step-finished", G_CALLBACK (on_accept_finished), &ticker);
  ticker.id = g_timeout_add (10, on_ten_ms, &ticker);

  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_clear_handle_id (&ticker.id, g_source_remove);

  result = result_for (&recorder, 2);
  g_assert_nonnull (result);
  g_assert_false (result->passed);
  assert_contains (result->message, "ETIMEDOUT");
  waited_ms = (result->time_us - g_array_index (recorder.started_us, gint64, 2)) / 1000;
  g_test_message ("accept waited %" G_GINT64_FORMAT " ms, the 10 ms timer ran %u times",
                  waited_ms, ticker.ticks_at_accept_end);
  g_assert_cmpint (waited_ms, >=, 1000);
  g_assert_cmpuint (ticker.ticks_at_accept_end, >=, 50);

  g_signal_handlers_disconnect_by_data (player, &ticker);
  recorder_clear (&recorder);
  finalize_player (player, log);
}

#define NOTES_SESSION \
  SESSION_HEAD \
  "  \"steps\": [\n" \
  "    { \"call\": \"note\", \"text\": \"zero\" },\n" \
  "    { \"call\": \"note\", \"text\": \"one\" },\n" \
  "    { \"call\": \"note\", \"text\": \"two\" },\n" \
  "    { \"call\": \"note\", \"text\": \"three\" },\n" \
  "    { \"call\": \"note\", \"text\": \"four\" }\n" \
  "  ] }\n"

static void
test_step_delay (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (NOTES_SESSION, &log);
  Recorder recorder;
  gint64 begin;

  recorder_init (&recorder, player);
  sp_player_set_step_delay (player, 200);
  begin = g_get_monotonic_time ();
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));

  g_assert_true (recorder.all_passed);
  g_assert_cmpuint (recorder.started_us->len, ==, 5);
  for (guint i = 1; i < 5; i++)
    {
      gint64 gap_ms = (g_array_index (recorder.started_us, gint64, i) -
                       g_array_index (recorder.started_us, gint64, i - 1)) / 1000;

      g_assert_cmpint (gap_ms, >=, 190);
      g_assert_cmpint (gap_ms, <, 2000);
    }
  g_assert_cmpint ((recorder.finished_us - begin) / 1000, >=, 4 * 190);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_pause (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (NOTES_SESSION, &log);
  gpointer third_started[2] = { NULL, GINT_TO_POINTER (2) };
  Recorder recorder;

  recorder_init (&recorder, player);
  recorder.pause_after = 1;
  third_started[0] = &recorder;
  sp_player_set_step_delay (player, 50);
  sp_player_run (player);

  /* Paused after step 1: nothing more runs, however long we wait. */
  g_assert_false (sp_test_iterate_until (step_has_started, third_started, 500));
  g_assert_cmpuint (recorder.results->len, ==, 2);
  g_assert_cmpuint (sp_player_get_position (player), ==, 2);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_IDLE);
  g_assert_cmpuint (recorder.n_finished, ==, 0);

  /* Running again carries on where it stopped. */
  recorder.pause_after = G_MAXUINT;
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (result_at (&recorder, i)->index, ==, i);
  g_assert_true (recorder.all_passed);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_single_step (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (NOTES_SESSION, &log);
  g_autoptr(SpEvent) note = NULL;
  Recorder recorder;

  recorder_init (&recorder, player);
  for (guint i = 0; i < 5; i++)
    {
      sp_player_step (player);
      wait_results (&recorder, i + 1);
      sp_test_iterate_for (30);
      /* One step per call, never more. */
      g_assert_cmpuint (recorder.results->len, ==, i + 1);
      g_assert_cmpuint (sp_player_get_position (player), ==, i + 1);
      g_assert_cmpuint (recorder.n_finished, ==, i == 4 ? 1 : 0);
    }

  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_FINISHED);
  note = sp_test_find_event (log, NULL, SP_EVENT_NOTE, SP_CALL_NOTE);
  g_assert_nonnull (note);
  g_assert_cmpstr (sp_event_get_detail (note), ==, "four");
  g_assert_cmpint (sp_event_get_step (note), ==, 4);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_perform (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 } ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  SpSession *session = sp_player_get_session (player);
  g_autoptr(SpStep) bind = sp_step_new ("server", SP_CALL_BIND);
  g_autoptr(SpStep) listen = sp_step_new ("server", SP_CALL_LISTEN);
  g_autoptr(SpStep) ghost = sp_step_new ("ghost", SP_CALL_LISTEN);
  Recorder recorder;
  StepResult *result;

  recorder_init (&recorder, player);
  g_assert_cmpuint (sp_session_get_n_steps (session), ==, 0);

  /* A click: the step joins the session and runs at once. */
  sp_player_perform (player, bind);
  wait_results (&recorder, 1);
  g_assert_cmpuint (sp_session_get_n_steps (session), ==, 1);
  g_assert_true (sp_session_get_step (session, 0) == bind);
  g_assert_true (result_at (&recorder, 0)->passed);

  sp_player_perform (player, listen);
  wait_results (&recorder, 2);
  g_assert_cmpuint (sp_session_get_n_steps (session), ==, 2);
  g_assert_cmpuint (result_at (&recorder, 1)->index, ==, 1);
  g_assert_true (result_at (&recorder, 1)->passed);
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (player, "server")), ==,
                   SP_STATE_LISTENING);

  /* A socket nobody configured: the message names the field and the id. */
  sp_player_perform (player, ghost);
  wait_results (&recorder, 3);
  result = result_at (&recorder, 2);
  g_assert_false (result->passed);
  assert_contains (result->message, "step 3 (ghost listen)");
  assert_contains (result->message, "socket:");
  assert_contains (result->message, "ghost");

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* While accept waits, a click on the same socket waits its turn; a step
 * that needs no socket runs at once and is recorded first, because it
 * finished first. */
static void
test_perform_while_waiting (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  SpSession *session = sp_player_get_session (player);
  g_autoptr(SpStep) accept = sp_step_new ("server", SP_CALL_ACCEPT);
  g_autoptr(SpStep) getsockname = sp_step_new ("server", SP_CALL_GETSOCKNAME);
  g_autoptr(SpStep) note = sp_step_new (NULL, SP_CALL_NOTE);
  SpTestCount all_done = { NULL, 5 };
  Recorder recorder;

  recorder_init (&recorder, player);
  all_done.count = &recorder.results->len;
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));

  accept->timeout_ms = 200;
  note->text = g_strdup ("clicked while accept waited");
  sp_player_perform (player, accept);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);
  sp_player_perform (player, getsockname);
  sp_player_perform (player, note);
  g_assert_cmpuint (sp_session_get_n_steps (session), ==, 5);

  /* The note is done before the accept times out. */
  g_assert_cmpuint (recorder.results->len, ==, 3);
  g_assert_cmpuint (result_at (&recorder, 2)->index, ==, 2);
  g_assert_true (sp_session_get_step (session, 2) == note);
  g_assert_true (sp_session_get_step (session, 3) == accept);

  g_assert_true (sp_test_iterate_until (sp_test_count_reached, &all_done, 3000));
  assert_contains (result_at (&recorder, 3)->message, "ETIMEDOUT");
  g_assert_cmpuint (result_at (&recorder, 3)->index, ==, 3);
  g_assert_true (result_at (&recorder, 4)->passed);
  g_assert_cmpuint (result_at (&recorder, 4)->index, ==, 4);
  g_assert_true (sp_session_get_step (session, 4) == getsockname);
  g_assert_cmpuint (sp_player_get_position (player), ==, 5);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_FINISHED);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static guint
count_events_of_step (SpTrafficLog *log,
                      SpCall        call,
                      int           step)
{
  guint n = 0;

  sp_traffic_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (sp_event_get_kind (event) == SP_EVENT_CALL && sp_event_get_call (event) == call &&
          sp_event_get_step (event) == step)
        n++;
    }

  return n;
}

/* The order a person clicks in: accept first, then the client connects.
 * Both finish, the session records connect before accept, and the saved
 * session replays one step at a time to the same result. */
static void
test_perform_concurrently (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                { \"id\": \"client\" } ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  SpSession *session = sp_player_get_session (player);
  const SpCall calls[] = { SP_CALL_BIND, SP_CALL_LISTEN, SP_CALL_ACCEPT };
  g_autoptr(SpStep) connect = sp_step_new ("client", SP_CALL_CONNECT);
  g_autoptr(SpSession) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *saved = NULL;
  SpTrafficLog *replay_log = NULL;
  SpPlayer *replay;
  Recorder recorder;

  recorder_init (&recorder, player);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(SpStep) step = sp_step_new ("server", calls[i]);

      if (calls[i] == SP_CALL_ACCEPT)
        step->as = g_strdup ("conn");
      sp_player_perform (player, step);
    }
  /* bind and listen are done; accept waits. */
  wait_results (&recorder, 2);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);

  connect->to = g_strdup ("server");
  sp_player_perform (player, connect);
  wait_results (&recorder, 4);

  for (guint i = 0; i < 4; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_true (sp_session_get_step (session, 2) == connect);
  g_assert_cmpint (sp_session_get_step (session, 3)->call, ==, SP_CALL_ACCEPT);
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (player, "conn")), ==,
                   SP_STATE_CONNECTED);
  /* The logged events moved with their steps. */
  g_assert_cmpuint (count_events_of_step (log, SP_CALL_CONNECT, 2), ==, 1);
  g_assert_cmpuint (count_events_of_step (log, SP_CALL_ACCEPT, 3), ==, 1);

  saved = sp_session_to_data (session, NULL);
  reloaded = sp_session_new_from_data (saved, -1, "saved", &error);
  g_assert_no_error (error);
  recorder_clear (&recorder);
  finalize_player (player, log);

  replay_log = sp_traffic_log_new ();
  replay = sp_player_new (reloaded, replay_log);
  recorder_init (&recorder, replay);
  sp_player_run (replay);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_true (sp_player_get_all_passed (replay));
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (replay, "conn")), ==,
                   SP_STATE_CONNECTED);

  recorder_clear (&recorder);
  finalize_player (replay, replay_log);
}

/* A performed step moves when it finishes: the accept that started as
 * step 2 finishes as step 3, after the connect performed later. The SpStep
 * in the signals is what stays the same. */
static void
test_signals_carry_step (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                { \"id\": \"client\" } ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  SpSession *session = sp_player_get_session (player);
  g_autoptr(SpStep) bind = sp_step_new ("server", SP_CALL_BIND);
  g_autoptr(SpStep) listen = sp_step_new ("server", SP_CALL_LISTEN);
  g_autoptr(SpStep) accept = sp_step_new ("server", SP_CALL_ACCEPT);
  g_autoptr(SpStep) connect = sp_step_new ("client", SP_CALL_CONNECT);
  Recorder recorder;
  StepResult *result;

  recorder_init (&recorder, player);
  accept->as = g_strdup ("conn");
  sp_player_perform (player, bind);
  sp_player_perform (player, listen);
  sp_player_perform (player, accept);
  wait_results (&recorder, 2);

  /* accept waits, announced as step 2. */
  g_assert_cmpuint (recorder.started->len, ==, 3);
  g_assert_true (g_ptr_array_index (recorder.started, 2) == accept);
  g_assert_cmpint (g_array_index (recorder.sequence, int, recorder.sequence->len - 1), ==, 2 + 1);

  connect->to = g_strdup ("server");
  sp_player_perform (player, connect);
  g_assert_true (g_ptr_array_index (recorder.started, 3) == connect);
  g_assert_cmpint (g_array_index (recorder.sequence, int, recorder.sequence->len - 1), ==, 3 + 1);
  wait_results (&recorder, 4);

  /* connect finished first and took place 2; accept finished as step 3. */
  result = result_at (&recorder, 2);
  g_assert_true (result->step == connect);
  g_assert_cmpuint (result->index, ==, 2);
  result = result_at (&recorder, 3);
  g_assert_true (result->passed);
  g_assert_true (result->step == accept);
  g_assert_cmpuint (result->index, ==, 3);
  g_assert_true (sp_session_get_step (session, 3) == accept);

  /* Moving steps that ran to the position leaves nothing stale. */
  g_assert_cmpuint (sp_player_get_position (player), ==, 4);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 0);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
on_notify_count (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

static SpStep *
note_step (const char *text)
{
  SpStep *step = sp_step_new (NULL, SP_CALL_NOTE);

  step->text = g_strdup (text);
  return step;
}

/* What the steps panel does to a step that ran: it edits it (a new object
 * in its place), or inserts and deletes steps before the position. */
static void
test_stale_steps (void)
{
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (NOTES_SESSION, &log);
  SpSession *session = sp_player_get_session (player);
  g_autoptr(SpStep) original = NULL;
  g_autoptr(SpStep) edited = NULL;
  g_autoptr(SpStep) inserted = note_step ("inserted");
  g_autoptr(SpStep) appended = note_step ("appended");
  guint n_notified = 0;
  Recorder recorder;

  recorder_init (&recorder, player);
  g_signal_connect (player, "notify::n-stale", G_CALLBACK (on_notify_count), &n_notified);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_cmpuint (sp_player_get_position (player), ==, 5);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 0);
  g_assert_cmpuint (n_notified, ==, 0);
  for (guint i = 0; i < 5; i++)
    g_assert_true (sp_player_step_has_run (player, sp_session_get_step (session, i)));

  /* An edit: the ran step is replaced by one that has not run. */
  original = g_object_ref (sp_session_get_step (session, 2));
  edited = sp_step_copy (original);
  g_free (edited->text);
  edited->text = g_strdup ("two, edited");
  sp_session_remove_step (session, 2);
  sp_session_insert_step (session, 2, edited);
  g_assert_false (sp_player_step_has_run (player, edited));
  g_assert_true (sp_player_step_has_run (player, original));
  g_assert_cmpuint (sp_player_get_position (player), ==, 5);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 1);
  g_assert_cmpuint (n_notified, ==, 1);

  /* Inserted before the position, then deleted again. */
  sp_session_insert_step (session, 0, inserted);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 2);
  sp_session_remove_step (session, 0);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 1);
  g_assert_cmpuint (n_notified, ==, 3);

  /* A step after the position changes nothing before it, and running it
   * leaves the count as it was. */
  sp_session_insert_step (session, 5, appended);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 1);
  sp_player_step (player);
  wait_results (&recorder, 6);
  g_assert_true (sp_player_step_has_run (player, appended));
  g_assert_cmpuint (sp_player_get_position (player), ==, 6);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 1);
  g_assert_cmpuint (n_notified, ==, 3);

  /* A restart forgets what ran; running again runs the steps as they are. */
  sp_player_restart (player);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 0);
  g_assert_cmpuint (n_notified, ==, 4);
  g_assert_false (sp_player_step_has_run (player, original));
  g_assert_false (sp_player_step_has_run (player, appended));
  recorder.n_finished = 0;
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_cmpuint (sp_player_get_position (player), ==, 6);
  g_assert_cmpuint (sp_player_get_n_stale (player), ==, 0);
  g_assert_true (sp_player_step_has_run (player, edited));

  g_signal_handlers_disconnect_by_data (player, &n_notified);
  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* The same with every call a button makes, socket() included: the client's
 * socket() finishes while accept waits, and accept still sees the connect. */
static void
test_perform_with_socket_calls (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                { \"id\": \"client\" } ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  const SpCall calls[] = { SP_CALL_SOCKET, SP_CALL_BIND, SP_CALL_LISTEN, SP_CALL_ACCEPT };
  g_autoptr(SpStep) client_socket = sp_step_new ("client", SP_CALL_SOCKET);
  g_autoptr(SpStep) connect = sp_step_new ("client", SP_CALL_CONNECT);
  Recorder recorder;

  recorder_init (&recorder, player);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autoptr(SpStep) step = sp_step_new ("server", calls[i]);

      if (calls[i] == SP_CALL_ACCEPT)
        {
          step->as = g_strdup ("conn");
          step->timeout_ms = 5000;
        }
      sp_player_perform (player, step);
    }
  wait_results (&recorder, 3);

  sp_player_perform (player, client_socket);
  wait_results (&recorder, 4);
  g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);

  connect->to = g_strdup ("server");
  sp_player_perform (player, connect);
  wait_results (&recorder, 6);

  for (guint i = 0; i < 6; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (player, "conn")), ==,
                   SP_STATE_CONNECTED);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* interval-ms spaces the repeats of a send. */
static void
test_send_interval (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"a\", \"type\": \"dgram\", \"address\": \"127.0.0.1\",\n"
    "                  \"port\": 0 },\n"
    "                { \"id\": \"b\", \"type\": \"dgram\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"a\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"b\", \"call\": \"sendto\", \"to\": \"a\", \"count\": 3,\n"
    "      \"interval-ms\": 150, \"data\": { \"text\": \"tick\" } }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  gint64 first = -1;
  gint64 last = -1;
  guint n_sent = 0;
  Recorder recorder;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_true (sp_player_get_all_passed (player));

  sp_traffic_log_flush (log);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (log)); i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (sp_event_get_kind (event) != SP_EVENT_SENT)
        continue;
      if (first < 0)
        first = sp_event_get_time_us (event);
      last = sp_event_get_time_us (event);
      n_sent++;
    }

  g_assert_cmpuint (n_sent, ==, 3);
  g_assert_cmpint (last - first, >=, 2 * 150 * 1000);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static gboolean
resolves_to_loopback (const char *name)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  GList *addresses = g_resolver_lookup_by_name (resolver, name, NULL, NULL);
  gboolean found = FALSE;

  for (GList *l = addresses; l != NULL; l = l->next)
    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4 &&
        g_inet_address_get_is_loopback (l->data))
      found = TRUE;

  g_resolver_free_addresses (addresses);
  return found;
}

static void
test_host_names (void)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"localhost\", \"port\": %u },\n"
    "                 { \"id\": \"client\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"localhost\",\n"
    "      \"port\": %u }\n"
    "  ] }\n", port, port);
  g_autofree char *expected = g_strdup_printf ("127.0.0.1:%u", port);
  g_autofree char *bound = NULL;
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  const char *host = g_get_host_name ();
  SpSocket *server;
  Recorder recorder;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_true (recorder.all_passed);
  server = sp_player_lookup_socket (player, "server");
  bound = sp_endpoint_format (sp_socket_get_local_address (server));
  g_assert_cmpstr (bound, ==, expected);
  recorder_clear (&recorder);
  finalize_player (player, log);

  /* A name that needs the resolver: the step ends later, not inside the
   * call that started it. */
  if (!resolves_to_loopback (host))
    {
      g_test_message ("%s does not resolve to 127.0.0.0/8 here; skipped that part", host);
      return;
    }

  {
    g_autofree char *by_name = g_strdup_printf (
      SESSION_HEAD
      "  \"sockets\": [ { \"id\": \"server\", \"address\": \"%s\", \"port\": 0 } ],\n"
      "  \"steps\": [ { \"socket\": \"server\", \"call\": \"bind\" } ] }\n", host);
    GSocketAddress *local;

    player = new_player (by_name, &log);
    recorder_init (&recorder, player);
    sp_player_step (player);
    g_assert_cmpuint (recorder.results->len, ==, 0);
    g_assert_cmpint (sp_player_get_state (player), ==, SP_PLAYER_RUNNING);
    wait_results (&recorder, 1);
    g_assert_true (result_at (&recorder, 0)->passed);
    local = sp_socket_get_local_address (sp_player_lookup_socket (player, "server"));
    g_assert_nonnull (local);
    g_assert_true (sp_endpoint_is_loopback (local));
    recorder_clear (&recorder);
    finalize_player (player, log);
  }
}

static void
test_host_lookups (void)
{
  const char *json =
    SESSION_HEAD
    "  \"steps\": [\n"
    "    { \"call\": \"gethostname\" },\n"
    "    { \"call\": \"gethostbyname\", \"host\": \"localhost\" },\n"
    "    { \"call\": \"getaddrinfo\", \"host\": \"localhost\" }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpEvent) hostname = NULL;
  g_autoptr(SpEvent) byname = NULL;
  g_autoptr(SpEvent) addrinfo = NULL;
  Recorder recorder;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  g_assert_true (recorder.all_passed);
  g_assert_cmpuint (recorder.results->len, ==, 3);

  hostname = sp_test_find_event (log, NULL, SP_EVENT_CALL, SP_CALL_GETHOSTNAME);
  g_assert_nonnull (hostname);
  g_assert_true (sp_event_get_ok (hostname));
  g_assert_cmpstr (sp_event_get_detail (hostname), ==, g_get_host_name ());
  g_assert_cmpint (sp_event_get_step (hostname), ==, 0);

  byname = sp_test_find_event (log, NULL, SP_EVENT_CALL, SP_CALL_GETHOSTBYNAME);
  g_assert_nonnull (byname);
  g_assert_true (sp_event_get_ok (byname));
  g_assert_cmpstr (sp_event_get_args (byname), ==, "'localhost'");
  g_assert_true (g_str_has_prefix (sp_event_get_detail (byname), "127."));
  g_assert_cmpint (sp_event_get_step (byname), ==, 1);

  addrinfo = sp_test_find_event (log, NULL, SP_EVENT_CALL, SP_CALL_GETADDRINFO);
  g_assert_nonnull (addrinfo);
  assert_contains (sp_event_get_detail (addrinfo), "(AF_INET, '127.");

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_sleep_and_note (void)
{
  const char *json =
    SESSION_HEAD
    "  \"steps\": [\n"
    "    { \"call\": \"note\", \"text\": \"before the pause\" },\n"
    "    { \"call\": \"sleep\", \"ms\": 300 },\n"
    "    { \"call\": \"note\", \"text\": \"after the pause\" }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  g_autoptr(SpEvent) note = NULL;
  Ticker ticker = { 0 };
  Recorder recorder;
  gint64 slept_ms;

  recorder_init (&recorder, player);
  ticker.id = g_timeout_add (10, on_ten_ms, &ticker);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_clear_handle_id (&ticker.id, g_source_remove);

  g_assert_true (recorder.all_passed);
  slept_ms = (result_at (&recorder, 1)->time_us - g_array_index (recorder.started_us, gint64, 1))
             / 1000;
  g_assert_cmpint (slept_ms, >=, 300);
  g_assert_cmpint (slept_ms, <, 3000);
  /* The sleep is a timer, not a blocked loop. */
  g_assert_cmpuint (ticker.ticks, >=, 15);

  note = sp_test_find_event (log, NULL, SP_EVENT_NOTE, SP_CALL_NOTE);
  g_assert_nonnull (note);
  g_assert_cmpstr (sp_event_get_detail (note), ==, "after the pause");
  g_assert_cmpint (sp_event_get_step (note), ==, 2);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

typedef struct
{
  SpState  server2_state;
  gboolean saw;
} FinishedCheck;

static void
on_serve_session_finished (SpPlayer      *player,
                           gboolean       all_passed,
                           FinishedCheck *check)
{
  SpSocket *served = sp_player_lookup_socket (player, "server-2");

  check->saw = TRUE;
  check->server2_state = served != NULL ? sp_socket_get_state (served) : SP_STATE_UNCREATED;
}

#define SERVE_SESSION \
  SESSION_HEAD \
  "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n" \
  "                 { \"id\": \"one\" }, { \"id\": \"two\" } ],\n" \
  "  \"steps\": [\n" \
  "    { \"socket\": \"server\", \"call\": \"bind\" },\n" \
  "    { \"socket\": \"server\", \"call\": \"listen\" },\n" \
  "    { \"socket\": \"server\", \"call\": \"serve\", \"mode\": \"echo\", \"connections\": 2,\n" \
  "      \"timeout-ms\": %u },\n" \
  "    { \"socket\": \"one\", \"call\": \"connect\", \"to\": \"server\" },\n" \
  "    { \"socket\": \"one\", \"call\": \"sendall\", \"data\": { \"text\": \"first\" } },\n" \
  "    { \"socket\": \"one\", \"call\": \"recv\",\n" \
  "      \"expect\": { \"data\": { \"text\": \"first\" } } },\n" \
  "    { \"socket\": \"one\", \"call\": \"close\" }\n" \
  "%s" \
  "  ] }\n"

#define SECOND_CLIENT \
  "   ,{ \"socket\": \"two\", \"call\": \"connect\", \"to\": \"server\" },\n" \
  "    { \"socket\": \"two\", \"call\": \"sendall\",\n" \
  "      \"data\": { \"hex\": \"73 65 63 6f 6e 64\" } },\n" \
  "    { \"socket\": \"two\", \"call\": \"recv\",\n" \
  "      \"expect\": { \"data\": { \"text\": \"second\" } } },\n" \
  "    { \"socket\": \"two\", \"call\": \"close\" }\n"

static void
test_serve_in_session (void)
{
  g_autofree char *json = g_strdup_printf (SERVE_SESSION, 5000, SECOND_CLIENT);
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  FinishedCheck check = { 0 };
  Recorder recorder;

  recorder_init (&recorder, player);
  g_signal_connect (player, "finished", G_CALLBACK (on_serve_session_finished), &check);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  sp_test_iterate_for (50);

  g_assert_cmpuint (recorder.results->len, ==, 11);
  for (guint i = 0; i < 11; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_cmpuint (recorder.n_finished, ==, 1);
  g_assert_true (recorder.all_passed);

  /* "finished" came once the serve was done with its second connection. */
  g_assert_true (check.saw);
  g_assert_cmpint (check.server2_state, ==, SP_STATE_CLOSED);
  g_assert_nonnull (sp_player_lookup_socket (player, "server-1"));
  g_assert_true (recorder.finished_us >= result_at (&recorder, 10)->time_us);

  g_signal_handlers_disconnect_by_data (player, &check);
  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_serve_unfinished (void)
{
  g_autofree char *json = g_strdup_printf (SERVE_SESSION, 400, "");
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;

  /* Every step passes, but the serve never gets its second connection:
   * the session is not over until the serve gives up, and then it failed. */
  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));
  g_assert_cmpuint (recorder.results->len, ==, 7);
  for (guint i = 0; i < 7; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_true (recorder.finished_us - result_at (&recorder, 6)->time_us >= 100 * 1000);
  g_assert_false (recorder.all_passed);
  g_assert_false (sp_player_get_all_passed (player));

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* serve, then close of the same listener: the close waits until the serve
 * has served its three connections, while the clients' steps after it run;
 * it shows as started and not finished all that time. */
static void
test_serve_then_close (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                 { \"id\": \"a\" }, { \"id\": \"b\" }, { \"id\": \"c\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"serve\", \"mode\": \"echo\", \"connections\": 3 },\n"
    "    { \"socket\": \"server\", \"call\": \"close\" },\n"
    "    { \"socket\": \"a\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"b\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"c\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"a\", \"call\": \"sendall\", \"data\": { \"text\": \"one\" } },\n"
    "    { \"socket\": \"b\", \"call\": \"sendall\", \"data\": { \"text\": \"two\" } },\n"
    "    { \"socket\": \"c\", \"call\": \"sendall\", \"data\": { \"text\": \"three\" } },\n"
    "    { \"socket\": \"a\", \"call\": \"recv\",\n"
    "      \"expect\": { \"data\": { \"text\": \"one\" } } },\n"
    "    { \"socket\": \"b\", \"call\": \"recv\",\n"
    "      \"expect\": { \"data\": { \"text\": \"two\" } } },\n"
    "    { \"socket\": \"c\", \"call\": \"recv\",\n"
    "      \"expect\": { \"data\": { \"text\": \"three\" } } },\n"
    "    { \"socket\": \"a\", \"call\": \"close\" },\n"
    "    { \"socket\": \"b\", \"call\": \"close\" },\n"
    "    { \"socket\": \"c\", \"call\": \"close\" }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  SpSession *session = sp_player_get_session (player);
  SpStep *close_step = sp_session_get_step (session, 1);
  StepResult *closed;
  Recorder recorder;
  guint close_started = G_MAXUINT;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));

  g_assert_cmpuint (recorder.results->len, ==, 14);
  for (guint i = 0; i < recorder.results->len; i++)
    g_assert_true (result_at (&recorder, i)->passed);
  g_assert_cmpuint (recorder.n_finished, ==, 1);
  g_assert_true (recorder.all_passed);

  /* The session keeps its order: close is still step 1. */
  g_assert_true (sp_session_get_step (session, 1) == close_step);

  /* close started before the clients, and finished last, after c closed. */
  for (guint i = 0; i < recorder.started->len; i++)
    if (g_ptr_array_index (recorder.started, i) == close_step)
      {
        close_started = i;
        break;
      }
  g_assert_cmpuint (close_started, ==, 1);
  closed = result_at (&recorder, recorder.results->len - 1);
  g_assert_true (closed->step == close_step);
  g_assert_cmpuint (closed->index, ==, 1);
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (player, "server")), ==,
                   SP_STATE_CLOSED);

  /* Every connection was served, and the listener closed only then: no
   * accept failed. */
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("server-%u", i);

      g_assert_nonnull (sp_player_lookup_socket (player, id));
    }
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      g_assert_cmpint (sp_event_get_error_code (event), ==, 0);
    }

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* A close waiting for a serve whose clients never all come runs once the
 * serve's timeout-ms is over; the serve's failure fails the replay. */
static void
test_serve_then_close_times_out (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"server\", \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "                 { \"id\": \"a\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"serve\", \"mode\": \"echo\", \"connections\": 2,\n"
    "      \"timeout-ms\": 300 },\n"
    "    { \"socket\": \"server\", \"call\": \"close\" },\n"
    "    { \"socket\": \"a\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"a\", \"call\": \"close\" }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;
  gint64 started = g_get_monotonic_time ();

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_finished, &recorder, GUARD_MS));

  g_assert_cmpuint (recorder.results->len, ==, 4);
  g_assert_cmpuint (result_at (&recorder, 3)->index, ==, 1);
  g_assert_true (result_at (&recorder, 3)->passed);
  g_assert_true (result_at (&recorder, 3)->time_us - started >= 250 * 1000);
  g_assert_false (recorder.all_passed);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

static void
test_remote_refused (void)
{
  const char *json =
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\" }, { \"id\": \"udp\", \"type\": \"dgram\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"192.0.2.1\",\n"
    "      \"port\": 80 },\n"
    "    { \"socket\": \"udp\", \"call\": \"sendto\", \"address\": \"192.0.2.1\", \"port\": 9,\n"
    "      \"data\": { \"text\": \"never sent\" } }\n"
    "  ] }\n";
  SpTrafficLog *log = NULL;
  SpPlayer *player = new_player (json, &log);
  Recorder recorder;
  StepResult *result;

  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  sp_test_iterate_for (50);

  result = result_for (&recorder, 0);
  g_assert_nonnull (result);
  g_assert_false (result->passed);
  assert_contains (result->message, "--allow-remote");
  assert_contains (result->message, "192.0.2.1");
  /* Refused before the call: no connect was made, nothing is in flight. */
  g_assert_cmpuint (count_calls (log, SP_CALL_CONNECT), ==, 0);
  g_assert_cmpint (sp_socket_get_state (sp_player_lookup_socket (player, "client")), ==,
                   SP_STATE_CREATED);

  /* The same for a datagram, step by step past the failure. */
  sp_player_step (player);
  wait_results (&recorder, 2);
  result = result_for (&recorder, 1);
  g_assert_false (result->passed);
  assert_contains (result->message, "--allow-remote");
  g_assert_cmpuint (count_calls (log, SP_CALL_SENDTO), ==, 0);
  g_assert_null (sp_socket_get_local_address (sp_player_lookup_socket (player, "udp")));

  recorder_clear (&recorder);
  finalize_player (player, log);
}

/* Everything the player waits on should follow the thread-default main
 * context, as SpSocket's sources do. */
static void
test_thread_default_context (void)
{
  const char *json =
    SESSION_HEAD
    "  \"steps\": [ { \"call\": \"note\", \"text\": \"a\" },\n"
    "               { \"call\": \"sleep\", \"ms\": 10 },\n"
    "               { \"call\": \"note\", \"text\": \"b\" } ] }\n";
  g_autoptr(GMainContext) context = g_main_context_new ();
  SpTrafficLog *log = NULL;
  SpPlayer *player;
  Recorder recorder;
  gboolean finished;

  g_main_context_push_thread_default (context);
  player = new_player (json, &log);
  recorder_init (&recorder, player);
  sp_player_run (player);
  finished = sp_test_iterate_until (has_finished, &recorder, 2000);

  /* Steps are scheduled on the thread-default context, like every wait. */
  g_assert_true (finished);

  recorder_clear (&recorder);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_finalize_object (player);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_assert_finalize_object (log);
  g_main_context_pop_thread_default (context);
}

/* recvfrom_into against a UDP peer written in Python: the bytes land in the
 * buffer, and the sender is the peer, as Python's (nbytes, address) says. */
static void
test_recvfrom_into_peer (void)
{
  g_autofree char *script = sp_test_peer_script ("peer-udp-echo.py");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) received = NULL;
  g_autofree char *port_line = NULL;
  g_autofree char *from_line = NULL;
  g_autofree char *json = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *client_port = NULL;
  SpTrafficLog *log = NULL;
  SpPlayer *player;
  SpSocket *client;
  Recorder recorder;
  guint64 port;

  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script, NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  port_line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_ascii_string_to_unsigned (port_line, 10, 1, G_MAXUINT16, &port, NULL));

  json = g_strdup_printf (
    SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\", \"family\": \"inet\", \"type\": \"dgram\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"sendto\", \"address\": \"127.0.0.1\",\n"
    "      \"port\": %u, \"data\": { \"text\": \"ping\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"recvfrom_into\", \"bufsize\": 64,\n"
    "      \"expect\": { \"data\": { \"text\": \"pong:ping\" } } },\n"
    "    { \"socket\": \"client\", \"call\": \"getsockname\" },\n"
    "    { \"socket\": \"client\", \"call\": \"close\" }\n"
    "  ] }\n", (guint) port);
  player = new_player (json, &log);
  recorder_init (&recorder, player);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (has_ended, &recorder, GUARD_MS));
  sp_test_iterate_for (50);
  g_assert_cmpuint (recorder.results->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_true (result_at (&recorder, i)->passed);

  received = sp_test_find_event (log, "client", SP_EVENT_RECEIVED, SP_CALL_RECVFROM_INTO);
  assert_payload (received, "pong:ping");
  sender = g_strdup_printf ("('127.0.0.1', %u)", (guint) port);
  g_assert_cmpstr (sp_event_get_detail (received), ==, sender);

  /* The peer saw the datagram come from the socket that then received. */
  from_line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, &error);
  g_assert_no_error (error);
  client = sp_player_lookup_socket (player, "client");
  client_port = g_strdup_printf ("127.0.0.1 %u", sp_test_listener_port (client));
  g_assert_cmpstr (from_line, ==, client_port);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);

  recorder_clear (&recorder);
  finalize_player (player, log);
}

int
main (int   argc,
      char *argv[])
{
  /* A test that fails on a known bug must not hide the results of the
   * tests after it. */
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

  g_test_add_func ("/Sp/Player/echo-session", test_echo_session);
  g_test_add_func ("/Sp/Player/expectation-fails", test_expectation_fails);
  g_test_add_func ("/Sp/Player/expected-errors", test_expected_errors);
  g_test_add_func ("/Sp/Player/unexpected-results", test_unexpected_results);
  g_test_add_func ("/Sp/Player/repeats", test_repeats);
  g_test_add_func ("/Sp/Player/repeats-in-thread", test_repeats_in_thread);
  g_test_add_func ("/Sp/Player/busy-loop-loses-nothing", test_busy_loop_loses_nothing);
  g_test_add_func ("/Sp/Player/close-while-reading-in-thread",
                   test_close_while_reading_in_thread);
  g_test_add_func ("/Sp/Player/unix-session", test_unix_session);
  g_test_add_func ("/Sp/Player/unix-accept-timeout", test_unix_accept_timeout);
  g_test_add_func ("/Sp/Player/restart", test_restart);
  g_test_add_func ("/Sp/Player/restart-while-waiting", test_restart_while_waiting);
  g_test_add_func ("/Sp/Player/non-blocking", test_non_blocking);
  g_test_add_func ("/Sp/Player/step-delay", test_step_delay);
  g_test_add_func ("/Sp/Player/pause", test_pause);
  g_test_add_func ("/Sp/Player/single-step", test_single_step);
  g_test_add_func ("/Sp/Player/perform", test_perform);
  g_test_add_func ("/Sp/Player/perform-while-waiting", test_perform_while_waiting);
  g_test_add_func ("/Sp/Player/perform-concurrently", test_perform_concurrently);
  g_test_add_func ("/Sp/Player/perform-with-socket-calls", test_perform_with_socket_calls);
  g_test_add_func ("/Sp/Player/signals-carry-step", test_signals_carry_step);
  g_test_add_func ("/Sp/Player/stale-steps", test_stale_steps);
  g_test_add_func ("/Sp/Player/send-interval", test_send_interval);
  g_test_add_func ("/Sp/Player/host-names", test_host_names);
  g_test_add_func ("/Sp/Player/host-lookups", test_host_lookups);
  g_test_add_func ("/Sp/Player/sleep-and-note", test_sleep_and_note);
  g_test_add_func ("/Sp/Player/serve-in-session", test_serve_in_session);
  g_test_add_func ("/Sp/Player/serve-unfinished", test_serve_unfinished);
  g_test_add_func ("/Sp/Player/serve-then-close", test_serve_then_close);
  g_test_add_func ("/Sp/Player/serve-then-close-times-out", test_serve_then_close_times_out);
  g_test_add_func ("/Sp/Player/remote-refused", test_remote_refused);
  g_test_add_func ("/Sp/Player/thread-default-context", test_thread_default_context);
  g_test_add_func ("/Sp/Player/recvfrom-into-peer", test_recvfrom_into_peer);

  return g_test_run ();
}
