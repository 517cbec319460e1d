/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sp-player.h"
#include "sp-presets.h"
#include "sp-sequence-layout.h"
#include "sp-test-util.h"

#define GUARD_MS 15000

#define SESSION_HEAD \
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"test\",\n"

/* A real player on loopback, run to its end. */
typedef struct
{
  SpTrafficLog *log;
  SpPlayer     *player;
  gboolean      finished;
  gboolean      failed;
} Run;

static void
on_finished (SpPlayer *player,
             gboolean  all_passed,
             Run      *run)
{
  run->finished = TRUE;
}

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  Run        *run)
{
  if (!passed)
    {
      g_printerr ("step %u failed: %s\n", index, message);
      run->failed = TRUE;
    }
}

static gboolean
run_ended (gpointer data)
{
  Run *run = data;

  return run->finished || run->failed;
}

static void
run_start (Run       *run,
           SpSession *session)
{
  memset (run, 0, sizeof *run);
  run->log = sp_traffic_log_new ();
  run->player = sp_player_new (session, run->log);
  g_signal_connect (run->player, "finished", G_CALLBACK (on_finished), run);
  g_signal_connect (run->player, "step-finished", G_CALLBACK (on_step_finished), run);
}

static void
run_to_end (Run       *run,
            SpSession *session)
{
  run_start (run, session);
  sp_player_run (run->player);
  g_assert_true (sp_test_iterate_until (run_ended, run, GUARD_MS));
  g_assert_false (run->failed);
  sp_traffic_log_flush (run->log);
}

static void
run_preset (Run        *run,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load (id, &error);

  g_assert_no_error (error);
  run_to_end (run, session);
}

static void
run_json (Run        *run,
          const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "test", &error);

  g_assert_no_error (error);
  run_to_end (run, session);
}

static void
run_clear (Run *run)
{
  g_signal_handlers_disconnect_by_data (run->player, run);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (run->player);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (run->log);
}

/* What a view does: the player's sockets, then the log. */
static void
add_sockets (SpSequenceLayout *layout,
             SpPlayer         *player)
{
  GListModel *sockets = sp_player_get_sockets (player);

  for (guint i = 0; i < g_list_model_get_n_items (sockets); i++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (sockets, i);
      SpSocket *listener = sp_socket_get_listener (socket);

      sp_sequence_layout_add_socket (layout, sp_socket_get_id (socket),
                                     listener != NULL ? sp_socket_get_id (listener) : NULL,
                                     sp_socket_get_socket_type (socket));
    }
}

static SpSequenceLayout *
layout_for (Run *run)
{
  SpSequenceLayout *layout = sp_sequence_layout_new ();

  add_sockets (layout, run->player);
  sp_sequence_layout_update (layout, run->log, NULL);
  return layout;
}

/* The position of the n-th (from 0) event on `socket_id` of `kind` and `call`. */
static guint
find_position (SpTrafficLog *log,
               const char   *socket_id,
               SpEventKind   kind,
               SpCall        call,
               guint         nth)
{
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_kind (event) == kind && sp_event_get_call (event) == call &&
          nth-- == 0)
        return i;
    }

  g_error ("no event %u on %s", nth, socket_id);
}

static guint
column_of (SpSequenceLayout *layout,
           const char       *id)
{
  int lane = sp_sequence_layout_lookup_lane (layout, id);

  g_assert_cmpint (lane, >=, 0);
  return sp_sequence_layout_get_lane (layout, lane)->column;
}

/* The arrow that starts at `row`. */
static const SpSequenceArrow *
arrow_at (SpSequenceLayout *layout,
          guint             row)
{
  const SpSequenceRow *data = sp_sequence_layout_get_row (layout, row);

  g_assert_cmpint (data->arrow, >=, 0);
  return sp_sequence_layout_get_arrow (layout, data->arrow);
}

