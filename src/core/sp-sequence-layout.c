/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-errno.h"
#include "sp-sequence-layout.h"

/* What the layout knows of an arrow beyond what views read. */
typedef struct
{
  SpSequenceArrow public;
  const char     *source;       /* the sender's local address when it sent */
  const char     *destination;  /* where a datagram was sent */
  gsize           unread;       /* stream bytes no receive has taken yet */
} Arrow;

/* An accept on a listener, waiting to learn its client and its socket. */
typedef struct
{
  guint       row;
  const char *remote;       /* the client's address, as accept returned it */
  int         client_lane;  /* -1 until paired with a connect */
  int         child_lane;   /* -1 until the accepted socket is known */
} Accept;

/* A successful connect not yet paired with an accept. */
typedef struct
{
  guint       row;
  int         lane;
  const char *local;
  const char *remote;
} Connect;

typedef struct
{
  SpSequenceLane public;
  const char    *local;         /* the latest addresses its events carried */
  const char    *remote;
  int            peer;          /* the other end of its connection, -1 unknown */
  guint          fin_row;       /* its shutdown (write) or close, G_MAXUINT none */
  guint          type_known : 1;
  guint          is_datagram : 1;
  GArray        *accepts;       /* Accept, for a listener */
  GArray        *children;      /* int lanes it accepted, in order */
  GQueue         unread_sends;  /* arrow indices, oldest first */
  /* Bytes its receives took before the send that carried them was logged:
   * a sendall is one event, logged when it ends, and a peer serving in
   * the background reads while it goes on. */
  guint64        taken_early;
  /* An end of file it read before its peer's shutdown or close was
   * logged, G_MAXUINT none: a traced peer in another process reports on
   * a channel of its own, so its calls may come later in the log. */
  guint          eof_early_row;
} Lane;

struct _SpSequenceLayout
{
  GObject       parent_instance;

  GArray       *rows;         /* SpSequenceRow */
  GPtrArray    *lanes;        /* Lane */
  GArray       *columns;      /* guint lane per column */
  GArray       *arrows;       /* Arrow */
  GPtrArray    *tiles;        /* GArray of guint arrow indices per tile */
  GArray       *connects;     /* Connect, unpaired */
  GArray       *datagrams;    /* guint arrow indices not yet received */
  GHashTable   *lane_ids;     /* id → lane index + 1 */
  GHashTable   *strings;      /* interned addresses and ids */
  GStringChunk *chunk;

  SpSequenceDamage damage;
};

G_DEFINE_FINAL_TYPE (SpSequenceLayout, sp_sequence_layout, G_TYPE_OBJECT)

/* Strings */

static const char *
intern (SpSequenceLayout *self,
        const char       *text)
{
  const char *interned;

  if (text == NULL || text[0] == '\0')
    return NULL;

  interned = g_hash_table_lookup (self->strings, text);
  if (interned == NULL)
    {
      interned = g_string_chunk_insert (self->chunk, text);
      g_hash_table_add (self->strings, (gpointer) interned);
    }
  return interned;
}

static gboolean
is_wildcard_host (const char *host,
                  gsize       length)
{
  return (length == 7 && strncmp (host, "0.0.0.0", 7) == 0) ||
         (length == 4 && strncmp (host, "[::]", 4) == 0);
}

/* Whether two formatted addresses name the same endpoint. A socket bound to
 * the wildcard address ("0.0.0.0:5000") is what its peers see on loopback
 * as "127.0.0.1:5000", so a wildcard host matches any host on that port. */
static gboolean
endpoints_match (const char *a,
                 const char *b)
{
  const char *port_a;
  const char *port_b;

  if (a == NULL || b == NULL)
    return FALSE;
  if (a == b || strcmp (a, b) == 0)
    return TRUE;

  port_a = strrchr (a, ':');
  port_b = strrchr (b, ':');
  if (port_a == NULL || port_b == NULL || strcmp (port_a, port_b) != 0)
    return FALSE;

  return is_wildcard_host (a, port_a - a) || is_wildcard_host (b, port_b - b);
}

/* Lanes */

static Lane *
get_lane (SpSequenceLayout *self,
          int               lane)
{
  return g_ptr_array_index (self->lanes, lane);
}

static Arrow *
get_arrow (SpSequenceLayout *self,
           guint             arrow)
{
  return &g_array_index (self->arrows, Arrow, arrow);
}

static void
lane_free (gpointer data)
{
  Lane *lane = data;

  g_clear_pointer (&lane->accepts, g_array_unref);
  g_clear_pointer (&lane->children, g_array_unref);
  g_queue_clear (&lane->unread_sends);
  g_free (lane);
}

static void
add_column_and_children (SpSequenceLayout *self,
                         int               lane)
{
  Lane *data = get_lane (self, lane);

  data->public.column = self->columns->len;
  g_array_append_val (self->columns, lane);
  for (guint i = 0; i < data->children->len; i++)
    add_column_and_children (self, g_array_index (data->children, int, i));
}

/* Columns: sockets in the order they appeared, each followed by the sockets
 * it accepted, so that conn stands beside server. At most a few dozen
 * lanes, so recomputing is cheaper than keeping an order up to date. */
static void
place_lanes (SpSequenceLayout *self)
{
  g_array_set_size (self->columns, 0);
  for (guint i = 0; i < self->lanes->len; i++)
    if (get_lane (self, i)->public.listener < 0)
      add_column_and_children (self, i);
  self->damage.lanes_changed = TRUE;
}

