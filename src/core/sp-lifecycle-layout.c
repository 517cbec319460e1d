/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-lifecycle.h"
#include "sp-lifecycle-layout.h"

#define STATE_BIT(s) (1u << SP_STATE_##s)
#define SHUT_STATES (STATE_BIT (SHUT_READ) | STATE_BIT (SHUT_WRITE) | STATE_BIT (SHUT_BOTH))
/* A connect under way is drawn at the node it leads to. */
#define CONNECTED_STATES (STATE_BIT (CONNECTING) | STATE_BIT (CONNECTED))

#define MAX_NODES 6

typedef struct
{
  SpState state;
  guint   states;
  guint   column;
  int     lane;
} NodeSpec;

#define NODE(s, column) { SP_STATE_##s, STATE_BIT (s), column, 0 }
#define CONNECTED(column, lane) { SP_STATE_CONNECTED, CONNECTED_STATES, column, lane }
#define SHUT(column, lane) { SP_STATE_SHUT_BOTH, SHUT_STATES, column, lane }
#define END { SP_N_STATES, 0, 0, 0 }

/* The nodes of each path, in the order the lecture notes list the calls. */
static const NodeSpec path_nodes[][MAX_NODES] = {
  [SP_LIFECYCLE_PATH_SERVER] = {
    NODE (CREATED, 0), NODE (BOUND, 1), NODE (LISTENING, 2), NODE (CLOSED, 3), END,
  },
  [SP_LIFECYCLE_PATH_CLIENT] = {
    NODE (CREATED, 0), NODE (BOUND, 1), CONNECTED (2, 0), SHUT (3, 0), NODE (CLOSED, 4), END,
  },
  [SP_LIFECYCLE_PATH_ACCEPTED] = {
    CONNECTED (0, 0), SHUT (1, 0), NODE (CLOSED, 2), END,
  },
  [SP_LIFECYCLE_PATH_DATAGRAM] = {
    NODE (CREATED, 0), NODE (BOUND, 1), CONNECTED (2, 0), NODE (CLOSED, 3), END,
  },
  /* The server's way on above the row, the client's under it. */
  [SP_LIFECYCLE_PATH_UNDECIDED] = {
    NODE (CREATED, 0), NODE (BOUND, 1), { SP_STATE_LISTENING, STATE_BIT (LISTENING), 2, -1 },
    CONNECTED (2, 1), SHUT (3, 1), NODE (CLOSED, 4),
  },
};

struct _SpLifecycleLayout
{
  SpSocketType     type;
  SpLifecyclePath  path;
  SpLifecycleNode  nodes[MAX_NODES];
  guint            n_nodes;
  GArray          *edges;  /* of SpLifecycleEdge */

  SpState          state;
  int              last_edge;
  int              failed_edge;
  int              failed_error;
  SpCall           failed_call;
};

SpLifecyclePath
sp_lifecycle_path_for (SpSocketType type,
                       gboolean     accepted,
                       gboolean     listens,
                       gboolean     connects)
{
  if (accepted)
    return SP_LIFECYCLE_PATH_ACCEPTED;
  if (type == SP_SOCKET_TYPE_DGRAM || type == SP_SOCKET_TYPE_RAW)
    return SP_LIFECYCLE_PATH_DATAGRAM;
  if (listens)
    return SP_LIFECYCLE_PATH_SERVER;
  return connects ? SP_LIFECYCLE_PATH_CLIENT : SP_LIFECYCLE_PATH_UNDECIDED;
}

