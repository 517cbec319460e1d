/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-data.h"
#include "sp-descriptors.h"
#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-lifecycle.h"
#include "sp-poller.h"
#include "sp-reader.h"
#include "sp-socket.h"
#include "sp-socket-options.h"

/* Calls are made on the file descriptor itself, so that a failure keeps its
 * real errno; a call that must wait does so in the context's poller
 * (sp-poller.c), or on GSocket's sources when it can be cancelled. */

struct _SpSocket
{
  GObject         parent_instance;

  char           *id;
  SpFamily        family;
  SpSocketType    type;
  gint            protocol;
  SpState         state;
  int             step;

  SpTrafficLog   *log;
  SpImpairment   *impairment;
  SpSocket       *listener;
  /* Made when first needed (see ensure_gsocket); owns `fd` once made. */
  GSocket        *gsocket;
  int             fd;
  /* `fd` in the poller's set from its first wait until it is closed: the
   * waits of a call at a time take turns on it (see op_wait). */
  SpPollerWatch  *watch;

  GSocketAddress *local;
  GSocketAddress *remote;
  char           *local_text;
  char           *remote_text;

  /* GTasks waiting for readiness; close() fails them. */
  GList          *pending;

  /* Repeated receives run on the I/O thread (sp-reader.c), and the time
   * the calls returned there is the time of the events they record. */
  gboolean        reads_in_thread;
  gint64          event_time_us;

  guint           n_calls;
  guint64         bytes_sent;
  guint64         bytes_received;

  /* The last sender recvfrom saw, and its texts for the log */
  struct sockaddr_storage sender;
  socklen_t       sender_length;
  char           *sender_text;
  char           *sender_python;

  /* The kernel picked the local port: a bind to port 0, or the implicit
   * bind of connect, sendto or listen on an unbound socket. */
  guint           kernel_port : 1;
};

G_DEFINE_FINAL_TYPE (SpSocket, sp_socket, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct _Op Op;

/* Tries the call once; returns TRUE when the task has been returned, FALSE
 * to wait for `condition` and try again. */
typedef gboolean (*OpAttempt) (SpSocket *self,
                               GTask    *task,
                               Op       *op);

struct _Op
{
  SpCall          call;
  OpAttempt       attempt;
  GIOCondition    condition;
  guint           timeout_ms;
  /* Waiting: a watch in the context's poller (the socket's own kept one,
   * paused when the call is done, when `watch_kept`), or, for a call that
   * can be cancelled, sources of its own (see op_run). */
  SpPollerWatch  *watch;
  gboolean        watch_kept;
  GSource        *io_source;
  GSource        *timeout_source;
  /* or calls on the I/O thread */
  SpReader       *reader;

  GBytes         *data;
  gsize           offset;
  GSocketAddress *address;
  gsize           bufsize;
  char           *new_id;
  gboolean        ex;
  char           *args;
  SpState         state_before;
  /* A send's impairment is decided once, however often it is retried. */
  gboolean        impaired;
  SpImpairmentFate fate;
  /* receive_many: a buffer for every call, and what they came to */
  guint8         *buffer;
  guint           max_calls;
  GByteArray     *collect;
  SpReceiveTally  tally;
};

static void
op_release_watch (Op *op)
{
  if (op->watch != NULL && op->watch_kept)
    sp_poller_pause (op->watch);
  else if (op->watch != NULL)
    sp_poller_unwatch (op->watch);
  op->watch = NULL;
  op->watch_kept = FALSE;
}

static void
op_free (Op *op)
{
  op_release_watch (op);
  g_clear_pointer (&op->reader, sp_reader_free);
  if (op->io_source != NULL)
    g_source_destroy (op->io_source);
  if (op->timeout_source != NULL)
    g_source_destroy (op->timeout_source);
  g_clear_pointer (&op->io_source, g_source_unref);
  g_clear_pointer (&op->timeout_source, g_source_unref);
  g_clear_pointer (&op->data, g_bytes_unref);
  g_clear_object (&op->address);
  g_free (op->new_id);
  g_free (op->args);
  g_free (op->buffer);
  g_clear_pointer (&op->collect, g_byte_array_unref);
  g_free (op);
}

static void
set_state (SpSocket *self,
           SpState   state)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
set_address (GSocketAddress **slot,
             char           **text,
             GSocketAddress  *address)
{
  g_set_object (slot, address);
  g_free (*text);
  *text = address != NULL ? sp_endpoint_format (address) : NULL;
}

/* GLib turns an IPv4-mapped IPv6 address into plain IPv4; the kernel
 * does not, and students should see what the kernel says. */
static GSocketAddress *
address_from_native (const struct sockaddr_storage *storage,
                     socklen_t                      length)
{
  if (storage->ss_family == AF_INET6 && length >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) storage;
      g_autoptr(GInetAddress) address = NULL;

      address = g_inet_address_new_from_bytes (in6->sin6_addr.s6_addr, G_SOCKET_FAMILY_IPV6);
      return g_object_new (G_TYPE_INET_SOCKET_ADDRESS,
                           "address", address,
                           "port", (guint) g_ntohs (in6->sin6_port),
                           "flowinfo", (guint) g_ntohl (in6->sin6_flowinfo),
                           "scope-id", (guint) in6->sin6_scope_id,
                           NULL);
    }

  return g_socket_address_new_from_native ((gpointer) storage, length);
}

static GSocketAddress *
query_name (int     fd,
            SpCall  call,
            int    *error_code)
{
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  GSocketAddress *address;
  int result;

  memset (&storage, 0, sizeof storage);
  if (call == SP_CALL_GETSOCKNAME)
    result = getsockname (fd, (struct sockaddr *) &storage, &length);
  else
    result = getpeername (fd, (struct sockaddr *) &storage, &length);

  if (result != 0)
    {
      *error_code = errno;
      return NULL;
    }

  address = address_from_native (&storage, length);
  if (address == NULL)
    *error_code = EAFNOSUPPORT;
  return address;
}

static void
refresh_local (SpSocket *self)
{
  g_autoptr(GSocketAddress) address = NULL;
  int code;

  if (self->fd >= 0)
    address = query_name (self->fd, SP_CALL_GETSOCKNAME, &code);
  set_address (&self->local, &self->local_text, address);
}

static void
refresh_remote (SpSocket *self)
{
  g_autoptr(GSocketAddress) address = NULL;
  int code;

  if (self->fd >= 0)
    address = query_name (self->fd, SP_CALL_GETPEERNAME, &code);
  set_address (&self->remote, &self->remote_text, address);
}

/* Appends an event for this socket. `remote` overrides the connected peer
 * (sendto, recvfrom, a refused connect). */
static void
record (SpSocket     *self,
        SpEventKind   kind,
        SpCall        call,
        int           error_code,
        gsize         bytes,
        const guint8 *payload,
        gsize         payload_len,
        const char   *remote,
        const char   *detail,
        const char   *args)
{
  SpEventInfo info = {
    .kind = kind,
    .call = call,
    .ok = error_code == 0,
    .error_code = error_code,
    .state = self->state,
    .step = self->step,
    .socket_id = self->id,
    .local = self->local_text,
    .remote = remote != NULL ? remote : self->remote_text,
    .bytes = bytes,
    .payload = payload,
    .payload_len = payload_len,
    .detail = detail,
    .args = args,
    .monotonic_us = self->event_time_us,
  };

  /* Room for the program to show it, whatever the call was. */
  if (sp_descriptors_is_limit (error_code))
    sp_descriptors_ran_out ();

  if (self->log != NULL)
    sp_traffic_log_append (self->log, &info);
}

/* An event for one datagram: a send call whose datagram an impairment
 * marked, or a datagram that leaves without a call of its own (a copy, a
 * late one), on behalf of the step that sent it; a late one that fails
 * keeps its bytes, to show what was lost. Returns its position, which the
 * details of later events name as "#N". */
