/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>

#include "sp-lifecycle.h"
#include "sp-lifecycle-layout.h"
#include "sp-player.h"
#include "sp-presets.h"
#include "sp-test-util.h"

/* The edge of `action` leaving `from` (SP_LIFECYCLE_NO_NODE: the way in),
 * or -1. */
static int
edge_of (SpLifecycleLayout *layout,
         SpLifecycleAction  action,
         guint              from)
{
  for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (layout); i++)
    {
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, i);

      if (edge->action == action &&
          (from == SP_LIFECYCLE_NO_NODE ? edge->from == from
                                        : (edge->from_nodes & (1u << from)) != 0))
        return (int) i;
    }

  return -1;
}

static guint
node_of (SpLifecycleLayout *layout,
         SpState            state)
{
  return sp_lifecycle_layout_node_for_state (layout, state);
}

static const SpLifecycleEdge *
edge_at (SpLifecycleLayout *layout,
         int                index)
{
  g_assert_cmpint (index, >=, 0);
  return sp_lifecycle_layout_get_edge (layout, (guint) index);
}

static void
assert_nodes (SpLifecycleLayout *layout,
              const SpState     *states,
              guint              n)
{
  g_assert_cmpuint (sp_lifecycle_layout_get_n_nodes (layout), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (sp_lifecycle_layout_get_node (layout, i)->state, ==, states[i]);
}

/* The server's path as the notes list it: create, bind, listen, accept,
 * close; no connect, no data on the listener itself. */
static void
test_server_path (void)
{
  g_autoptr(SpLifecycleLayout) layout =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_SERVER);
  const SpState states[] = {
    SP_STATE_CREATED, SP_STATE_BOUND, SP_STATE_LISTENING, SP_STATE_CLOSED,
  };
  const SpLifecycleEdge *accept;
  const SpLifecycleEdge *close;

  assert_nodes (layout, states, G_N_ELEMENTS (states));
  g_assert_cmpint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CREATE,
                                             SP_LIFECYCLE_NO_NODE))->to, ==, 0);
  g_assert_cmpint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_BIND, 0))->to, ==, 1);
  g_assert_cmpint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_LISTEN, 1))->to, ==, 2);

  accept = edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_ACCEPT, 2));
  g_assert_cmpuint (accept->from, ==, accept->to);

  /* One close edge, leaving every node but closed. */
  close = edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CLOSE, 0));
  g_assert_cmpuint (close->from_nodes, ==, 0x7);
  g_assert_cmpuint (close->to, ==, 3);

  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, 0), ==, -1);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_SEND, 2), ==, -1);
  g_assert_cmpint (sp_lifecycle_layout_get_state (layout), ==, SP_STATE_UNCREATED);
  g_assert_cmpuint (node_of (layout, SP_STATE_UNCREATED), ==, SP_LIFECYCLE_NO_NODE);
}

static void
test_client_path (void)
{
  g_autoptr(SpLifecycleLayout) layout =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_CLIENT);
  const SpState states[] = {
    SP_STATE_CREATED, SP_STATE_BOUND, SP_STATE_CONNECTED, SP_STATE_SHUT_BOTH, SP_STATE_CLOSED,
  };
  guint connected = node_of (layout, SP_STATE_CONNECTED);
  guint shut = node_of (layout, SP_STATE_SHUT_WRITE);

  assert_nodes (layout, states, G_N_ELEMENTS (states));
  /* A connect under way is drawn where it leads; the three shut states
   * are one node. */
  g_assert_cmpuint (node_of (layout, SP_STATE_CONNECTING), ==, connected);
  g_assert_cmpuint (node_of (layout, SP_STATE_SHUT_READ), ==, shut);
  g_assert_cmpuint (node_of (layout, SP_STATE_SHUT_BOTH), ==, shut);

  /* bind is optional: connect leaves created and bound. */
  g_assert_cmpint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, 0))->to,
                   ==, connected);
  g_assert_cmpint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, 1))->to,
                   ==, connected);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, 0), !=,
                   edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, 1));

  /* Data loops on the connected node, and on the shut one (the half
   * close: shutdown(SHUT_WR), then read to the end). */
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_SEND,
                                              connected))->to, ==, connected);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_RECEIVE,
                                              connected))->to, ==, connected);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_RECEIVE,
                                              shut))->to, ==, shut);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_SHUTDOWN,
                                              connected))->to, ==, shut);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_LISTEN, 1), ==, -1);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_ACCEPT, connected), ==, -1);
}

