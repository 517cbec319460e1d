/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <string.h>

#include "sp-errno.h"
#include "sp-serve.h"

struct _SpServe
{
  GObject       parent_instance;

  SpSocket     *listener;
  SpServeMode   mode;
  GBytes       *reply;
  GPtrArray    *replies;      /* of Reply, in order */
  guint         connections;
  gsize         bufsize;
  guint         timeout_ms;
  /* How long a connection may be silent before the server closes it. */
  guint         idle_timeout_ms;

  /* Cancelled by stop(): callbacks that arrive after it do nothing. */
  GCancellable *cancellable;
  /* The open connections in the order they came, each holding a reference,
   * and each one's link: one that ends leaves at once, however many are
   * open. */
  GQueue        active;
  GHashTable   *active_links;
  guint         n_accepted;

  /* The first failure, for the player to name: the call, the socket it
   * was made on and its errno. */
  SpCall        error_call;
  char         *error_socket;
  int           error_code;

  /* Out of descriptors: the listener is not watched until this fires.
   * retry_ms is the back-off, 0 after an accept succeeded. */
  GSource      *retry_source;
  gint64        retry_at;
  guint         retry_ms;

  guint         accepting : 1;
  guint         paused : 1;
  guint         reported_shortage : 1;
  guint         finished : 1;
  guint         ok : 1;
};

G_DEFINE_FINAL_TYPE (SpServe, sp_serve, G_TYPE_OBJECT)

typedef struct
{
  GBytes *contains;
  GBytes *reply;
} Reply;

static void
reply_free (Reply *reply)
{
  g_bytes_unref (reply->contains);
  g_bytes_unref (reply->reply);
  g_free (reply);
}

enum {
  ACCEPTED,
  ACCEPT_PAUSED,
  CONNECTION_IDLE,
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The back-off of accept while out of descriptors: short, since a
 * connection that closes frees one; long enough never to spin. */
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 3200

static void accept_next (SpServe *self);
static void receive_next (SpServe *self, SpSocket *connection);
static void on_accepted (GObject *object, GAsyncResult *result, gpointer user_data);

static void
sp_serve_dispose (GObject *object)
{
  SpServe *self = SP_SERVE (object);

  sp_serve_stop (self);
  g_clear_object (&self->listener);

  G_OBJECT_CLASS (sp_serve_parent_class)->dispose (object);
}

/* What stop() reads stays until finalize, so a second dispose is harmless. */
static void
sp_serve_finalize (GObject *object)
{
  SpServe *self = SP_SERVE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->reply, g_bytes_unref);
  g_clear_pointer (&self->replies, g_ptr_array_unref);
  g_queue_clear_full (&self->active, g_object_unref);
  g_clear_pointer (&self->active_links, g_hash_table_unref);
  g_free (self->error_socket);

  G_OBJECT_CLASS (sp_serve_parent_class)->finalize (object);
}