static int
ensure_lane (SpSequenceLayout *self,
             const char       *id)
{
  gpointer found = g_hash_table_lookup (self->lane_ids, id);
  Lane *lane;

  if (found != NULL)
    return GPOINTER_TO_INT (found) - 1;

  lane = g_new0 (Lane, 1);
  lane->public.id = intern (self, id);
  lane->public.listener = -1;
  lane->public.type = SP_SOCKET_TYPE_STREAM;
  /* Known at its first event, or earlier at the accept that returned it. */
  lane->public.first_row = G_MAXUINT;
  lane->public.end_row = G_MAXUINT;
  lane->peer = -1;
  lane->fin_row = G_MAXUINT;
  lane->eof_early_row = G_MAXUINT;
  lane->accepts = g_array_new (FALSE, FALSE, sizeof (Accept));
  lane->children = g_array_new (FALSE, FALSE, sizeof (int));
  g_queue_init (&lane->unread_sends);
  g_ptr_array_add (self->lanes, lane);
  g_hash_table_insert (self->lane_ids, (gpointer) lane->public.id,
                       GINT_TO_POINTER (self->lanes->len));
  place_lanes (self);

  return self->lanes->len - 1;
}

static void
damage_row (SpSequenceLayout *self,
            guint             row)
{
  self->damage.first_row = MIN (self->damage.first_row, row);
}

/* Tiles */

static void
tile_add (SpSequenceLayout *self,
          guint             tile,
          guint             arrow)
{
  while (self->tiles->len <= tile)
    g_ptr_array_add (self->tiles, g_array_new (FALSE, FALSE, sizeof (guint)));
  g_array_append_val (g_ptr_array_index (self->tiles, tile), arrow);
}

/* Files `arrow` under the tiles its rows cross that it was not in already
 * (those of rows old_first..old_last; old_first > old_last for none). */
static void
file_arrow (SpSequenceLayout *self,
            guint             arrow,
            guint             old_first,
            guint             old_last)
{
  const SpSequenceArrow *data = &get_arrow (self, arrow)->public;
  guint first = MIN (data->from_row, data->to_row) / SP_SEQUENCE_LAYOUT_TILE_ROWS;
  guint last = MAX (data->from_row, data->to_row) / SP_SEQUENCE_LAYOUT_TILE_ROWS;

  for (guint tile = first; tile <= last; tile++)
    {
      gboolean filed = old_first <= old_last &&
                       tile >= old_first / SP_SEQUENCE_LAYOUT_TILE_ROWS &&
                       tile <= old_last / SP_SEQUENCE_LAYOUT_TILE_ROWS;

      if (!filed)
        tile_add (self, tile, arrow);
    }
}

static guint
add_arrow (SpSequenceLayout    *self,
           SpSequenceArrowKind  kind,
           guint                position,
           guint                from_row,
           int                  from_lane,
           guint                to_row,
           int                  to_lane)
{
  Arrow arrow = {
    .public = {
      .kind = kind,
      .position = position,
      .from_row = from_row,
      .to_row = to_row,
      .from_lane = from_lane,
      .to_lane = to_lane,
    },
  };
  guint index = self->arrows->len;

  g_array_append_val (self->arrows, arrow);
  if (from_row < self->rows->len)
    g_array_index (self->rows, SpSequenceRow, from_row).arrow = index;
  file_arrow (self, index, 1, 0);
  return index;
}

static void
mark_arrival (SpSequenceLayout *self,
              const Arrow      *arrow)
{
  SpSequenceRow *row = &g_array_index (self->rows, SpSequenceRow, arrow->public.to_row);
  guint from = get_lane (self, arrow->public.from_lane)->public.column;
  guint to = get_lane (self, arrow->public.to_lane)->public.column;

  if (from < to)
    row->arrives_from_left = TRUE;
  else
    row->arrives_from_right = TRUE;
}

/* An arrow in flight reaches its receiver at `row`. */
static void
land_arrow (SpSequenceLayout *self,
            guint             arrow,
            guint             row,
            int               lane)
{
  Arrow *data = get_arrow (self, arrow);
  guint old_row = data->public.to_row;

  data->public.to_row = row;
  data->public.to_lane = lane;
  data->public.in_flight = FALSE;
  file_arrow (self, arrow, data->public.from_row, old_row);
  mark_arrival (self, data);
  damage_row (self, data->public.from_row);
}

/* Connections */

/* Tells every send already waiting on `lane` where it is going. */
static void
aim_unread_sends (SpSequenceLayout *self,
                  int               lane)
{
  Lane *data = get_lane (self, lane);

  for (GList *l = data->unread_sends.head; l != NULL; l = l->next)
    {
      Arrow *arrow = get_arrow (self, GPOINTER_TO_UINT (l->data));

      if (arrow->public.to_lane != data->peer)
        {
          arrow->public.to_lane = data->peer;
          damage_row (self, arrow->public.from_row);
        }
    }
}

/* The end of file `reader` read early is the shutdown or close of its
 * peer `closer`, once both are known. */
static void
settle_early_eof (SpSequenceLayout *self,
                  int               closer,
                  int               reader)
{
  Lane *from = get_lane (self, closer);
  Lane *to = get_lane (self, reader);
  guint arrow;

  if (from->fin_row == G_MAXUINT || to->eof_early_row == G_MAXUINT)
    return;

  arrow = add_arrow (self, SP_SEQUENCE_ARROW_EOF, from->fin_row, from->fin_row, closer,
                     to->eof_early_row, reader);
  mark_arrival (self, get_arrow (self, arrow));
  damage_row (self, MIN (from->fin_row, to->eof_early_row));
  to->eof_early_row = G_MAXUINT;
}