static void
test_datagram_path (void)
{
  g_autoptr(SpLifecycleLayout) layout =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_DGRAM, SP_LIFECYCLE_PATH_DATAGRAM);
  const SpState states[] = {
    SP_STATE_CREATED, SP_STATE_BOUND, SP_STATE_CONNECTED, SP_STATE_CLOSED,
  };
  int implicit_bind = edge_of (layout, SP_LIFECYCLE_ACTION_SEND, 0);

  assert_nodes (layout, states, G_N_ELEMENTS (states));
  /* The first sendto binds an unbound socket: an edge from created. */
  g_assert_cmpuint (edge_at (layout, implicit_bind)->to, ==, 1);
  g_assert_cmpstr (sp_lifecycle_action_name (SP_LIFECYCLE_ACTION_SEND, SP_SOCKET_TYPE_DGRAM),
                   ==, "sendto");
  g_assert_cmpstr (sp_lifecycle_action_name (SP_LIFECYCLE_ACTION_RECEIVE,
                                             SP_SOCKET_TYPE_DGRAM), ==, "recvfrom");
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_RECEIVE, 1))->to,
                    ==, 1);
  /* recvfrom_into lights the same receive edge as recvfrom */
  g_assert_cmpint (sp_lifecycle_layout_edge_for_call (layout, SP_STATE_BOUND,
                                                      SP_CALL_RECVFROM_INTO), ==,
                   sp_lifecycle_layout_edge_for_call (layout, SP_STATE_BOUND, SP_CALL_RECVFROM));
  g_assert_cmpint (sp_lifecycle_layout_edge_for_call (layout, SP_STATE_BOUND,
                                                      SP_CALL_RECVFROM_INTO), >=, 0);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, 1))->to,
                    ==, 2);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_LISTEN, 1), ==, -1);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_SHUTDOWN, 2), ==, -1);
}

/* A stream socket that has neither listened nor connected: after bind the
 * path forks, listening above the row and connected under it, in the same
 * column; each way goes on as the server's and the client's do. */
static void
test_undecided_path (void)
{
  g_autoptr(SpLifecycleLayout) layout =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_UNDECIDED);
  const SpState states[] = {
    SP_STATE_CREATED, SP_STATE_BOUND, SP_STATE_LISTENING, SP_STATE_CONNECTED,
    SP_STATE_SHUT_BOTH, SP_STATE_CLOSED,
  };
  guint created = node_of (layout, SP_STATE_CREATED);
  guint bound = node_of (layout, SP_STATE_BOUND);
  guint listening = node_of (layout, SP_STATE_LISTENING);
  guint connected = node_of (layout, SP_STATE_CONNECTED);
  guint shut = node_of (layout, SP_STATE_SHUT_WRITE);
  guint closed = node_of (layout, SP_STATE_CLOSED);
  const SpLifecycleNode *listening_node;
  const SpLifecycleNode *connected_node;

  assert_nodes (layout, states, G_N_ELEMENTS (states));
  g_assert_cmpuint (node_of (layout, SP_STATE_CONNECTING), ==, connected);

  /* create → bind on the row, then the fork. */
  g_assert_cmpint (sp_lifecycle_layout_get_node (layout, created)->lane, ==, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_node (layout, bound)->lane, ==, 0);
  g_assert_cmpuint (sp_lifecycle_layout_get_node (layout, bound)->column, ==,
                    sp_lifecycle_layout_get_node (layout, created)->column + 1);
  listening_node = sp_lifecycle_layout_get_node (layout, listening);
  connected_node = sp_lifecycle_layout_get_node (layout, connected);
  g_assert_cmpint (listening_node->lane, ==, -1);
  g_assert_cmpint (connected_node->lane, ==, 1);
  g_assert_cmpuint (listening_node->column, ==, connected_node->column);
  g_assert_cmpuint (listening_node->column, ==,
                    sp_lifecycle_layout_get_node (layout, bound)->column + 1);
  g_assert_cmpint (sp_lifecycle_layout_get_node (layout, shut)->lane, ==, 1);
  g_assert_cmpuint (sp_lifecycle_layout_get_node (layout, shut)->column, ==,
                    connected_node->column + 1);
  g_assert_cmpint (sp_lifecycle_layout_get_node (layout, closed)->lane, ==, 0);

  /* Both ways on from bound. */
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_BIND, created))->to,
                    ==, bound);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_LISTEN, bound))->to,
                    ==, listening);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, bound))->to,
                    ==, connected);
  /* connect needs no bind; listen does, in the table. */
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT,
                                              created))->to, ==, connected);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_LISTEN, created), ==, -1);

  /* The server's way goes on to accept, the client's to data and shutdown. */
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_ACCEPT,
                                              listening))->to, ==, listening);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_SEND,
                                              connected))->to, ==, connected);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_RECEIVE,
                                              connected))->to, ==, connected);
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_SHUTDOWN,
                                              connected))->to, ==, shut);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_SEND, listening), ==, -1);
  g_assert_cmpint (edge_of (layout, SP_LIFECYCLE_ACTION_ACCEPT, connected), ==, -1);

  /* close leaves every node but closed. */
  g_assert_cmpuint (edge_at (layout, edge_of (layout, SP_LIFECYCLE_ACTION_CLOSE,
                                              listening))->from_nodes, ==,
                    0x3fu & ~(1u << closed));

  /* A connect refused before the socket decided is marked on its way. */
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_SOCKET, TRUE, 0,
                              SP_STATE_CREATED, 0);
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_BIND, TRUE, 0, SP_STATE_BOUND, 0);
  g_assert_cmpuint (node_of (layout, sp_lifecycle_layout_get_state (layout)), ==, bound);
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_CONNECT, FALSE, ECONNREFUSED,
                              SP_STATE_BOUND, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==,
                   edge_of (layout, SP_LIFECYCLE_ACTION_CONNECT, bound));
}

