/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-call-bar.h"
#include "sp-field.h"
#include "sp-lifecycle.h"
#include "sp-socket-options.h"
#include "sp-wrap-box.h"

/* A person needs time to go and click the peer before accept, connect or
 * recv gives up. */
#define INTERACTIVE_TIMEOUT_MS 30000

/* The calls that have a button, in the order of the lifecycle. */
static const SpCall button_calls[] = {
  SP_CALL_SOCKET, SP_CALL_SETSOCKOPT, SP_CALL_BIND, SP_CALL_LISTEN, SP_CALL_ACCEPT,
  SP_CALL_CONNECT, SP_CALL_CONNECT_EX, SP_CALL_SEND, SP_CALL_SENDALL, SP_CALL_SENDTO,
  SP_CALL_RECV, SP_CALL_RECVFROM, SP_CALL_RECV_INTO, SP_CALL_RECVFROM_INTO, SP_CALL_SHUTDOWN,
  SP_CALL_CLOSE, SP_CALL_GETSOCKNAME, SP_CALL_GETPEERNAME,
};

struct _SpCallBar
{
  AdwBin                 parent_instance;

  GtkDropDown           *option_dropdown;
  GtkStringList         *option_names;
  GtkSpinButton         *option_value_spin;
  GtkLabel              *option_summary;
  GtkEntry              *backlog_entry;
  GtkLabel              *backlog_error;
  GtkSpinButton         *bufsize_spin;
  GtkCheckButton        *until_eof_check;
  GtkCheckButton        *auto_receive_check;
  GtkCheckButton        *shut_read_check;
  GtkCheckButton        *shut_write_check;

  SpComposer            *composer;
  SpDestinationChooser  *destination;
  SpSocketForm          *form;
  SpPlayer              *player;
  char                  *socket_id;
  SpSocket              *socket;
  SpFamily               family;
  SpSocketType           type;
  /* -1: Python's default; valid when backlog_valid is set. */
  gint                   backlog;

  guint                  backlog_valid : 1;
  guint                  let_fail : 1;
};