static guint
record_datagram (SpSocket     *self,
                 SpCall        call,
                 int           step,
                 int           error_code,
                 SpImpaired    impaired,
                 GBytes       *data,
                 const char   *remote,
                 const char   *detail,
                 const char   *args)
{
  gsize size = 0;
  const guint8 *payload = data != NULL ? g_bytes_get_data (data, &size) : NULL;
  SpEventInfo info = {
    .kind = error_code == 0 ? SP_EVENT_SENT : SP_EVENT_CALL,
    .call = call,
    .ok = error_code == 0,
    .error_code = error_code,
    .state = self->state,
    .step = step,
    .socket_id = self->id,
    .local = self->local_text,
    .remote = remote != NULL ? remote : self->remote_text,
    .bytes = size,
    .payload = payload,
    .payload_len = size,
    .detail = detail,
    .args = args,
    .impaired = impaired,
  };

  if (self->log == NULL)
    return 0;
  return sp_traffic_log_append (self->log, &info);
}

static gboolean
fail (SpSocket    *self,
      SpCall       call,
      int          code,
      const char  *args,
      GError     **error)
{
  record (self, SP_EVENT_CALL, call, code, 0, NULL, 0, NULL, NULL, args);
  g_propagate_error (error, sp_errno_error_new (code));
  return FALSE;
}

/* A sendall that ended with part of its bytes handed over: Python raises
 * and never returns, so it is one failed event that carries the bytes that
 * went, and says how many of how many. */
static void
record_partial_sendall (SpSocket   *self,
                        Op         *op,
                        int         code,
                        const char *remote)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (op->data, &size);
  g_autofree char *detail = NULL;

  /* %zu, not G_GSIZE_FORMAT: xgettext cannot read a macro in a message. */
  detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%zu of %zu byte went before the error",
                                         "%zu of %zu bytes went before the error",
                                         size),
                            op->offset, size);
  record (self, SP_EVENT_SENT, op->call, code, op->offset, data, op->offset, remote, detail,
          op->args);
}

/* How a call that waited failed: a sendall that got part of its bytes out
 * says so, any other call is a failed call. */
static void
record_op_failure (SpSocket   *self,
                   Op         *op,
                   int         code,
                   const char *remote,
                   const char *detail)
{
  if (op->call == SP_CALL_SENDALL && op->offset > 0)
    record_partial_sendall (self, op, code, remote);
  else
    record (self, SP_EVENT_CALL, op->call, code, 0, NULL, 0, remote, detail, op->args);
}

static gboolean
require_fd (SpSocket  *self,
            SpCall     call,
            GError   **error)
{
  self->n_calls++;
  if (self->fd >= 0)
    return TRUE;
  return fail (self, call, EBADF, NULL, error);
}

static gboolean
native_address (GSocketAddress           *address,
                struct sockaddr_storage  *storage,
                socklen_t                *length,
                GError                  **error)
{
  gssize size = g_socket_address_get_native_size (address);

  if (size < 0 || (gsize) size > sizeof *storage ||
      !g_socket_address_to_native (address, storage, sizeof *storage, error))
    {
      if (error != NULL && *error == NULL)
        g_propagate_error (error, sp_errno_error_new (EINVAL));
      return FALSE;
    }

  *length = size;
  return TRUE;
}

static void release_fd (SpSocket *self);

static void
sp_socket_dispose (GObject *object)
{
  SpSocket *self = SP_SOCKET (object);

  /* Datagrams still waiting are lost with the socket, at once: the
   * impairment may be in the middle of sending one for it. */
  if (self->impairment != NULL)
    g_object_run_dispose (G_OBJECT (self->impairment));
  g_clear_object (&self->impairment);
  release_fd (self);

  g_clear_object (&self->listener);
  g_clear_object (&self->log);

  G_OBJECT_CLASS (sp_socket_parent_class)->dispose (object);
}

static void
sp_socket_finalize (GObject *object)
{
  SpSocket *self = SP_SOCKET (object);

  g_clear_object (&self->local);
  g_clear_object (&self->remote);
  g_free (self->local_text);
  g_free (self->remote_text);
  g_free (self->sender_text);
  g_free (self->sender_python);
  g_free (self->id);

  G_OBJECT_CLASS (sp_socket_parent_class)->finalize (object);
}

static void
sp_socket_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SpSocket *self = SP_SOCKET (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_socket_class_init (SpSocketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_socket_dispose;
  object_class->finalize = sp_socket_finalize;
  object_class->get_property = sp_socket_get_property;

  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* An SpState; an int so that views can bind to it without a GEnum type. */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, 0, SP_N_STATES - 1, SP_STATE_UNCREATED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_socket_init (SpSocket *self)
{
  self->fd = -1;
  self->step = -1;
}

SpSocket *
sp_socket_new (const char   *id,
               SpFamily      family,
               SpSocketType  type,
               gint          protocol,
               SpTrafficLog *log)
{
  SpSocket *self = g_object_new (SP_TYPE_SOCKET, NULL);

  self->id = g_strdup (id);
  self->family = family;
  self->type = type;
  self->protocol = protocol;
  if (log != NULL)
    self->log = g_object_ref (log);

  return self;
}

const char *
sp_socket_get_id (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return self->id;
}

SpFamily
sp_socket_get_family (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), SP_FAMILY_INET);
  return self->family;
}

SpSocketType
sp_socket_get_socket_type (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), SP_SOCKET_TYPE_STREAM);
  return self->type;
}

gint
sp_socket_get_protocol (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), 0);
  return self->protocol;
}

SpState
sp_socket_get_state (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), SP_STATE_UNCREATED);
  return self->state;
}

gboolean
sp_socket_is_open (SpSocket *self)
{
  g_return_val_if_fail (self == NULL || SP_IS_SOCKET (self), FALSE);

  return self != NULL && self->state != SP_STATE_UNCREATED && self->state != SP_STATE_CLOSED;
}

SpSocket *
sp_socket_get_listener (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return self->listener;
}

/* Wrapping a descriptor costs GSocket a handful of calls (it asks for the
 * type, family, name, peer and flags): an accepted socket, of which a
 * serve makes thousands, is wrapped only when something needs a GSocket. */
static GSocket *
ensure_gsocket (SpSocket  *self,
                GError   **error)
{
  if (self->gsocket == NULL && self->fd >= 0)
    {
      g_autoptr(GError) local_error = NULL;

      errno = 0;
      self->gsocket = g_socket_new_from_fd (self->fd, &local_error);
      if (self->gsocket == NULL)
        {
          g_propagate_error (error, sp_errno_error_new (errno != 0 ? errno : EINVAL));
          return NULL;
        }
    }
  else if (self->gsocket == NULL)
    {
      g_propagate_error (error, sp_errno_error_new (EBADF));
    }

  return self->gsocket;
}

GSocket *
sp_socket_get_gsocket (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return ensure_gsocket (self, NULL);
}

int
sp_socket_get_fd (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), -1);
  return self->fd;
}

void
sp_socket_set_step (SpSocket *self,
                    int       step)
{
  g_return_if_fail (SP_IS_SOCKET (self));
  self->step = step;
}

void
sp_socket_set_reads_in_thread (SpSocket *self,
                               gboolean  reads_in_thread)
{
  g_return_if_fail (SP_IS_SOCKET (self));
  self->reads_in_thread = !!reads_in_thread;
}

gboolean
sp_socket_get_reads_in_thread (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);
  return self->reads_in_thread;
}

GSocketAddress *
sp_socket_get_local_address (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return self->local;
}

GSocketAddress *
sp_socket_get_remote_address (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return self->remote;
}

static int
native_domain (SpFamily family)
{
  switch (family)
    {
    case SP_FAMILY_INET6:
      return AF_INET6;
    case SP_FAMILY_UNIX:
      return AF_UNIX;
    case SP_FAMILY_INET:
    default:
      return AF_INET;
    }
}

static int
native_type (SpSocketType type)
{
  switch (type)
    {
    case SP_SOCKET_TYPE_DGRAM:
      return SOCK_DGRAM;
    case SP_SOCKET_TYPE_RAW:
      return SOCK_RAW;
    case SP_SOCKET_TYPE_SEQPACKET:
      return SOCK_SEQPACKET;
    case SP_SOCKET_TYPE_STREAM:
    default:
      return SOCK_STREAM;
    }
}