static void
set_peers (SpSequenceLayout *self,
           int               a,
           int               b)
{
  if (a < 0 || b < 0)
    return;
  get_lane (self, a)->peer = b;
  get_lane (self, b)->peer = a;
  aim_unread_sends (self, a);
  aim_unread_sends (self, b);
  settle_early_eof (self, a, b);
  settle_early_eof (self, b, a);
}

/* The accepted socket `child` begins where its accept was. */
static void
settle_accept (SpSequenceLayout *self,
               Accept           *accept)
{
  if (accept->child_lane >= 0)
    {
      Lane *child = get_lane (self, accept->child_lane);

      if (accept->row < child->public.first_row)
        {
          child->public.first_row = accept->row;
          damage_row (self, accept->row);
        }
    }
  set_peers (self, accept->client_lane, accept->child_lane);
}

/* The child of a listener is the one its n-th accept returned. */
static void
attach_child (SpSequenceLayout *self,
              int               listener,
              int               child)
{
  Lane *data = get_lane (self, listener);
  guint n = data->children->len;

  g_array_append_val (data->children, child);
  if (n < data->accepts->len)
    {
      Accept *accept = &g_array_index (data->accepts, Accept, n);

      accept->child_lane = child;
      settle_accept (self, accept);
    }
}

/* The pending connect an accept answered: the one whose local address
 * accept returned; else one aimed at the listener's address; else, when
 * addresses say nothing (unnamed UNIX sockets), the latest. */
static int
find_connect (SpSequenceLayout *self,
              const Accept     *accept,
              const Lane       *listener)
{
  int by_target = -1;
  int latest = -1;

  for (guint i = 0; i < self->connects->len; i++)
    {
      const Connect *connect = &g_array_index (self->connects, Connect, i);

      if (endpoints_match (connect->local, accept->remote))
        return i;
      if (by_target < 0 && endpoints_match (connect->remote, listener->local))
        by_target = i;
      if (connect->local == NULL || accept->remote == NULL)
        latest = i;
    }

  return by_target >= 0 ? by_target : latest;
}

static void
pair_connect (SpSequenceLayout *self,
              int               listener,
              guint             accept_index,
              guint             connect_index)
{
  Accept *accept = &g_array_index (get_lane (self, listener)->accepts, Accept, accept_index);
  Connect connect = g_array_index (self->connects, Connect, connect_index);
  guint arrow;

  g_array_remove_index (self->connects, connect_index);
  accept->client_lane = connect.lane;
  arrow = add_arrow (self, SP_SEQUENCE_ARROW_CONNECT, connect.row, connect.row, connect.lane,
                     accept->row, listener);
  mark_arrival (self, get_arrow (self, arrow));
  damage_row (self, MIN (connect.row, accept->row));
  settle_accept (self, accept);
}

/* Tries every listener's unanswered accepts against the pending connects. */
static void
pair_connects (SpSequenceLayout *self)
{
  for (guint l = 0; l < self->lanes->len && self->connects->len > 0; l++)
    {
      Lane *lane = get_lane (self, l);

      for (guint a = 0; a < lane->accepts->len && self->connects->len > 0; a++)
        {
          Accept *accept = &g_array_index (lane->accepts, Accept, a);
          int connect;

          if (accept->client_lane >= 0)
            continue;
          connect = find_connect (self, accept, lane);
          if (connect >= 0)
            pair_connect (self, l, a, connect);
        }
    }
}

/* The other end of a stream lane: known from connect/accept, else the lane
 * whose addresses mirror its own. */
static int
find_peer (SpSequenceLayout *self,
           int               lane)
{
  Lane *data = get_lane (self, lane);

  if (data->peer >= 0 || data->local == NULL || data->remote == NULL)
    return data->peer;

  for (guint i = 0; i < self->lanes->len; i++)
    {
      Lane *other = get_lane (self, i);

      if ((int) i != lane &&
          endpoints_match (other->local, data->remote) &&
          endpoints_match (other->remote, data->local))
        {
          set_peers (self, lane, i);
          break;
        }
    }

  return data->peer;
}

/* The lane bound to `address`, for a datagram sent there. */
static int
find_lane_at (SpSequenceLayout *self,
              const char       *address,
              int               except)
{
  for (guint i = 0; i < self->lanes->len; i++)
    if ((int) i != except && endpoints_match (get_lane (self, i)->local, address))
      return i;
  return -1;
}

/* Events */

/* A socket no sockets model announces (a traced program's) is known from
 * its accept's result, which names it: "(server.py:4, ('127.0.0.1', 40000))". */
static void
adopt_accepted (SpSequenceLayout *self,
                int               listener,
                const char       *detail)
{
  g_autofree char *id = NULL;
  const char *end;
  Lane *data;
  int child;

  if (detail == NULL || detail[0] != '(' || (end = strstr (detail, ", ")) == NULL ||
      end == detail + 1)
    return;

  id = g_strndup (detail + 1, end - detail - 1);
  if (g_strcmp0 (id, get_lane (self, listener)->public.id) == 0)
    return;
  child = ensure_lane (self, id);
  data = get_lane (self, child);
  if (data->public.listener >= 0)
    return;

  data->public.type = get_lane (self, listener)->public.type;
  data->type_known = get_lane (self, listener)->type_known;
  data->is_datagram = get_lane (self, listener)->is_datagram;
  data->public.listener = listener;
  attach_child (self, listener, child);
  place_lanes (self);
}