SpLifecycleAction
sp_lifecycle_action_for_call (SpCall call)
{
  switch (call)
    {
    case SP_CALL_SOCKET:
      return SP_LIFECYCLE_ACTION_CREATE;
    case SP_CALL_BIND:
      return SP_LIFECYCLE_ACTION_BIND;
    case SP_CALL_LISTEN:
      return SP_LIFECYCLE_ACTION_LISTEN;
    case SP_CALL_ACCEPT:
    case SP_CALL_SERVE:
      return SP_LIFECYCLE_ACTION_ACCEPT;
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      return SP_LIFECYCLE_ACTION_CONNECT;
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
      return SP_LIFECYCLE_ACTION_SEND;
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
      return SP_LIFECYCLE_ACTION_RECEIVE;
    case SP_CALL_SHUTDOWN:
      return SP_LIFECYCLE_ACTION_SHUTDOWN;
    case SP_CALL_CLOSE:
      return SP_LIFECYCLE_ACTION_CLOSE;

    case SP_CALL_SETSOCKOPT:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      return SP_LIFECYCLE_ACTION_NONE;
    }
}

const char *
sp_lifecycle_action_name (SpLifecycleAction action,
                          SpSocketType      type)
{
  gboolean datagram = type == SP_SOCKET_TYPE_DGRAM || type == SP_SOCKET_TYPE_RAW;

  /* The names of the calls, which are not translated. */
  switch (action)
    {
    case SP_LIFECYCLE_ACTION_CREATE:
      return "socket";
    case SP_LIFECYCLE_ACTION_BIND:
      return "bind";
    case SP_LIFECYCLE_ACTION_LISTEN:
      return "listen";
    case SP_LIFECYCLE_ACTION_ACCEPT:
      return "accept";
    case SP_LIFECYCLE_ACTION_CONNECT:
      return "connect";
    case SP_LIFECYCLE_ACTION_SEND:
      return datagram ? "sendto" : "send";
    case SP_LIFECYCLE_ACTION_RECEIVE:
      return datagram ? "recvfrom" : "recv";
    case SP_LIFECYCLE_ACTION_SHUTDOWN:
      return "shutdown";
    case SP_LIFECYCLE_ACTION_CLOSE:
      return "close";
    case SP_LIFECYCLE_ACTION_NONE:
    default:
      return "";
    }
}

guint
sp_lifecycle_layout_node_for_state (SpLifecycleLayout *self,
                                    SpState            state)
{
  g_return_val_if_fail (self != NULL, SP_LIFECYCLE_NO_NODE);

  if ((guint) state >= SP_N_STATES)
    return SP_LIFECYCLE_NO_NODE;

  for (guint i = 0; i < self->n_nodes; i++)
    {
      if (self->nodes[i].states & (1u << state))
        return i;
    }

  return SP_LIFECYCLE_NO_NODE;
}

/* Loops are drawn only where a call is what the state is for: accepting
 * on a listener, moving data on a connected socket. */
static gboolean
draws_loop (SpLifecycleAction action)
{
  return action == SP_LIFECYCLE_ACTION_ACCEPT ||
         action == SP_LIFECYCLE_ACTION_SEND ||
         action == SP_LIFECYCLE_ACTION_RECEIVE;
}

static void
add_edge (SpLifecycleLayout *self,
          guint              from,
          guint              to,
          SpLifecycleAction  action)
{
  SpLifecycleEdge edge = { from, to, action, 0, 0, 0 };

  for (guint i = 0; i < self->edges->len; i++)
    {
      SpLifecycleEdge *other = &g_array_index (self->edges, SpLifecycleEdge, i);

      /* close is one edge whatever it leaves; others merge their calls
       * (connect and connect_ex, send and sendall). */
      if (other->action == action &&
          (action == SP_LIFECYCLE_ACTION_CLOSE || (other->from == from && other->to == to)))
        {
          if (from != SP_LIFECYCLE_NO_NODE)
            other->from_nodes |= 1u << from;
          return;
        }
    }

  if (from != SP_LIFECYCLE_NO_NODE)
    edge.from_nodes = 1u << from;
  g_array_append_val (self->edges, edge);
}

