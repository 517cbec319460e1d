/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-address-defaults.h"
#include "sp-endpoint.h"
#include "sp-field.h"
#include "sp-socket-form.h"
#include "sp-option-group.h"
#include "sp-socket-options.h"

/* The spin buttons of the impairment, in the order of its settings. */
typedef enum
{
  IMPAIR_DROP,
  IMPAIR_DUPLICATE,
  IMPAIR_REORDER,
  IMPAIR_DELAY,
  IMPAIR_SEED,
  N_IMPAIR
} Impair;

struct _SpSocketForm
{
  AdwBin            parent_instance;

  AdwActionRow     *lock_note;
  AdwComboRow      *family_row;
  AdwComboRow      *type_row;
  AdwEntryRow      *protocol_row;
  AdwActionRow     *protocol_error;
  AdwEntryRow      *address_row;
  AdwActionRow     *address_error;
  AdwActionRow     *address_hint;
  AdwEntryRow      *port_row;
  AdwActionRow     *port_error;
  SpOptionGroup    *option_group;
  GtkWidget        *impair_group;
  AdwExpanderRow   *impair_row;
  GtkSpinButton    *impair_spins[N_IMPAIR];


  SpSocketConfig   *config;
  SpSocket         *socket;
  GBindingGroup    *bindings;
  GSignalGroup     *config_signals;
  GSignalGroup     *socket_signals;
  /* The family the address was last made to fit. */
  SpFamily          family;
  /* The fields whose text the config cannot take (Invalid flags). */
  guint             invalid;
};

G_DEFINE_FINAL_TYPE (SpSocketForm, sp_socket_form, ADW_TYPE_BIN)

enum {
  PERFORM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_VALID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef enum
{
  INVALID_PROTOCOL = 1 << 0,
  INVALID_ADDRESS  = 1 << 1,
  INVALID_PORT     = 1 << 2,
} Invalid;

/* Keeps one field's validity, and says when the form's changed. */
static void
set_invalid (SpSocketForm *self,
             Invalid       field,
             gboolean      invalid)
{
  guint before = self->invalid;

  self->invalid = invalid ? (self->invalid | field) : (self->invalid & ~field);
  if (before != self->invalid)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VALID]);
}

static gboolean
is_bound (SpSocketForm *self)
{
  return sp_socket_is_open (self->socket) && sp_socket_get_local_address (self->socket) != NULL;
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* Address and port: the text a config's value shows as, and back */

/* An unset address binds loopback, so that is what the form shows. */
static gboolean
address_to_text (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  SpSocketForm *self = user_data;
  const char *address = g_value_get_string (from);

  if (address == NULL && self->config != NULL)
    address = self->config->family == SP_FAMILY_UNIX
              ? "" : sp_endpoint_loopback_text (self->config->family);
  g_value_set_string (to, address != NULL ? address : "");
  return TRUE;
}

static gboolean
text_to_address (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  SpSocketForm *self = user_data;
  const char *text = g_value_get_string (from);

  if (self->config == NULL)
    return FALSE;
  /* A UNIX socket without a path stays unnamed until it connects. */
  if (text[0] == '\0' && self->config->family == SP_FAMILY_UNIX)
    {
      g_value_set_string (to, NULL);
      return TRUE;
    }
  if (!sp_field_check_address (self->config->family, text, _("Address"), NULL))
    return FALSE;
  g_value_set_string (to, text);
  return TRUE;
}

static gboolean
port_to_text (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  int port = g_value_get_int (from);

  g_value_take_string (to, port >= 0 ? g_strdup_printf ("%d", port) : g_strdup (""));
  return TRUE;
}

static gboolean
text_to_port (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  const char *text = g_value_get_string (from);
  guint16 port;

  if (text[0] == '\0')
    g_value_set_int (to, -1);
  else if (sp_endpoint_parse_port (text, _("Port"), &port, NULL))
    g_value_set_int (to, port);
  else
    return FALSE;
  return TRUE;
}

/* Validation: each field's message, shown beneath it */

static void
validate_address (SpSocketForm *self)
{
  g_autoptr(GError) error = NULL;
  SpFamily family = self->config != NULL ? self->config->family : SP_FAMILY_INET;
  const char *text = row_text (self->address_row);
  gboolean every;

  if (!(text[0] == '\0' && family == SP_FAMILY_UNIX))
    sp_field_check_address (family, text, _("Address"), &error);
  sp_field_set_error (GTK_WIDGET (self->address_row), GTK_WIDGET (self->address_error),
                      error != NULL ? error->message : NULL);
  set_invalid (self, INVALID_ADDRESS, error != NULL);

  /* Binding every interface is allowed, and said plainly beneath the field. */
  every = error == NULL && sp_address_is_every_interface (family, text);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_hint),
                                 every ? sp_every_interface_hint () : "");
  gtk_widget_set_visible (GTK_WIDGET (self->address_hint), every);
}