static void
assert_arrow (SpSequenceLayout    *layout,
              const SpSequenceArrow *arrow,
              SpSequenceArrowKind  kind,
              const char          *from,
              guint                from_row,
              const char          *to,
              guint                to_row)
{
  g_assert_cmpint (arrow->kind, ==, kind);
  g_assert_cmpint (arrow->from_lane, ==, sp_sequence_layout_lookup_lane (layout, from));
  g_assert_cmpint (arrow->to_lane, ==, sp_sequence_layout_lookup_lane (layout, to));
  g_assert_cmpuint (arrow->from_row, ==, from_row);
  g_assert_cmpuint (arrow->to_row, ==, to_row);
  g_assert_false (arrow->in_flight);
}

static void
assert_arrow_label (SpSequenceLayout      *layout,
                    const SpSequenceArrow *arrow,
                    const char            *expected)
{
  const SpSequenceRow *row = sp_sequence_layout_get_row (layout, arrow->from_row);
  g_autofree char *label = sp_sequence_layout_get_arrow_label (layout, row->arrow);

  g_assert_cmpstr (label, ==, expected);
}

static void
assert_row_label (SpSequenceLayout *layout,
                  guint             row,
                  const char       *expected)
{
  g_autofree char *label = sp_sequence_layout_get_row_label (layout, row);

  g_assert_cmpstr (label, ==, expected);
}

static void
test_echo (void)
{
  g_autoptr(SpSequenceLayout) layout = NULL;
  g_autofree char *described = NULL;
  const SpSequenceArrow *arrow;
  guint connect, accept, client_send, conn_recv, conn_send, client_recv;
  guint client_close, conn_eof;
  Run run;

  run_preset (&run, "tcp-echo");
  layout = layout_for (&run);

  /* One row per event; the accepted socket stands next to its listener. */
  g_assert_cmpuint (sp_sequence_layout_get_n_rows (layout), ==,
                    sp_traffic_log_get_n_appended (run.log));
  g_assert_cmpuint (sp_sequence_layout_get_n_lanes (layout), ==, 3);
  g_assert_cmpuint (column_of (layout, "server"), ==, 0);
  g_assert_cmpuint (column_of (layout, "conn"), ==, 1);
  g_assert_cmpuint (column_of (layout, "client"), ==, 2);
  g_assert_cmpint (sp_sequence_layout_get_lane (layout, sp_sequence_layout_lookup_lane (layout, "conn"))->listener,
                   ==, sp_sequence_layout_lookup_lane (layout, "server"));

  connect = find_position (run.log, "client", SP_EVENT_CALL, SP_CALL_CONNECT, 0);
  accept = find_position (run.log, "server", SP_EVENT_CALL, SP_CALL_ACCEPT, 0);
  client_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDALL, 0);
  conn_recv = find_position (run.log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV, 0);
  conn_send = find_position (run.log, "conn", SP_EVENT_SENT, SP_CALL_SENDALL, 0);
  client_recv = find_position (run.log, "client", SP_EVENT_RECEIVED, SP_CALL_RECV, 0);
  client_close = find_position (run.log, "client", SP_EVENT_CALL, SP_CALL_CLOSE, 0);
  conn_eof = find_position (run.log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV, 1);

  /* conn's lane begins where accept returned it. */
  g_assert_cmpuint (sp_sequence_layout_get_lane (layout, sp_sequence_layout_lookup_lane (layout, "conn"))->first_row,
                    ==, accept);

  arrow = arrow_at (layout, connect);
  assert_arrow (layout, arrow, SP_SEQUENCE_ARROW_CONNECT, "client", connect, "server", accept);
  assert_arrow_label (layout, arrow, "connect");

  arrow = arrow_at (layout, client_send);
  assert_arrow (layout, arrow, SP_SEQUENCE_ARROW_DATA, "client", client_send, "conn", conn_recv);
  g_assert_cmpuint (arrow->bytes, ==, 11);
  assert_arrow_label (layout, arrow, "sendall 11 B");
  assert_row_label (layout, conn_recv, "recv 11 B");
  g_assert_true (sp_sequence_layout_get_row (layout, conn_recv)->arrives_from_right);

  arrow = arrow_at (layout, conn_send);
  assert_arrow (layout, arrow, SP_SEQUENCE_ARROW_DATA, "conn", conn_send, "client", client_recv);
  g_assert_cmpuint (arrow->bytes, ==, 11);

  /* The client's close is what conn reads as end of file. */
  arrow = arrow_at (layout, client_close);
  assert_arrow (layout, arrow, SP_SEQUENCE_ARROW_EOF, "client", client_close, "conn", conn_eof);
  assert_arrow_label (layout, arrow, "EOF");
  g_assert_cmpint (sp_sequence_layout_get_row (layout, conn_eof)->kind, ==, SP_SEQUENCE_MARK_EOF);
  g_assert_cmpuint (sp_sequence_layout_get_lane (layout, sp_sequence_layout_lookup_lane (layout, "client"))->end_row,
                    ==, client_close);

  described = sp_sequence_layout_describe_row (layout, client_send);
  g_assert_cmpstr (described, ==, "client sent 11 bytes to conn");

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