/* The paths that do not fork keep one node to a column, on the row. */
static void
test_paths_in_a_row (void)
{
  for (SpLifecyclePath path = SP_LIFECYCLE_PATH_SERVER; path <= SP_LIFECYCLE_PATH_DATAGRAM;
       path++)
    {
      g_autoptr(SpLifecycleLayout) layout =
        sp_lifecycle_layout_new (path == SP_LIFECYCLE_PATH_DATAGRAM ? SP_SOCKET_TYPE_DGRAM
                                                                    : SP_SOCKET_TYPE_STREAM,
                                 path);

      for (guint i = 0; i < sp_lifecycle_layout_get_n_nodes (layout); i++)
        {
          g_assert_cmpuint (sp_lifecycle_layout_get_node (layout, i)->column, ==, i);
          g_assert_cmpint (sp_lifecycle_layout_get_node (layout, i)->lane, ==, 0);
        }
    }
}

/* Every drawn edge is a transition the table allows, and every legal call
 * that moves a socket along its path has an edge from its state: the
 * diagram is the table, not a second copy of it. */
static void
test_edges_follow_table (void)
{
  const struct { SpSocketType type; SpLifecyclePath path; } cases[] = {
    { SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_SERVER },
    { SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_CLIENT },
    { SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_ACCEPTED },
    { SP_SOCKET_TYPE_SEQPACKET, SP_LIFECYCLE_PATH_CLIENT },
    { SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_UNDECIDED },
    { SP_SOCKET_TYPE_SEQPACKET, SP_LIFECYCLE_PATH_UNDECIDED },
    { SP_SOCKET_TYPE_DGRAM, SP_LIFECYCLE_PATH_DATAGRAM },
    { SP_SOCKET_TYPE_RAW, SP_LIFECYCLE_PATH_DATAGRAM },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(SpLifecycleLayout) layout = sp_lifecycle_layout_new (cases[c].type,
                                                                     cases[c].path);
      guint n_rows = 0;
      const SpTransition *rows = sp_lifecycle_get_transitions (&n_rows);

      for (guint e = 0; e < sp_lifecycle_layout_get_n_edges (layout); e++)
        {
          const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, e);
          gboolean found = edge->from == SP_LIFECYCLE_NO_NODE;

          for (guint r = 0; r < n_rows && !found; r++)
            {
              found = (rows[r].types & (1u << cases[c].type)) &&
                      sp_lifecycle_action_for_call (rows[r].call) == edge->action &&
                      node_of (layout, rows[r].from) == edge->from &&
                      node_of (layout, rows[r].to) == edge->to;
            }
          g_assert_true (found);
        }

      for (guint r = 0; r < n_rows; r++)
        {
          SpLifecycleAction action = sp_lifecycle_action_for_call (rows[r].call);
          guint from = node_of (layout, rows[r].from);
          guint to = node_of (layout, rows[r].to);
          int edge;

          if (!(rows[r].types & (1u << cases[c].type)) || from == SP_LIFECYCLE_NO_NODE ||
              to == SP_LIFECYCLE_NO_NODE || from == to || action == SP_LIFECYCLE_ACTION_NONE)
            continue;

          edge = sp_lifecycle_layout_edge_for_call (layout, rows[r].from, rows[r].call);
          g_assert_cmpint (edge, >=, 0);
          g_assert_cmpuint (edge_at (layout, edge)->from_nodes & (1u << from), !=, 0);
          g_assert_cmpuint (edge_at (layout, edge)->to, ==, to);
        }
    }
}

