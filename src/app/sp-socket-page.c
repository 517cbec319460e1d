/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-call-bar.h"
#include "sp-composer.h"
#include "sp-destination-chooser.h"
#include "sp-destinations.h"
#include "sp-endpoint.h"
#include "sp-kernel-facts.h"
#include "sp-labels.h"
#include "sp-socket-facts.h"
#include "sp-socket-form.h"
#include "sp-socket-page.h"

/* The page of the selected socket: its calls, where connect and sendto go,
 * the bytes to send, its settings and what the kernel says of it. The
 * pieces are widgets of their own; the page follows the player for them
 * and tells them which socket they are about. */

struct _SpSocketPage
{
  AdwBin                parent_instance;

  GtkStack             *stack;
  GtkWidget            *header_box;
  GtkLabel             *title_label;
  GtkLabel             *kind_label;
  GtkLabel             *state_label;
  GtkLabel             *where_label;
  GtkWidget            *let_fail_switch;
  SpCallBar            *call_bar;
  SpDestinationChooser *destination;
  SpComposer           *composer;
  SpSocketForm         *form;
  SpSocketFacts        *facts;

  SpPlayer             *player;
  char                 *socket_id;
  SpSocket             *socket;         /* the live socket, once it exists */
  /* The socket's kernel facts while the page is shown: auto-receive
   * follows its bytes waiting. */
  SpKernelFacts        *kernel;

  GSignalGroup         *player_signals;
  GSignalGroup         *session_signals;
  GSignalGroup         *configs_signals;
  GSignalGroup         *sockets_signals;
  GSignalGroup         *log_signals;
  GSignalGroup         *socket_signals;

  /* Steps started and not finished yet, and those of them the user made
   * here. A step moves in the session when it finishes, so it is known by
   * the object, never by its index. */
  GHashTable           *in_flight;
  GHashTable           *clicked;
  guint                 facts_idle_id;

  guint                 auto_receive_pending : 1;
};

G_DEFINE_FINAL_TYPE (SpSocketPage, sp_socket_page, ADW_TYPE_BIN)

enum {
  SHOW_SOCKET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh (SpSocketPage *self);

/* Where the socket stands */

static SpSession *
get_session (SpSocketPage *self)
{
  return self->player != NULL ? sp_player_get_session (self->player) : NULL;
}

static SpSocketConfig *
get_config (SpSocketPage *self)
{
  SpSession *session = get_session (self);

  if (session == NULL || self->socket_id == NULL)
    return NULL;
  return sp_session_find_socket (session, self->socket_id);
}

static SpState
get_state (SpSocketPage *self)
{
  return self->socket != NULL ? sp_socket_get_state (self->socket) : SP_STATE_UNCREATED;
}

static SpFamily
get_family (SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);

  if (self->socket != NULL)
    return sp_socket_get_family (self->socket);
  return config != NULL ? config->family : SP_FAMILY_INET;
}

static SpSocketType
get_socket_type (SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);

  if (self->socket != NULL)
    return sp_socket_get_socket_type (self->socket);
  return config != NULL ? config->type : SP_SOCKET_TYPE_STREAM;
}

static gboolean
is_stream (SpSocketPage *self)
{
  SpSocketType type = get_socket_type (self);

  return type == SP_SOCKET_TYPE_STREAM || type == SP_SOCKET_TYPE_SEQPACKET;
}

static gboolean
has_step_in_flight (SpSocketPage *self)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->in_flight);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (g_strcmp0 (SP_STEP (key)->socket, self->socket_id) == 0)
        return TRUE;
    }

  return FALSE;
}

/* Auto-receive takes what is waiting, one recv at a time. */
static void
maybe_auto_receive (SpSocketPage *self)
{
  SpCall call = is_stream (self) ? SP_CALL_RECV : SP_CALL_RECVFROM;
  g_autoptr(SpStep) step = NULL;

  if (!sp_call_bar_get_auto_receive (self->call_bar) || self->kernel == NULL ||
      self->auto_receive_pending || has_step_in_flight (self) ||
      sp_kernel_facts_get_bytes_waiting (self->kernel) <= 0 ||
      !sp_call_bar_is_legal (self->call_bar, call))
    return;

  step = sp_call_bar_make_step (self->call_bar, call);
  if (step == NULL)
    return;

  self->auto_receive_pending = TRUE;
  sp_player_perform (self->player, step);
}

