/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-destinations.h"
#include "sp-endpoint.h"

typedef enum
{
  RANK_READY,      /* listening or bound now */
  RANK_WILL_BE,    /* the session's steps make it so */
  RANK_OTHER,      /* of the same kind, nothing more known */
  RANK_NONE,       /* cannot take the call */
} Rank;

void
sp_destination_free (SpDestination *destination)
{
  if (destination == NULL)
    return;

  g_free (destination->id);
  g_free (destination->where);
  g_free (destination);
}

static gboolean
is_stream (SpSocketType type)
{
  return type == SP_SOCKET_TYPE_STREAM || type == SP_SOCKET_TYPE_SEQPACKET;
}

/* Whether one of the session's steps on `id` makes it a destination:
 * listen or serve for a stream, bind for a datagram socket. */
static gboolean
steps_make_ready (SpSession    *session,
                  const char   *id,
                  SpSocketType  type)
{
  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      SpStep *step = sp_session_get_step (session, i);

      if (g_strcmp0 (step->socket, id) != 0)
        continue;
      if (is_stream (type) && (step->call == SP_CALL_LISTEN || step->call == SP_CALL_SERVE))
        return TRUE;
      if (!is_stream (type) && step->call == SP_CALL_BIND)
        return TRUE;
    }

  return FALSE;
}

static gboolean
socket_is_ready (SpSocket *socket)
{
  SpState state = sp_socket_get_state (socket);

  if (is_stream (sp_socket_get_socket_type (socket)))
    return state == SP_STATE_LISTENING;
  return state != SP_STATE_UNCREATED && state != SP_STATE_CLOSED &&
         sp_socket_get_local_address (socket) != NULL;
}

static Rank
rank_candidate (SpSession      *session,
                SpSocketConfig *config,
                SpSocket       *socket,
                SpSocketType    type)
{
  const char *id = socket != NULL ? sp_socket_get_id (socket) : config->id;

  if (socket != NULL && socket_is_ready (socket))
    return RANK_READY;
  if (steps_make_ready (session, id, type))
    return RANK_WILL_BE;
  /* Nothing connects to a stream socket that does not listen. */
  if (is_stream (type))
    return RANK_NONE;
  return RANK_OTHER;
}

static SpDestination *
destination_new (const char *id,
                 SpSocket   *socket,
                 Rank        rank)
{
  SpDestination *destination = g_new0 (SpDestination, 1);
  GSocketAddress *local = socket != NULL ? sp_socket_get_local_address (socket) : NULL;

  destination->id = g_strdup (id);
  destination->ready = rank == RANK_READY;
  if (local != NULL && rank == RANK_READY)
    destination->where = sp_endpoint_format (local);
  return destination;
}

GPtrArray *
sp_destinations_find (SpPlayer     *player,
                      const char   *id,
                      SpFamily      family,
                      SpSocketType  type,
                      SpCall        call)
{
  SpSession *session;
  GListModel *configs;
  GListModel *live;
  /* Per rank, the destinations in session order. */
  GPtrArray *by_rank[RANK_NONE];
  GPtrArray *found = g_ptr_array_new_with_free_func ((GDestroyNotify) sp_destination_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (SP_IS_PLAYER (player), found);
  g_return_val_if_fail (call == SP_CALL_CONNECT || call == SP_CALL_CONNECT_EX ||
                        call == SP_CALL_SENDTO, found);

  session = sp_player_get_session (player);
  configs = sp_session_get_sockets (session);
  live = sp_player_get_sockets (player);
  for (guint r = 0; r < RANK_NONE; r++)
    by_rank[r] = g_ptr_array_new ();

  /* The configured sockets first, in session order, as they are now. */
  for (guint i = 0; i < g_list_model_get_n_items (configs); i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (configs, i);
      SpSocket *socket = sp_player_lookup_socket (player, config->id);
      SpFamily other_family = socket != NULL ? sp_socket_get_family (socket) : config->family;
      SpSocketType other_type = socket != NULL ? sp_socket_get_socket_type (socket) : config->type;
      Rank rank;

      g_hash_table_add (seen, config->id);
      if (g_strcmp0 (config->id, id) == 0 || other_family != family || other_type != type)
        continue;

      rank = rank_candidate (session, config, socket, type);
      if (rank != RANK_NONE)
        g_ptr_array_add (by_rank[rank], destination_new (config->id, socket, rank));
    }

  /* Sockets only the steps name ("as" of an accept) were returned by
   * accept: connected, never a destination. Any other live one is. */
  for (guint i = 0; i < g_list_model_get_n_items (live); i++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (live, i);
      const char *other = sp_socket_get_id (socket);
      Rank rank;

      if (g_hash_table_contains (seen, other) || g_strcmp0 (other, id) == 0 ||
          sp_socket_get_listener (socket) != NULL ||
          sp_player_lookup_socket (player, other) != socket ||
          sp_socket_get_family (socket) != family || sp_socket_get_socket_type (socket) != type)
        continue;

      g_hash_table_add (seen, (gpointer) other);
      rank = rank_candidate (session, NULL, socket, type);
      if (rank != RANK_NONE)
        g_ptr_array_add (by_rank[rank], destination_new (other, socket, rank));
    }

  for (guint r = 0; r < RANK_NONE; r++)
    {
      for (guint i = 0; i < by_rank[r]->len; i++)
        g_ptr_array_add (found, g_ptr_array_index (by_rank[r], i));
      g_ptr_array_unref (by_rank[r]);
    }

  return found;
}

gboolean
sp_destinations_is_server (SpSession  *session,
                           const char *id)
{
  g_return_val_if_fail (SP_IS_SESSION (session), FALSE);

  return steps_make_ready (session, id, SP_SOCKET_TYPE_STREAM);
}

void
sp_destinations_add_observed (GPtrArray         *found,
                              SpObservedSockets *observed,
                              SpFamily           family,
                              SpSocketType       type)
{
  g_return_if_fail (found != NULL);
  g_return_if_fail (SP_IS_OBSERVED_SOCKETS (observed));

  for (guint i = 0; i < sp_observed_sockets_get_n_sockets (observed); i++)
    {
      const SpObservedSocket *socket = sp_observed_sockets_get_socket (observed, i);
      gboolean ready = is_stream (type) ? socket->state == SP_STATE_LISTENING
                                        : socket->state != SP_STATE_CLOSED &&
                                          socket->state != SP_STATE_UNCREATED;
      SpDestination *destination;

      if (socket->family != family || socket->type != type || socket->local == NULL || !ready)
        continue;

      destination = g_new0 (SpDestination, 1);
      destination->id = g_strdup (socket->id);
      destination->ready = TRUE;
      destination->where = g_strdup (socket->local);
      destination->observed = TRUE;
      g_ptr_array_add (found, destination);
    }
}
