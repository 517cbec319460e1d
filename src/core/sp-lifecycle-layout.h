/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-event.h"
#include "sp-types.h"

G_BEGIN_DECLS

/* What the lifecycle diagram draws for one socket, worked out from the
 * SpLifecycle table without a display: the states of the socket's path as
 * nodes in a row, the calls between them as edges, which node is current,
 * how often each edge was taken with how many bytes, and the edge a failed
 * call tried.
 *
 * A path is the lecture notes' life cycle of one kind of socket. The nodes
 * come in the order the notes list the calls; the edges are the table's
 * transitions between those states, grouped by what a call does (send and
 * sendall are one "send" edge). Calls that do not move a socket along its
 * life cycle (setsockopt, getsockname…) are not drawn.
 *
 * Nodes stand in columns, left to right. Where a path forks (a stream
 * socket that may still listen or connect), the two ways on take lanes of
 * their own above and under the row, in the same columns. */

typedef enum
{
  SP_LIFECYCLE_PATH_SERVER,    /* stream: create → bind → listen (accept) → close */
  SP_LIFECYCLE_PATH_CLIENT,    /* stream: create → (bind) → connect → send/recv → shutdown → close */
  SP_LIFECYCLE_PATH_ACCEPTED,  /* what accept returned: send/recv → shutdown → close */
  SP_LIFECYCLE_PATH_DATAGRAM,  /* create → bind → sendto/recvfrom → close */
  /* stream, before it has listened or connected: create → (bind), then
   * either listen (accept) or connect → send/recv → shutdown; close */
  SP_LIFECYCLE_PATH_UNDECIDED,
} SpLifecyclePath;

/* What a call does, as one edge shows it. */
typedef enum
{
  SP_LIFECYCLE_ACTION_CREATE,
  SP_LIFECYCLE_ACTION_BIND,
  SP_LIFECYCLE_ACTION_LISTEN,
  SP_LIFECYCLE_ACTION_ACCEPT,
  SP_LIFECYCLE_ACTION_CONNECT,
  SP_LIFECYCLE_ACTION_SEND,
  SP_LIFECYCLE_ACTION_RECEIVE,
  SP_LIFECYCLE_ACTION_SHUTDOWN,
  SP_LIFECYCLE_ACTION_CLOSE,
  SP_LIFECYCLE_ACTION_NONE,    /* not drawn */
} SpLifecycleAction;

/* The edge from nowhere into the first node (socket(), or accept for an
 * accepted socket). */
#define SP_LIFECYCLE_NO_NODE G_MAXUINT

typedef struct
{
  SpState  state;   /* the state the node is named after */
  guint    states;  /* bit (1 << SpState) for each state it stands for */
  guint    column;  /* left to right, from 0 */
  int      lane;    /* 0 on the row, -1 above it, 1 under it */
} SpLifecycleNode;

typedef struct
{
  guint              from;     /* a node, or SP_LIFECYCLE_NO_NODE */
  guint              to;       /* a node; == from for a call that stays */
  SpLifecycleAction  action;
  /* bit (1 << node) for each node the edge leaves: close leaves every
   * node, and is drawn once, as a line under the row. */
  guint              from_nodes;
  guint              n_calls;  /* successful calls that took the edge */
  guint64            bytes;    /* bytes they moved */
} SpLifecycleEdge;

typedef struct _SpLifecycleLayout SpLifecycleLayout;

/* The path the diagram shows: an accepted socket's own, a datagram one, a
 * stream socket that has listened (or whose session makes it listen) the
 * server's, one that has connected (or is meant to) the client's, and any
 * other stream socket both ways on. */
SpLifecyclePath        sp_lifecycle_path_for (SpSocketType  type,
                                              gboolean      accepted,
                                              gboolean      listens,
                                              gboolean      connects);
/* The name of the call an action stands for on this type: "send", or
 * "sendto" on a datagram socket. */
const char            *sp_lifecycle_action_name (SpLifecycleAction action,
                                                 SpSocketType      type);
SpLifecycleAction      sp_lifecycle_action_for_call (SpCall call);

SpLifecycleLayout     *sp_lifecycle_layout_new      (SpSocketType        type,
                                                     SpLifecyclePath     path);
void                   sp_lifecycle_layout_free     (SpLifecycleLayout  *self);

SpSocketType           sp_lifecycle_layout_get_socket_type (SpLifecycleLayout *self);
SpLifecyclePath        sp_lifecycle_layout_get_path (SpLifecycleLayout  *self);
guint                  sp_lifecycle_layout_get_n_nodes (SpLifecycleLayout *self);
const SpLifecycleNode *sp_lifecycle_layout_get_node (SpLifecycleLayout  *self,
                                                     guint               index);
guint                  sp_lifecycle_layout_get_n_edges (SpLifecycleLayout *self);
const SpLifecycleEdge *sp_lifecycle_layout_get_edge (SpLifecycleLayout  *self,
                                                     guint               index);

/* The node standing for `state`, SP_LIFECYCLE_NO_NODE when the path has
 * none (UNCREATED, or a state off the path). */
guint                  sp_lifecycle_layout_node_for_state (SpLifecycleLayout *self,
                                                           SpState            state);
/* The edge `call` takes, or tries, from `state`: the one leaving that
 * state's node, else one the call takes from elsewhere (a connect on a
 * listening socket tries the connect edge); -1 when it has none. */
int                    sp_lifecycle_layout_edge_for_call (SpLifecycleLayout *self,
                                                          SpState            state,
                                                          SpCall             call);

/* The socket's state now; the path starts UNCREATED, or CONNECTED for an
 * accepted socket. */
SpState                sp_lifecycle_layout_get_state (SpLifecycleLayout  *self);
void                   sp_lifecycle_layout_set_state (SpLifecycleLayout  *self,
                                                      SpState             state);

/* Takes one of the socket's events into account: a successful call moves
 * the current state and counts on its edge; a failed one marks the edge
 * it tried until the next call. Returns whether anything drawn changed. */
gboolean               sp_lifecycle_layout_record   (SpLifecycleLayout  *self,
                                                     SpEventKind         kind,
                                                     SpCall              call,
                                                     gboolean            ok,
                                                     int                 error_code,
                                                     SpState             state_after,
                                                     gsize               bytes);
/* The edge the last call failed on (-1 none; a failed call with no edge
 * on the path has its error shown at the current node), and its errno:
 * SP_LIFECYCLE_NO_ERROR for a failure without one (negative codes are name
 * lookups', sp-errno.h). */
#define SP_LIFECYCLE_NO_ERROR G_MININT
int                    sp_lifecycle_layout_get_failed_edge (SpLifecycleLayout *self);
int                    sp_lifecycle_layout_get_failed_error (SpLifecycleLayout *self);
SpCall                 sp_lifecycle_layout_get_failed_call (SpLifecycleLayout *self);
/* The edge of the last successful call, -1 before any. */
int                    sp_lifecycle_layout_get_last_edge (SpLifecycleLayout *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpLifecycleLayout, sp_lifecycle_layout_free)

G_END_DECLS