/* The kernel is watched while the page is shown and the socket lives. */
static void
update_watch (SpSocketPage *self)
{
  gboolean wanted = self->socket != NULL && gtk_widget_get_mapped (GTK_WIDGET (self));

  if (self->kernel != NULL &&
      (!wanted || sp_kernel_facts_get_socket (self->kernel) != self->socket))
    {
      g_signal_handlers_disconnect_by_func (self->kernel, maybe_auto_receive, self);
      g_clear_object (&self->kernel);
    }

  if (wanted && self->kernel == NULL)
    {
      self->kernel = sp_kernel_facts_watch (self->socket);
      g_signal_connect_swapped (self->kernel, "notify::bytes-waiting",
                                G_CALLBACK (maybe_auto_receive), self);
    }
}

/* The header and the pieces */

static char *
describe_where (SpSocketPage *self)
{
  GSocketAddress *local;
  GSocketAddress *remote;
  g_autofree char *local_text = NULL;
  g_autofree char *remote_text = NULL;

  if (self->socket == NULL)
    return g_strdup ("");

  local = sp_socket_get_local_address (self->socket);
  remote = sp_socket_get_remote_address (self->socket);
  local_text = local != NULL ? sp_endpoint_format (local) : NULL;
  remote_text = remote != NULL ? sp_endpoint_format (remote) : NULL;

  if (local_text != NULL && remote_text != NULL)
    return g_strdup_printf ("%s → %s", local_text, remote_text);
  if (local_text != NULL)
    return g_steal_pointer (&local_text);
  if (remote_text != NULL)
    return g_strdup_printf ("→ %s", remote_text);
  return g_strdup ("");
}

static void
refresh_header (SpSocketPage *self)
{
  g_autofree char *kind = sp_socket_kind_label (get_family (self), get_socket_type (self));
  g_autofree char *where = describe_where (self);
  g_autofree char *summary = NULL;
  const char *state = sp_state_label (get_state (self));
  SpSocket *listener = self->socket != NULL ? sp_socket_get_listener (self->socket) : NULL;

  if (listener != NULL)
    {
      /* TRANSLATORS: a socket accept returned, and the listener it came from */
      g_autofree char *accepted = g_strdup_printf (_("%s · accepted by %s"), kind,
                                                   sp_socket_get_id (listener));

      g_free (kind);
      kind = g_steal_pointer (&accepted);
    }

  gtk_label_set_text (self->title_label, self->socket_id);
  gtk_label_set_text (self->kind_label, kind);
  gtk_label_set_text (self->state_label, state);
  if (g_strcmp0 (gtk_label_get_text (self->where_label), where) != 0)
    gtk_label_set_text (self->where_label, where);

  /* What a screen reader says for the header, kept current. */
  summary = g_strdup_printf (_("Socket %s, %s, %s"), self->socket_id, kind, state);
  if (where[0] != '\0')
    {
      g_autofree char *longer = g_strdup_printf ("%s, %s", summary, where);

      g_free (summary);
      summary = g_steal_pointer (&longer);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->header_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, summary,
                                  -1);
}

/* The destination matters while the socket may still connect or send to
 * somewhere; the composer while it may still send. With "Let it fail" on,
 * any call may be tried, so both show. */
