/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-labels.h"
#include "sp-lifecycle-view-private.h"
#include "sp-socket.h"

#define MAX_CHILDREN_SHOWN 6

static gboolean        read_children (SpLifecycleView *self);
static SpLifecyclePath current_path  (SpLifecycleView *self);

static void
read_events (SpLifecycleView *self)
{
  SpTrafficLog *log = sp_player_get_log (self->player);
  guint n = sp_traffic_log_get_n_appended (log);
  g_autoptr(GArray) positions = NULL;
  gboolean any = FALSE;

  if (self->processed >= n)
    return;

  positions = sp_traffic_log_find (log, self->processed, n, self->socket_id, NULL);
  self->processed = n;

  for (guint i = 0; i < positions->len; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log,
                                                           g_array_index (positions, guint, i));
      SpImpaired impaired = sp_event_get_impaired (event);

      /* A copy or a late datagram of an impaired socket is the network's,
       * not a call of the program's. */
      if (impaired == SP_IMPAIRED_COPY || impaired == SP_IMPAIRED_RELEASED)
        continue;

      any |= sp_lifecycle_layout_record (self->layout, sp_event_get_kind (event),
                                         sp_event_get_call (event), sp_event_get_ok (event),
                                         sp_event_get_error_code (event),
                                         sp_event_get_state (event), sp_event_get_bytes (event));
    }

  if (any)
    _sp_lifecycle_view_changed (self);
}

static void
on_log_items_changed (SpLifecycleView *self,
                      guint            position,
                      guint            removed,
                      guint            added)
{
  /* Only a restart removes events: start again from the empty log. */
  if (removed > 0)
    {
      _sp_lifecycle_view_rebuild (self);
      return;
    }

  if (self->layout == NULL)
    return;
  read_events (self);
  /* A call made by hand decides the way a socket goes, even one that
   * failed without moving it (a connect refused at once). */
  if (current_path (self) != sp_lifecycle_layout_get_path (self->layout))
    {
      _sp_lifecycle_view_rebuild (self);
      return;
    }
  /* The sockets accept returned change state by their own calls. */
  if (sp_lifecycle_layout_get_path (self->layout) == SP_LIFECYCLE_PATH_SERVER &&
      read_children (self))
    _sp_lifecycle_view_changed (self);
}

/* Whether the socket is, or is meant to be, a listener: it listens now,
 * or a step of the session makes it one. */
static gboolean
socket_listens (SpLifecycleView *self)
{
  SpSession *session = sp_player_get_session (self->player);

  if (self->socket != NULL && sp_socket_get_state (self->socket) == SP_STATE_LISTENING)
    return TRUE;

  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      SpStep *step = sp_session_get_step (session, i);

      if (g_strcmp0 (step->socket, self->socket_id) == 0 &&
          (step->call == SP_CALL_LISTEN || step->call == SP_CALL_ACCEPT ||
           step->call == SP_CALL_SERVE))
        return TRUE;
    }

  return FALSE;
}

/* Whether the socket has connected, or is meant to: it is connected (or
 * shut down) now, or a step of the session connects it. */
static gboolean
socket_connects (SpLifecycleView *self)
{
  SpSession *session = sp_player_get_session (self->player);

  if (self->socket != NULL)
    {
      switch (sp_socket_get_state (self->socket))
        {
        case SP_STATE_CONNECTING:
        case SP_STATE_CONNECTED:
        case SP_STATE_SHUT_READ:
        case SP_STATE_SHUT_WRITE:
        case SP_STATE_SHUT_BOTH:
          return TRUE;
        case SP_STATE_UNCREATED:
        case SP_STATE_CREATED:
        case SP_STATE_BOUND:
        case SP_STATE_LISTENING:
        case SP_STATE_CLOSED:
        case SP_N_STATES:
        default:
          break;
        }
    }

  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      SpStep *step = sp_session_get_step (session, i);

      if (g_strcmp0 (step->socket, self->socket_id) == 0 &&
          (step->call == SP_CALL_CONNECT || step->call == SP_CALL_CONNECT_EX))
        return TRUE;
    }

  return FALSE;
}

static SpSocketType
socket_type (SpLifecycleView *self)
{
  SpSocketConfig *config;

  if (self->socket != NULL)
    return sp_socket_get_socket_type (self->socket);

  config = sp_session_find_socket (sp_player_get_session (self->player), self->socket_id);
  return config != NULL ? config->type : SP_SOCKET_TYPE_STREAM;
}

static SpLifecyclePath
current_path (SpLifecycleView *self)
{
  return sp_lifecycle_path_for (socket_type (self),
                                self->socket != NULL &&
                                sp_socket_get_listener (self->socket) != NULL,
                                socket_listens (self), socket_connects (self));
}