G_DEFINE_FINAL_TYPE (SpCallBar, sp_call_bar, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_COMPOSER,
  PROP_DESTINATION,
  PROP_FORM,
  PROP_AUTO_RECEIVE,
  PROP_LET_FAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PERFORMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
action_name (SpCall call)
{
  return g_strconcat ("call.", sp_call_to_string (call), NULL);
}

static SpState
get_state (SpCallBar *self)
{
  return self->socket != NULL ? sp_socket_get_state (self->socket) : SP_STATE_UNCREATED;
}

gboolean
sp_call_bar_is_legal (SpCallBar *self,
                      SpCall     call)
{
  SpState state;

  g_return_val_if_fail (SP_IS_CALL_BAR (self), FALSE);

  state = get_state (self);
  /* The player makes a fresh socket for a socket() after close(); and a
   * socket's first call creates it, as the first step of a session does
   * (Python creates it in the constructor): bind needs no socket() first. */
  if (call == SP_CALL_SOCKET && state == SP_STATE_CLOSED)
    state = SP_STATE_UNCREATED;
  else if (call != SP_CALL_SOCKET && state == SP_STATE_UNCREATED)
    state = SP_STATE_CREATED;

  return sp_lifecycle_is_legal (self->type, state, call);
}

static gboolean
is_stream (SpCallBar *self)
{
  return self->type == SP_SOCKET_TYPE_STREAM || self->type == SP_SOCKET_TYPE_SEQPACKET;
}

/* Whether the arguments `call` takes from the bar, the composer and the
 * destination are valid. */
static gboolean
arguments_valid (SpCallBar *self,
                 SpCall     call)
{
  gboolean data = self->composer != NULL && sp_composer_get_valid (self->composer);
  gboolean destination = self->destination != NULL &&
                         sp_destination_chooser_get_valid (self->destination);

  /* What socket() and bind take from the socket's settings. */
  if (self->form != NULL && !sp_socket_form_is_valid_for (self->form, call))
    return FALSE;

  switch ((int) call)
    {
    case SP_CALL_LISTEN:
      return self->backlog_valid;
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      return destination;
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      return data;
    case SP_CALL_SENDTO:
      return data && destination;
    default:
      return TRUE;
    }
}

static gboolean
call_enabled (SpCallBar *self,
              SpCall     call)
{
  if (self->player == NULL || self->socket_id == NULL)
    return FALSE;

  if (!self->let_fail && !sp_call_bar_is_legal (self, call))
    return FALSE;

  return arguments_valid (self, call);
}

void
sp_call_bar_update (SpCallBar *self)
{
  g_return_if_fail (SP_IS_CALL_BAR (self));

  for (guint i = 0; i < G_N_ELEMENTS (button_calls); i++)
    {
      g_autofree char *name = action_name (button_calls[i]);

      gtk_widget_action_set_enabled (GTK_WIDGET (self), name,
                                     call_enabled (self, button_calls[i]));
    }
}

/* An id for the socket accept returns that nothing has yet. */
static char *
fresh_connection_id (SpCallBar *self)
{
  SpSession *session = sp_player_get_session (self->player);

  for (guint n = 1; ; n++)
    {
      g_autofree char *id = n == 1 ? g_strdup ("conn") : g_strdup_printf ("conn%u", n);

      if (!sp_session_has_socket_id (session, id) &&
          sp_player_lookup_socket (self->player, id) == NULL)
        return g_steal_pointer (&id);
    }
}

static void
fill_setsockopt (SpCallBar *self,
                 SpStep    *step)
{
  guint selected = gtk_drop_down_get_selected (self->option_dropdown);
  const SpSocketOptionInfo *info = sp_socket_option_get_nth (selected);

  step->option = g_strdup (info->name);
  step->value = (gint64) gtk_spin_button_get_value (self->option_value_spin);
  step->value_is_bool = info->is_bool;
}

static SpShutdownHow
selected_how (SpCallBar *self)
{
  if (gtk_check_button_get_active (self->shut_read_check))
    return SP_SHUTDOWN_READ;
  if (gtk_check_button_get_active (self->shut_write_check))
    return SP_SHUTDOWN_WRITE;
  return SP_SHUTDOWN_BOTH;
}

SpStep *
sp_call_bar_make_step (SpCallBar *self,
                       SpCall     call)
{
  g_autoptr(SpStep) step = NULL;

  g_return_val_if_fail (SP_IS_CALL_BAR (self), NULL);

  if (self->player == NULL || self->socket_id == NULL || !arguments_valid (self, call))
    return NULL;

  step = sp_step_new (self->socket_id, call);

  switch ((int) call)
    {
    case SP_CALL_SETSOCKOPT:
      fill_setsockopt (self, step);
      break;

    case SP_CALL_LISTEN:
      step->backlog = self->backlog;
      break;

    case SP_CALL_ACCEPT:
      step->as = fresh_connection_id (self);
      step->timeout_ms = INTERACTIVE_TIMEOUT_MS;
      break;

    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      sp_destination_chooser_fill_step (self->destination, step);
      step->timeout_ms = INTERACTIVE_TIMEOUT_MS;
      break;

    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      sp_composer_fill_step (self->composer, step);
      break;

    case SP_CALL_SENDTO:
      sp_composer_fill_step (self->composer, step);
      sp_destination_chooser_fill_step (self->destination, step);
      break;

    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
      step->bufsize = gtk_spin_button_get_value_as_int (self->bufsize_spin);
      step->timeout_ms = INTERACTIVE_TIMEOUT_MS;
      break;

    case SP_CALL_SHUTDOWN:
      step->how = selected_how (self);
      step->has_how = TRUE;
      break;

    default:
      break;
    }

  return g_steal_pointer (&step);
}

static void
call_activated (GtkWidget  *widget,
                const char *name,
                GVariant   *parameter)
{
  SpCallBar *self = SP_CALL_BAR (widget);
  g_autoptr(SpStep) step = NULL;
  SpCall call;

  if (!sp_call_from_string (name + strlen ("call."), &call))
    return;

  step = sp_call_bar_make_step (self, call);
  if (step == NULL)
    return;

  /* The notes' `while True: data = conn.recv(1024)` loop, on a stream. */
  if (call == SP_CALL_RECV && is_stream (self) &&
      gtk_check_button_get_active (self->until_eof_check))
    step->until_eof = TRUE;

  sp_player_perform (self->player, step);
  g_signal_emit (self, signals[PERFORMED], 0, step);
}

static void
on_backlog_changed (SpCallBar *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->backlog_entry));
  gint64 backlog = -1;

  self->backlog_valid = text[0] == '\0' ||
                        sp_field_parse_number (text, _("Backlog"), 0, 65535, &backlog, &error);
  self->backlog = self->backlog_valid ? backlog : -1;
  sp_field_set_error (GTK_WIDGET (self->backlog_entry), GTK_WIDGET (self->backlog_error),
                      error != NULL ? error->message : NULL);
  sp_call_bar_update (self);
}