static void
refresh_visibility (SpSocketPage *self)
{
  SpState state = get_state (self);
  gboolean let_fail = FALSE;
  gboolean accepted = self->socket != NULL && sp_socket_get_listener (self->socket) != NULL;
  gboolean connected = state == SP_STATE_CONNECTED || state == SP_STATE_SHUT_READ ||
                       state == SP_STATE_SHUT_WRITE || state == SP_STATE_SHUT_BOTH;
  gboolean server;

  if (self->player == NULL || self->socket_id == NULL)
    return;

  server = is_stream (self) &&
           (state == SP_STATE_LISTENING ||
            sp_destinations_is_server (get_session (self), self->socket_id));
  g_object_get (self->call_bar, "let-fail", &let_fail, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->destination),
                          let_fail || (!accepted && !server && !(is_stream (self) && connected)));
  /* A listener sends nothing: what accept returns does. */
  gtk_widget_set_visible (GTK_WIDGET (self->composer), let_fail || !server);
  gtk_widget_set_visible (GTK_WIDGET (self->form), get_config (self) != NULL);
}

static void
refresh (SpSocketPage *self)
{
  SpSocketConfig *config = get_config (self);
  gboolean shown = self->player != NULL && self->socket_id != NULL &&
                   (config != NULL || self->socket != NULL);

  gtk_stack_set_visible_child_name (self->stack, shown ? "socket" : "empty");
  sp_call_bar_set_socket (self->call_bar, shown ? self->socket_id : NULL, self->socket,
                          get_family (self), get_socket_type (self));
  if (!shown)
    return;

  refresh_header (self);
  refresh_visibility (self);
  sp_destination_chooser_set_socket (self->destination, self->socket_id, get_family (self),
                                     get_socket_type (self));
  sp_destination_chooser_refresh (self->destination);
  sp_socket_form_set_config (self->form, config);
  sp_socket_form_set_socket (self->form, self->socket);
  sp_socket_facts_set_socket (self->facts, self->socket, get_family (self),
                              get_socket_type (self));
}

/* Follows the live socket of the id, which comes and goes with restarts
 * and accept. */
static void
lookup_socket (SpSocketPage *self)
{
  SpSocket *socket = NULL;

  if (self->player != NULL && self->socket_id != NULL)
    socket = sp_player_lookup_socket (self->player, self->socket_id);

  if (g_set_object (&self->socket, socket))
    g_signal_group_set_target (self->socket_signals, socket);
  update_watch (self);
}

/* Following the player */

static void
on_sockets_changed (SpSocketPage *self)
{
  lookup_socket (self);
  refresh (self);
}

static void
on_socket_changed (SpSocketPage   *self,
                   SpSocketConfig *config,
                   const char     *property)
{
  /* Another socket's kind or steps decide where this one can go. */
  if (g_strcmp0 (config->id, self->socket_id) != 0)
    {
      sp_destination_chooser_refresh (self->destination);
      return;
    }

  refresh_header (self);
  sp_call_bar_set_socket (self->call_bar, self->socket_id, self->socket, get_family (self),
                          get_socket_type (self));
  sp_destination_chooser_set_socket (self->destination, self->socket_id, get_family (self),
                                     get_socket_type (self));
  sp_socket_facts_set_socket (self->facts, self->socket, get_family (self),
                              get_socket_type (self));
}

static void
on_step_started (SpSocketPage *self,
                 guint         index,
                 SpStep       *step)
{
  g_hash_table_add (self->in_flight, g_object_ref (step));
}

static void
on_step_finished (SpSocketPage *self,
                  guint         index,
                  gboolean      passed,
                  const char   *message,
                  SpStep       *step)
{
  g_hash_table_remove (self->in_flight, step);

  /* What an accept clicked here returned is the socket to go on with, if
   * the user is still on the listener's page. */
  if (g_hash_table_remove (self->clicked, step) && passed && step->call == SP_CALL_ACCEPT &&
      g_strcmp0 (step->socket, self->socket_id) == 0 && step->as != NULL &&
      sp_player_lookup_socket (self->player, step->as) != NULL)
    {
      g_signal_emit (self, signals[SHOW_SOCKET], 0, step->as);
      return;
    }

  /* Another socket that now listens, or is bound, is somewhere to go. */
  if (self->socket_id != NULL)
    sp_destination_chooser_refresh (self->destination);
  if (g_strcmp0 (step->socket, self->socket_id) != 0)
    return;

  if (step->call == SP_CALL_RECV || step->call == SP_CALL_RECVFROM)
    self->auto_receive_pending = FALSE;
  refresh_header (self);
  sp_socket_facts_refresh (self->facts);
  /* More may have come while the last recv ran. */
  maybe_auto_receive (self);
}