static gboolean
is_datagram (Lane   *lane,
             SpCall  call)
{
  if (call == SP_CALL_SENDTO || sp_call_gives_sender (call))
    return TRUE;
  return lane->type_known && lane->is_datagram;
}

static void
on_call (SpSequenceLayout *self,
         guint             row,
         int               lane,
         SpEvent          *event)
{
  Lane *data = get_lane (self, lane);
  SpCall call = sp_event_get_call (event);

  switch (call)
    {
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      {
        Connect connect = { row, lane, data->local, data->remote };

        g_array_append_val (self->connects, connect);
        pair_connects (self);
      }
      break;

    case SP_CALL_ACCEPT:
      {
        Accept accept = { row, intern (self, sp_event_get_remote (event)), -1, -1 };
        guint n = data->accepts->len;

        g_array_append_val (data->accepts, accept);
        /* Its socket may have been announced before this event was read. */
        if (n < data->children->len)
          g_array_index (data->accepts, Accept, n).child_lane =
            g_array_index (data->children, int, n);
        else if (sp_event_get_ok (event))
          adopt_accepted (self, lane, sp_event_get_detail (event));
        pair_connects (self);
        if (n < data->accepts->len)
          settle_accept (self, &g_array_index (data->accepts, Accept, n));
      }
      break;

    case SP_CALL_SHUTDOWN:
      if (sp_event_get_state (event) != SP_STATE_SHUT_READ && data->fin_row == G_MAXUINT)
        data->fin_row = row;
      if (data->peer >= 0)
        settle_early_eof (self, lane, data->peer);
      break;

    case SP_CALL_CLOSE:
      if (data->fin_row == G_MAXUINT)
        data->fin_row = row;
      data->public.end_row = row;
      if (data->peer >= 0)
        settle_early_eof (self, lane, data->peer);
      break;

    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_LISTEN:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      break;
    }
}

static void
on_sent (SpSequenceLayout *self,
         guint             row,
         int               lane,
         SpEvent          *event)
{
  Lane *data = get_lane (self, lane);
  gboolean datagram = is_datagram (data, sp_event_get_call (event));
  SpImpaired impaired = sp_event_get_impaired (event);
  const char *destination = intern (self, sp_event_get_remote (event));
  int to_lane;
  guint index;
  Arrow *arrow;

  /* A datagram an impairment kept back starts its arrow where it leaves,
   * at an event of its own. */
  if (impaired == SP_IMPAIRED_HELD || impaired == SP_IMPAIRED_DELAYED)
    return;

  to_lane = datagram ? find_lane_at (self, destination, lane) : find_peer (self, lane);
  index = add_arrow (self, datagram ? SP_SEQUENCE_ARROW_DATAGRAM : SP_SEQUENCE_ARROW_DATA,
                     row, row, lane, row, to_lane);
  arrow = get_arrow (self, index);
  arrow->public.bytes = sp_event_get_bytes (event);
  arrow->public.in_flight = TRUE;
  arrow->source = data->local;
  arrow->destination = destination;
  arrow->unread = arrow->public.bytes;

  /* Bytes the peer already took arrive as they are sent. */
  if (!datagram && to_lane >= 0 && get_lane (self, to_lane)->taken_early > 0)
    {
      Lane *peer = get_lane (self, to_lane);
      gsize taken = MIN (arrow->unread, peer->taken_early);

      land_arrow (self, index, row, to_lane);
      arrow = get_arrow (self, index);
      arrow->unread -= taken;
      peer->taken_early -= taken;
    }

  /* A dropped one stays in flight: no receive ever takes it. */
  if (datagram && sp_impaired_is_on_wire (impaired))
    g_array_append_val (self->datagrams, index);
  else if (arrow->unread > 0)
    g_queue_push_tail (&data->unread_sends, GUINT_TO_POINTER (index));
}

/* Stream bytes leave in the order they were sent: a receive takes them
 * from the peer's oldest sends, and each send's arrow ends at the first
 * receive that took any of its bytes. Bytes no logged send has carried
 * yet are the next send's, which arrives as it is sent. */
static void
receive_stream (SpSequenceLayout *self,
                guint             row,
                int               lane,
                gsize             bytes)
{
  int peer = find_peer (self, lane);
  GQueue *unread;

  /* Its peer's calls are not in the log yet (a traced program in another
   * process): the bytes are its next send's. */
  if (peer < 0)
    {
      get_lane (self, lane)->taken_early += bytes;
      return;
    }

  unread = &get_lane (self, peer)->unread_sends;
  while (bytes > 0 && !g_queue_is_empty (unread))
    {
      guint index = GPOINTER_TO_UINT (g_queue_peek_head (unread));
      Arrow *arrow = get_arrow (self, index);
      gsize taken = MIN (bytes, arrow->unread);

      if (arrow->public.in_flight)
        land_arrow (self, index, row, lane);
      arrow->unread -= taken;
      bytes -= taken;
      if (arrow->unread == 0)
        g_queue_pop_head (unread);
    }

  get_lane (self, lane)->taken_early += bytes;
}

/* A datagram arrives whole: the oldest one in flight from the address
 * recvfrom reported to an address this socket has. */