/* A switch option is set to 1, a size to the kernel's usual 64 KiB. */
static void
on_option_selected (SpCallBar *self)
{
  const SpSocketOptionInfo *info;

  info = sp_socket_option_get_nth (gtk_drop_down_get_selected (self->option_dropdown));
  gtk_spin_button_set_value (self->option_value_spin, info->is_bool ? 1 : 65536);
  gtk_label_set_text (self->option_summary, _(info->summary));
}

static void
on_auto_receive_toggled (SpCallBar *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_RECEIVE]);
}

static void
set_part (SpCallBar   *self,
          gpointer    *slot,
          gpointer     part)
{
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_func (*slot, sp_call_bar_update, self);
  g_set_object ((GObject **) slot, part);
  if (part != NULL)
    g_signal_connect_swapped (part, "notify::valid", G_CALLBACK (sp_call_bar_update), self);
  sp_call_bar_update (self);
}

static void
sp_call_bar_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SpCallBar *self = SP_CALL_BAR (object);

  switch (prop_id)
    {
    case PROP_COMPOSER:
      g_value_set_object (value, self->composer);
      break;

    case PROP_DESTINATION:
      g_value_set_object (value, self->destination);
      break;

    case PROP_FORM:
      g_value_set_object (value, self->form);
      break;

    case PROP_AUTO_RECEIVE:
      g_value_set_boolean (value, sp_call_bar_get_auto_receive (self));
      break;

    case PROP_LET_FAIL:
      g_value_set_boolean (value, self->let_fail);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_call_bar_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SpCallBar *self = SP_CALL_BAR (object);

  switch (prop_id)
    {
    case PROP_COMPOSER:
      set_part (self, (gpointer *) &self->composer, g_value_get_object (value));
      break;

    case PROP_DESTINATION:
      set_part (self, (gpointer *) &self->destination, g_value_get_object (value));
      break;

    case PROP_FORM:
      set_part (self, (gpointer *) &self->form, g_value_get_object (value));
      break;

    case PROP_LET_FAIL:
      if (self->let_fail != g_value_get_boolean (value))
        {
          self->let_fail = g_value_get_boolean (value);
          sp_call_bar_update (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_call_bar_dispose (GObject *object)
{
  SpCallBar *self = SP_CALL_BAR (object);

  set_part (self, (gpointer *) &self->composer, NULL);
  set_part (self, (gpointer *) &self->destination, NULL);
  set_part (self, (gpointer *) &self->form, NULL);
  g_clear_object (&self->player);
  g_clear_object (&self->socket);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_CALL_BAR);

  G_OBJECT_CLASS (sp_call_bar_parent_class)->dispose (object);
}

static void
sp_call_bar_finalize (GObject *object)
{
  SpCallBar *self = SP_CALL_BAR (object);

  g_free (self->socket_id);

  G_OBJECT_CLASS (sp_call_bar_parent_class)->finalize (object);
}

static void
sp_call_bar_class_init (SpCallBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_call_bar_get_property;
  object_class->set_property = sp_call_bar_set_property;
  object_class->dispose = sp_call_bar_dispose;
  object_class->finalize = sp_call_bar_finalize;

  properties[PROP_COMPOSER] =
    g_param_spec_object ("composer", NULL, NULL, SP_TYPE_COMPOSER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESTINATION] =
    g_param_spec_object ("destination", NULL, NULL, SP_TYPE_DESTINATION_CHOOSER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORM] =
    g_param_spec_object ("form", NULL, NULL, SP_TYPE_SOCKET_FORM,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTO_RECEIVE] =
    g_param_spec_boolean ("auto-receive", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LET_FAIL] =
    g_param_spec_boolean ("let-fail", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PERFORMED] =
    g_signal_new ("performed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_STEP);

  g_type_ensure (SP_TYPE_WRAP_BOX);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-call-bar.ui");
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, option_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, option_names);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, option_value_spin);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, option_summary);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, backlog_entry);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, backlog_error);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, bufsize_spin);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, until_eof_check);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, auto_receive_check);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, shut_read_check);
  gtk_widget_class_bind_template_child (widget_class, SpCallBar, shut_write_check);

  for (guint i = 0; i < G_N_ELEMENTS (button_calls); i++)
    {
      g_autofree char *name = action_name (button_calls[i]);

      gtk_widget_class_install_action (widget_class, name, NULL, call_activated);
    }
}