static void
test_pick (void)
{
  g_autoptr(SpSequenceLayout) layout = NULL;
  SpSequenceGeometry geometry = { 100, 150, 50, 30 };
  double x1, y1, x2, y2;
  guint client_send;
  guint position = G_MAXUINT;
  Run run;

  run_preset (&run, "tcp-echo");
  layout = layout_for (&run);
  client_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDALL, 0);

  /* Halfway along the arrow: the send it started from. */
  sp_sequence_layout_get_arrow_line (layout, arrow_at (layout, client_send), &geometry,
                                     &x1, &y1, &x2, &y2);
  g_assert_cmpfloat (x1, ==, 100 + 2 * 150);
  g_assert_cmpfloat (x2, ==, 100 + 1 * 150);
  g_assert_true (sp_sequence_layout_pick (layout, &geometry, (x1 + x2) / 2, (y1 + y2) / 2,
                                          4, &position));
  g_assert_cmpuint (position, ==, client_send);

  /* Far from any lane or arrow: nothing. */
  g_assert_false (sp_sequence_layout_pick (layout, &geometry, 100 + 5 * 150, y1, 4, &position));
  /* Below the last row: nothing. */
  g_assert_false (sp_sequence_layout_pick (layout, &geometry, x1, 50 + 1000 * 30, 4, &position));

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

static void
test_udp (void)
{
  g_autoptr(SpSequenceLayout) layout = NULL;
  guint client_send, server_recv, server_send, client_recv;
  Run run;

  run_preset (&run, "udp");
  layout = layout_for (&run);

  client_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDTO, 0);
  server_recv = find_position (run.log, "server", SP_EVENT_RECEIVED, SP_CALL_RECVFROM, 0);
  server_send = find_position (run.log, "server", SP_EVENT_SENT, SP_CALL_SENDTO, 0);
  client_recv = find_position (run.log, "client", SP_EVENT_RECEIVED, SP_CALL_RECVFROM, 0);

  /* The client is bound to 0.0.0.0 yet the server sees 127.0.0.1: still paired. */
  assert_arrow (layout, arrow_at (layout, client_send), SP_SEQUENCE_ARROW_DATAGRAM,
                "client", client_send, "server", server_recv);
  assert_arrow (layout, arrow_at (layout, server_send), SP_SEQUENCE_ARROW_DATAGRAM,
                "server", server_send, "client", client_recv);
  assert_arrow_label (layout, arrow_at (layout, client_send), "sendto 14 B");
  assert_row_label (layout, client_recv, "recvfrom 6 B");
  g_assert_cmpuint (sp_sequence_layout_get_n_arrows (layout), ==, 2);

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