static void
receive_datagram (SpSequenceLayout *self,
                  guint             row,
                  int               lane,
                  const char       *from)
{
  Lane *data = get_lane (self, lane);

  for (guint i = 0; i < self->datagrams->len; i++)
    {
      guint index = g_array_index (self->datagrams, guint, i);
      Arrow *arrow = get_arrow (self, index);
      gboolean to_here = arrow->public.to_lane == lane ||
                         endpoints_match (arrow->destination, data->local);
      gboolean from_there = from == NULL || endpoints_match (arrow->source, from) ||
                            endpoints_match (get_lane (self, arrow->public.from_lane)->local, from);

      if (to_here && from_there && arrow->public.from_lane != lane)
        {
          g_array_remove_index (self->datagrams, i);
          land_arrow (self, index, row, lane);
          return;
        }
    }
}

static void
on_received (SpSequenceLayout *self,
             guint             row,
             int               lane,
             SpEvent          *event)
{
  Lane *data = get_lane (self, lane);
  gsize bytes = sp_event_get_bytes (event);
  int peer;

  if (is_datagram (data, sp_event_get_call (event)))
    {
      receive_datagram (self, row, lane, sp_event_get_remote (event));
      return;
    }

  if (bytes > 0)
    {
      receive_stream (self, row, lane, bytes);
      return;
    }

  /* End of file: the peer's shutdown or close is what this receive read. */
  peer = find_peer (self, lane);
  if (peer >= 0 && get_lane (self, peer)->fin_row != G_MAXUINT)
    {
      guint fin_row = get_lane (self, peer)->fin_row;
      guint arrow = add_arrow (self, SP_SEQUENCE_ARROW_EOF, fin_row, fin_row, peer, row, lane);

      mark_arrival (self, get_arrow (self, arrow));
      damage_row (self, fin_row);
    }
  else if (data->eof_early_row == G_MAXUINT)
    data->eof_early_row = row;
}

static SpSequenceMarkKind
mark_kind (SpEvent *event)
{
  gboolean failed = !sp_event_get_ok (event) || sp_event_get_error_code (event) != 0;

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_NOTE:
      return SP_SEQUENCE_MARK_NOTE;
    case SP_EVENT_DROPPED:
      return SP_SEQUENCE_MARK_DROPPED;
    case SP_EVENT_SENT:
      return failed ? SP_SEQUENCE_MARK_ERROR : SP_SEQUENCE_MARK_SEND;
    case SP_EVENT_RECEIVED:
      if (failed)
        return SP_SEQUENCE_MARK_ERROR;
      return sp_event_get_bytes (event) == 0 ? SP_SEQUENCE_MARK_EOF : SP_SEQUENCE_MARK_RECEIVE;
    case SP_EVENT_CALL:
    default:
      return failed ? SP_SEQUENCE_MARK_ERROR : SP_SEQUENCE_MARK_CALL;
    }
}

static void
remember_addresses (SpSequenceLayout *self,
                    Lane             *lane,
                    SpEvent          *event,
                    gboolean          failed)
{
  const char *local = intern (self, sp_event_get_local (event));
  const char *remote = intern (self, sp_event_get_remote (event));
  gboolean connected;

  if (local != NULL)
    lane->local = local;

  /* A failed call's remote is where it tried to go, and a datagram names a
   * peer per call: only a connection's own events say who its peer is
   * (a listener's accept names the client, not the listener's peer). */
  if (remote == NULL || failed || is_datagram (lane, sp_event_get_call (event)))
    return;
  if (sp_event_get_kind (event) == SP_EVENT_CALL)
    connected = sp_event_get_state (event) == SP_STATE_CONNECTED;
  else
    connected = TRUE;
  if (connected)
    lane->remote = remote;
}

static void
add_event (SpSequenceLayout *self,
           SpEvent          *event)
{
  guint row = self->rows->len;
  const char *socket_id = sp_event_get_socket_id (event);
  SpSequenceRow data = {
    .kind = mark_kind (event),
    .call = sp_event_get_call (event),
    .state = sp_event_get_state (event),
    .error_code = sp_event_get_error_code (event),
    .lane = -1,
    .arrow = -1,
    .time_us = sp_event_get_time_us (event),
    .bytes = sp_event_get_bytes (event),
  };
  gboolean on_lane = socket_id != NULL && data.kind != SP_SEQUENCE_MARK_NOTE &&
                     data.kind != SP_SEQUENCE_MARK_DROPPED;
  Lane *lane;

  if (on_lane)
    data.lane = ensure_lane (self, socket_id);
  g_array_append_val (self->rows, data);
  if (!on_lane)
    return;

  lane = get_lane (self, data.lane);
  if (lane->public.first_row == G_MAXUINT)
    lane->public.first_row = row;
  remember_addresses (self, lane, event, data.kind == SP_SEQUENCE_MARK_ERROR);

  switch (data.kind)
    {
    case SP_SEQUENCE_MARK_CALL:
      on_call (self, row, data.lane, event);
      break;
    case SP_SEQUENCE_MARK_SEND:
      on_sent (self, row, data.lane, event);
      break;
    case SP_SEQUENCE_MARK_RECEIVE:
    case SP_SEQUENCE_MARK_EOF:
      on_received (self, row, data.lane, event);
      break;
    case SP_SEQUENCE_MARK_ERROR:
      /* A failed close still ends the socket. */
      if (data.call == SP_CALL_CLOSE)
        lane->public.end_row = row;
      /* A sendall that failed part way sent what it sent: those bytes
       * cross to the peer, which may read them. */
      if (sp_event_get_kind (event) == SP_EVENT_SENT && data.bytes > 0 &&
          !is_datagram (lane, data.call))
        on_sent (self, row, data.lane, event);
      break;
    case SP_SEQUENCE_MARK_NOTE:
    case SP_SEQUENCE_MARK_DROPPED:
    default:
      break;
    }
}