static void
build_edges (SpLifecycleLayout *self)
{
  guint n_rows = 0;
  const SpTransition *rows = sp_lifecycle_get_transitions (&n_rows);
  guint type_bit = 1u << self->type;

  if (self->path == SP_LIFECYCLE_PATH_ACCEPTED)
    add_edge (self, SP_LIFECYCLE_NO_NODE,
              sp_lifecycle_layout_node_for_state (self, SP_STATE_CONNECTED),
              SP_LIFECYCLE_ACTION_ACCEPT);
  else
    add_edge (self, SP_LIFECYCLE_NO_NODE,
              sp_lifecycle_layout_node_for_state (self, SP_STATE_CREATED),
              SP_LIFECYCLE_ACTION_CREATE);

  for (guint i = 0; i < n_rows; i++)
    {
      SpLifecycleAction action = sp_lifecycle_action_for_call (rows[i].call);
      guint from = sp_lifecycle_layout_node_for_state (self, rows[i].from);
      guint to = sp_lifecycle_layout_node_for_state (self, rows[i].to);

      if (!(rows[i].types & type_bit) || action == SP_LIFECYCLE_ACTION_NONE ||
          from == SP_LIFECYCLE_NO_NODE || to == SP_LIFECYCLE_NO_NODE)
        continue;
      if (from == to && !draws_loop (action))
        continue;
      /* accept is the listener's loop; the accepted path starts with it. */
      if (action == SP_LIFECYCLE_ACTION_ACCEPT && self->path != SP_LIFECYCLE_PATH_SERVER &&
          self->path != SP_LIFECYCLE_PATH_UNDECIDED)
        continue;

      add_edge (self, from, to, action);
    }
}

SpLifecycleLayout *
sp_lifecycle_layout_new (SpSocketType    type,
                         SpLifecyclePath path)
{
  SpLifecycleLayout *self;

  g_return_val_if_fail ((guint) type <= SP_SOCKET_TYPE_SEQPACKET, NULL);
  g_return_val_if_fail ((guint) path <= SP_LIFECYCLE_PATH_UNDECIDED, NULL);

  self = g_new0 (SpLifecycleLayout, 1);
  self->type = type;
  self->path = path;
  self->edges = g_array_new (FALSE, FALSE, sizeof (SpLifecycleEdge));

  for (guint i = 0; i < MAX_NODES && path_nodes[path][i].states != 0; i++)
    {
      self->nodes[i].state = path_nodes[path][i].state;
      self->nodes[i].states = path_nodes[path][i].states;
      self->nodes[i].column = path_nodes[path][i].column;
      self->nodes[i].lane = path_nodes[path][i].lane;
      self->n_nodes++;
    }

  build_edges (self);

  self->state = path == SP_LIFECYCLE_PATH_ACCEPTED ? SP_STATE_CONNECTED : SP_STATE_UNCREATED;
  self->last_edge = -1;
  self->failed_edge = -1;
  return self;
}

void
sp_lifecycle_layout_free (SpLifecycleLayout *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->edges);
  g_free (self);
}

SpSocketType
sp_lifecycle_layout_get_socket_type (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, SP_SOCKET_TYPE_STREAM);
  return self->type;
}

SpLifecyclePath
sp_lifecycle_layout_get_path (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, SP_LIFECYCLE_PATH_CLIENT);
  return self->path;
}

guint
sp_lifecycle_layout_get_n_nodes (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_nodes;
}

const SpLifecycleNode *
sp_lifecycle_layout_get_node (SpLifecycleLayout *self,
                              guint              index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->n_nodes, NULL);
  return &self->nodes[index];
}

guint
sp_lifecycle_layout_get_n_edges (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->edges->len;
}

const SpLifecycleEdge *
sp_lifecycle_layout_get_edge (SpLifecycleLayout *self,
                              guint              index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->edges->len, NULL);
  return &g_array_index (self->edges, SpLifecycleEdge, index);
}