/* recvfrom_into ends a datagram's arrow as recvfrom does. */
static void
test_udp_recvfrom_into (void)
{
  g_autoptr(SpSequenceLayout) layout = NULL;
  guint client_send, server_recv;
  Run run;

  run_json (&run,
            "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"t\",\n"
            "  \"sockets\": [\n"
            "    { \"id\": \"server\", \"type\": \"dgram\", \"address\": \"127.0.0.1\",\n"
            "      \"port\": 0 },\n"
            "    { \"id\": \"client\", \"type\": \"dgram\" } ],\n"
            "  \"steps\": [\n"
            "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
            "    { \"socket\": \"client\", \"call\": \"sendto\", \"to\": \"server\",\n"
            "      \"data\": { \"text\": \"ping\" } },\n"
            "    { \"socket\": \"server\", \"call\": \"recvfrom_into\", \"bufsize\": 16 } ] }");
  layout = layout_for (&run);

  client_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDTO, 0);
  server_recv = find_position (run.log, "server", SP_EVENT_RECEIVED, SP_CALL_RECVFROM_INTO, 0);
  assert_arrow (layout, arrow_at (layout, client_send), SP_SEQUENCE_ARROW_DATAGRAM,
                "client", client_send, "server", server_recv);
  assert_row_label (layout, server_recv, "recvfrom_into 4 B");
  g_assert_cmpuint (sp_sequence_layout_get_n_arrows (layout), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

/* On a bad network the arrows start where datagrams left: the delayed
 * calls have none, the datagrams that left later land in the order they
 * arrived, and the dropped one stays in flight. */
static void
test_udp_impaired (void)
{
  g_autoptr(SpSequenceLayout) layout = NULL;
  Run run;

  run_preset (&run, "udp-bad-network");
  layout = layout_for (&run);

  for (guint i = 0; i < 6; i++)
    {
      guint call = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDTO, i);
      const SpSequenceRow *row = sp_sequence_layout_get_row (layout, call);

      g_assert_cmpint (row->kind, ==, SP_SEQUENCE_MARK_SEND);
      if (i == 3)
        {
          const SpSequenceArrow *lost = arrow_at (layout, call);

          g_assert_true (lost->in_flight);
          g_assert_cmpuint (lost->to_row, ==, call);
        }
      else
        g_assert_cmpint (row->arrow, ==, -1);
    }

  /* Left: 1, its copy, 2, 5, 3, 6; received in that order. */
  for (guint i = 0; i < 6; i++)
    {
      guint left = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDTO, 6 + i);
      guint received = find_position (run.log, "server", SP_EVENT_RECEIVED, SP_CALL_RECVFROM, i);

      assert_arrow (layout, arrow_at (layout, left), SP_SEQUENCE_ARROW_DATAGRAM,
                    "client", left, "server", received);
    }
  g_assert_cmpuint (sp_sequence_layout_get_n_arrows (layout), ==, 7);

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

