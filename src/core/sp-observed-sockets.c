/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-observed-sockets.h"

typedef struct
{
  SpObservedSocket  public;
  char             *id;
  char             *local;
  char             *remote;
  char             *listener;
  guint             changed : 1;
} Socket;

typedef struct
{
  SpTrace      *trace;
  SpTrafficLog *log;
} Program;

/* An event a trace appended, read at the log's next batch. */
typedef struct
{
  SpTrafficLog *log;
  guint         position;
  guint         program;
  int           pid;
  const char   *program_name;  /* interned by the trace */
  /* The socket's kind, where the report said it */
  SpFamily      family;
  SpSocketType  type;
  gboolean      kind_known;
} Pending;

struct _SpObservedSockets
{
  GObject     parent_instance;

  GArray     *programs;   /* Program */
  GPtrArray  *sockets;    /* Socket, in the order they appeared */
  GHashTable *by_id;      /* id → Socket */
  GArray     *pending;    /* Pending */
  GPtrArray  *changed;    /* Socket, during "changed" */
  gboolean    programs_changed;
};

G_DEFINE_FINAL_TYPE (SpObservedSockets, sp_observed_sockets, G_TYPE_OBJECT)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
socket_free (gpointer data)
{
  Socket *socket = data;

  g_free (socket->id);
  g_free (socket->local);
  g_free (socket->remote);
  g_free (socket->listener);
  g_free (socket);
}

static void
sp_observed_sockets_dispose (GObject *object)
{
  SpObservedSockets *self = SP_OBSERVED_SOCKETS (object);

  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *program = &g_array_index (self->programs, Program, i);

      g_signal_handlers_disconnect_by_data (program->trace, self);
      g_signal_handlers_disconnect_by_data (program->log, self);
      g_clear_object (&program->trace);
      g_clear_object (&program->log);
    }
  g_array_set_size (self->programs, 0);
  g_array_set_size (self->pending, 0);

  G_OBJECT_CLASS (sp_observed_sockets_parent_class)->dispose (object);
}

static void
sp_observed_sockets_finalize (GObject *object)
{
  SpObservedSockets *self = SP_OBSERVED_SOCKETS (object);

  g_array_unref (self->programs);
  g_hash_table_unref (self->by_id);
  g_ptr_array_unref (self->sockets);
  g_array_unref (self->pending);
  g_ptr_array_unref (self->changed);

  G_OBJECT_CLASS (sp_observed_sockets_parent_class)->finalize (object);
}

static void
sp_observed_sockets_class_init (SpObservedSocketsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_observed_sockets_dispose;
  object_class->finalize = sp_observed_sockets_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
}