static void
sp_serve_class_init (SpServeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_serve_dispose;
  object_class->finalize = sp_serve_finalize;

  signals[ACCEPTED] =
    g_signal_new ("accepted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_SOCKET);
  signals[ACCEPT_PAUSED] =
    g_signal_new ("accept-paused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  signals[CONNECTION_IDLE] =
    g_signal_new ("connection-idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, SP_TYPE_SOCKET);
  signals[FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
sp_serve_init (SpServe *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->active);
  self->active_links = g_hash_table_new (NULL, NULL);
  self->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) reply_free);
  self->ok = TRUE;
}

SpServe *
sp_serve_new (SpSocket    *listener,
              SpServeMode  mode,
              GBytes      *reply,
              guint        connections,
              gsize        bufsize,
              guint        timeout_ms)
{
  SpServe *self;

  g_return_val_if_fail (SP_IS_SOCKET (listener), NULL);

  self = g_object_new (SP_TYPE_SERVE, NULL);
  self->listener = g_object_ref (listener);
  self->mode = mode;
  self->reply = reply != NULL ? g_bytes_ref (reply) : g_bytes_new (NULL, 0);
  self->connections = connections;
  self->bufsize = MAX (bufsize, 1);
  /* An open-ended serve is for people typing at it: no wait times out. */
  self->timeout_ms = connections > 0 ? timeout_ms : 0;
  self->idle_timeout_ms = self->timeout_ms;
  return self;
}

void
sp_serve_set_idle_timeout (SpServe *self,
                           guint    idle_timeout_ms)
{
  g_return_if_fail (SP_IS_SERVE (self));
  g_return_if_fail (!self->accepting && !self->finished);

  self->idle_timeout_ms = idle_timeout_ms;
}

void
sp_serve_add_reply (SpServe *self,
                    GBytes  *contains,
                    GBytes  *reply)
{
  Reply *entry;

  g_return_if_fail (SP_IS_SERVE (self));
  g_return_if_fail (contains != NULL && g_bytes_get_size (contains) > 0);
  g_return_if_fail (reply != NULL);
  g_return_if_fail (!self->accepting && !self->finished);

  entry = g_new (Reply, 1);
  entry->contains = g_bytes_ref (contains);
  entry->reply = g_bytes_ref (reply);
  g_ptr_array_add (self->replies, entry);
}

/* The answer to `request`: the first entry of the table it matches, or
 * the one reply. */
static GBytes *
choose_reply (SpServe *self,
              GBytes  *request)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (request, &size);

  for (guint i = 0; i < self->replies->len; i++)
    {
      Reply *entry = g_ptr_array_index (self->replies, i);
      gsize length;
      const guint8 *wanted = g_bytes_get_data (entry->contains, &length);

      if (size >= length && memmem (data, size, wanted, length) != NULL)
        return entry->reply;
    }

  return self->reply;
}

static void
check_finished (SpServe *self)
{
  if (self->finished || self->accepting || self->active.length > 0)
    return;

  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0, (gboolean) self->ok);
}

