/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-lifecycle.h"

#define TYPE(t)  (1u << SP_SOCKET_TYPE_##t)
#define STREAMS  (TYPE (STREAM) | TYPE (SEQPACKET))
#define DGRAMS   (TYPE (DGRAM) | TYPE (RAW))
#define ALL      (STREAMS | DGRAMS)

#define ROW(call, from, to, types) \
  { SP_CALL_##call, SP_STATE_##from, SP_STATE_##to, types }

/* A call in each state a socket is open in, leaving the state alone. */
#define IN_EVERY_LIVE_STATE(call) \
  ROW (call, CREATED, CREATED, ALL), \
  ROW (call, BOUND, BOUND, ALL), \
  ROW (call, LISTENING, LISTENING, STREAMS), \
  ROW (call, CONNECTING, CONNECTING, ALL), \
  ROW (call, CONNECTED, CONNECTED, ALL), \
  ROW (call, SHUT_READ, SHUT_READ, STREAMS), \
  ROW (call, SHUT_WRITE, SHUT_WRITE, STREAMS), \
  ROW (call, SHUT_BOTH, SHUT_BOTH, STREAMS)

/* Receiving: a connected socket, a stream whose writing side is shut, a
 * bound datagram socket, and a raw socket from the start (raw sockets see
 * packets without being bound). */
#define RECEIVING(call) \
  ROW (call, CONNECTED, CONNECTED, ALL), \
  ROW (call, SHUT_WRITE, SHUT_WRITE, STREAMS), \
  ROW (call, BOUND, BOUND, DGRAMS), \
  ROW (call, CREATED, CREATED, TYPE (RAW))

/* connect on a stream socket happens once; a datagram socket may connect
 * again to change its peer. */
#define CONNECTS(call) \
  ROW (call, CREATED, CONNECTED, ALL), \
  ROW (call, BOUND, CONNECTED, ALL), \
  ROW (call, CONNECTED, CONNECTED, DGRAMS)

/* The socket API as Python shows it on Linux: what succeeds, in which
 * state, for which type, and where it leads. */
static const SpTransition transitions[] = {
  ROW (SOCKET, UNCREATED, CREATED, ALL),

  IN_EVERY_LIVE_STATE (SETSOCKOPT),
  IN_EVERY_LIVE_STATE (GETSOCKNAME),

  ROW (BIND, CREATED, BOUND, ALL),

  /* listen again only changes the backlog. */
  ROW (LISTEN, BOUND, LISTENING, STREAMS),
  ROW (LISTEN, LISTENING, LISTENING, STREAMS),
  ROW (ACCEPT, LISTENING, LISTENING, STREAMS),
  ROW (SERVE, LISTENING, LISTENING, STREAMS),

  CONNECTS (CONNECT),
  CONNECTS (CONNECT_EX),

  ROW (SEND, CONNECTED, CONNECTED, ALL),
  ROW (SEND, SHUT_READ, SHUT_READ, STREAMS),
  ROW (SENDALL, CONNECTED, CONNECTED, ALL),
  ROW (SENDALL, SHUT_READ, SHUT_READ, STREAMS),

  /* The first sendto binds an unbound datagram socket to an ephemeral port. */
  ROW (SENDTO, CREATED, BOUND, DGRAMS),
  ROW (SENDTO, BOUND, BOUND, DGRAMS),
  ROW (SENDTO, CONNECTED, CONNECTED, DGRAMS),

  RECEIVING (RECV),
  RECEIVING (RECVFROM),
  RECEIVING (RECV_INTO),
  RECEIVING (RECVFROM_INTO),

  /* A shut-down stream still knows its peer. */
  ROW (GETPEERNAME, CONNECTED, CONNECTED, ALL),
  ROW (GETPEERNAME, SHUT_READ, SHUT_READ, STREAMS),
  ROW (GETPEERNAME, SHUT_WRITE, SHUT_WRITE, STREAMS),
  ROW (GETPEERNAME, SHUT_BOTH, SHUT_BOTH, STREAMS),

  /* Where shutdown leads depends on `how`: sp_lifecycle_after_shutdown. */
  ROW (SHUTDOWN, CONNECTED, SHUT_BOTH, STREAMS),
  ROW (SHUTDOWN, SHUT_READ, SHUT_BOTH, STREAMS),
  ROW (SHUTDOWN, SHUT_WRITE, SHUT_BOTH, STREAMS),
  ROW (SHUTDOWN, SHUT_BOTH, SHUT_BOTH, STREAMS),

  ROW (CLOSE, CREATED, CLOSED, ALL),
  ROW (CLOSE, BOUND, CLOSED, ALL),
  ROW (CLOSE, LISTENING, CLOSED, STREAMS),
  ROW (CLOSE, CONNECTING, CLOSED, ALL),
  ROW (CLOSE, CONNECTED, CLOSED, ALL),
  ROW (CLOSE, SHUT_READ, CLOSED, STREAMS),
  ROW (CLOSE, SHUT_WRITE, CLOSED, STREAMS),
  ROW (CLOSE, SHUT_BOTH, CLOSED, STREAMS),
};

const SpTransition *
sp_lifecycle_get_transitions (guint *n_transitions)
{
  if (n_transitions != NULL)
    *n_transitions = G_N_ELEMENTS (transitions);

  return transitions;
}

static const SpTransition *
find_transition (SpSocketType type,
                 SpState      state,
                 SpCall       call)
{
  guint bit;

  if ((guint) type > SP_SOCKET_TYPE_SEQPACKET)
    return NULL;

  bit = 1u << type;
  for (guint i = 0; i < G_N_ELEMENTS (transitions); i++)
    {
      const SpTransition *row = &transitions[i];

      if (row->call == call && row->from == state && (row->types & bit) != 0)
        return row;
    }

  return NULL;
}

gboolean
sp_lifecycle_is_legal (SpSocketType type,
                       SpState      state,
                       SpCall       call)
{
  if ((guint) call < SP_N_CALLS && sp_call_is_global (call))
    return TRUE;

  return find_transition (type, state, call) != NULL;
}

SpState
sp_lifecycle_next_state (SpSocketType type,
                         SpState      state,
                         SpCall       call)
{
  const SpTransition *row;

  if (sp_call_is_global (call))
    return state;

  row = find_transition (type, state, call);

  return row != NULL ? row->to : state;
}

GArray *
sp_lifecycle_legal_calls (SpSocketType type,
                          SpState      state)
{
  GArray *calls = g_array_new (FALSE, FALSE, sizeof (SpCall));

  for (SpCall call = 0; call < SP_N_CALLS; call++)
    {
      if (sp_lifecycle_is_legal (type, state, call))
        g_array_append_val (calls, call);
    }

  return calls;
}

SpState
sp_lifecycle_after_shutdown (SpState       state,
                             SpShutdownHow how)
{
  gboolean read_shut;
  gboolean write_shut;

  if (state != SP_STATE_CONNECTED &&
      state != SP_STATE_SHUT_READ &&
      state != SP_STATE_SHUT_WRITE &&
      state != SP_STATE_SHUT_BOTH)
    return state;

  read_shut = state == SP_STATE_SHUT_READ || state == SP_STATE_SHUT_BOTH ||
              how == SP_SHUTDOWN_READ || how == SP_SHUTDOWN_BOTH;
  write_shut = state == SP_STATE_SHUT_WRITE || state == SP_STATE_SHUT_BOTH ||
               how == SP_SHUTDOWN_WRITE || how == SP_SHUTDOWN_BOTH;

  if (read_shut && write_shut)
    return SP_STATE_SHUT_BOTH;
  if (read_shut)
    return SP_STATE_SHUT_READ;
  if (write_shut)
    return SP_STATE_SHUT_WRITE;

  return state;
}