static void
test_refused (void)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *json = g_strdup_printf (SESSION_HEAD
    "  \"sockets\": [ { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"address\": \"127.0.0.1\",\n"
    "      \"port\": %u, \"expect\": { \"error\": \"ECONNREFUSED\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"close\" }\n"
    "  ] }\n", port);
  g_autoptr(SpSequenceLayout) layout = NULL;
  g_autofree char *described = NULL;
  const SpSequenceRow *row;
  guint connect;
  Run run;

  run_json (&run, json);
  layout = layout_for (&run);
  connect = find_position (run.log, "client", SP_EVENT_CALL, SP_CALL_CONNECT, 0);

  row = sp_sequence_layout_get_row (layout, connect);
  g_assert_cmpint (row->kind, ==, SP_SEQUENCE_MARK_ERROR);
  g_assert_cmpint (row->error_code, ==, ECONNREFUSED);
  g_assert_cmpint (row->arrow, ==, -1);
  assert_row_label (layout, connect, "connect ECONNREFUSED");
  described = sp_sequence_layout_describe_row (layout, connect);
  g_assert_cmpstr (described, ==, "client: connect failed with ECONNREFUSED");
  /* A refused connect reaches nobody. */
  g_assert_cmpuint (sp_sequence_layout_get_n_arrows (layout), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

/* A sendall to a peer that does not read times out with part of its
 * bytes gone: a failure, and an arrow for the bytes that went, which the
 * peer's recv then takes. */
static void
test_partial_sendall (void)
{
  g_autofree char *text = g_strnfill (262144, 'x');
  g_autofree char *json = g_strdup_printf (SESSION_HEAD
    "  \"sockets\": [\n"
    "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
    "      \"address\": \"127.0.0.1\", \"port\": 0, \"options\": { \"SO_RCVBUF\": 4096 } },\n"
    "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\",\n"
    "      \"options\": { \"SO_SNDBUF\": 4096 } } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"%s\" },\n"
    "      \"timeout-ms\": 300, \"expect\": { \"error\": \"ETIMEDOUT\" } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 1024 }\n"
    "  ] }\n", text);
  g_autoptr(SpSequenceLayout) layout = NULL;
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *described = NULL;
  g_autofree char *expected = NULL;
  const SpSequenceRow *row;
  guint sendall, recv;
  Run run;

  run_json (&run, json);
  layout = layout_for (&run);
  sendall = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDALL, 0);
  recv = find_position (run.log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV, 0);
  event = sp_traffic_log_get_event (run.log, sendall);
  g_assert_false (sp_event_get_ok (event));
  g_assert_cmpuint (sp_event_get_bytes (event), >, 0);
  g_assert_cmpuint (sp_event_get_bytes (event), <, 262144);

  row = sp_sequence_layout_get_row (layout, sendall);
  g_assert_cmpint (row->kind, ==, SP_SEQUENCE_MARK_ERROR);
  g_assert_cmpint (row->error_code, ==, ETIMEDOUT);
  g_assert_cmpuint (row->bytes, ==, sp_event_get_bytes (event));
  assert_arrow (layout, arrow_at (layout, sendall), SP_SEQUENCE_ARROW_DATA,
                "client", sendall, "conn", recv);
  assert_row_label (layout, sendall, "sendall ETIMEDOUT");
  described = sp_sequence_layout_describe_row (layout, sendall);
  expected = g_strdup_printf ("client: sendall failed with ETIMEDOUT after sending %zu bytes",
                              sp_event_get_bytes (event));
  g_assert_cmpstr (described, ==, expected);

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

/* A serve reads in the background while a big sendall goes on: its
 * receives are logged before the sendall's one event. The sendall's arrow
 * still arrives at the serving connection, and the bytes read early are
 * not counted again: the send after it arrives too. */
static void
test_sendall_read_while_sending (void)
{
  g_autofree char *text = g_strnfill (4 * 1024 * 1024, 'x');
  g_autofree char *json = g_strdup_printf (SESSION_HEAD
    "  \"sockets\": [\n"
    "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
    "      \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"serve\", \"mode\": \"discard\",\n"
    "      \"connections\": 1, \"bufsize\": 65536 },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"%s\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"send\", \"data\": { \"text\": \"tail\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"close\" }\n"
    "  ] }\n", text);
  g_autoptr(SpSequenceLayout) layout = NULL;
  const SpSequenceArrow *arrow;
  guint sendall, first_recv, tail;
  Run run;

  run_json (&run, json);
  layout = layout_for (&run);
  sendall = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDALL, 0);
  first_recv = find_position (run.log, "server-1", SP_EVENT_RECEIVED, SP_CALL_RECV, 0);
  /* What this test is about: the reads were logged first. */
  g_assert_cmpuint (first_recv, <, sendall);

  arrow = arrow_at (layout, sendall);
  g_assert_false (arrow->in_flight);
  g_assert_cmpint (arrow->to_lane, ==, sp_sequence_layout_lookup_lane (layout, "server-1"));
  tail = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SEND, 0);
  arrow = arrow_at (layout, tail);
  g_assert_false (arrow->in_flight);
  g_assert_cmpint (arrow->to_lane, ==, sp_sequence_layout_lookup_lane (layout, "server-1"));

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

