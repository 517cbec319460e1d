/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-traffic-log.h"

G_BEGIN_DECLS

/* "Follow stream": the bytes of one connection or one datagram peer, in
 * the order the calls moved them, so a reader sees how the send() calls
 * of one side and the recv() calls of the other did (not) line up.
 *
 * The conversation of an event is every sent or received event between
 * the same two endpoints, either way. A wildcard address ("0.0.0.0:9000",
 * "[::]:9000") matches any address on its port, as the kernel delivers
 * datagrams to it. Side A is the endpoint that sent first. */

typedef struct
{
  guint    position;  /* in the traffic log */
  gboolean from_a;    /* the bytes went from A to B */
  gboolean sent;      /* a send call (else a receive) */
} SpConversationChunk;

typedef struct
{
  char    *endpoint_a;
  char    *endpoint_b;
  GArray  *chunks;         /* SpConversationChunk, in log order */
  guint64  bytes_a_to_b;   /* as sent (or, when only received, as received) */
  guint64  bytes_b_to_a;
  gboolean truncated;      /* more chunks than the limit */
} SpConversation;

/* The conversation of the event at `position`, at most `max_chunks`
 * chunks of it (0: all); NULL when the event has no two endpoints (a
 * lifecycle call before connect, a note). */
SpConversation *sp_conversation_find (SpTrafficLog   *log,
                                      guint           position,
                                      guint           max_chunks);
void            sp_conversation_free (SpConversation *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpConversation, sp_conversation_free)

G_END_DECLS