/* A failed call marks the edge it tried until the next call; one with no
 * edge on the path is kept for the current node. */
static void
test_failed_calls (void)
{
  g_autoptr(SpLifecycleLayout) layout =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_CLIENT);
  int connect;

  g_assert_true (sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_SOCKET, TRUE, 0,
                                             SP_STATE_CREATED, 0));
  g_assert_cmpint (sp_lifecycle_layout_get_state (layout), ==, SP_STATE_CREATED);

  connect = sp_lifecycle_layout_edge_for_call (layout, SP_STATE_CREATED, SP_CALL_CONNECT);
  g_assert_true (sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_CONNECT, FALSE,
                                             ECONNREFUSED, SP_STATE_CREATED, 0));
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==, connect);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_error (layout), ==, ECONNREFUSED);
  g_assert_cmpint (sp_lifecycle_layout_get_state (layout), ==, SP_STATE_CREATED);
  g_assert_cmpuint (edge_at (layout, connect)->n_calls, ==, 0);

  /* recv before connect tries the data loop of the connected node. */
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_RECV, FALSE, ENOTCONN,
                              SP_STATE_CREATED, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==,
                   edge_of (layout, SP_LIFECYCLE_ACTION_RECEIVE,
                            node_of (layout, SP_STATE_CONNECTED)));

  /* listen is not on a client's path. */
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_LISTEN, FALSE, EINVAL,
                              SP_STATE_CREATED, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==, -1);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_error (layout), ==, EINVAL);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_call (layout), ==, SP_CALL_LISTEN);

  /* connect_ex reports the errno as its result. */
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_CONNECT_EX, TRUE, ECONNREFUSED,
                              SP_STATE_CREATED, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==, connect);

  /* A connect drawn while it was under way, then refused: the socket is
   * where the call left it. */
  sp_lifecycle_layout_set_state (layout, SP_STATE_CONNECTING);
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_CONNECT, FALSE, ECONNREFUSED,
                              SP_STATE_CREATED, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_state (layout), ==, SP_STATE_CREATED);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==, connect);

  /* The next call clears the mark. */
  sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_CLOSE, TRUE, 0,
                              SP_STATE_CLOSED, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_edge (layout), ==, -1);
  g_assert_cmpint (sp_lifecycle_layout_get_failed_error (layout), ==, 0);
  g_assert_cmpint (sp_lifecycle_layout_get_state (layout), ==, SP_STATE_CLOSED);
  g_assert_cmpint (sp_lifecycle_layout_get_last_edge (layout), ==,
                   edge_of (layout, SP_LIFECYCLE_ACTION_CLOSE, 0));

  /* Calls off the diagram change nothing drawn. */
  g_assert_false (sp_lifecycle_layout_record (layout, SP_EVENT_CALL, SP_CALL_GETSOCKNAME, TRUE,
                                              0, SP_STATE_CLOSED, 0));
  g_assert_false (sp_lifecycle_layout_record (layout, SP_EVENT_NOTE, SP_CALL_NOTE, TRUE, 0,
                                              SP_STATE_CLOSED, 0));
}

static void
on_finished (SpPlayer *player,
             gboolean  passed,
             gpointer  user_data)
{
  *(gpointer *) user_data = GINT_TO_POINTER (TRUE);
}

/* Feeds the events of `socket_id` into `layout`, in order. */
static void
replay_into (SpLifecycleLayout *layout,
             SpTrafficLog      *log,
             const char        *socket_id)
{
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) != 0)
        continue;
      sp_lifecycle_layout_record (layout, sp_event_get_kind (event), sp_event_get_call (event),
                                  sp_event_get_ok (event), sp_event_get_error_code (event),
                                  sp_event_get_state (event), sp_event_get_bytes (event));
    }
}

/* The echo preset, run for real: the listener and the socket accept
 * returned each end on their path's closed node, with the calls and bytes
 * counted on the edges they took. */