/* recv(10) takes part of one send; one recv takes two sends. */
static void
test_partial_reads (void)
{
  g_autoptr(SpSequenceLayout) layout = NULL;
  guint big_send, first_send, second_send, recv[4];
  Run run;

  run_json (&run, SESSION_HEAD
    "  \"sockets\": [\n"
    "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\",\n"
    "      \"address\": \"127.0.0.1\", \"port\": 0 },\n"
    "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],\n"
    "  \"steps\": [\n"
    "    { \"socket\": \"server\", \"call\": \"bind\" },\n"
    "    { \"socket\": \"server\", \"call\": \"listen\" },\n"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },\n"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },\n"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"0123456789abcdefghij\" } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 10, \"expect\": { \"bytes\": 10 } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 10, \"expect\": { \"bytes\": 10 } },\n"
    "    { \"socket\": \"client\", \"call\": \"send\", \"data\": { \"text\": \"abc\" } },\n"
    "    { \"socket\": \"client\", \"call\": \"send\", \"data\": { \"text\": \"def\" } },\n"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 1024, \"expect\": { \"bytes\": 6 } }\n"
    "  ] }\n");
  layout = layout_for (&run);

  big_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SENDALL, 0);
  first_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SEND, 0);
  second_send = find_position (run.log, "client", SP_EVENT_SENT, SP_CALL_SEND, 1);
  for (guint i = 0; i < 3; i++)
    recv[i] = find_position (run.log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV, i);

  /* One arrow to the first recv that took any of the 20 bytes; the
   * second recv is a mark with its own size. */
  assert_arrow (layout, arrow_at (layout, big_send), SP_SEQUENCE_ARROW_DATA,
                "client", big_send, "conn", recv[0]);
  assert_row_label (layout, recv[0], "recv 10 B");
  assert_row_label (layout, recv[1], "recv 10 B");
  g_assert_cmpint (sp_sequence_layout_get_row (layout, recv[1])->kind, ==, SP_SEQUENCE_MARK_RECEIVE);

  /* Both small sends end at the recv that took them together. */
  assert_arrow (layout, arrow_at (layout, first_send), SP_SEQUENCE_ARROW_DATA,
                "client", first_send, "conn", recv[2]);
  assert_arrow (layout, arrow_at (layout, second_send), SP_SEQUENCE_ARROW_DATA,
                "client", second_send, "conn", recv[2]);
  assert_row_label (layout, recv[2], "recv 6 B");

  g_assert_finalize_object (g_steal_pointer (&layout));
  run_clear (&run);
}

static gboolean
step_done (gpointer data)
{
  gpointer *pair = data;
  SpPlayer *player = pair[0];

  return sp_player_get_position (player) >= GPOINTER_TO_UINT (pair[1]) &&
         sp_player_get_state (player) != SP_PLAYER_RUNNING;
}

static void
assert_same_arrows (SpSequenceLayout *a,
                    SpSequenceLayout *b)
{
  g_assert_cmpuint (sp_sequence_layout_get_n_rows (a), ==, sp_sequence_layout_get_n_rows (b));
  g_assert_cmpuint (sp_sequence_layout_get_n_arrows (a), ==, sp_sequence_layout_get_n_arrows (b));
  for (guint row = 0; row < sp_sequence_layout_get_n_rows (a); row++)
    {
      const SpSequenceRow *row_a = sp_sequence_layout_get_row (a, row);
      const SpSequenceRow *row_b = sp_sequence_layout_get_row (b, row);

      g_assert_cmpint (row_a->kind, ==, row_b->kind);
      g_assert_cmpint (row_a->arrow >= 0, ==, row_b->arrow >= 0);
      if (row_a->arrow >= 0)
        {
          const SpSequenceArrow *arrow_a = sp_sequence_layout_get_arrow (a, row_a->arrow);
          const SpSequenceArrow *arrow_b = sp_sequence_layout_get_arrow (b, row_b->arrow);

          g_assert_cmpint (arrow_a->kind, ==, arrow_b->kind);
          g_assert_cmpuint (arrow_a->to_row, ==, arrow_b->to_row);
          g_assert_cmpstr (sp_sequence_layout_get_lane (a, arrow_a->to_lane)->id, ==,
                           sp_sequence_layout_get_lane (b, arrow_b->to_lane)->id);
        }
    }
}

/* Stepping appends a few events at a time: each update reads only those,
 * reports older rows it changed (a send that is now received), and ends
 * with the layout made from the whole log at once. */