/* Wraps a descriptor that is already ours: the GSocket owns it from here. */
static gboolean
adopt_fd (SpSocket  *self,
          int        fd,
          GError   **error)
{
  g_autoptr(GError) local_error = NULL;

  self->gsocket = g_socket_new_from_fd (fd, &local_error);
  if (self->gsocket == NULL)
    {
      int code = errno != 0 ? errno : EINVAL;

      close (fd);
      g_propagate_error (error, sp_errno_error_new (code));
      return FALSE;
    }

  self->fd = fd;
  return TRUE;
}

gboolean
sp_socket_create (SpSocket  *self,
                  GError   **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *args = NULL;
  int fd;

  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);

  if (self->protocol != 0)
    args = g_strdup_printf ("%s, %s, %d", sp_family_to_python (self->family),
                            sp_socket_type_to_python (self->type), self->protocol);
  else
    args = g_strdup_printf ("%s, %s", sp_family_to_python (self->family),
                            sp_socket_type_to_python (self->type));

  self->n_calls++;
  if (self->fd >= 0)
    return fail (self, SP_CALL_SOCKET, EISCONN, args, error);

  if (!sp_descriptors_reclaim ())
    return fail (self, SP_CALL_SOCKET, EMFILE, args, error);
  fd = socket (native_domain (self->family),
               native_type (self->type) | SOCK_NONBLOCK | SOCK_CLOEXEC,
               self->protocol);
  if (fd < 0)
    return fail (self, SP_CALL_SOCKET, errno, args, error);
  sp_descriptors_made ();

  if (!adopt_fd (self, fd, error))
    {
      record (self, SP_EVENT_CALL, SP_CALL_SOCKET, EINVAL, 0, NULL, 0, NULL, NULL, args);
      return FALSE;
    }

  set_address (&self->local, &self->local_text, NULL);
  set_address (&self->remote, &self->remote_text, NULL);
  self->kernel_port = FALSE;
  set_state (self, SP_STATE_CREATED);
  detail = g_strdup_printf ("fd %d", fd);
  record (self, SP_EVENT_CALL, SP_CALL_SOCKET, 0, 0, NULL, 0, NULL, detail, args);
  return TRUE;
}

gboolean
sp_socket_setsockopt (SpSocket    *self,
                      const char  *name,
                      gint64       value,
                      GError     **error)
{
  g_autofree char *args = NULL;
  const SpSocketOptionInfo *info;
  int native_value;

  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);

  if (!require_fd (self, SP_CALL_SETSOCKOPT, error))
    return FALSE;

  info = sp_socket_option_lookup (name);
  if (info == NULL)
    return fail (self, SP_CALL_SETSOCKOPT, ENOPROTOOPT, name, error);

  args = g_strdup_printf ("%s, socket.%s, %" G_GINT64_FORMAT,
                          info->python_level, info->name, value);
  if (value < G_MININT || value > G_MAXINT)
    return fail (self, SP_CALL_SETSOCKOPT, EINVAL, args, error);

  native_value = (int) value;
  if (setsockopt (self->fd, info->level, info->optname, &native_value, sizeof native_value) != 0)
    return fail (self, SP_CALL_SETSOCKOPT, errno, args, error);

  record (self, SP_EVENT_CALL, SP_CALL_SETSOCKOPT, 0, 0, NULL, 0, NULL, NULL, args);
  return TRUE;
}

gboolean
sp_socket_bind (SpSocket        *self,
                GSocketAddress  *address,
                GError         **error)
{
  struct sockaddr_storage storage;
  g_autofree char *args = NULL;
  socklen_t length;

  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);

  args = sp_endpoint_format_python (address);
  if (!require_fd (self, SP_CALL_BIND, error))
    return FALSE;
  if (!native_address (address, &storage, &length, NULL))
    return fail (self, SP_CALL_BIND, EINVAL, args, error);

  if (bind (self->fd, (struct sockaddr *) &storage, length) != 0)
    {
      int code = errno;
      g_autofree char *target = sp_endpoint_format (address);

      /* The address it was for, so the explanation can name it. */
      record (self, SP_EVENT_CALL, SP_CALL_BIND, code, 0, NULL, 0, target, NULL, args);
      g_propagate_error (error, sp_errno_error_new (code));
      return FALSE;
    }

  refresh_local (self);
  self->kernel_port = G_IS_INET_SOCKET_ADDRESS (address) &&
                      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) == 0;
  set_state (self, sp_lifecycle_next_state (self->type, self->state, SP_CALL_BIND));
  record (self, SP_EVENT_CALL, SP_CALL_BIND, 0, 0, NULL, 0, NULL, NULL, args);
  return TRUE;
}

gboolean
sp_socket_listen (SpSocket  *self,
                  int        backlog,
                  GError   **error)
{
  g_autofree char *args = NULL;

  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);

  if (!require_fd (self, SP_CALL_LISTEN, error))
    return FALSE;

  /* Python's listen() without an argument uses min(SOMAXCONN, 128). */
  args = backlog >= 0 ? g_strdup_printf ("%d", backlog) : NULL;
  if (backlog < 0)
    backlog = MIN (SOMAXCONN, 128);

  if (listen (self->fd, backlog) != 0)
    return fail (self, SP_CALL_LISTEN, errno, args, error);

  if (self->state == SP_STATE_CREATED && self->family != SP_FAMILY_UNIX)
    self->kernel_port = TRUE;
  refresh_local (self);
  set_state (self, SP_STATE_LISTENING);
  record (self, SP_EVENT_CALL, SP_CALL_LISTEN, 0, 0, NULL, 0, NULL, NULL, args);
  return TRUE;
}

/* Waiting: an I/O source on the socket and a timeout source, both on the
 * task's main context. */

static gboolean op_fail (SpSocket *self, GTask *task, Op *op, int code, const char *remote);
static gboolean on_op_ready (GSocket *socket, GIOCondition condition, gpointer user_data);
static gboolean on_op_timeout (gpointer user_data);
static void on_op_watch_ready (gpointer user_data);
static void on_op_watch_timeout (gpointer user_data);

static void
op_stop_waiting (Op *op)
{
  op_release_watch (op);
  g_clear_pointer (&op->reader, sp_reader_free);
  if (op->io_source != NULL)
    g_source_destroy (op->io_source);
  if (op->timeout_source != NULL)
    g_source_destroy (op->timeout_source);
  g_clear_pointer (&op->io_source, g_source_unref);
  g_clear_pointer (&op->timeout_source, g_source_unref);
}

static void
op_finished (SpSocket *self,
             GTask    *task)
{
  Op *op = g_task_get_task_data (task);

  op_stop_waiting (op);
  if (g_list_find (self->pending, task) != NULL)
    {
      self->pending = g_list_remove (self->pending, task);
      g_object_unref (task);
    }
}

/* Waits in the poller on the socket's kept watch, made at the first wait;
 * one on a call of its own when that one is busy (two calls waiting at
 * once) or in another context. */
static void
op_wait (SpSocket     *self,
         GTask        *task,
         Op           *op,
         GMainContext *context)
{
  if (self->watch == NULL)
    {
      self->watch = sp_poller_keep (context, self->fd, op->condition, op->timeout_ms,
                                    on_op_watch_ready, on_op_watch_timeout, task);
      op->watch = self->watch;
      op->watch_kept = op->watch != NULL;
      return;
    }

  if (sp_poller_is_paused (self->watch) && sp_poller_get_context (self->watch) == context &&
      sp_poller_resume (self->watch, op->condition, op->timeout_ms,
                        on_op_watch_ready, on_op_watch_timeout, task))
    {
      op->watch = self->watch;
      op->watch_kept = TRUE;
      return;
    }

  op->watch = sp_poller_watch (context, self->fd, op->condition, op->timeout_ms,
                               on_op_watch_ready, on_op_watch_timeout, task);
}