static void
validate_port (SpSocketForm *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = row_text (self->port_row);
  guint16 port;

  if (text[0] != '\0' && (self->config == NULL || self->config->family != SP_FAMILY_UNIX))
    sp_endpoint_parse_port (text, _("Port"), &port, &error);
  sp_field_set_error (GTK_WIDGET (self->port_row), GTK_WIDGET (self->port_error),
                      error != NULL ? error->message : NULL);
  set_invalid (self, INVALID_PORT, error != NULL);
}

/* Protocol: a number and a name in the config, one field in the form */

static char *
protocol_text (SpSocketConfig *config)
{
  if (config->protocol_name != NULL)
    return g_strdup (config->protocol_name);
  if (config->protocol != 0)
    return g_strdup_printf ("%d", config->protocol);
  return g_strdup ("");
}

static void
on_protocol_typed (SpSocketForm *self)
{
  g_autoptr(GError) error = NULL;
  const char *name = NULL;
  int number = 0;

  sp_protocol_parse (row_text (self->protocol_row), _("Protocol"), &number, &name, &error);
  sp_field_set_error (GTK_WIDGET (self->protocol_row), GTK_WIDGET (self->protocol_error),
                      error != NULL ? error->message : NULL);
  set_invalid (self, INVALID_PROTOCOL, error != NULL);
  if (error == NULL && self->config != NULL)
    sp_socket_config_set_protocol (self->config, number, name);
}

static void
on_config_protocol (SpSocketForm *self)
{
  const char *name = NULL;
  int number = -1;
  g_autofree char *text = NULL;

  /* What is typed stays as typed ("TCP") while it means the same. */
  if (sp_protocol_parse (row_text (self->protocol_row), _("Protocol"), &number, &name, NULL) &&
      number == self->config->protocol)
    return;

  text = protocol_text (self->config);
  sp_field_set_text (GTK_EDITABLE (self->protocol_row), text);
}

/* Family: an address that belonged to the old family gives way */

static void
on_config_family (SpSocketForm *self)
{
  SpSocketConfig *config = self->config;
  SpFamily old = self->family;
  g_autofree char *old_default = sp_default_address (old, config->id);
  const char *address = config->address;

  self->family = config->family;
  if (old == config->family)
    return;

  /* Its default, the loopback an unset address stands for, or anything the
   * new family cannot use becomes the new family's own default. */
  if (address == NULL || g_strcmp0 (address, old_default) == 0 ||
      g_str_equal (address, sp_endpoint_loopback_text (old)) ||
      !sp_field_check_address (config->family, address, NULL, NULL))
    {
      g_autofree char *wanted = sp_default_address (config->family, config->id);

      sp_socket_config_set_address (config, wanted);
    }

  validate_address (self);
  validate_port (self);
}

/* Impairment: the session's, read by the player at each step, so a change
 * applies from the next datagram on, socket open or not. */

static void
on_impair_changed (SpSocketForm *self)
{
  SpImpairmentSettings settings = { 0, };

  if (self->config == NULL)
    return;

  settings.drop = gtk_spin_button_get_value_as_int (self->impair_spins[IMPAIR_DROP]);
  settings.duplicate = gtk_spin_button_get_value_as_int (self->impair_spins[IMPAIR_DUPLICATE]);
  settings.reorder = gtk_spin_button_get_value_as_int (self->impair_spins[IMPAIR_REORDER]);
  settings.delay_ms = gtk_spin_button_get_value_as_int (self->impair_spins[IMPAIR_DELAY]);
  settings.seed = (guint32) gtk_spin_button_get_value (self->impair_spins[IMPAIR_SEED]);
  sp_socket_config_set_impair (self->config,
                               adw_expander_row_get_enable_expansion (self->impair_row),
                               &settings);
}