/* Public API */

static void
sp_sequence_layout_finalize (GObject *object)
{
  SpSequenceLayout *self = SP_SEQUENCE_LAYOUT (object);

  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->lanes, g_ptr_array_unref);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->arrows, g_array_unref);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
  g_clear_pointer (&self->connects, g_array_unref);
  g_clear_pointer (&self->datagrams, g_array_unref);
  g_clear_pointer (&self->lane_ids, g_hash_table_unref);
  g_clear_pointer (&self->strings, g_hash_table_unref);
  g_clear_pointer (&self->chunk, g_string_chunk_free);

  G_OBJECT_CLASS (sp_sequence_layout_parent_class)->finalize (object);
}

static void
sp_sequence_layout_class_init (SpSequenceLayoutClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sp_sequence_layout_finalize;
}

static void
sp_sequence_layout_init (SpSequenceLayout *self)
{
  self->rows = g_array_new (FALSE, FALSE, sizeof (SpSequenceRow));
  self->lanes = g_ptr_array_new_with_free_func (lane_free);
  self->columns = g_array_new (FALSE, FALSE, sizeof (guint));
  self->arrows = g_array_new (FALSE, FALSE, sizeof (Arrow));
  self->tiles = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->connects = g_array_new (FALSE, FALSE, sizeof (Connect));
  self->datagrams = g_array_new (FALSE, FALSE, sizeof (guint));
  self->lane_ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->strings = g_hash_table_new (g_str_hash, g_str_equal);
  self->chunk = g_string_chunk_new (4096);
  self->damage.first_row = G_MAXUINT;
}

SpSequenceLayout *
sp_sequence_layout_new (void)
{
  return g_object_new (SP_TYPE_SEQUENCE_LAYOUT, NULL);
}

void
sp_sequence_layout_add_socket (SpSequenceLayout *self,
                               const char       *id,
                               const char       *listener_id,
                               SpSocketType      type)
{
  int lane;
  Lane *data;

  g_return_if_fail (SP_IS_SEQUENCE_LAYOUT (self));
  g_return_if_fail (id != NULL);

  lane = ensure_lane (self, id);
  data = get_lane (self, lane);
  data->public.type = type;
  data->type_known = TRUE;
  data->is_datagram = type == SP_SOCKET_TYPE_DGRAM || type == SP_SOCKET_TYPE_RAW;

  if (listener_id != NULL && data->public.listener < 0 && strcmp (listener_id, id) != 0)
    {
      int listener = ensure_lane (self, listener_id);

      data->public.listener = listener;
      attach_child (self, listener, lane);
      place_lanes (self);
    }
}

guint
sp_sequence_layout_update (SpSequenceLayout *self,
                           SpTrafficLog     *log,
                           SpSequenceDamage *damage)
{
  guint n_before;
  guint n_appended;

  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), 0);
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), 0);

  n_before = self->rows->len;
  n_appended = sp_traffic_log_get_n_appended (log);
  for (guint position = n_before; position < n_appended; position++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, position);

      add_event (self, event);
    }

  if (damage != NULL)
    {
      *damage = self->damage;
      if (damage->first_row >= n_before)
        damage->first_row = G_MAXUINT;
    }
  self->damage.first_row = G_MAXUINT;
  self->damage.lanes_changed = FALSE;

  return self->rows->len - n_before;
}

void
sp_sequence_layout_reset (SpSequenceLayout *self)
{
  g_return_if_fail (SP_IS_SEQUENCE_LAYOUT (self));

  g_array_set_size (self->rows, 0);
  g_ptr_array_set_size (self->lanes, 0);
  g_array_set_size (self->columns, 0);
  g_array_set_size (self->arrows, 0);
  g_ptr_array_set_size (self->tiles, 0);
  g_array_set_size (self->connects, 0);
  g_array_set_size (self->datagrams, 0);
  g_hash_table_remove_all (self->lane_ids);
  g_hash_table_remove_all (self->strings);
  g_string_chunk_clear (self->chunk);
  self->damage.first_row = G_MAXUINT;
  self->damage.lanes_changed = TRUE;
}

guint
sp_sequence_layout_get_n_rows (SpSequenceLayout *self)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), 0);
  return self->rows->len;
}

const SpSequenceRow *
sp_sequence_layout_get_row (SpSequenceLayout *self,
                            guint             row)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);
  return &g_array_index (self->rows, SpSequenceRow, row);
}

guint
sp_sequence_layout_get_n_lanes (SpSequenceLayout *self)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), 0);
  return self->lanes->len;
}

const SpSequenceLane *
sp_sequence_layout_get_lane (SpSequenceLayout *self,
                             guint             lane)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (lane < self->lanes->len, NULL);
  return &get_lane (self, lane)->public;
}

int
sp_sequence_layout_lookup_lane (SpSequenceLayout *self,
                                const char       *id)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), -1);
  g_return_val_if_fail (id != NULL, -1);
  return GPOINTER_TO_INT (g_hash_table_lookup (self->lane_ids, id)) - 1;
}

guint
sp_sequence_layout_get_lane_at_column (SpSequenceLayout *self,
                                       guint             column)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), 0);
  g_return_val_if_fail (column < self->columns->len, 0);
  return g_array_index (self->columns, guint, column);
}

guint
sp_sequence_layout_get_n_arrows (SpSequenceLayout *self)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), 0);
  return self->arrows->len;
}

const SpSequenceArrow *
sp_sequence_layout_get_arrow (SpSequenceLayout *self,
                              guint             arrow)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (arrow < self->arrows->len, NULL);
  return &get_arrow (self, arrow)->public;
}