static gboolean
is_stopped (SpServe *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

/* Only the first failure is kept: later ones are often its consequences,
 * and every one of them is in the log as its own event. */
static void
note_failure (SpServe  *self,
              SpCall    call,
              SpSocket *socket,
              int       code)
{
  self->ok = FALSE;
  if (self->error_code != 0)
    return;

  self->error_call = call;
  self->error_socket = g_strdup (sp_socket_get_id (socket));
  /* A failure without an errno of its own still needs a name. */
  self->error_code = code != 0 ? code : EIO;
}

static void
cancel_retry (SpServe *self)
{
  if (self->retry_source != NULL)
    g_source_destroy (self->retry_source);
  g_clear_pointer (&self->retry_source, g_source_unref);
}

static gboolean
on_retry (gpointer user_data)
{
  SpServe *self = user_data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  self->paused = FALSE;
  accept_next (self);
  return G_SOURCE_REMOVE;
}

/* Retries accept `delay_ms` from now, unless a retry comes sooner. */
static void
schedule_retry (SpServe *self,
                guint    delay_ms)
{
  gint64 at = g_get_monotonic_time () + (gint64) delay_ms * 1000;

  if (self->retry_source != NULL && self->retry_at <= at)
    return;

  cancel_retry (self);
  self->retry_at = at;
  self->retry_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (self->retry_source, on_retry, self, NULL);
  g_source_attach (self->retry_source, g_main_context_get_thread_default ());
}

static void
forget_connection (SpServe  *self,
                   SpSocket *connection)
{
  GList *link = g_hash_table_lookup (self->active_links, connection);

  if (link == NULL)
    return;

  g_hash_table_remove (self->active_links, connection);
  g_queue_delete_link (&self->active, link);
  g_object_unref (connection);
}

static void
connection_done (SpServe  *self,
                 SpSocket *connection)
{
  if (sp_socket_get_fd (connection) >= 0)
    sp_socket_close (connection, NULL);

  forget_connection (self, connection);

  /* A descriptor is free now: the connections waiting in the queue can
   * come in without waiting for the whole back-off. */
  if (self->paused)
    schedule_retry (self, RETRY_MIN_MS);

  check_finished (self);
}

typedef struct
{
  SpServe  *serve;
  SpSocket *connection;
} Pending;

static Pending *
pending_new (SpServe  *self,
             SpSocket *connection)
{
  Pending *pending = g_new (Pending, 1);

  pending->serve = g_object_ref (self);
  pending->connection = g_object_ref (connection);
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->serve);
  g_object_unref (pending->connection);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

/* What follows an answer: the next request, or, after a reply or a
 * failure, the connection's end. */
static void
answered (SpServe  *self,
          SpSocket *connection,
          GError   *error)
{
  if (error != NULL)
    note_failure (self, SP_CALL_SENDALL, connection, sp_errno_from_gerror (error));
  if (error != NULL || self->mode == SP_SERVE_REPLY)
    connection_done (self, connection);
  else
    receive_next (self, connection);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(GError) error = NULL;
  SpServe *self = pending->serve;

  sp_socket_send_finish (SP_SOCKET (object), result, &error);
  if (is_stopped (self))
    return;

  answered (self, pending->connection, error);
}

/* An answer the kernel takes at once goes on from here, not from the
 * next main-loop iteration as an asynchronous send's result would. */
static void
answer (SpServe  *self,
        SpSocket *connection,
        GBytes   *bytes)
{
  g_autoptr(GError) error = NULL;
  Pending *pending = pending_new (self, connection);
  gssize sent;

  if (!sp_socket_send_now (connection, SP_CALL_SENDALL, bytes, self->timeout_ms,
                           on_sent, pending, &sent, &error))
    return;

  pending_free (pending);
  if (!is_stopped (self))
    answered (self, connection, error);
}

static void
on_received (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Pending) pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  SpServe *self = pending->serve;
  SpSocket *connection = pending->connection;
  GBytes *reply = NULL;
  gboolean eof;

  bytes = sp_socket_receive_finish (connection, result, NULL, &error);
  if (is_stopped (self))
    return;

  if (bytes == NULL)
    {
      int code = sp_errno_from_gerror (error);

      /* Silent for its idle time: the server closes it. A bounded serve
       * waited for this client to finish, which it did not; an open-ended
       * one is only keeping house. */
      if (code == ETIMEDOUT)
        g_signal_emit (self, signals[CONNECTION_IDLE], 0, connection);
      if (code != ETIMEDOUT || self->connections > 0)
        note_failure (self, SP_CALL_RECV, connection, code);
      connection_done (self, connection);
      return;
    }

  /* What goes back: the bytes themselves for echo; the reply for reply,
   * even at end of file (a reply server that got no request still
   * answers); nothing for discard. */
  eof = g_bytes_get_size (bytes) == 0;
  if (self->mode == SP_SERVE_REPLY)
    reply = choose_reply (self, bytes);
  else if (self->mode == SP_SERVE_ECHO && !eof)
    reply = bytes;

  if (reply != NULL)
    answer (self, connection, reply);
  else if (eof)
    connection_done (self, connection);
  else
    receive_next (self, connection);
}

static void
receive_next (SpServe  *self,
              SpSocket *connection)
{
  sp_socket_receive_async (connection, SP_CALL_RECV, self->bufsize, self->idle_timeout_ms,
                           NULL, on_received, pending_new (self, connection));
}

/* What accept answers when the process (or the system) has no descriptor,
 * or no memory, for one more connection. The connection stays in the
 * listener's queue, so the listener stays readable: watching it again at
 * once would spin. */
static gboolean
is_out_of_resources (int code)
{
  return code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM;
}

static void
pause_accepting (SpServe *self,
                 int      code)
{
  self->retry_ms = self->retry_ms == 0 ? RETRY_MIN_MS : MIN (self->retry_ms * 2, RETRY_MAX_MS);
  self->paused = TRUE;
  schedule_retry (self, self->retry_ms);

  /* Said once: every failed accept is in the log as its own event. */
  if (!self->reported_shortage)
    {
      self->reported_shortage = TRUE;
      g_signal_emit (self, signals[ACCEPT_PAUSED], 0, code);
    }
}

/* An accept that failed: out of descriptors it waits and tries again,
 * otherwise accepting is over. */
static void
accept_failed (SpServe *self,
               GError  *error)
{
  int code = sp_errno_from_gerror (error);

  if (is_out_of_resources (code))
    {
      pause_accepting (self, code);
      return;
    }

  /* A listener closed on purpose ends an open-ended serve normally. */
  if (self->connections > 0 || code != EBADF)
    note_failure (self, SP_CALL_ACCEPT, self->listener, code);
  self->accepting = FALSE;
  check_finished (self);
}