static void
op_run (GTask *task)
{
  SpSocket *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  if (op->attempt (self, task, op))
    {
      op_finished (self, task);
      return;
    }

  if (op->watch == NULL && op->io_source == NULL && op->reader == NULL)
    {
      GMainContext *context = g_task_get_context (task);
      g_autoptr(GError) error = NULL;

      /* A cancellable wakes only a source of its own; so does a second
       * call waiting on the same descriptor, which the poller's set
       * cannot hold twice. */
      if (g_task_get_cancellable (task) == NULL)
        op_wait (self, task, op, context);
      if (op->watch != NULL)
        {
          if (g_list_find (self->pending, task) == NULL)
            self->pending = g_list_prepend (self->pending, g_object_ref (task));
          return;
        }

      if (ensure_gsocket (self, &error) == NULL)
        {
          op_fail (self, task, op, sp_errno_from_gerror (error), NULL);
          return;
        }

      op->io_source = g_socket_create_source (self->gsocket, op->condition,
                                              g_task_get_cancellable (task));
      g_source_set_callback (op->io_source, G_SOURCE_FUNC (on_op_ready), task, NULL);
      g_source_attach (op->io_source, context);

      if (op->timeout_ms > 0)
        {
          op->timeout_source = g_timeout_source_new (op->timeout_ms);
          g_source_set_callback (op->timeout_source, on_op_timeout, task, NULL);
          g_source_attach (op->timeout_source, context);
        }

      if (g_list_find (self->pending, task) == NULL)
        self->pending = g_list_prepend (self->pending, g_object_ref (task));
    }
}

static gboolean
on_op_ready (GSocket      *socket,
             GIOCondition  condition,
             gpointer      user_data)
{
  GTask *task = g_object_ref (user_data);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_cancellable_is_cancelled (cancellable))
    {
      SpSocket *self = g_task_get_source_object (task);
      Op *op = g_task_get_task_data (task);

      record (self, SP_EVENT_CALL, op->call, ECANCELED, 0, NULL, 0, NULL, NULL, op->args);
      op_finished (self, task);
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  op_run (task);
  g_object_unref (task);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_op_timeout (gpointer user_data)
{
  GTask *task = g_object_ref (user_data);
  SpSocket *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  g_autofree char *detail = NULL;

  detail = g_strdup_printf (_("no answer within %u ms"), op->timeout_ms);
  record_op_failure (self, op, ETIMEDOUT, NULL, detail);
  op_finished (self, task);
  g_task_return_error (task, sp_errno_error_new (ETIMEDOUT));
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static void
on_op_watch_ready (gpointer user_data)
{
  on_op_ready (NULL, 0, user_data);
}

static void
on_op_watch_timeout (gpointer user_data)
{
  on_op_timeout (user_data);
}

static GTask *
op_task_new (SpSocket            *self,
             SpCall               call,
             OpAttempt            attempt,
             GIOCondition         condition,
             guint                timeout_ms,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data,
             gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  g_task_set_source_tag (task, source_tag);
  op->call = call;
  op->attempt = attempt;
  op->condition = condition;
  op->timeout_ms = timeout_ms;
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  return task;
}

/* Starts an operation unless the socket has no descriptor. */
static void
op_start (SpSocket *self,
          GTask    *task)
{
  Op *op = g_task_get_task_data (task);

  self->n_calls++;
  if (self->fd < 0)
    {
      record (self, SP_EVENT_CALL, op->call, EBADF, 0, NULL, 0, NULL, NULL, op->args);
      g_task_return_error (task, sp_errno_error_new (EBADF));
      return;
    }

  op_run (task);
}

/* A result that is an errno: records it and returns the task. */
static gboolean
op_fail (SpSocket   *self,
         GTask      *task,
         Op         *op,
         int         code,
         const char *remote)
{
  record_op_failure (self, op, code, remote, NULL);
  op_finished (self, task);
  g_task_return_error (task, sp_errno_error_new (code));
  return TRUE;
}

/* The local address of a connection accepted on this listener, when it
 * must be the listener's own: one bound to a particular IP address takes
 * connections only to that address. NULL otherwise: a wildcard listener's
 * connections each have their own, which only getsockname() tells. */
static GSocketAddress *
listener_fixed_local (SpSocket *self)
{
  GInetAddress *address;

  if (!G_IS_INET_SOCKET_ADDRESS (self->local))
    return NULL;

  address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (self->local));
  if (g_inet_address_get_is_any (address) ||
      g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (self->local)) == 0)
    return NULL;
  return self->local;
}

/* One accept(), recorded when it takes a connection. NULL with the errno
 * in `code` otherwise; EAGAIN (none waiting) is not a call the log shows,
 * and the others are for the caller to record. */
static SpSocket *
accept_one (SpSocket   *self,
            const char *new_id,
            int        *code)
{
  g_autoptr(SpSocket) accepted = NULL;
  g_autoptr(GSocketAddress) peer = NULL;
  g_autofree char *peer_python = NULL;
  g_autofree char *detail = NULL;
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  GSocketAddress *local;
  int fd;

  if (!sp_descriptors_reclaim ())
    {
      *code = EMFILE;
      return NULL;
    }
  memset (&storage, 0, sizeof storage);
  fd = accept4 (self->fd, (struct sockaddr *) &storage, &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0)
    {
      *code = errno;
      if (*code == EWOULDBLOCK || *code == EINTR)
        *code = EAGAIN;
      return NULL;
    }
  sp_descriptors_made ();

  accepted = sp_socket_new (new_id, self->family, self->type, self->protocol, self->log);
  accepted->listener = g_object_ref (self);
  accepted->step = self->step;
  accepted->fd = fd;

  /* accept() said who the peer is; getpeername() would say the same. */
  local = listener_fixed_local (self);
  if (local != NULL)
    {
      accepted->local = g_object_ref (local);
      accepted->local_text = g_strdup (self->local_text);
    }
  else
    {
      refresh_local (accepted);
    }
  if (length > 0 && length <= sizeof storage)
    peer = address_from_native (&storage, length);
  if (peer != NULL)
    set_address (&accepted->remote, &accepted->remote_text, peer);
  else
    refresh_remote (accepted);
  accepted->state = SP_STATE_CONNECTED;

  peer_python = accepted->remote != NULL ? sp_endpoint_format_python (accepted->remote)
                                         : g_strdup ("''");
  detail = g_strdup_printf ("(%s, %s)", accepted->id, peer_python);
  record (self, SP_EVENT_CALL, SP_CALL_ACCEPT, 0, 0, NULL, 0, accepted->remote_text, detail, NULL);
  return g_steal_pointer (&accepted);
}

static gboolean
accept_attempt (SpSocket *self,
                GTask    *task,
                Op       *op)
{
  SpSocket *accepted;
  int code;

  accepted = accept_one (self, op->new_id, &code);
  if (accepted == NULL)
    {
      if (code == EAGAIN)
        return FALSE;
      return op_fail (self, task, op, code, NULL);
    }

  op_finished (self, task);
  g_task_return_pointer (task, accepted, g_object_unref);
  return TRUE;
}

SpSocket *
sp_socket_try_accept (SpSocket    *self,
                      const char  *new_id,
                      GError     **error)
{
  SpSocket *accepted;
  int code;

  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);

  if (self->fd < 0)
    {
      self->n_calls++;
      fail (self, SP_CALL_ACCEPT, EBADF, NULL, error);
      return NULL;
    }

  accepted = accept_one (self, new_id != NULL ? new_id : "conn", &code);
  if (accepted == NULL && code == EAGAIN)
    {
      g_propagate_error (error, sp_errno_error_new (EAGAIN));
      return NULL;
    }

  self->n_calls++;
  if (accepted == NULL)
    fail (self, SP_CALL_ACCEPT, code, NULL, error);
  return accepted;
}

void
sp_socket_accept_async (SpSocket            *self,
                        const char          *new_id,
                        guint                timeout_ms,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (SP_IS_SOCKET (self));

  task = op_task_new (self, SP_CALL_ACCEPT, accept_attempt, G_IO_IN, timeout_ms,
                      cancellable, callback, user_data, sp_socket_accept_async);
  op = g_task_get_task_data (task);
  op->new_id = g_strdup (new_id != NULL ? new_id : "conn");
  op_start (self, task);
}