const guint *
sp_sequence_layout_get_tile_arrows (SpSequenceLayout *self,
                                    guint             tile,
                                    guint            *n_arrows)
{
  GArray *arrows;

  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (n_arrows != NULL, NULL);

  if (tile >= self->tiles->len)
    {
      *n_arrows = 0;
      return NULL;
    }

  arrows = g_ptr_array_index (self->tiles, tile);
  *n_arrows = arrows->len;
  return (const guint *) (gpointer) arrows->data;
}

void
sp_sequence_layout_get_arrow_line (SpSequenceLayout         *self,
                                   const SpSequenceArrow    *arrow,
                                   const SpSequenceGeometry *geometry,
                                   double                   *x1,
                                   double                   *y1,
                                   double                   *x2,
                                   double                   *y2)
{
  guint from_column;

  g_return_if_fail (SP_IS_SEQUENCE_LAYOUT (self));
  g_return_if_fail (arrow != NULL && geometry != NULL);

  from_column = get_lane (self, arrow->from_lane)->public.column;
  *x1 = geometry->lane_x0 + from_column * geometry->lane_width;
  *y1 = geometry->row_y0 + arrow->from_row * geometry->row_height;

  if (arrow->to_lane >= 0)
    *x2 = geometry->lane_x0 + get_lane (self, arrow->to_lane)->public.column * geometry->lane_width;
  else
    *x2 = *x1 + geometry->lane_width * 0.4;

  if (arrow->in_flight)
    *y2 = *y1 + geometry->row_height * 0.5;
  else
    *y2 = geometry->row_y0 + arrow->to_row * geometry->row_height;
}

/* Squared, so that the core needs no libm. */
static double
distance2_to_segment (double x,
                     double y,
                     double x1,
                     double y1,
                     double x2,
                     double y2)
{
  double dx = x2 - x1;
  double dy = y2 - y1;
  double length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((x - x1) * dx + (y - y1) * dy) / length2 : 0;

  t = CLAMP (t, 0, 1);
  dx = x - (x1 + t * dx);
  dy = y - (y1 + t * dy);
  return dx * dx + dy * dy;
}

static gboolean
pick_arrow (SpSequenceLayout         *self,
            const SpSequenceGeometry *geometry,
            double                    x,
            double                    y,
            double                    tolerance,
            guint                     tile,
            guint                    *position)
{
  const guint *arrows;
  guint n_arrows;
  double best = tolerance * tolerance;
  gboolean found = FALSE;

  arrows = sp_sequence_layout_get_tile_arrows (self, tile, &n_arrows);
  for (guint i = 0; i < n_arrows; i++)
    {
      const SpSequenceArrow *arrow = &get_arrow (self, arrows[i])->public;
      double x1, y1, x2, y2, distance;

      sp_sequence_layout_get_arrow_line (self, arrow, geometry, &x1, &y1, &x2, &y2);
      distance = distance2_to_segment (x, y, x1, y1, x2, y2);
      if (distance <= best)
        {
          best = distance;
          *position = arrow->position;
          found = TRUE;
        }
    }

  return found;
}

gboolean
sp_sequence_layout_pick (SpSequenceLayout         *self,
                         const SpSequenceGeometry *geometry,
                         double                    x,
                         double                    y,
                         double                    tolerance,
                         guint                    *position)
{
  double row_f;
  guint row;
  guint tile;
  const SpSequenceRow *data;

  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), FALSE);
  g_return_val_if_fail (geometry != NULL && position != NULL, FALSE);

  row_f = (y - geometry->row_y0) / geometry->row_height + 0.5;
  if (row_f < 0 || row_f >= self->rows->len)
    return FALSE;
  row = (guint) row_f;
  tile = row / SP_SEQUENCE_LAYOUT_TILE_ROWS;

  /* An arrow may start in the tile above and end in this one: filing by
   * tile covers that; a click near a tile's edge may hit either. */
  if (pick_arrow (self, geometry, x, y, tolerance, tile, position))
    return TRUE;
  if (tile > 0 && pick_arrow (self, geometry, x, y, tolerance, tile - 1, position))
    return TRUE;
  if (pick_arrow (self, geometry, x, y, tolerance, tile + 1, position))
    return TRUE;

  data = &g_array_index (self->rows, SpSequenceRow, row);
  if (data->lane < 0)
    {
      /* A note spans the chart. */
      *position = row;
      return TRUE;
    }
  if (ABS (x - (geometry->lane_x0 + get_lane (self, data->lane)->public.column *
                geometry->lane_width)) <= MAX (tolerance, geometry->lane_width / 2))
    {
      *position = row;
      return TRUE;
    }

  return FALSE;
}

/* Labels */

static char *
format_size (gsize bytes)
{
  if (bytes < 1000)
    /* Translators: a size in bytes, short, as in "send 11 B". */
    return g_strdup_printf (_("%zu B"), bytes);
  return g_format_size (bytes);
}

static gboolean
has_arrival (const SpSequenceRow *row)
{
  return row->arrives_from_left || row->arrives_from_right;
}