/* AdwSplitButton shows its dropdown tooltip on hover but gives its arrow
 * no accessible name (libadwaita 1.2): a screen reader, or a test driving
 * the window, would find a nameless toggle. The tooltip is the name. */
static void
name_split_button_arrows (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_SPLIT_BUTTON (child))
        {
          const char *name = adw_split_button_get_dropdown_tooltip (ADW_SPLIT_BUTTON (child));
          GtkWidget *arrow = gtk_widget_get_last_child (child);

          /* GtkMenuButton is presented by the toggle button inside it. */
          if (name != NULL && GTK_IS_MENU_BUTTON (arrow) && gtk_widget_get_first_child (arrow) != NULL)
            gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (arrow)),
                                            GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
          continue;
        }
      name_split_button_arrows (child);
    }
}

static void
sp_call_bar_init (SpCallBar *self)
{
  self->backlog = -1;
  self->backlog_valid = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
  name_split_button_arrows (GTK_WIDGET (self));

  for (guint i = 0; i < sp_socket_option_get_count (); i++)
    gtk_string_list_append (self->option_names, sp_socket_option_get_nth (i)->name);
  on_option_selected (self);

  g_signal_connect_swapped (self->option_dropdown, "notify::selected",
                            G_CALLBACK (on_option_selected), self);
  g_signal_connect_swapped (self->backlog_entry, "changed", G_CALLBACK (on_backlog_changed), self);
  g_signal_connect_swapped (self->auto_receive_check, "notify::active",
                            G_CALLBACK (on_auto_receive_toggled), self);
  sp_call_bar_update (self);
}

GtkWidget *
sp_call_bar_new (void)
{
  return g_object_new (SP_TYPE_CALL_BAR, NULL);
}

void
sp_call_bar_set_player (SpCallBar *self,
                        SpPlayer  *player)
{
  g_return_if_fail (SP_IS_CALL_BAR (self));

  g_set_object (&self->player, player);
  sp_call_bar_update (self);
}

void
sp_call_bar_set_socket (SpCallBar    *self,
                        const char   *id,
                        SpSocket     *socket,
                        SpFamily      family,
                        SpSocketType  type)
{
  g_return_if_fail (SP_IS_CALL_BAR (self));

  g_free (self->socket_id);
  self->socket_id = g_strdup (id);
  g_set_object (&self->socket, socket);
  self->family = family;
  self->type = type;
  sp_call_bar_update (self);
}

gboolean
sp_call_bar_get_auto_receive (SpCallBar *self)
{
  g_return_val_if_fail (SP_IS_CALL_BAR (self), FALSE);
  return gtk_check_button_get_active (self->auto_receive_check);
}
