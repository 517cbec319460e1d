/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-kernel-facts.h"

/* The facts change without a call, when the peer acts, and nothing wakes
 * the main loop for them: they are read this often. */
#define INTERVAL_MS 250

struct _SpKernelFacts
{
  GObject       parent_instance;

  SpSocket     *socket;
  GMainContext *context;
  GSource      *timer;
  gulong        state_handler;

  gint64        bytes_waiting;
  char         *tcp_state;
  int           accept_queue;
};

G_DEFINE_FINAL_TYPE (SpKernelFacts, sp_kernel_facts, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_BYTES_WAITING,
  PROP_TCP_STATE,
  PROP_ACCEPT_QUEUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The socket keeps a weak reference to its watcher, so that every caller
 * gets the same one while it lives, and the watcher's last unref ends it. */
static G_DEFINE_QUARK (sp-kernel-facts-watcher, watcher)

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static gboolean
socket_is_open (SpSocket *socket)
{
  SpState state = sp_socket_get_state (socket);

  return state != SP_STATE_UNCREATED && state != SP_STATE_CLOSED;
}

static gboolean
on_timer (gpointer user_data)
{
  sp_kernel_facts_refresh (user_data);
  return G_SOURCE_CONTINUE;
}

/* A closed socket has nothing to read until it is made again. */
static void
update_timer (SpKernelFacts *self)
{
  if (socket_is_open (self->socket))
    {
      if (self->timer != NULL)
        return;
      self->timer = g_timeout_source_new (INTERVAL_MS);
      g_source_set_static_name (self->timer, "[sp] kernel facts");
      g_source_set_callback (self->timer, on_timer, self, NULL);
      g_source_attach (self->timer, self->context);
    }
  else if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
}

static void
on_socket_state (SpKernelFacts *self)
{
  /* The timer first: a handler of "changed" may drop the last reference. */
  update_timer (self);
  sp_kernel_facts_refresh (self);
}

static void
sp_kernel_facts_dispose (GObject *object)
{
  SpKernelFacts *self = SP_KERNEL_FACTS (object);

  if (self->timer != NULL)
    {
      g_source_destroy (self->timer);
      g_clear_pointer (&self->timer, g_source_unref);
    }
  if (self->socket != NULL)
    g_clear_signal_handler (&self->state_handler, self->socket);
  g_clear_object (&self->socket);

  G_OBJECT_CLASS (sp_kernel_facts_parent_class)->dispose (object);
}

static void
sp_kernel_facts_finalize (GObject *object)
{
  SpKernelFacts *self = SP_KERNEL_FACTS (object);

  g_free (self->tcp_state);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (sp_kernel_facts_parent_class)->finalize (object);
}

static void
sp_kernel_facts_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpKernelFacts *self = SP_KERNEL_FACTS (object);

  switch (prop_id)
    {
    case PROP_BYTES_WAITING:
      g_value_set_int64 (value, self->bytes_waiting);
      break;
    case PROP_TCP_STATE:
      g_value_set_string (value, self->tcp_state);
      break;
    case PROP_ACCEPT_QUEUE:
      g_value_set_int (value, self->accept_queue);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_kernel_facts_class_init (SpKernelFactsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_kernel_facts_dispose;
  object_class->finalize = sp_kernel_facts_finalize;
  object_class->get_property = sp_kernel_facts_get_property;

  properties[PROP_BYTES_WAITING] =
    g_param_spec_int64 ("bytes-waiting", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TCP_STATE] =
    g_param_spec_string ("tcp-state", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCEPT_QUEUE] =
    g_param_spec_int ("accept-queue", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
sp_kernel_facts_init (SpKernelFacts *self)
{
  self->bytes_waiting = -1;
  self->accept_queue = -1;
}

SpKernelFacts *
sp_kernel_facts_watch (SpSocket *socket)
{
  GWeakRef *weak;
  SpKernelFacts *self;

  g_return_val_if_fail (SP_IS_SOCKET (socket), NULL);

  weak = g_object_get_qdata (G_OBJECT (socket), watcher_quark ());
  if (weak != NULL && (self = g_weak_ref_get (weak)) != NULL)
    return self;

  self = g_object_new (SP_TYPE_KERNEL_FACTS, NULL);
  self->socket = g_object_ref (socket);
  self->context = g_main_context_ref_thread_default ();
  self->state_handler = g_signal_connect_swapped (socket, "notify::state",
                                                  G_CALLBACK (on_socket_state), self);

  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  g_object_set_qdata_full (G_OBJECT (socket), watcher_quark (), weak, free_weak_ref);

  sp_kernel_facts_refresh (self);
  update_timer (self);
  return self;
}

void
sp_kernel_facts_refresh (SpKernelFacts *self)
{
  gint64 bytes_waiting;
  const char *tcp_state;
  int accept_queue;
  gboolean changed = FALSE;

  g_return_if_fail (SP_IS_KERNEL_FACTS (self));

  bytes_waiting = sp_socket_get_bytes_waiting (self->socket);
  tcp_state = sp_socket_get_tcp_state (self->socket);
  accept_queue = sp_socket_get_accept_queue (self->socket);

  /* Every value is new before anyone is told of one. */
  g_object_freeze_notify (G_OBJECT (self));
  if (self->bytes_waiting != bytes_waiting)
    {
      self->bytes_waiting = bytes_waiting;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BYTES_WAITING]);
      changed = TRUE;
    }
  if (g_strcmp0 (self->tcp_state, tcp_state) != 0)
    {
      g_free (self->tcp_state);
      self->tcp_state = g_strdup (tcp_state);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TCP_STATE]);
      changed = TRUE;
    }
  if (self->accept_queue != accept_queue)
    {
      self->accept_queue = accept_queue;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCEPT_QUEUE]);
      changed = TRUE;
    }
  g_object_thaw_notify (G_OBJECT (self));

  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
}

SpSocket *
sp_kernel_facts_get_socket (SpKernelFacts *self)
{
  g_return_val_if_fail (SP_IS_KERNEL_FACTS (self), NULL);
  return self->socket;
}

gint64
sp_kernel_facts_get_bytes_waiting (SpKernelFacts *self)
{
  g_return_val_if_fail (SP_IS_KERNEL_FACTS (self), -1);
  return self->bytes_waiting;
}

const char *
sp_kernel_facts_get_tcp_state (SpKernelFacts *self)
{
  g_return_val_if_fail (SP_IS_KERNEL_FACTS (self), NULL);
  return self->tcp_state;
}

int
sp_kernel_facts_get_accept_queue (SpKernelFacts *self)
{
  g_return_val_if_fail (SP_IS_KERNEL_FACTS (self), -1);
  return self->accept_queue;
}