char *
sp_sequence_layout_get_row_label (SpSequenceLayout *self,
                                  guint             row)
{
  const SpSequenceRow *data;
  g_autofree char *size = NULL;
  const char *name;

  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);

  data = &g_array_index (self->rows, SpSequenceRow, row);
  switch (data->kind)
    {
    case SP_SEQUENCE_MARK_ERROR:
      name = sp_errno_name (data->error_code);
      /* Translators: a failed call and its errno name: "connect ECONNREFUSED". */
      return g_strdup_printf (_("%s %s"), sp_call_to_string (data->call),
                              name != NULL ? name : _("failed"));

    case SP_SEQUENCE_MARK_SEND:
      /* The arrow says it. */
      return NULL;

    case SP_SEQUENCE_MARK_RECEIVE:
      size = format_size (data->bytes);
      /* Translators: a receive call and the size it returned: "recv 11 B". */
      return g_strdup_printf (_("%s %s"), sp_call_to_string (data->call), size);

    case SP_SEQUENCE_MARK_EOF:
      if (has_arrival (data))
        /* Translators: a receive that returned nothing: the arrow says EOF. */
        return g_strdup_printf (_("%s 0 B"), sp_call_to_string (data->call));
      /* Translators: a receive that returned nothing, end of file. */
      return g_strdup_printf (_("%s EOF"), sp_call_to_string (data->call));

    case SP_SEQUENCE_MARK_CALL:
      /* A connect's arrow says "connect"; a close keeps its name, its
       * arrow says EOF. */
      if (data->arrow >= 0 && get_arrow (self, data->arrow)->public.kind == SP_SEQUENCE_ARROW_CONNECT)
        return NULL;
      return g_strdup (sp_call_to_string (data->call));

    case SP_SEQUENCE_MARK_DROPPED:
      return g_strdup (_("older payloads dropped"));

    case SP_SEQUENCE_MARK_NOTE:
    default:
      return NULL;
    }
}

char *
sp_sequence_layout_get_arrow_label (SpSequenceLayout *self,
                                    guint             arrow)
{
  const SpSequenceArrow *data;
  const SpSequenceRow *from;
  g_autofree char *size = NULL;

  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (arrow < self->arrows->len, NULL);

  data = &get_arrow (self, arrow)->public;
  from = &g_array_index (self->rows, SpSequenceRow, data->from_row);
  switch (data->kind)
    {
    case SP_SEQUENCE_ARROW_CONNECT:
      return g_strdup (sp_call_to_string (from->call));
    case SP_SEQUENCE_ARROW_EOF:
      /* Translators: end of file, the arrow from a close to the peer's empty recv. */
      return g_strdup (_("EOF"));
    case SP_SEQUENCE_ARROW_DATA:
    case SP_SEQUENCE_ARROW_DATAGRAM:
    default:
      size = format_size (data->bytes);
      /* Translators: a send call and its size: "sendall 11 B". */
      return g_strdup_printf (_("%s %s"), sp_call_to_string (from->call), size);
    }
}

static const char *
lane_id (SpSequenceLayout *self,
         int               lane)
{
  return lane >= 0 ? get_lane (self, lane)->public.id : NULL;
}

char *
sp_sequence_layout_describe_row (SpSequenceLayout *self,
                                 guint             row)
{
  const SpSequenceRow *data;
  const char *id;
  const char *peer = NULL;
  const char *name;

  g_return_val_if_fail (SP_IS_SEQUENCE_LAYOUT (self), NULL);
  g_return_val_if_fail (row < self->rows->len, NULL);

  data = &g_array_index (self->rows, SpSequenceRow, row);
  id = lane_id (self, data->lane);
  if (data->arrow >= 0)
    peer = lane_id (self, get_arrow (self, data->arrow)->public.to_lane);

  switch (data->kind)
    {
    case SP_SEQUENCE_MARK_SEND:
      if (peer != NULL)
        /* Translators: "client sent 11 bytes to conn". */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s sent %zu byte to %s",
                                             "%s sent %zu bytes to %s", data->bytes),
                                id, data->bytes, peer);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s sent %zu byte",
                                           "%s sent %zu bytes", data->bytes),
                              id, data->bytes);

    case SP_SEQUENCE_MARK_RECEIVE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s received %zu byte",
                                           "%s received %zu bytes", data->bytes),
                              id, data->bytes);

    case SP_SEQUENCE_MARK_EOF:
      /* Translators: "conn received end of file". */
      return g_strdup_printf (_("%s received end of file"), id);

    case SP_SEQUENCE_MARK_ERROR:
      name = sp_errno_name (data->error_code);
      /* Only a sendall that failed part way has an arrow: the bytes that
       * went. (A late datagram that failed counts the bytes it lost.) */
      if (data->arrow >= 0)
        /* Translators: "client: sendall failed with ETIMEDOUT after sending
         * 10240 bytes". */
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%s: %s failed with %s after sending %zu byte",
                                             "%s: %s failed with %s after sending %zu bytes",
                                             data->bytes),
                                id != NULL ? id : "", sp_call_to_string (data->call),
                                name != NULL ? name : "?", data->bytes);
      /* Translators: "client: connect failed with ECONNREFUSED". */
      return g_strdup_printf (_("%s: %s failed with %s"), id != NULL ? id : "",
                              sp_call_to_string (data->call), name != NULL ? name : "?");

    case SP_SEQUENCE_MARK_NOTE:
      return g_strdup (_("a note"));

    case SP_SEQUENCE_MARK_DROPPED:
      return g_strdup (_("older payloads dropped"));

    case SP_SEQUENCE_MARK_CALL:
    default:
      if (id == NULL)
        /* Translators: a call on no socket: "called gethostname". */
        return g_strdup_printf (_("called %s"), sp_call_to_string (data->call));
      /* Translators: "server called listen". */
      return g_strdup_printf (_("%s called %s"), id, sp_call_to_string (data->call));
    }
}