static void
refresh_impair (SpSocketForm *self)
{
  const SpImpairmentSettings *impair;

  gtk_widget_set_visible (self->impair_group,
                          self->config != NULL && sp_socket_config_can_impair (self->config));
  if (self->config == NULL)
    return;

  impair = &self->config->impair;
  g_signal_handlers_block_by_func (self->impair_row, on_impair_changed, self);
  for (guint i = 0; i < N_IMPAIR; i++)
    g_signal_handlers_block_by_func (self->impair_spins[i], on_impair_changed, self);

  adw_expander_row_set_enable_expansion (self->impair_row, self->config->has_impair);
  gtk_spin_button_set_value (self->impair_spins[IMPAIR_DROP], impair->drop);
  gtk_spin_button_set_value (self->impair_spins[IMPAIR_DUPLICATE], impair->duplicate);
  gtk_spin_button_set_value (self->impair_spins[IMPAIR_REORDER], impair->reorder);
  gtk_spin_button_set_value (self->impair_spins[IMPAIR_DELAY], impair->delay_ms);
  gtk_spin_button_set_value (self->impair_spins[IMPAIR_SEED], impair->seed);

  g_signal_handlers_unblock_by_func (self->impair_row, on_impair_changed, self);
  for (guint i = 0; i < N_IMPAIR; i++)
    g_signal_handlers_unblock_by_func (self->impair_spins[i], on_impair_changed, self);
}

/* Locks: what the kernel has fixed cannot change, and the form says why */

static void
refresh_locks (SpSocketForm *self)
{
  const char *fixed = _("Family, type and protocol are fixed: socket() has made the socket.");
  const char *bound = _("The address and port are fixed: the socket is bound.");
  SpFamily family = self->config != NULL ? self->config->family : SP_FAMILY_INET;
  /* socket() has made it: its family, type and protocol are fixed. */
  gboolean open = sp_socket_is_open (self->socket);
  gboolean bound_now = is_bound (self);
  g_autoptr(GString) note = g_string_new (NULL);

  sp_field_set_locked (GTK_WIDGET (self->family_row), open, fixed);
  sp_field_set_locked (GTK_WIDGET (self->type_row), open, fixed);
  sp_field_set_locked (GTK_WIDGET (self->protocol_row), open, fixed);
  sp_field_set_locked (GTK_WIDGET (self->address_row), bound_now, bound);
  sp_field_set_locked (GTK_WIDGET (self->port_row), bound_now || family == SP_FAMILY_UNIX,
                       family == SP_FAMILY_UNIX ? _("A UNIX socket has a path, not a port")
                                                : bound);

  if (open)
    g_string_append (note, fixed);
  if (bound_now)
    g_string_append_printf (note, "%s%s", note->len > 0 ? " " : "", bound);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->lock_note), note->str);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_note), note->len > 0);
}

static void
on_socket_state (SpSocketForm *self)
{
  refresh_locks (self);
}

static void
on_config_kind (SpSocketForm *self)
{
  refresh_locks (self);
  refresh_impair (self);
}

static void
on_option_perform (SpSocketForm *self,
                   SpStep       *step)
{
  g_signal_emit (self, signals[PERFORM], 0, step);
}

/* The widget */

static void
sp_socket_form_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_VALID:
      g_value_set_boolean (value, sp_socket_form_get_valid (SP_SOCKET_FORM (object)));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_socket_form_dispose (GObject *object)
{
  SpSocketForm *self = SP_SOCKET_FORM (object);

  if (self->bindings != NULL)
    g_binding_group_set_source (self->bindings, NULL);
  if (self->config_signals != NULL)
    {
      g_signal_group_set_target (self->config_signals, NULL);
      g_signal_group_set_target (self->socket_signals, NULL);
    }
  g_clear_object (&self->bindings);
  g_clear_object (&self->config_signals);
  g_clear_object (&self->socket_signals);
  g_clear_object (&self->config);
  g_clear_object (&self->socket);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_SOCKET_FORM);

  G_OBJECT_CLASS (sp_socket_form_parent_class)->dispose (object);
}

static void
sp_socket_form_class_init (SpSocketFormClass *klass)
{
  static const char *impair_ids[N_IMPAIR] = {
    "impair_drop_spin", "impair_duplicate_spin", "impair_reorder_spin", "impair_delay_spin",
    "impair_seed_spin",
  };
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_socket_form_get_property;
  object_class->dispose = sp_socket_form_dispose;

  properties[PROP_VALID] =
    g_param_spec_boolean ("valid", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PERFORM] =
    g_signal_new ("perform", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_STEP);

  g_type_ensure (SP_TYPE_OPTION_GROUP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-socket-form.ui");
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, lock_note);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, family_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, type_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, protocol_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, protocol_error);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, address_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, address_error);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, address_hint);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, port_row);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, port_error);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, option_group);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, impair_group);
  gtk_widget_class_bind_template_child (widget_class, SpSocketForm, impair_row);
  for (guint i = 0; i < N_IMPAIR; i++)
    gtk_widget_class_bind_template_child_full (widget_class, impair_ids[i], FALSE,
                                               G_STRUCT_OFFSET (SpSocketForm, impair_spins)
                                               + i * sizeof (gpointer));
}