static void
sp_observed_sockets_init (SpObservedSockets *self)
{
  self->programs = g_array_new (FALSE, FALSE, sizeof (Program));
  self->sockets = g_ptr_array_new_with_free_func (socket_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  self->changed = g_ptr_array_new ();
}

SpObservedSockets *
sp_observed_sockets_new (void)
{
  return g_object_new (SP_TYPE_OBSERVED_SOCKETS, NULL);
}

/* Reading events */

static void
set_text (char       **field,
          const char **public,
          const char  *text)
{
  if (text == NULL || g_strcmp0 (*field, text) == 0)
    return;
  g_free (*field);
  *field = g_strdup (text);
  *public = *field;
}

/* The kind its program's report said, on a socket call or an accept. */
static void
read_kind (Socket        *socket,
           const Pending *pending)
{
  if (!pending->kind_known)
    return;
  socket->public.family = pending->family;
  socket->public.type = pending->type;
  socket->public.family_known = socket->public.type_known = TRUE;
}

/* Where no socket call said it, an address does: "[::1]:80" is IPv6, a
 * path or "@name" is a UNIX socket, "host:port" IPv4. */
static void
guess_family (Socket     *socket,
              const char *address)
{
  if (socket->public.family_known || address == NULL || *address == '\0')
    return;

  if (address[0] == '[')
    socket->public.family = SP_FAMILY_INET6;
  else if (address[0] == '/' || address[0] == '@')
    socket->public.family = SP_FAMILY_UNIX;
  else if (strchr (address, ':') != NULL)
    socket->public.family = SP_FAMILY_INET;
  else
    return;
  socket->public.family_known = TRUE;
}

static void
mark_changed (SpObservedSockets *self,
              Socket            *socket)
{
  if (!socket->changed)
    {
      socket->changed = TRUE;
      g_ptr_array_add (self->changed, socket);
    }
}

static Socket *
ensure_socket (SpObservedSockets *self,
               const char        *id,
               const Pending     *pending)
{
  Socket *socket = g_hash_table_lookup (self->by_id, id);

  if (socket == NULL)
    {
      socket = g_new0 (Socket, 1);
      socket->id = g_strdup (id);
      socket->public.id = socket->id;
      socket->public.program = pending->program;
      socket->public.type = SP_SOCKET_TYPE_STREAM;
      socket->public.state = SP_STATE_CREATED;
      g_ptr_array_add (self->sockets, socket);
      g_hash_table_insert (self->by_id, socket->id, socket);
    }

  socket->public.pid = pending->pid;
  socket->public.program_name = pending->program_name;
  mark_changed (self, socket);
  return socket;
}

/* "(server.py:4, ('127.0.0.1', 40000))": the id of the socket accept returned. */
static char *
accepted_id (const char *detail)
{
  const char *end;

  if (detail == NULL || detail[0] != '(' || (end = strstr (detail, ", ")) == NULL ||
      end == detail + 1)
    return NULL;
  return g_strndup (detail + 1, end - detail - 1);
}

static void
read_accept (SpObservedSockets *self,
             Socket            *listener,
             SpEvent           *event,
             const Pending     *pending)
{
  g_autofree char *id = accepted_id (sp_event_get_detail (event));
  Socket *child;

  if (id == NULL || g_str_equal (id, listener->id))
    return;

  child = ensure_socket (self, id, pending);
  g_clear_pointer (&child->listener, g_free);
  child->listener = g_strdup (listener->id);
  child->public.listener = child->listener;
  child->public.state = SP_STATE_CONNECTED;
  child->public.listens = child->public.connects = FALSE;
  child->public.family = listener->public.family;
  child->public.family_known = listener->public.family_known;
  child->public.type = listener->public.type;
  child->public.type_known = listener->public.type_known;
  /* What accept returned is the peer's address; the new socket's own is
   * the listener's, until its own calls say more. */
  set_text (&child->remote, &child->public.remote, sp_event_get_remote (event));
  set_text (&child->local, &child->public.local, listener->local);
}

static void
read_event (SpObservedSockets *self,
            const Pending     *pending)
{
  g_autoptr(SpEvent) event = sp_traffic_log_get_event (pending->log, pending->position);
  const char *id = sp_event_get_socket_id (event);
  SpCall call = sp_event_get_call (event);
  Socket *socket;

  if (id == NULL)
    return;

  socket = ensure_socket (self, id, pending);
  /* A descriptor closed and made again is a new socket in the same row. */
  if (call == SP_CALL_SOCKET)
    {
      socket->public.family_known = socket->public.type_known = FALSE;
      socket->public.listens = socket->public.connects = FALSE;
      g_clear_pointer (&socket->listener, g_free);
      socket->public.listener = NULL;
      g_clear_pointer (&socket->remote, g_free);
      socket->public.remote = NULL;
    }
  if (call == SP_CALL_SOCKET || !socket->public.family_known || !socket->public.type_known)
    read_kind (socket, pending);

  socket->public.state = sp_event_get_state (event);
  set_text (&socket->local, &socket->public.local, sp_event_get_local (event));
  /* A datagram's peer is that datagram's; accept's is the new socket's. */
  if (call != SP_CALL_SENDTO && call != SP_CALL_ACCEPT && !sp_call_gives_sender (call))
    set_text (&socket->remote, &socket->public.remote, sp_event_get_remote (event));
  guess_family (socket, socket->local);
  guess_family (socket, socket->remote);
  if (call == SP_CALL_SENDTO || sp_call_gives_sender (call))
    {
      socket->public.type = SP_SOCKET_TYPE_DGRAM;
      socket->public.type_known = TRUE;
    }

  switch (call)
    {
    case SP_CALL_LISTEN:
      socket->public.listens = TRUE;
      break;

    case SP_CALL_ACCEPT:
      socket->public.listens = TRUE;
      if (sp_event_get_ok (event))
        read_accept (self, socket, event, pending);
      break;

    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      socket->public.connects = TRUE;
      break;

    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
    case SP_CALL_SHUTDOWN:
    case SP_CALL_CLOSE:
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
emit_changed (SpObservedSockets *self)
{
  if (self->changed->len == 0 && !self->programs_changed)
    return;

  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  for (guint i = 0; i < self->changed->len; i++)
    ((Socket *) g_ptr_array_index (self->changed, i))->changed = FALSE;
  g_ptr_array_set_size (self->changed, 0);
  self->programs_changed = FALSE;
}

static void
on_log_appended (SpTrafficLog      *log,
                 guint              position,
                 SpObservedSockets *self)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *program = &g_array_index (self->programs, Program, i);
      Pending pending = { log, position, i, 0, NULL };

      if (program->log == log &&
          sp_trace_get_origin (program->trace, position, &pending.pid, &pending.program_name))
        {
          pending.kind_known = sp_trace_get_origin_kind (program->trace, position,
                                                         &pending.family, &pending.type);
          g_array_append_val (self->pending, pending);
          return;
        }
    }
}

static void
on_log_items_changed (SpTrafficLog      *log,
                      guint              position,
                      guint              removed,
                      guint              added,
                      SpObservedSockets *self)
{
  guint kept = 0;

  for (guint i = 0; i < self->pending->len; i++)
    {
      Pending pending = g_array_index (self->pending, Pending, i);

      if (pending.log != log)
        g_array_index (self->pending, Pending, kept++) = pending;
      /* A restart cleared the events it had not read: the sockets stay
       * as their last events left them. */
      else if (removed == 0 && pending.position < sp_traffic_log_get_n_appended (log))
        read_event (self, &pending);
    }
  g_array_set_size (self->pending, kept);
  emit_changed (self);
}

static void
on_trace_changed (SpObservedSockets *self)
{
  self->programs_changed = TRUE;
  emit_changed (self);
}

guint
sp_observed_sockets_add_trace (SpObservedSockets *self,
                               SpTrace           *trace,
                               SpTrafficLog      *log)
{
  Program program = { g_object_ref (trace), g_object_ref (log) };
  gboolean log_followed = FALSE;

  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), 0);
  g_return_val_if_fail (SP_IS_TRACE (trace), 0);
  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), 0);

  for (guint i = 0; i < self->programs->len; i++)
    log_followed |= g_array_index (self->programs, Program, i).log == log;
  if (!log_followed)
    {
      g_signal_connect (log, "appended", G_CALLBACK (on_log_appended), self);
      g_signal_connect (log, "items-changed", G_CALLBACK (on_log_items_changed), self);
    }
  g_signal_connect_swapped (trace, "started", G_CALLBACK (on_trace_changed), self);
  g_signal_connect_swapped (trace, "exited", G_CALLBACK (on_trace_changed), self);
  g_array_append_val (self->programs, program);

  on_trace_changed (self);
  return self->programs->len - 1;
}

