/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-observed-sockets.h"
#include "sp-player.h"

G_BEGIN_DECLS

/* Where a connect, connect_ex or sendto of one socket can go among the
 * session's other sockets: those of the same family and type, and for a
 * stream connect only listeners. The likeliest comes first, so that the
 * window can offer it by default: a socket that is ready now (listening,
 * or a bound datagram socket), then one the session's steps make ready
 * (they listen, serve or bind it), then the rest, each in session order. */

typedef struct
{
  char     *id;
  /* Listening, or bound for a datagram socket, at this moment. */
  gboolean  ready;
  /* The address it is bound to now ("127.0.0.1:43125", a path), or NULL. */
  char     *where;
  /* A traced program's socket ("server.py:3"): a step reaches it by its
   * address, `where`, as a session cannot name it. */
  gboolean  observed;
} SpDestination;

void       sp_destination_free   (SpDestination *destination);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpDestination, sp_destination_free)

/* A GPtrArray of SpDestination for socket `id` of `family` and `type`,
 * given the session and the sockets `player` has made. `call` is
 * SP_CALL_CONNECT, SP_CALL_CONNECT_EX or SP_CALL_SENDTO. */
GPtrArray *sp_destinations_find  (SpPlayer      *player,
                                  const char    *id,
                                  SpFamily       family,
                                  SpSocketType   type,
                                  SpCall         call);

/* Appends to `found` the sockets of traced programs that can take the
 * call now: of `family` and `type`, listening (or, for a datagram socket,
 * bound), their address known. */
void       sp_destinations_add_observed (GPtrArray         *found,
                                         SpObservedSockets *observed,
                                         SpFamily           family,
                                         SpSocketType       type);

/* Whether the session's steps make socket `id` listen (listen or serve):
 * a server, which connects nowhere itself. */
gboolean   sp_destinations_is_server (SpSession     *session,
                                      const char    *id);

G_END_DECLS