/* The sockets accept returned, as shown; whether that changed. */
static gboolean
read_children (SpLifecycleView *self)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  GListModel *sockets = self->player != NULL ? sp_player_get_sockets (self->player) : NULL;
  guint n_children = 0;
  gboolean same;

  for (guint i = 0; sockets != NULL && self->socket != NULL &&
                    i < g_list_model_get_n_items (sockets); i++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (sockets, i);

      if (sp_socket_get_listener (socket) != self->socket)
        continue;
      /* A listener that served thousands shows a few and counts the rest. */
      if (n_children++ < MAX_CHILDREN_SHOWN)
        /* TRANSLATORS: an accepted socket and its state, "conn · connected" */
        g_ptr_array_add (children, g_strdup_printf (_("%s · %s"), sp_socket_get_id (socket),
                                                    sp_state_label (sp_socket_get_state (
                                                                      socket))));
    }

  same = n_children == self->n_children && children->len == self->children->len;
  for (guint i = 0; same && i < children->len; i++)
    same = g_str_equal (g_ptr_array_index (children, i), g_ptr_array_index (self->children, i));
  if (same)
    return FALSE;

  g_ptr_array_unref (self->children);
  self->children = g_steal_pointer (&children);
  self->n_children = n_children;
  return TRUE;
}

/* The kernel's facts as the watcher last read them, unknown while the
 * view is not shown; whether they changed. */
static gboolean
read_facts (SpLifecycleView *self)
{
  const char *tcp_state = self->facts != NULL ? sp_kernel_facts_get_tcp_state (self->facts)
                                              : NULL;
  int queue = self->facts != NULL ? sp_kernel_facts_get_accept_queue (self->facts) : -1;
  gboolean any = read_children (self);

  if (g_strcmp0 (tcp_state, self->tcp_state) == 0 && queue == self->accept_queue)
    return any;

  g_free (self->tcp_state);
  self->tcp_state = g_strdup (tcp_state);
  self->accept_queue = queue;
  return TRUE;
}

void
_sp_lifecycle_view_facts_changed (SpLifecycleView *self)
{
  if (read_facts (self))
    _sp_lifecycle_view_changed (self);
}

/* Holds the watcher of the socket while the view is shown, so that its
 * timer runs only while someone looks. */
void
_sp_lifecycle_view_update_watch (SpLifecycleView *self)
{
  SpSocket *socket = gtk_widget_get_mapped (GTK_WIDGET (self)) ? self->socket : NULL;

  if (self->facts != NULL && sp_kernel_facts_get_socket (self->facts) == socket)
    return;

  g_clear_object (&self->facts);
  if (socket != NULL)
    self->facts = sp_kernel_facts_watch (socket);
  g_signal_group_set_target (self->facts_signals, self->facts);
}

static void
lookup_socket (SpLifecycleView *self)
{
  SpSocket *socket = NULL;

  if (self->player != NULL && self->socket_id != NULL)
    socket = sp_player_lookup_socket (self->player, self->socket_id);
  if (g_set_object (&self->socket, socket))
    {
      g_signal_group_set_target (self->socket_signals, socket);
      _sp_lifecycle_view_update_watch (self);
    }
}

/* Starts over from the log: a new socket, player or restart. */
void
_sp_lifecycle_view_rebuild (SpLifecycleView *self)
{
  lookup_socket (self);
  g_clear_pointer (&self->layout, sp_lifecycle_layout_free);
  self->processed = 0;
  self->geometry_valid = FALSE;
  self->shown_node = SP_LIFECYCLE_NO_NODE;

  if (self->player != NULL && self->socket_id != NULL)
    {
      self->layout = sp_lifecycle_layout_new (socket_type (self), current_path (self));
      read_events (self);
      /* Where no event says it (an accepted socket, a restart), the socket does. */
      if (self->socket != NULL)
        sp_lifecycle_layout_set_state (self->layout, sp_socket_get_state (self->socket));
      read_facts (self);
      self->shown_node = sp_lifecycle_layout_node_for_state (
        self->layout, sp_lifecycle_layout_get_state (self->layout));
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  _sp_lifecycle_view_changed (self);
}

static void
on_sockets_changed (SpLifecycleView *self)
{
  SpSocket *before = self->socket;

  lookup_socket (self);
  /* A socket of this id came or went (accept, restart): its path may be
   * another one now. */
  if (self->socket != before)
    _sp_lifecycle_view_rebuild (self);
  else if (read_facts (self))
    _sp_lifecycle_view_changed (self);
}

static void
on_socket_state (SpLifecycleView *self)
{
  if (self->layout == NULL || self->socket == NULL)
    return;

  /* A stream socket that starts listening is a server after all, one
   * that connects a client. */
  if (current_path (self) != sp_lifecycle_layout_get_path (self->layout))
    {
      _sp_lifecycle_view_rebuild (self);
      return;
    }

  /* The kernel's TCP state moves with the socket's: show it now rather
   * than at the watcher's next reading, whichever of us hears first. */
  if (self->facts != NULL)
    sp_kernel_facts_refresh (self->facts);
  if (read_facts (self))
    _sp_lifecycle_view_changed (self);
}

/* Follows the log, the sockets and the selected socket's state and kernel
 * facts: each can change what the diagram shows. */
void
_sp_lifecycle_view_init_follow (SpLifecycleView *self)
{
  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_swapped (self->log_signals, "items-changed",
                                  G_CALLBACK (on_log_items_changed), self);
  self->sockets_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->sockets_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);
  self->socket_signals = g_signal_group_new (SP_TYPE_SOCKET);
  g_signal_group_connect_swapped (self->socket_signals, "notify::state",
                                  G_CALLBACK (on_socket_state), self);
  self->facts_signals = g_signal_group_new (SP_TYPE_KERNEL_FACTS);
  g_signal_group_connect_swapped (self->facts_signals, "changed",
                                  G_CALLBACK (_sp_lifecycle_view_facts_changed), self);
}