/* The next accept: a connection that was already waiting, taken at once,
 * or NULL when the accept waits (on_accepted goes on from there) or
 * failed. */
static SpSocket *
accept_one (SpServe *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  SpSocket *connection;

  id = g_strdup_printf ("%s-%u", sp_socket_get_id (self->listener), self->n_accepted + 1);
  connection = sp_socket_try_accept (self->listener, id, &error);
  if (connection != NULL)
    return connection;

  if (sp_errno_from_gerror (error) == EAGAIN)
    sp_socket_accept_async (self->listener, id, self->timeout_ms,
                            NULL, on_accepted, g_object_ref (self));
  else
    accept_failed (self, error);
  return NULL;
}

/* Takes `connection` (and those waiting behind it) in: each is announced,
 * the next accept is made, then the connection's first receive, in that
 * order. Connections already waiting are taken in this loop rather than
 * one main-loop iteration each. */
static void
serve_accepted (SpServe  *self,
                SpSocket *connection)
{
  while (connection != NULL)
    {
      g_autoptr(SpSocket) current = connection;

      connection = NULL;
      if (is_stopped (self))
        return;

      self->retry_ms = 0;
      self->n_accepted++;
      g_queue_push_tail (&self->active, g_object_ref (current));
      g_hash_table_insert (self->active_links, current, self->active.tail);
      g_signal_emit (self, signals[ACCEPTED], 0, current);

      if (self->connections == 0 || self->n_accepted < self->connections)
        connection = accept_one (self);
      else
        self->accepting = FALSE;

      receive_next (self, current);
    }
}

static void
on_accepted (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SpServe) self = user_data;
  g_autoptr(GError) error = NULL;
  SpSocket *connection;

  connection = sp_socket_accept_finish (SP_SOCKET (object), result, &error);
  if (is_stopped (self))
    {
      g_clear_object (&connection);
      return;
    }

  if (connection == NULL)
    accept_failed (self, error);
  else
    serve_accepted (self, connection);
}

static void
accept_next (SpServe *self)
{
  serve_accepted (self, accept_one (self));
}

void
sp_serve_start (SpServe *self)
{
  g_return_if_fail (SP_IS_SERVE (self));
  g_return_if_fail (!self->accepting && !self->finished);

  self->accepting = TRUE;
  accept_next (self);
}

void
sp_serve_stop (SpServe *self)
{
  g_return_if_fail (SP_IS_SERVE (self));

  if (is_stopped (self))
    return;

  g_cancellable_cancel (self->cancellable);
  cancel_retry (self);
  self->accepting = FALSE;
  self->paused = FALSE;
  for (GList *l = self->active.head; l != NULL; l = l->next)
    {
      SpSocket *connection = l->data;

      if (sp_socket_get_fd (connection) >= 0)
        sp_socket_close (connection, NULL);
    }
  g_hash_table_remove_all (self->active_links);
  g_queue_clear_full (&self->active, g_object_unref);
}

gboolean
sp_serve_get_finished (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), FALSE);
  return self->finished;
}

gboolean
sp_serve_get_ok (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), FALSE);
  return self->ok;
}

guint
sp_serve_get_n_accepted (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), 0);
  return self->n_accepted;
}

guint
sp_serve_get_n_active (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), 0);
  return self->active.length;
}

SpSocket *
sp_serve_get_listener (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), NULL);
  return self->listener;
}

int
sp_serve_get_error (SpServe     *self,
                    SpCall      *call,
                    const char **socket_id)
{
  g_return_val_if_fail (SP_IS_SERVE (self), 0);

  if (call != NULL)
    *call = self->error_call;
  if (socket_id != NULL)
    *socket_id = self->error_socket;
  return self->error_code;
}

guint
sp_serve_get_idle_timeout_ms (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), 0);
  return self->idle_timeout_ms;
}

guint
sp_serve_get_timeout_ms (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), 0);
  return self->timeout_ms;
}

gboolean
sp_serve_get_bounded (SpServe *self)
{
  g_return_val_if_fail (SP_IS_SERVE (self), FALSE);
  return self->connections > 0;
}