static int
find_edge (SpLifecycleLayout *self,
           SpLifecycleAction  action,
           guint              node)
{
  for (guint i = 0; i < self->edges->len; i++)
    {
      const SpLifecycleEdge *edge = &g_array_index (self->edges, SpLifecycleEdge, i);

      if (edge->action != action)
        continue;
      if (node == SP_LIFECYCLE_NO_NODE ? edge->from == SP_LIFECYCLE_NO_NODE
                                       : (edge->from_nodes & (1u << node)) != 0)
        return (int) i;
    }

  return -1;
}

int
sp_lifecycle_layout_edge_for_call (SpLifecycleLayout *self,
                                   SpState            state,
                                   SpCall             call)
{
  SpLifecycleAction action = sp_lifecycle_action_for_call (call);
  guint node;
  int edge;

  g_return_val_if_fail (self != NULL, -1);

  if (action == SP_LIFECYCLE_ACTION_NONE)
    return -1;

  /* A socket() after close makes a new socket: the way in again. */
  node = action == SP_LIFECYCLE_ACTION_CREATE ? SP_LIFECYCLE_NO_NODE
                                              : sp_lifecycle_layout_node_for_state (self, state);
  edge = find_edge (self, action, node);
  if (edge >= 0)
    return edge;

  /* Not from here: the edge the call takes where it is legal. */
  for (guint i = 0; i < self->edges->len; i++)
    {
      if (g_array_index (self->edges, SpLifecycleEdge, i).action == action)
        return (int) i;
    }

  return -1;
}

SpState
sp_lifecycle_layout_get_state (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, SP_STATE_UNCREATED);
  return self->state;
}

void
sp_lifecycle_layout_set_state (SpLifecycleLayout *self,
                               SpState            state)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail ((guint) state < SP_N_STATES);
  self->state = state;
}

static gboolean
clear_failure (SpLifecycleLayout *self)
{
  gboolean had = self->failed_error != 0;

  self->failed_edge = -1;
  self->failed_error = 0;
  return had;
}

gboolean
sp_lifecycle_layout_record (SpLifecycleLayout *self,
                            SpEventKind        kind,
                            SpCall             call,
                            gboolean           ok,
                            int                error_code,
                            SpState            state_after,
                            gsize              bytes)
{
  gboolean changed;
  int edge;

  g_return_val_if_fail (self != NULL, FALSE);

  if (kind != SP_EVENT_CALL && kind != SP_EVENT_SENT && kind != SP_EVENT_RECEIVED)
    return FALSE;

  edge = sp_lifecycle_layout_edge_for_call (self, self->state, call);

  /* connect_ex reports its errno as a result, not as a failure of the
   * call; the diagram shows it as the failure it is. */
  if (!ok || error_code != 0)
    {
      self->failed_edge = edge;
      self->failed_error = error_code != 0 ? error_code : SP_LIFECYCLE_NO_ERROR;
      self->failed_call = call;
      /* The socket's state after it: a refused connect is created again,
       * though the diagram may have been drawn while it was connecting. */
      if ((guint) state_after < SP_N_STATES && state_after != SP_STATE_UNCREATED)
        self->state = state_after;
      return TRUE;
    }

  changed = clear_failure (self);

  if (edge >= 0)
    {
      SpLifecycleEdge *taken = &g_array_index (self->edges, SpLifecycleEdge, edge);

      taken->n_calls++;
      taken->bytes += bytes;
      self->last_edge = edge;
      changed = TRUE;
    }

  if ((guint) state_after < SP_N_STATES && state_after != SP_STATE_UNCREATED &&
      state_after != self->state)
    {
      self->state = state_after;
      changed = TRUE;
    }

  return changed;
}

int
sp_lifecycle_layout_get_failed_edge (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->failed_edge;
}

int
sp_lifecycle_layout_get_failed_error (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->failed_error;
}

SpCall
sp_lifecycle_layout_get_failed_call (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, SP_CALL_NOTE);
  return self->failed_call;
}

int
sp_lifecycle_layout_get_last_edge (SpLifecycleLayout *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->last_edge;
}
