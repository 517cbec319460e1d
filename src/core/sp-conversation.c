/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-conversation.h"
#include "sp-traffic-log-private.h"
#include "sp-types.h"

/* The host part of "host:port" or "[v6]:port" is a wildcard address. */
static gboolean
host_is_wildcard (const char *endpoint,
                  gsize       host_len)
{
  return (host_len == 7 && strncmp (endpoint, "0.0.0.0", 7) == 0) ||
         (host_len == 4 && strncmp (endpoint, "[::]", 4) == 0);
}

/* Whether two endpoints as sp_endpoint_format writes them are the same
 * place, counting a wildcard address as any address on its port. */
static gboolean
endpoints_match (const char *a,
                 const char *b)
{
  const char *port_a;
  const char *port_b;

  if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
    return FALSE;

  if (strcmp (a, b) == 0)
    return TRUE;

  /* UNIX paths have no port: only equal ones match. */
  if (*a == '/' || *a == '@' || *b == '/' || *b == '@')
    return FALSE;

  port_a = strrchr (a, ':');
  port_b = strrchr (b, ':');
  if (port_a == NULL || port_b == NULL || strcmp (port_a, port_b) != 0)
    return FALSE;

  /* One family: both bracketed (IPv6) or neither. */
  if ((*a == '[') != (*b == '['))
    return FALSE;

  return host_is_wildcard (a, port_a - a) || host_is_wildcard (b, port_b - b);
}

/* Where a data record's bytes came from and went to. */
static void
record_ends (SpTrafficLogStore     *store,
             const SpTrafficRecord *record,
             const char           **from,
             const char           **to)
{
  const char *local = _sp_traffic_log_store_get_string (store, record->local);
  const char *remote = _sp_traffic_log_store_get_string (store, record->remote);

  if (record->kind == SP_EVENT_SENT)
    {
      *from = local;
      *to = remote;
    }
  else
    {
      *from = remote;
      *to = local;
    }
}

static gboolean
is_data (const SpTrafficRecord *record)
{
  /* A receive of 0 bytes is the peer's EOF, part of the conversation too;
   * so are the bytes a sendall got out before it failed. */
  if (record->kind == SP_EVENT_SENT && !record->ok)
    return record->bytes > 0;
  return record->ok && (record->kind == SP_EVENT_SENT || record->kind == SP_EVENT_RECEIVED);
}

SpConversation *
sp_conversation_find (SpTrafficLog *log,
                      guint         position,
                      guint         max_chunks)
{
  SpTrafficLogStore *store;
  const SpTrafficRecord *selected;
  const char *key_from;
  const char *key_to;
  SpConversation *self;
  guint64 sent[2] = { 0, 0 };      /* [from_a] */
  guint64 received[2] = { 0, 0 };
  guint n;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);

  store = _sp_traffic_log_get_store (log);
  selected = _sp_traffic_log_store_get_record (store, position);
  if (selected == NULL)
    return NULL;

  if (selected->kind == SP_EVENT_SENT || selected->kind == SP_EVENT_RECEIVED)
    {
      record_ends (store, selected, &key_from, &key_to);
    }
  else
    {
      key_from = _sp_traffic_log_store_get_string (store, selected->local);
      key_to = _sp_traffic_log_store_get_string (store, selected->remote);
    }

  if (key_from == NULL || *key_from == '\0' || key_to == NULL || *key_to == '\0')
    return NULL;

  self = g_new0 (SpConversation, 1);
  self->chunks = g_array_new (FALSE, FALSE, sizeof (SpConversationChunk));

  n = sp_traffic_log_get_n_appended (log);
  for (guint i = 0; i < n; i++)
    {
      const SpTrafficRecord *record = _sp_traffic_log_store_get_record (store, i);
      SpConversationChunk chunk = { .position = i, .sent = record->kind == SP_EVENT_SENT };
      const char *from;
      const char *to;
      gboolean forward;

      if (!is_data (record))
        continue;

      record_ends (store, record, &from, &to);
      if (endpoints_match (from, key_from) && endpoints_match (to, key_to))
        forward = TRUE;
      else if (endpoints_match (from, key_to) && endpoints_match (to, key_from))
        forward = FALSE;
      else
        continue;

      if (max_chunks > 0 && self->chunks->len == max_chunks)
        {
          self->truncated = TRUE;
          break;
        }

      /* The first bytes name side A: a wildcard key gives way to the real
       * address they came from. */
      if (self->endpoint_a == NULL)
        {
          self->endpoint_a = g_strdup (from);
          self->endpoint_b = g_strdup (to);
          if (!forward)
            {
              const char *swap = key_from;

              key_from = key_to;
              key_to = swap;
            }
        }

      chunk.from_a = endpoints_match (from, key_from) && endpoints_match (to, key_to);
      g_array_append_val (self->chunks, chunk);
      /* A datagram an impairment held back or dropped is counted when,
       * and if, it goes on the wire: its own later event. */
      if (chunk.sent && sp_impaired_is_on_wire (record->impaired))
        sent[chunk.from_a] += record->bytes;
      else
        received[chunk.from_a] += record->bytes;
    }

  if (self->endpoint_a == NULL)
    {
      self->endpoint_a = g_strdup (key_from);
      self->endpoint_b = g_strdup (key_to);
    }

  /* With only one side in the session, only its calls count. */
  self->bytes_a_to_b = MAX (sent[TRUE], received[TRUE]);
  self->bytes_b_to_a = MAX (sent[FALSE], received[FALSE]);

  return self;
}

void
sp_conversation_free (SpConversation *self)
{
  if (self == NULL)
    return;

  g_free (self->endpoint_a);
  g_free (self->endpoint_b);
  g_array_unref (self->chunks);
  g_free (self);
}