/* A restart abandons the steps that were running without finishing them. */
static void
on_position_changed (SpSocketPage *self)
{
  if (sp_player_get_position (self->player) == 0)
    {
      g_hash_table_remove_all (self->in_flight);
      g_hash_table_remove_all (self->clicked);
      self->auto_receive_pending = FALSE;
    }
}

static gboolean
on_facts_idle (gpointer user_data)
{
  SpSocketPage *self = user_data;

  self->facts_idle_id = 0;
  refresh_header (self);
  sp_socket_facts_refresh (self->facts);
  return G_SOURCE_REMOVE;
}

/* Many events can arrive at once (a recv until EOF); the facts are read
 * once for all of them. */
static void
on_log_appended (SpSocketPage *self)
{
  if (self->facts_idle_id == 0 && self->socket_id != NULL)
    self->facts_idle_id = g_idle_add (on_facts_idle, self);
}

static void
on_call_performed (SpSocketPage *self,
                   SpStep       *step)
{
  g_hash_table_add (self->clicked, g_object_ref (step));
}

static void
on_form_perform (SpSocketPage *self,
                 SpStep       *step)
{
  if (self->player != NULL)
    sp_player_perform (self->player, step);
}

/* The widget */

static void
sp_socket_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sp_socket_page_parent_class)->map (widget);
  update_watch (SP_SOCKET_PAGE (widget));
}

static void
sp_socket_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sp_socket_page_parent_class)->unmap (widget);
  update_watch (SP_SOCKET_PAGE (widget));
}

static void
sp_socket_page_dispose (GObject *object)
{
  SpSocketPage *self = SP_SOCKET_PAGE (object);

  g_clear_handle_id (&self->facts_idle_id, g_source_remove);

  if (self->player_signals != NULL)
    {
      g_signal_group_set_target (self->player_signals, NULL);
      g_signal_group_set_target (self->session_signals, NULL);
      g_signal_group_set_target (self->configs_signals, NULL);
      g_signal_group_set_target (self->sockets_signals, NULL);
      g_signal_group_set_target (self->log_signals, NULL);
      g_signal_group_set_target (self->socket_signals, NULL);
    }
  g_clear_object (&self->player_signals);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->configs_signals);
  g_clear_object (&self->sockets_signals);
  g_clear_object (&self->log_signals);
  g_clear_object (&self->socket_signals);

  if (self->kernel != NULL)
    g_signal_handlers_disconnect_by_func (self->kernel, maybe_auto_receive, self);
  g_clear_object (&self->kernel);
  g_clear_object (&self->socket);
  g_clear_object (&self->player);

  /* AdwBin would otherwise unparent its child after the template has
   * already disposed of it. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_SOCKET_PAGE);

  G_OBJECT_CLASS (sp_socket_page_parent_class)->dispose (object);
}

static void
sp_socket_page_finalize (GObject *object)
{
  SpSocketPage *self = SP_SOCKET_PAGE (object);

  g_hash_table_unref (self->in_flight);
  g_hash_table_unref (self->clicked);
  g_free (self->socket_id);

  G_OBJECT_CLASS (sp_socket_page_parent_class)->finalize (object);
}

static void
sp_socket_page_class_init (SpSocketPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_socket_page_dispose;
  object_class->finalize = sp_socket_page_finalize;
  widget_class->map = sp_socket_page_map;
  widget_class->unmap = sp_socket_page_unmap;

  signals[SHOW_SOCKET] =
    g_signal_new ("show-socket", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SP_TYPE_CALL_BAR);
  g_type_ensure (SP_TYPE_DESTINATION_CHOOSER);
  g_type_ensure (SP_TYPE_COMPOSER);
  g_type_ensure (SP_TYPE_SOCKET_FORM);
  g_type_ensure (SP_TYPE_SOCKET_FACTS);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-socket-page.ui");
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, stack);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, header_box);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, kind_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, where_label);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, let_fail_switch);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, call_bar);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, destination);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, composer);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, form);
  gtk_widget_class_bind_template_child (widget_class, SpSocketPage, facts);
}

static void
sp_socket_page_init (SpSocketPage *self)
{
  self->in_flight = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->clicked = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  /* Its label is its mnemonic too; its name is said once. */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->let_fail_switch),
                                 GTK_ACCESSIBLE_RELATION_LABELLED_BY);

  g_signal_connect_swapped (self->form, "perform", G_CALLBACK (on_form_perform), self);
  g_signal_connect_swapped (self->call_bar, "performed", G_CALLBACK (on_call_performed), self);
  g_signal_connect_swapped (self->call_bar, "notify::auto-receive",
                            G_CALLBACK (maybe_auto_receive), self);
  g_signal_connect_swapped (self->call_bar, "notify::let-fail",
                            G_CALLBACK (refresh_visibility), self);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect_swapped (self->player_signals, "socket-added",
                                  G_CALLBACK (on_sockets_changed), self);
  g_signal_group_connect_swapped (self->player_signals, "step-started",
                                  G_CALLBACK (on_step_started), self);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (on_position_changed), self);

  self->session_signals = g_signal_group_new (SP_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "socket-changed",
                                  G_CALLBACK (on_socket_changed), self);
  self->configs_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->configs_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);
  self->sockets_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->sockets_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);
  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_swapped (self->log_signals, "appended",
                                  G_CALLBACK (on_log_appended), self);
  self->socket_signals = g_signal_group_new (SP_TYPE_SOCKET);
  g_signal_group_connect_swapped (self->socket_signals, "notify::state",
                                  G_CALLBACK (refresh), self);

  refresh (self);
}