SpSocket *
sp_socket_accept_finish (SpSocket      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
connect_succeeded (SpSocket *self,
                   GTask    *task,
                   Op       *op)
{
  refresh_local (self);
  refresh_remote (self);
  if (self->remote == NULL)
    set_address (&self->remote, &self->remote_text, op->address);
  if (op->state_before == SP_STATE_CREATED && self->family != SP_FAMILY_UNIX)
    self->kernel_port = TRUE;
  set_state (self, sp_lifecycle_next_state (self->type, op->state_before, op->call));
  record (self, SP_EVENT_CALL, op->call, 0, 0, NULL, 0, NULL, op->ex ? "0" : NULL, op->args);
  op_finished (self, task);
  g_task_return_boolean (task, TRUE);
  return TRUE;
}

static gboolean
connect_check (SpSocket *self,
               GTask    *task,
               Op       *op)
{
  g_autofree char *target = sp_endpoint_format (op->address);
  int code = 0;
  socklen_t length = sizeof code;

  if (getsockopt (self->fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0)
    code = errno;

  if (code == EINPROGRESS || code == EALREADY)
    return FALSE;
  if (code != 0)
    {
      set_state (self, op->state_before);
      return op_fail (self, task, op, code, target);
    }

  return connect_succeeded (self, task, op);
}

static gboolean
connect_attempt (SpSocket *self,
                 GTask    *task,
                 Op       *op)
{
  struct sockaddr_storage storage;
  g_autofree char *target = sp_endpoint_format (op->address);
  socklen_t length;

  if (!native_address (op->address, &storage, &length, NULL))
    return op_fail (self, task, op, EINVAL, target);

  if (connect (self->fd, (struct sockaddr *) &storage, length) == 0)
    return connect_succeeded (self, task, op);

  if (errno == EINPROGRESS || errno == EINTR)
    {
      set_state (self, SP_STATE_CONNECTING);
      op->attempt = connect_check;
      return FALSE;
    }

  return op_fail (self, task, op, errno, target);
}

void
sp_socket_connect_async (SpSocket            *self,
                         GSocketAddress      *address,
                         gboolean             ex,
                         guint                timeout_ms,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (SP_IS_SOCKET (self));
  g_return_if_fail (G_IS_SOCKET_ADDRESS (address));

  task = op_task_new (self, ex ? SP_CALL_CONNECT_EX : SP_CALL_CONNECT, connect_attempt,
                      G_IO_OUT, timeout_ms, cancellable, callback, user_data,
                      sp_socket_connect_async);
  op = g_task_get_task_data (task);
  op->address = g_object_ref (address);
  op->args = sp_endpoint_format_python (address);
  op->ex = ex;
  op->state_before = self->state;
  op_start (self, task);
}

gboolean
sp_socket_connect_finish (SpSocket      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Impairments */

/* A datagram an impairment keeps back, with what its late send needs. */
typedef struct
{
  SpCall          call;
  int             step;
  guint           seq;      /* the event of the call that handed it over */
  GBytes         *data;
  GSocketAddress *address;  /* NULL: the connected peer */
  char           *target;
  char           *args;
  gboolean        duplicated;
} Datagram;

static void
datagram_free (gpointer data)
{
  Datagram *datagram = data;

  g_clear_pointer (&datagram->data, g_bytes_unref);
  g_clear_object (&datagram->address);
  g_free (datagram->target);
  g_free (datagram->args);
  g_free (datagram);
}

/* Only datagrams with somewhere to go: a send on a socket that is not
 * connected fails as it would without an impairment. */
static gboolean
impairable (SpSocket *self,
            Op       *op)
{
  if (self->impairment == NULL || self->type != SP_SOCKET_TYPE_DGRAM ||
      (self->family != SP_FAMILY_INET && self->family != SP_FAMILY_INET6))
    return FALSE;

  return op->address != NULL || self->remote != NULL;
}

/* Sends a datagram that has no call of its own (a copy, a late one) and
 * records it; a failure is recorded with its errno and the datagram is
 * lost, as the network would lose it. */
static guint
transmit (SpSocket   *self,
          Datagram   *datagram,
          SpImpaired  impaired,
          const char *detail)
{
  struct sockaddr_storage storage;
  socklen_t length = 0;
  const guint8 *data;
  gsize size;
  int code = 0;

  data = g_bytes_get_data (datagram->data, &size);

  if (datagram->address != NULL && !native_address (datagram->address, &storage, &length, NULL))
    code = EINVAL;
  else if (self->fd < 0)
    code = EBADF;
  else if (sendto (self->fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT,
                   datagram->address != NULL ? (struct sockaddr *) &storage : NULL, length) < 0)
    code = errno;

  return record_datagram (self, datagram->call, datagram->step, code, impaired, datagram->data,
                          datagram->target, detail, datagram->args);
}

static void
transmit_copy (SpSocket *self,
               Datagram *datagram,
               guint     seq)
{
  g_autofree char *detail = g_strdup_printf (_("copy of #%u"), seq);

  transmit (self, datagram, SP_IMPAIRED_COPY, detail);
}

/* sendto binds an unbound socket to an ephemeral port, and so does one
 * whose datagram never leaves, so that replies and getsockname() work as
 * they would have. */
static void
bind_as_sendto_would (SpSocket *self)
{
  g_autoptr(GInetAddress) any = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  struct sockaddr_storage storage;
  socklen_t length;

  if (self->local != NULL)
    return;

  any = g_inet_address_new_any (self->family == SP_FAMILY_INET6 ? G_SOCKET_FAMILY_IPV6
                                                                : G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (any, 0);
  /* A failure leaves the socket unbound; its late datagram binds it. */
  if (!native_address (address, &storage, &length, NULL) ||
      bind (self->fd, (struct sockaddr *) &storage, length) != 0)
    return;

  refresh_local (self);
  self->kernel_port = TRUE;
  set_state (self, sp_lifecycle_next_state (self->type, self->state, SP_CALL_SENDTO));
}

static const char *
withheld_detail (const SpImpairmentFate *fate,
                 guint                   delay_ms,
                 char                  **owned)
{
  if (fate->dropped)
    return _("dropped by impairment: never sent");

  if (delay_ms == 0)
    return fate->duplicated ? _("held back to go after the next datagram, then duplicated")
                            : _("held back to go after the next datagram");

  if (fate->held && fate->duplicated)
    *owned = g_strdup_printf (_("delayed %u ms, then held back and duplicated"), delay_ms);
  else if (fate->held)
    *owned = g_strdup_printf (_("delayed %u ms, then held back"), delay_ms);
  else if (fate->duplicated)
    *owned = g_strdup_printf (_("delayed %u ms, then duplicated"), delay_ms);
  else
    *owned = g_strdup_printf (_("delayed %u ms"), delay_ms);
  return *owned;
}

/* A datagram that does not leave now: the call hands it over all the
 * same, and the impairment keeps it (or drops it). */
static gboolean
withhold (SpSocket   *self,
          GTask      *task,
          Op         *op,
          const char *target)
{
  const SpImpairmentSettings *settings = sp_impairment_get_settings (self->impairment);
  g_autofree char *owned = NULL;
  const char *detail;
  SpImpaired impaired;
  Datagram *datagram;
  gsize size = g_bytes_get_size (op->data);

  if (op->call == SP_CALL_SENDTO)
    bind_as_sendto_would (self);

  if (op->fate.dropped)
    impaired = SP_IMPAIRED_DROPPED;
  else if (settings->delay_ms > 0)
    impaired = SP_IMPAIRED_DELAYED;
  else
    impaired = SP_IMPAIRED_HELD;

  detail = withheld_detail (&op->fate, settings->delay_ms, &owned);
  self->bytes_sent += size;

  datagram = g_new0 (Datagram, 1);
  datagram->call = op->call;
  datagram->step = self->step;
  datagram->seq = record_datagram (self, op->call, self->step, 0, impaired, op->data, target,
                                   detail, op->args);
  datagram->data = g_bytes_ref (op->data);
  datagram->address = op->address != NULL ? g_object_ref (op->address) : NULL;
  datagram->target = g_strdup (target);
  datagram->args = g_strdup (op->args);
  datagram->duplicated = op->fate.duplicated;

  if (op->fate.dropped)
    datagram_free (datagram);
  else
    sp_impairment_submit (self->impairment, &op->fate, datagram);

  op_finished (self, task);
  g_task_return_int (task, size);
  return TRUE;
}

/* The impairment's send function: a datagram that waited leaves. */
static void
send_waiting (gpointer          data,
              SpImpairmentLeave why,
              gpointer          after_data,
              gpointer          user_data)
{
  SpSocket *self = user_data;
  Datagram *datagram = data;
  Datagram *after = after_data;
  guint delay_ms = sp_impairment_get_settings (self->impairment)->delay_ms;
  g_autofree char *detail = NULL;

  switch (why)
    {
    case SP_IMPAIRMENT_LEAVE_AFTER:
      if (delay_ms > 0)
        detail = g_strdup_printf (_("#%u delayed %u ms, held back, sent after #%u"),
                                  datagram->seq, delay_ms, after->seq);
      else
        detail = g_strdup_printf (_("#%u held back, sent after #%u"), datagram->seq, after->seq);
      break;

    case SP_IMPAIRMENT_LEAVE_HOLD_OVER:
      detail = g_strdup_printf (_("#%u held back, sent after %u ms with nothing to go after"),
                                datagram->seq, SP_IMPAIRMENT_HOLD_MS);
      break;

    case SP_IMPAIRMENT_LEAVE_FLUSH:
      detail = g_strdup_printf (_("#%u sent early: the socket is closing"), datagram->seq);
      break;

    case SP_IMPAIRMENT_LEAVE_DELAYED:
    default:
      detail = g_strdup_printf (_("#%u delayed %u ms"), datagram->seq, delay_ms);
      break;
    }

  transmit (self, datagram, SP_IMPAIRED_RELEASED, detail);
  if (datagram->duplicated)
    transmit_copy (self, datagram, datagram->seq);
}

/* A datagram an impairment lets leave now was sent by the call itself:
 * its copy follows, then one held back behind it. */
static void
sent_now (SpSocket   *self,
          Op         *op,
          const char *target)
{
  Datagram now = {
    .call = op->call,
    .step = self->step,
    .data = op->data,
    .address = op->address,
    .target = (char *) target,
    .args = op->args,
  };

  now.seq = record_datagram (self, op->call, self->step, 0,
                             op->fate.duplicated ? SP_IMPAIRED_DUPLICATED : SP_IMPAIRED_NONE,
                             op->data, target,
                             op->fate.duplicated ? _("duplicated: a copy follows") : NULL,
                             op->args);
  if (op->fate.duplicated)
    transmit_copy (self, &now, now.seq);
  sp_impairment_sent (self->impairment, &now);
}

static gboolean
send_attempt (SpSocket *self,
              GTask    *task,
              Op       *op)
{
  struct sockaddr_storage storage;
  g_autofree char *target = NULL;
  socklen_t length = 0;
  const guint8 *data;
  gsize size;

  data = g_bytes_get_data (op->data, &size);

  if (op->address != NULL)
    {
      target = sp_endpoint_format (op->address);
      if (!native_address (op->address, &storage, &length, NULL))
        return op_fail (self, task, op, EINVAL, target);
    }

  if (!op->impaired && impairable (self, op))
    {
      op->impaired = TRUE;
      sp_impairment_decide (self->impairment, &op->fate);
      if (!sp_impairment_leaves_now (self->impairment, &op->fate))
        return withhold (self, task, op, target);
    }

  /* A loop so that sendall hands over everything the kernel takes now.
   * send() is an event per call; sendall, like Python's, is one call
   * however many send()s it takes: its event comes when it ends. */
  while (op->offset < size || size == 0)
    {
      gssize sent;

      sent = sendto (self->fd, data + op->offset, size - op->offset,
                     MSG_NOSIGNAL | MSG_DONTWAIT,
                     op->address != NULL ? (struct sockaddr *) &storage : NULL, length);
      if (sent < 0)
        {
          if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return FALSE;
          return op_fail (self, task, op, errno, target);
        }

      if (op->call == SP_CALL_SENDTO && self->local == NULL)
        {
          /* The kernel bound the socket implicitly. */
          refresh_local (self);
          self->kernel_port = self->family != SP_FAMILY_UNIX;
          set_state (self, sp_lifecycle_next_state (self->type, self->state, SP_CALL_SENDTO));
        }

      self->bytes_sent += sent;
      if (op->impaired && self->impairment != NULL)
        sent_now (self, op, target);
      else if (op->call != SP_CALL_SENDALL)
        record (self, SP_EVENT_SENT, op->call, 0, sent, data + op->offset, sent, target, NULL,
                op->args);
      op->offset += sent;

      if (op->call != SP_CALL_SENDALL || size == 0)
        break;
    }

  if (op->call == SP_CALL_SENDALL && !(op->impaired && self->impairment != NULL))
    record (self, SP_EVENT_SENT, op->call, 0, op->offset, data, op->offset, target, NULL,
            op->args);

  op_finished (self, task);
  g_task_return_int (task, op->offset);
  return TRUE;
}

void
sp_socket_send_async (SpSocket            *self,
                      SpCall               call,
                      GBytes              *data,
                      GSocketAddress      *to,
                      guint                timeout_ms,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (SP_IS_SOCKET (self));
  g_return_if_fail (data != NULL);

  task = op_task_new (self, call, send_attempt, G_IO_OUT, timeout_ms,
                      cancellable, callback, user_data, sp_socket_send_async);
  op = g_task_get_task_data (task);
  op->data = g_bytes_ref (data);
  if (to != NULL)
    {
      op->address = g_object_ref (to);
      op->args = sp_endpoint_format_python (to);
    }
  op_start (self, task);
}

gboolean
sp_socket_send_now (SpSocket             *self,
                    SpCall                call,
                    GBytes               *data,
                    guint                 timeout_ms,
                    GAsyncReadyCallback   callback,
                    gpointer              user_data,
                    gssize               *sent,
                    GError              **error)
{
  g_autoptr(GTask) task = NULL;
  Op now = { .call = call, .data = data };
  const guint8 *bytes;
  gsize size;
  Op *op;

  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (call == SP_CALL_SEND || call == SP_CALL_SENDALL, FALSE);
  g_return_val_if_fail (data != NULL && sent != NULL, FALSE);

  bytes = g_bytes_get_data (data, &size);

  /* The calls and events of send_attempt, without a GTask, in the common
   * case: no impairment to decide, and the kernel takes it all now. */
  while (self->fd >= 0 && !impairable (self, &now) && (now.offset < size || size == 0))
    {
      gssize n;

      n = sendto (self->fd, bytes + now.offset, size - now.offset,
                  MSG_NOSIGNAL | MSG_DONTWAIT, NULL, 0);
      if (n < 0)
        {
          int code = errno;

          if (code == EAGAIN || code == EWOULDBLOCK || code == EINTR)
            break;

          self->n_calls++;
          record_op_failure (self, &now, code, NULL, NULL);
          g_propagate_error (error, sp_errno_error_new (code));
          *sent = -1;
          return TRUE;
        }

      self->bytes_sent += n;
      if (call != SP_CALL_SENDALL)
        record (self, SP_EVENT_SENT, call, 0, n, bytes + now.offset, n, NULL, NULL, NULL);
      now.offset += n;

      if (call != SP_CALL_SENDALL || now.offset == size)
        {
          self->n_calls++;
          if (call == SP_CALL_SENDALL)
            record (self, SP_EVENT_SENT, call, 0, now.offset, bytes, now.offset, NULL, NULL,
                    NULL);
          *sent = now.offset;
          return TRUE;
        }
    }

  /* It waits: a sendall goes on from where it stopped, as one call. */
  task = op_task_new (self, call, send_attempt, G_IO_OUT, timeout_ms,
                      NULL, callback, user_data, sp_socket_send_async);
  op = g_task_get_task_data (task);
  op->data = g_bytes_ref (data);
  op->offset = now.offset;
  op_start (self, task);
  return FALSE;
}

gssize
sp_socket_send_finish (SpSocket      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

typedef struct
{
  GBytes         *bytes;
  GSocketAddress *from;
} Received;

static void
received_free (Received *received)
{
  g_clear_pointer (&received->bytes, g_bytes_unref);
  g_clear_object (&received->from);
  g_free (received);
}

/* The sender's address as the log and the Python show it. A burst comes
 * from one sender: its texts are kept, not formatted for every datagram. */
static void
remember_sender (SpSocket                      *self,
                 const struct sockaddr_storage *storage,
                 socklen_t                      length)
{
  g_autoptr(GSocketAddress) address = NULL;

  if (self->sender_length == length && memcmp (&self->sender, storage, length) == 0)
    return;

  g_clear_pointer (&self->sender_text, g_free);
  g_clear_pointer (&self->sender_python, g_free);
  self->sender_length = 0;

  address = address_from_native (storage, length);
  if (address == NULL)
    return;

  memcpy (&self->sender, storage, length);
  self->sender_length = length;
  self->sender_text = sp_endpoint_format (address);
  self->sender_python = sp_endpoint_format_python (address);
}

/* What a receive call returned: `size` bytes in `buffer` from the sender
 * in `storage` (`length` 0: none). */
static void
record_received (SpSocket                      *self,
                 Op                            *op,
                 const guint8                  *buffer,
                 gsize                          size,
                 const struct sockaddr_storage *storage,
                 socklen_t                      length,
                 GSocketAddress               **from)
{
  const char *from_text = NULL;
  const char *detail = NULL;

  if (length > 0 && sp_call_gives_sender (op->call))
    {
      remember_sender (self, storage, length);
      from_text = self->sender_text;
      /* recvfrom's (and recvfrom_into's) result names the sender */
      detail = self->sender_python;
      if (from != NULL)
        *from = address_from_native (storage, length);
    }
  /* an empty read on a stream is its end */
  if (detail == NULL && size == 0 && self->type == SP_SOCKET_TYPE_STREAM)
    detail = _(SP_EVENT_DETAIL_END_OF_FILE);

  self->bytes_received += size;
  record (self, SP_EVENT_RECEIVED, op->call, 0, size, buffer, size, from_text, detail, op->args);
}

/* One recv, recv_into, recvfrom or recvfrom_into into `buffer` (op->bufsize
 * bytes), recorded in the log. Returns the size, or -1 with the errno in
 * `code`; EAGAIN (no data waiting) is not a call the log shows. `from` gets
 * the sender of the calls that return it. */
static gssize
receive_once (SpSocket        *self,
              Op              *op,
              guint8          *buffer,
              GSocketAddress **from,
              int             *code)
{
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;
  gssize size;

  size = recvfrom (self->fd, buffer, op->bufsize, MSG_DONTWAIT,
                   (struct sockaddr *) &storage, &length);
  if (size < 0)
    {
      *code = errno;
      if (*code == EWOULDBLOCK || *code == EINTR)
        *code = EAGAIN;
      return -1;
    }

  record_received (self, op, buffer, size, &storage, length, from);
  return size;
}

static gboolean
receive_attempt (SpSocket *self,
                 GTask    *task,
                 Op       *op)
{
  guint8 small[16384];
  Received *received;
  guint8 *buffer;
  gssize size;
  int code;

  /* A small buffer is on the stack and what came is copied out: a
   * connection's every receive (and every EAGAIN) would otherwise allocate
   * and free the whole buffer. */
  received = g_new0 (Received, 1);
  buffer = op->bufsize <= sizeof small ? small : g_malloc (op->bufsize);
  size = receive_once (self, op, buffer, &received->from, &code);
  if (size < 0)
    {
      if (buffer != small)
        g_free (buffer);
      received_free (received);
      if (code == EAGAIN)
        return FALSE;
      return op_fail (self, task, op, code, NULL);
    }

  if (buffer == small)
    received->bytes = g_bytes_new (buffer, size);
  else
    received->bytes = g_bytes_new_take (g_realloc (buffer, MAX (size, 1)), size);
  op_finished (self, task);
  g_task_return_pointer (task, received, (GDestroyNotify) received_free);
  return TRUE;
}

static void
receive_op_start (SpSocket *self,
                  GTask    *task,
                  gsize     bufsize)
{
  Op *op = g_task_get_task_data (task);

  op->bufsize = bufsize;
  op->args = g_strdup_printf ("%" G_GSIZE_FORMAT, bufsize);
  op_start (self, task);
}

void
sp_socket_receive_async (SpSocket            *self,
                         SpCall               call,
                         gsize                bufsize,
                         guint                timeout_ms,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SP_IS_SOCKET (self));

  task = op_task_new (self, call, receive_attempt, G_IO_IN, timeout_ms,
                      cancellable, callback, user_data, sp_socket_receive_async);
  receive_op_start (self, task, bufsize);
}

GBytes *
sp_socket_receive_finish (SpSocket        *self,
                          GAsyncResult    *result,
                          GSocketAddress **from,
                          GError         **error)
{
  Received *received;
  GBytes *bytes;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  received = g_task_propagate_pointer (G_TASK (result), error);
  if (received == NULL)
    return NULL;

  bytes = g_steal_pointer (&received->bytes);
  if (from != NULL)
    *from = g_steal_pointer (&received->from);
  received_free (received);
  return bytes;
}

/* The first call waits for data; the rest are made only while data is
 * waiting already, into one buffer the op keeps. */
static gboolean
receive_many_attempt (SpSocket *self,
                      GTask    *task,
                      Op       *op)
{
  if (op->buffer == NULL)
    op->buffer = g_malloc (MAX (op->bufsize, 1));

  while (op->tally.n_calls < op->max_calls)
    {
      gssize size;
      int code;

      size = receive_once (self, op, op->buffer, NULL, &code);
      if (size < 0 && code == EAGAIN)
        {
          if (op->tally.n_calls > 0)
            break;
          return FALSE;
        }

      /* op_start counted the first call */
      if (op->tally.n_calls > 0)
        self->n_calls++;
      if (size < 0)
        return op_fail (self, task, op, code, NULL);

      op->tally.n_calls++;
      op->tally.n_bytes += size;
      if (op->collect != NULL)
        g_byte_array_append (op->collect, op->buffer, size);
      if (size == 0 && self->type == SP_SOCKET_TYPE_STREAM)
        {
          op->tally.end_of_file = TRUE;
          break;
        }
    }

  op_finished (self, task);
  g_task_return_boolean (task, TRUE);
  return TRUE;
}

/* What the I/O thread's calls returned, recorded here as receive_many_attempt
 * records its own calls. */
static void
on_reader_batch (const SpReadingBatch *batch,
                 gpointer              user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  SpSocket *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  for (guint i = 0; i < batch->readings->len; i++)
    {
      const SpReading *reading = &g_array_index (batch->readings, SpReading, i);
      const SpReadingSender *sender = NULL;

      /* op_start counted the first call */
      if (op->tally.n_calls > 0)
        self->n_calls++;
      self->event_time_us = reading->monotonic_us;
      if (reading->size < 0)
        {
          op_fail (self, task, op, reading->error_code, NULL);
          self->event_time_us = 0;
          return;
        }

      if (reading->sender != G_MAXUINT)
        sender = &g_array_index (batch->senders, SpReadingSender, reading->sender);
      record_received (self, op, batch->payload->data + reading->offset, reading->size,
                       sender != NULL ? &sender->address : NULL,
                       sender != NULL ? sender->length : 0, NULL);
      op->tally.n_calls++;
      op->tally.n_bytes += reading->size;
      if (op->collect != NULL)
        g_byte_array_append (op->collect, batch->payload->data + reading->offset, reading->size);
      if (reading->size == 0 && self->type == SP_SOCKET_TYPE_STREAM)
        op->tally.end_of_file = TRUE;
    }
  self->event_time_us = 0;

  if (batch->timed_out)
    {
      /* the call that waited in vain is one more */
      if (op->tally.n_calls > 0)
        self->n_calls++;
      on_op_timeout (task);
    }
  else if (batch->finished)
    {
      op_finished (self, task);
      g_task_return_boolean (task, TRUE);
    }
}

/* The calls go on on the I/O thread until they are all made, each waiting
 * for data as long as the op's timeout. */
static gboolean
receive_many_in_thread (SpSocket *self,
                        GTask    *task,
                        Op       *op)
{
  op->reader = sp_reader_start (self->fd, op->bufsize, op->max_calls,
                                self->type == SP_SOCKET_TYPE_STREAM, op->timeout_ms,
                                on_reader_batch, task);
  self->pending = g_list_prepend (self->pending, g_object_ref (task));
  return FALSE;
}

void
sp_socket_receive_many_async (SpSocket            *self,
                              SpCall               call,
                              gsize                bufsize,
                              guint                max_calls,
                              guint                timeout_ms,
                              GByteArray          *collect,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (SP_IS_SOCKET (self));
  g_return_if_fail (max_calls > 0);

  task = op_task_new (self, call,
                      self->reads_in_thread && cancellable == NULL
                        ? receive_many_in_thread : receive_many_attempt,
                      G_IO_IN, timeout_ms,
                      cancellable, callback, user_data, sp_socket_receive_many_async);
  op = g_task_get_task_data (task);
  op->max_calls = max_calls;
  op->collect = collect != NULL ? g_byte_array_ref (collect) : NULL;
  receive_op_start (self, task, bufsize);
}

gboolean
sp_socket_receive_many_finish (SpSocket        *self,
                               GAsyncResult    *result,
                               SpReceiveTally  *tally,
                               GError         **error)
{
  Op *op;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (tally != NULL, FALSE);

  op = g_task_get_task_data (G_TASK (result));
  *tally = op->tally;
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
sp_socket_shutdown (SpSocket       *self,
                    SpShutdownHow   how,
                    GError        **error)
{
  static const int native_how[] = { SHUT_RD, SHUT_WR, SHUT_RDWR };
  static const char *how_args[] = { "socket.SHUT_RD", "socket.SHUT_WR", "socket.SHUT_RDWR" };

  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);
  g_return_val_if_fail (how <= SP_SHUTDOWN_BOTH, FALSE);

  if (!require_fd (self, SP_CALL_SHUTDOWN, error))
    return FALSE;

  if (shutdown (self->fd, native_how[how]) != 0)
    return fail (self, SP_CALL_SHUTDOWN, errno, how_args[how], error);

  set_state (self, sp_lifecycle_after_shutdown (self->state, how));
  record (self, SP_EVENT_CALL, SP_CALL_SHUTDOWN, 0, 0, NULL, 0, NULL, NULL, how_args[how]);
  return TRUE;
}

static gpointer
ref_object (gconstpointer object,
            gpointer      data)
{
  return g_object_ref ((gpointer) object);
}

static void
release_fd (SpSocket *self)
{
  g_autoptr(GList) pending = NULL;

  if (self->fd < 0)
    return;

  /* What the I/O thread read before the close is recorded before it, and
   * nothing reads the descriptor once it is closed. */
  pending = g_list_copy_deep (self->pending, ref_object, NULL);
  for (GList *l = pending; l != NULL; l = l->next)
    {
      Op *op = g_task_get_task_data (l->data);

      if (op->reader != NULL)
        sp_reader_halt (op->reader);
    }
  g_list_free_full (g_steal_pointer (&pending), g_object_unref);

  /* Whatever waited on this socket fails the way a blocked call would. */
  pending = g_steal_pointer (&self->pending);
  for (GList *l = pending; l != NULL; l = l->next)
    {
      GTask *task = l->data;
      Op *op = g_task_get_task_data (task);

      op_stop_waiting (op);
      record (self, SP_EVENT_CALL, op->call, EBADF, 0, NULL, 0, NULL,
              _("the socket was closed while the call waited"), op->args);
      g_task_return_error (task, sp_errno_error_new (EBADF));
      g_object_unref (task);
    }

  /* Out of the set before the number can be another descriptor's. */
  g_clear_pointer (&self->watch, sp_poller_unwatch);
  if (self->gsocket != NULL)
    g_socket_close (self->gsocket, NULL);
  else
    close (self->fd);
  g_clear_object (&self->gsocket);
  self->fd = -1;
}

gboolean
sp_socket_close (SpSocket  *self,
                 GError   **error)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);

  if (!require_fd (self, SP_CALL_CLOSE, error))
    return FALSE;

  /* What the network still holds arrives, though the socket goes: sent
   * before the descriptor is. */
  if (self->impairment != NULL)
    sp_impairment_flush (self->impairment);
  release_fd (self);
  set_state (self, SP_STATE_CLOSED);
  record (self, SP_EVENT_CALL, SP_CALL_CLOSE, 0, 0, NULL, 0, NULL, NULL, NULL);
  return TRUE;
}

static GSocketAddress *
get_name (SpSocket  *self,
          SpCall     call,
          GError   **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *detail = NULL;
  int code = 0;

  if (!require_fd (self, call, error))
    return NULL;

  address = query_name (self->fd, call, &code);
  if (address == NULL)
    {
      fail (self, call, code, NULL, error);
      return NULL;
    }

  detail = sp_endpoint_format_python (address);
  record (self, SP_EVENT_CALL, call, 0, 0, NULL, 0, NULL, detail, NULL);
  return g_steal_pointer (&address);
}

GSocketAddress *
sp_socket_getsockname (SpSocket  *self,
                       GError   **error)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return get_name (self, SP_CALL_GETSOCKNAME, error);
}

GSocketAddress *
sp_socket_getpeername (SpSocket  *self,
                       GError   **error)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);
  return get_name (self, SP_CALL_GETPEERNAME, error);
}