static void
sp_socket_form_init (SpSocketForm *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The options' setsockopt calls are the form's to hand on. */
  g_signal_connect_swapped (self->option_group, "perform", G_CALLBACK (on_option_perform), self);

  /* The config's values show in the fields, and what is typed goes back
   * into the config once it is valid. */
  self->bindings = g_binding_group_new ();
  g_binding_group_bind (self->bindings, "family", self->family_row, "selected",
                        G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_binding_group_bind (self->bindings, "socket-type", self->type_row, "selected",
                        G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_binding_group_bind_full (self->bindings, "address", self->address_row, "text",
                             G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                             address_to_text, text_to_address, self, NULL);
  g_binding_group_bind_full (self->bindings, "port", self->port_row, "text",
                             G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                             port_to_text, text_to_port, self, NULL);

  self->config_signals = g_signal_group_new (SP_TYPE_SOCKET_CONFIG);
  g_signal_group_connect_swapped (self->config_signals, "notify::family",
                                  G_CALLBACK (on_config_family), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::family",
                                  G_CALLBACK (on_config_kind), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::socket-type",
                                  G_CALLBACK (on_config_kind), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::protocol",
                                  G_CALLBACK (on_config_protocol), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::protocol-name",
                                  G_CALLBACK (on_config_protocol), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::impair",
                                  G_CALLBACK (refresh_impair), self);

  self->socket_signals = g_signal_group_new (SP_TYPE_SOCKET);
  g_signal_group_connect_swapped (self->socket_signals, "notify::state",
                                  G_CALLBACK (on_socket_state), self);

  g_signal_connect_swapped (self->protocol_row, "changed", G_CALLBACK (on_protocol_typed), self);
  g_signal_connect_swapped (self->address_row, "changed", G_CALLBACK (validate_address), self);
  g_signal_connect_swapped (self->port_row, "changed", G_CALLBACK (validate_port), self);
  g_signal_connect_swapped (self->impair_row, "notify::enable-expansion",
                            G_CALLBACK (on_impair_changed), self);
  for (guint i = 0; i < N_IMPAIR; i++)
    g_signal_connect_swapped (self->impair_spins[i], "value-changed",
                              G_CALLBACK (on_impair_changed), self);
}

GtkWidget *
sp_socket_form_new (void)
{
  return g_object_new (SP_TYPE_SOCKET_FORM, NULL);
}

void
sp_socket_form_set_config (SpSocketForm   *self,
                           SpSocketConfig *config)
{
  g_autofree char *protocol = NULL;

  g_return_if_fail (SP_IS_SOCKET_FORM (self));
  g_return_if_fail (config == NULL || SP_IS_SOCKET_CONFIG (config));

  if (!g_set_object (&self->config, config))
    return;

  if (config != NULL)
    self->family = config->family;
  g_signal_group_set_target (self->config_signals, config);
  g_binding_group_set_source (self->bindings, config);

  if (config != NULL)
    {
      protocol = protocol_text (config);
      sp_field_set_text (GTK_EDITABLE (self->protocol_row), protocol);
    }
  validate_address (self);
  validate_port (self);
  sp_option_group_set_config (self->option_group, config);
  refresh_impair (self);
  refresh_locks (self);
}

void
sp_socket_form_set_socket (SpSocketForm *self,
                           SpSocket     *socket)
{
  g_return_if_fail (SP_IS_SOCKET_FORM (self));
  g_return_if_fail (socket == NULL || SP_IS_SOCKET (socket));

  if (!g_set_object (&self->socket, socket))
    return;

  g_signal_group_set_target (self->socket_signals, socket);
  sp_option_group_set_socket (self->option_group, socket);
  refresh_locks (self);
}

gboolean
sp_socket_form_get_valid (SpSocketForm *self)
{
  g_return_val_if_fail (SP_IS_SOCKET_FORM (self), FALSE);
  return self->config == NULL || self->invalid == 0;
}

gboolean
sp_socket_form_is_valid_for (SpSocketForm *self,
                             SpCall        call)
{
  g_return_val_if_fail (SP_IS_SOCKET_FORM (self), FALSE);

  if (self->config == NULL)
    return TRUE;
  if (call == SP_CALL_SOCKET)
    return (self->invalid & INVALID_PROTOCOL) == 0;
  if (call == SP_CALL_BIND)
    return (self->invalid & (INVALID_ADDRESS | INVALID_PORT)) == 0;
  return TRUE;
}