GtkWidget *
sp_socket_page_new (void)
{
  return g_object_new (SP_TYPE_SOCKET_PAGE, NULL);
}

void
sp_socket_page_set_observed (SpSocketPage      *self,
                             SpObservedSockets *observed)
{
  g_return_if_fail (SP_IS_SOCKET_PAGE (self));

  sp_destination_chooser_set_observed (self->destination, observed);
}

void
sp_socket_page_set_player (SpSocketPage *self,
                           SpPlayer     *player)
{
  SpSession *session;

  g_return_if_fail (SP_IS_SOCKET_PAGE (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  g_hash_table_remove_all (self->in_flight);
  g_hash_table_remove_all (self->clicked);
  self->auto_receive_pending = FALSE;

  session = get_session (self);
  g_signal_group_set_target (self->player_signals, player);
  g_signal_group_set_target (self->session_signals, session);
  g_signal_group_set_target (self->configs_signals,
                             session != NULL ? sp_session_get_sockets (session) : NULL);
  g_signal_group_set_target (self->sockets_signals,
                             player != NULL ? sp_player_get_sockets (player) : NULL);
  g_signal_group_set_target (self->log_signals,
                             player != NULL ? sp_player_get_log (player) : NULL);
  sp_call_bar_set_player (self->call_bar, player);
  sp_destination_chooser_set_player (self->destination, player);

  lookup_socket (self);
  refresh (self);
}

void
sp_socket_page_set_socket_id (SpSocketPage *self,
                              const char   *id)
{
  g_return_if_fail (SP_IS_SOCKET_PAGE (self));

  if (g_strcmp0 (self->socket_id, id) == 0)
    return;

  g_free (self->socket_id);
  self->socket_id = g_strdup (id);
  self->auto_receive_pending = FALSE;

  lookup_socket (self);
  refresh (self);
}

const char *
sp_socket_page_get_socket_id (SpSocketPage *self)
{
  g_return_val_if_fail (SP_IS_SOCKET_PAGE (self), NULL);
  return self->socket_id;
}

void
sp_socket_page_set_encoding (SpSocketPage *self,
                             const char   *encoding)
{
  g_return_if_fail (SP_IS_SOCKET_PAGE (self));
  sp_composer_set_encoding (self->composer, encoding);
}