void
sp_observed_sockets_move_to_log (SpObservedSockets *self,
                                 SpTrafficLog      *log)
{
  gboolean followed = FALSE;
  guint kept = 0;

  g_return_if_fail (SP_IS_OBSERVED_SOCKETS (self));
  g_return_if_fail (SP_IS_TRAFFIC_LOG (log));

  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *program = &g_array_index (self->programs, Program, i);

      sp_trace_set_log (program->trace, log);
      if (program->log == log)
        {
          followed = TRUE;
          continue;
        }
      g_signal_handlers_disconnect_by_data (program->log, self);
      g_set_object (&program->log, log);
    }
  if (!followed && self->programs->len > 0)
    {
      g_signal_connect (log, "appended", G_CALLBACK (on_log_appended), self);
      g_signal_connect (log, "items-changed", G_CALLBACK (on_log_items_changed), self);
    }

  /* Events of the old logs not read yet are gone with them. */
  for (guint i = 0; i < self->pending->len; i++)
    if (g_array_index (self->pending, Pending, i).log == log)
      g_array_index (self->pending, Pending, kept++) = g_array_index (self->pending, Pending, i);
  g_array_set_size (self->pending, kept);
}

guint
sp_observed_sockets_get_n_programs (SpObservedSockets *self)
{
  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), 0);
  return self->programs->len;
}

SpTrace *
sp_observed_sockets_get_trace (SpObservedSockets *self,
                               guint              program)
{
  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), NULL);
  g_return_val_if_fail (program < self->programs->len, NULL);
  return g_array_index (self->programs, Program, program).trace;
}

guint
sp_observed_sockets_get_n_sockets (SpObservedSockets *self)
{
  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), 0);
  return self->sockets->len;
}

const SpObservedSocket *
sp_observed_sockets_get_socket (SpObservedSockets *self,
                                guint              index)
{
  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), NULL);
  g_return_val_if_fail (index < self->sockets->len, NULL);
  return &((Socket *) g_ptr_array_index (self->sockets, index))->public;
}

const SpObservedSocket *
sp_observed_sockets_lookup (SpObservedSockets *self,
                            const char        *id)
{
  Socket *socket;

  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), NULL);

  socket = id != NULL ? g_hash_table_lookup (self->by_id, id) : NULL;
  return socket != NULL ? &socket->public : NULL;
}

const char **
sp_observed_sockets_get_accepted (SpObservedSockets *self,
                                  const char        *listener_id)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), NULL);

  for (guint i = 0; i < self->sockets->len; i++)
    {
      Socket *socket = g_ptr_array_index (self->sockets, i);

      if (listener_id != NULL && g_strcmp0 (socket->listener, listener_id) == 0)
        g_ptr_array_add (ids, socket->id);
    }
  g_ptr_array_add (ids, NULL);
  return (const char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

GPtrArray *
sp_observed_sockets_get_changed (SpObservedSockets *self)
{
  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (self), NULL);
  return self->changed;
}