static void
test_echo_session (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load ("tcp-echo", &error);
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpPlayer) player = NULL;
  g_autoptr(SpLifecycleLayout) server =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_SERVER);
  g_autoptr(SpLifecycleLayout) conn =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_ACCEPTED);
  g_autoptr(SpLifecycleLayout) client =
    sp_lifecycle_layout_new (SP_SOCKET_TYPE_STREAM, SP_LIFECYCLE_PATH_CLIENT);
  gpointer finished = NULL;
  guint connected;
  const SpLifecycleEdge *received;

  g_assert_no_error (error);
  player = sp_player_new (session, log);
  g_signal_connect (player, "finished", G_CALLBACK (on_finished), &finished);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (sp_test_pointer_is_set, &finished, SP_TEST_GUARD_MS));
  g_assert_true (sp_player_get_all_passed (player));

  replay_into (server, log, "server");
  replay_into (conn, log, "conn");
  replay_into (client, log, "client");

  g_assert_cmpint (sp_lifecycle_layout_get_state (server), ==, SP_STATE_CLOSED);
  g_assert_cmpuint (edge_at (server, edge_of (server, SP_LIFECYCLE_ACTION_ACCEPT,
                                              2))->n_calls, ==, 1);
  g_assert_cmpuint (edge_at (server, edge_of (server, SP_LIFECYCLE_ACTION_LISTEN,
                                              1))->n_calls, ==, 1);

  /* conn received "Hello World" and then the end of the stream. */
  connected = node_of (conn, SP_STATE_CONNECTED);
  received = edge_at (conn, edge_of (conn, SP_LIFECYCLE_ACTION_RECEIVE, connected));
  g_assert_cmpuint (received->n_calls, >=, 2);
  g_assert_cmpuint (received->bytes, ==, 11);
  g_assert_cmpuint (edge_at (conn, edge_of (conn, SP_LIFECYCLE_ACTION_SEND,
                                            connected))->bytes, ==, 11);
  g_assert_cmpint (sp_lifecycle_layout_get_state (conn), ==, SP_STATE_CLOSED);

  g_assert_cmpint (sp_lifecycle_layout_get_failed_error (client), ==, 0);
  g_assert_cmpuint (edge_at (client, edge_of (client, SP_LIFECYCLE_ACTION_CONNECT,
                                              0))->n_calls, ==, 1);
  g_assert_cmpint (sp_lifecycle_layout_get_last_edge (client), ==,
                   edge_of (client, SP_LIFECYCLE_ACTION_CLOSE, 0));
}

static void
test_path_for (void)
{
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_STREAM, FALSE, TRUE, FALSE), ==,
                   SP_LIFECYCLE_PATH_SERVER);
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_STREAM, FALSE, FALSE, TRUE), ==,
                   SP_LIFECYCLE_PATH_CLIENT);
  /* Neither yet: both ways on. */
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_STREAM, FALSE, FALSE, FALSE), ==,
                   SP_LIFECYCLE_PATH_UNDECIDED);
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_SEQPACKET, FALSE, FALSE, FALSE), ==,
                   SP_LIFECYCLE_PATH_UNDECIDED);
  /* A session that does both with one socket makes it a listener first. */
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_STREAM, FALSE, TRUE, TRUE), ==,
                   SP_LIFECYCLE_PATH_SERVER);
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_STREAM, TRUE, FALSE, FALSE), ==,
                   SP_LIFECYCLE_PATH_ACCEPTED);
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_DGRAM, FALSE, FALSE, FALSE), ==,
                   SP_LIFECYCLE_PATH_DATAGRAM);
  g_assert_cmpint (sp_lifecycle_path_for (SP_SOCKET_TYPE_RAW, FALSE, TRUE, FALSE), ==,
                   SP_LIFECYCLE_PATH_DATAGRAM);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/LifecycleLayout/server-path", test_server_path);
  g_test_add_func ("/Sp/LifecycleLayout/client-path", test_client_path);
  g_test_add_func ("/Sp/LifecycleLayout/datagram-path", test_datagram_path);
  g_test_add_func ("/Sp/LifecycleLayout/undecided-path", test_undecided_path);
  g_test_add_func ("/Sp/LifecycleLayout/paths-in-a-row", test_paths_in_a_row);
  g_test_add_func ("/Sp/LifecycleLayout/edges-follow-table", test_edges_follow_table);
  g_test_add_func ("/Sp/LifecycleLayout/failed-calls", test_failed_calls);
  g_test_add_func ("/Sp/LifecycleLayout/echo-session", test_echo_session);
  g_test_add_func ("/Sp/LifecycleLayout/path-for", test_path_for);

  return g_test_run ();
}