static void
test_incremental (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load ("tcp-echo", &error);
  g_autoptr(SpSequenceLayout) stepped = sp_sequence_layout_new ();
  g_autoptr(SpSequenceLayout) whole = NULL;
  guint n_steps;
  gboolean saw_old_row_damage = FALSE;
  Run run;

  g_assert_no_error (error);
  n_steps = sp_session_get_n_steps (session);
  run_start (&run, session);

  for (guint i = 0; i < n_steps; i++)
    {
      gpointer pair[2] = { run.player, GUINT_TO_POINTER (i + 1) };
      SpSequenceDamage damage;
      guint n_before = sp_sequence_layout_get_n_rows (stepped);
      guint n_new;

      sp_player_step (run.player);
      g_assert_true (sp_test_iterate_until (step_done, pair, GUARD_MS));
      g_assert_false (run.failed);

      add_sockets (stepped, run.player);
      n_new = sp_sequence_layout_update (stepped, run.log, &damage);
      g_assert_cmpuint (n_new, ==, sp_traffic_log_get_n_appended (run.log) - n_before);
      g_assert_cmpuint (sp_sequence_layout_update (stepped, run.log, NULL), ==, 0);
      if (damage.first_row != G_MAXUINT)
        {
          g_assert_cmpuint (damage.first_row, <, n_before);
          saw_old_row_damage = TRUE;
        }
    }

  /* The recv that landed the client's send changed the send's row. */
  g_assert_true (saw_old_row_damage);

  whole = layout_for (&run);
  assert_same_arrows (stepped, whole);
  g_assert_cmpuint (column_of (stepped, "conn"), ==, 1);

  /* After a reset, the accepted socket announced after its accept was read
   * still lands beside its listener with the same arrows. */
  sp_sequence_layout_reset (stepped);
  g_assert_cmpuint (sp_sequence_layout_get_n_rows (stepped), ==, 0);
  g_assert_cmpuint (sp_sequence_layout_get_n_lanes (stepped), ==, 0);
  sp_sequence_layout_update (stepped, run.log, NULL);
  add_sockets (stepped, run.player);
  assert_same_arrows (stepped, whole);
  g_assert_cmpuint (column_of (stepped, "conn"), ==, 1);

  g_assert_finalize_object (g_steal_pointer (&stepped));
  g_assert_finalize_object (g_steal_pointer (&whole));
  run_clear (&run);
}

/* Two traced programs report on channels of their own, so the log holds
 * the server's side of a conversation before the client's: its accept,
 * recv, sendall and end of file come before the client's connect,
 * sendall, recv and close. The chart still pairs them. */
static void
append_traced (SpTrafficLog *log,
               const char   *socket_id,
               SpEventKind   kind,
               SpCall        call,
               SpState       state,
               const char   *local,
               const char   *remote,
               gsize         bytes,
               const char   *detail)
{
  SpEventInfo info = {
    .kind = kind, .call = call, .ok = TRUE, .state = state, .step = -1,
    .socket_id = socket_id, .local = local, .remote = remote, .bytes = bytes,
    .detail = detail,
  };

  sp_traffic_log_append (log, &info);
}