gssize
sp_socket_get_bytes_waiting (SpSocket *self)
{
  int waiting = 0;

  g_return_val_if_fail (SP_IS_SOCKET (self), -1);

  if (self->fd < 0 || self->state == SP_STATE_LISTENING ||
      ioctl (self->fd, FIONREAD, &waiting) != 0)
    return -1;
  return waiting;
}

static gboolean
read_tcp_info (SpSocket        *self,
               struct tcp_info *info)
{
  socklen_t length = sizeof *info;

  if (self->fd < 0 || self->family == SP_FAMILY_UNIX || self->type != SP_SOCKET_TYPE_STREAM)
    return FALSE;
  return getsockopt (self->fd, IPPROTO_TCP, TCP_INFO, info, &length) == 0;
}

const char *
sp_socket_get_tcp_state (SpSocket *self)
{
  /* Indexed by the kernel's TCP_* state numbers (include/net/tcp_states.h). */
  static const char *names[] = {
    NULL, "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
    "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
    "NEW_SYN_RECV",
  };
  struct tcp_info info;

  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);

  if (!read_tcp_info (self, &info) || info.tcpi_state >= G_N_ELEMENTS (names))
    return NULL;
  return names[info.tcpi_state];
}

int
sp_socket_get_accept_queue (SpSocket *self)
{
  struct tcp_info info;

  g_return_val_if_fail (SP_IS_SOCKET (self), -1);

  /* For a listener the kernel reports its accept queue in tcpi_unacked. */
  if (self->state != SP_STATE_LISTENING || !read_tcp_info (self, &info))
    return -1;
  return info.tcpi_unacked;
}

gboolean
sp_socket_get_port_chosen_by_kernel (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), FALSE);
  return self->kernel_port && self->local != NULL;
}

guint
sp_socket_get_n_calls (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), 0);
  return self->n_calls;
}

guint64
sp_socket_get_bytes_sent (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), 0);
  return self->bytes_sent;
}

guint64
sp_socket_get_bytes_received (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), 0);
  return self->bytes_received;
}

void
sp_socket_set_impairment (SpSocket                   *self,
                          const SpImpairmentSettings *settings)
{
  g_return_if_fail (SP_IS_SOCKET (self));

  if (!sp_impairment_settings_is_active (settings))
    settings = NULL;

  if (sp_impairment_settings_equal (sp_socket_get_impairment (self), settings))
    return;

  /* What waits under the old settings leaves now rather than never. */
  if (self->impairment != NULL)
    sp_impairment_flush (self->impairment);
  g_clear_object (&self->impairment);

  if (settings != NULL)
    self->impairment = sp_impairment_new (settings, send_waiting, self, datagram_free);
}

const SpImpairmentSettings *
sp_socket_get_impairment (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), NULL);

  return self->impairment != NULL ? sp_impairment_get_settings (self->impairment) : NULL;
}

guint
sp_socket_get_n_impaired_waiting (SpSocket *self)
{
  g_return_val_if_fail (SP_IS_SOCKET (self), 0);

  return self->impairment != NULL ? sp_impairment_get_n_waiting (self->impairment) : 0;
}