static void
test_traced_out_of_order (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpSequenceLayout) layout = sp_sequence_layout_new ();
  const char *server = "127.0.0.1:5000";
  const char *client = "127.0.0.1:40000";
  int listener, conn, sock;
  guint connects = 0, to_conn = 0, to_client = 0, eofs = 0;

  append_traced (log, "server.py:3", SP_EVENT_CALL, SP_CALL_SOCKET, SP_STATE_CREATED,
                 "0.0.0.0:0", NULL, 0, "fd 3");
  append_traced (log, "server.py:3", SP_EVENT_CALL, SP_CALL_BIND, SP_STATE_BOUND,
                 server, NULL, 0, "None");
  append_traced (log, "server.py:3", SP_EVENT_CALL, SP_CALL_LISTEN, SP_STATE_LISTENING,
                 server, NULL, 0, "None");
  append_traced (log, "client.py:3", SP_EVENT_CALL, SP_CALL_SOCKET, SP_STATE_CREATED,
                 "0.0.0.0:0", NULL, 0, "fd 3");
  append_traced (log, "server.py:3", SP_EVENT_CALL, SP_CALL_ACCEPT, SP_STATE_LISTENING,
                 server, client, 0, "(server.py:4, ('127.0.0.1', 40000))");
  append_traced (log, "server.py:4", SP_EVENT_RECEIVED, SP_CALL_RECV, SP_STATE_CONNECTED,
                 server, client, 12, NULL);
  append_traced (log, "server.py:4", SP_EVENT_SENT, SP_CALL_SENDALL, SP_STATE_CONNECTED,
                 server, client, 12, NULL);
  append_traced (log, "server.py:4", SP_EVENT_RECEIVED, SP_CALL_RECV, SP_STATE_CONNECTED,
                 server, client, 0, NULL);
  append_traced (log, "server.py:4", SP_EVENT_CALL, SP_CALL_CLOSE, SP_STATE_CLOSED,
                 server, NULL, 0, "None");
  append_traced (log, "client.py:3", SP_EVENT_CALL, SP_CALL_CONNECT, SP_STATE_CONNECTED,
                 client, server, 0, "None");
  append_traced (log, "client.py:3", SP_EVENT_SENT, SP_CALL_SENDALL, SP_STATE_CONNECTED,
                 client, server, 12, NULL);
  append_traced (log, "client.py:3", SP_EVENT_RECEIVED, SP_CALL_RECV, SP_STATE_CONNECTED,
                 client, server, 12, NULL);
  append_traced (log, "client.py:3", SP_EVENT_CALL, SP_CALL_CLOSE, SP_STATE_CLOSED,
                 client, NULL, 0, "None");
  append_traced (log, "server.py:3", SP_EVENT_CALL, SP_CALL_CLOSE, SP_STATE_CLOSED,
                 server, NULL, 0, "None");

  g_assert_cmpuint (sp_sequence_layout_update (layout, log, NULL), ==, 14);
  g_assert_cmpuint (sp_sequence_layout_get_n_lanes (layout), ==, 3);
  listener = sp_sequence_layout_lookup_lane (layout, "server.py:3");
  conn = sp_sequence_layout_lookup_lane (layout, "server.py:4");
  sock = sp_sequence_layout_lookup_lane (layout, "client.py:3");
  /* The socket accept returned stands beside its listener. */
  g_assert_cmpint (sp_sequence_layout_get_lane (layout, conn)->listener, ==, listener);
  g_assert_cmpuint (sp_sequence_layout_get_lane (layout, conn)->column, ==,
                    sp_sequence_layout_get_lane (layout, listener)->column + 1);

  for (guint i = 0; i < sp_sequence_layout_get_n_arrows (layout); i++)
    {
      const SpSequenceArrow *arrow = sp_sequence_layout_get_arrow (layout, i);

      g_assert_false (arrow->in_flight);
      if (arrow->kind == SP_SEQUENCE_ARROW_CONNECT && arrow->from_lane == sock &&
          arrow->to_lane == listener && arrow->from_row == 9 && arrow->to_row == 4)
        connects++;
      else if (arrow->kind == SP_SEQUENCE_ARROW_DATA && arrow->from_lane == sock &&
               arrow->to_lane == conn && arrow->from_row == 10 && arrow->bytes == 12)
        to_conn++;
      else if (arrow->kind == SP_SEQUENCE_ARROW_DATA && arrow->from_lane == conn &&
               arrow->to_lane == sock && arrow->from_row == 6 && arrow->to_row == 11)
        to_client++;
      else if (arrow->kind == SP_SEQUENCE_ARROW_EOF && arrow->from_lane == sock &&
               arrow->to_lane == conn && arrow->from_row == 12 && arrow->to_row == 7)
        eofs++;
    }
  g_assert_cmpuint (connects, ==, 1);
  g_assert_cmpuint (to_conn, ==, 1);
  g_assert_cmpuint (to_client, ==, 1);
  g_assert_cmpuint (eofs, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/SequenceLayout/echo", test_echo);
  g_test_add_func ("/Sp/SequenceLayout/pick", test_pick);
  g_test_add_func ("/Sp/SequenceLayout/udp", test_udp);
  g_test_add_func ("/Sp/SequenceLayout/udp-recvfrom-into", test_udp_recvfrom_into);
  g_test_add_func ("/Sp/SequenceLayout/udp-impaired", test_udp_impaired);
  g_test_add_func ("/Sp/SequenceLayout/refused", test_refused);
  g_test_add_func ("/Sp/SequenceLayout/partial-reads", test_partial_reads);
  g_test_add_func ("/Sp/SequenceLayout/partial-sendall", test_partial_sendall);
  g_test_add_func ("/Sp/SequenceLayout/sendall-read-while-sending",
                   test_sendall_read_while_sending);
  g_test_add_func ("/Sp/SequenceLayout/incremental", test_incremental);
  g_test_add_func ("/Sp/SequenceLayout/traced-out-of-order", test_traced_out_of_order);

  return g_test_run ();
}
