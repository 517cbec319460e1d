/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-address-defaults.h"
#include "sp-endpoint.h"
#include "sp-field.h"
#include "sp-new-socket-dialog.h"

struct _SpNewSocketDialog
{
  AdwMessageDialog  parent_instance;

  AdwEntryRow      *name_row;
  GtkLabel         *name_error;
  AdwComboRow      *family_row;
  AdwComboRow      *type_row;
  AdwEntryRow      *address_row;
  AdwActionRow     *address_error;
  AdwActionRow     *address_hint;
  AdwEntryRow      *port_row;
  AdwActionRow     *port_error;

  SpSession        *session;
  /* What the address field was given as a default, so that a change of
   * family or name replaces it only when the user has not typed their own. */
  char             *shown_default;
  SpFamily          shown_family;
};

G_DEFINE_FINAL_TYPE (SpNewSocketDialog, sp_new_socket_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* The types the dialog offers, in the order of its list; the socket's own
 * settings offer every type once it is added. */
static const SpSocketType types[] = { SP_SOCKET_TYPE_STREAM, SP_SOCKET_TYPE_DGRAM };

static const char *
get_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* NULL when `name` may be used, else what is wrong with it. */
static char *
check_name (SpNewSocketDialog *self,
            const char        *name)
{
  if (name[0] == '\0')
    return g_strdup (_("Name: give the socket a name"));
  if (!sp_socket_config_id_is_valid (name))
    return g_strdup (_("Name: start with a letter or “_”, then letters, digits, “_” or “-”, "
                       "at most 64 characters"));
  if (sp_session_has_socket_id (self->session, name))
    return g_strdup_printf (_("Name: the session already has a socket “%s”"), name);
  return NULL;
}

static SpFamily
selected_family (SpNewSocketDialog *self)
{
  return (SpFamily) MIN (adw_combo_row_get_selected (self->family_row), SP_FAMILY_UNIX);
}

static SpSocketType
selected_type (SpNewSocketDialog *self)
{
  return types[MIN (adw_combo_row_get_selected (self->type_row), G_N_ELEMENTS (types) - 1)];
}

/* NULL when the address may be bound (a host name is looked up when the
 * step runs), else what is wrong with it. */
static char *
check_address (SpNewSocketDialog *self)
{
  g_autoptr(GError) error = NULL;
  SpFamily family = selected_family (self);
  const char *text = get_text (self->address_row);

  if (family == SP_FAMILY_UNIX && text[0] == '\0')
    return g_strdup (_("Address: give a path, or @ and a name"));
  if (!sp_field_check_address (family, text, _("Address"), &error))
    return g_strdup (error->message);
  return NULL;
}

/* NULL when the port is valid (a UNIX socket has none), else what is wrong. */
static char *
check_port (SpNewSocketDialog *self)
{
  g_autoptr(GError) error = NULL;
  guint16 port;

  if (selected_family (self) == SP_FAMILY_UNIX ||
      sp_endpoint_parse_port (get_text (self->port_row), _("Port"), &port, &error))
    return NULL;
  return g_strdup (error->message);
}

static void
update_response (SpNewSocketDialog *self)
{
  g_autofree char *name_problem = check_name (self, get_text (self->name_row));
  g_autofree char *address_problem = check_address (self);
  g_autofree char *port_problem = check_port (self);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "add",
                                           name_problem == NULL && address_problem == NULL &&
                                           port_problem == NULL);
}

static void
on_address_changed (SpNewSocketDialog *self)
{
  g_autofree char *problem = check_address (self);
  SpFamily family = selected_family (self);
  gboolean every = problem == NULL && family != SP_FAMILY_UNIX &&
                   sp_address_is_every_interface (family, get_text (self->address_row));

  sp_field_set_error (GTK_WIDGET (self->address_row), GTK_WIDGET (self->address_error), problem);

  /* Binding every interface is allowed, and said plainly. */
  gtk_widget_set_visible (GTK_WIDGET (self->address_hint), every);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_hint),
                                 every ? sp_every_interface_hint () : "");
  update_response (self);
}

static void
on_port_changed (SpNewSocketDialog *self)
{
  g_autofree char *problem = check_port (self);

  sp_field_set_error (GTK_WIDGET (self->port_row), GTK_WIDGET (self->port_error), problem);
  update_response (self);
}

/* The family's own default address (loopback unless the preferences say
 * otherwise; a name of its own for UNIX), unless the user typed one. */
static void
update_default_address (SpNewSocketDialog *self)
{
  SpFamily family = selected_family (self);
  g_autofree char *wanted = sp_default_address (family, get_text (self->name_row));
  /* An IP address is never meant as a path, nor a path as an address. */
  gboolean crossed = self->shown_default != NULL &&
                     (family == SP_FAMILY_UNIX) != (self->shown_family == SP_FAMILY_UNIX);

  self->shown_family = family;
  if (self->shown_default == NULL || crossed ||
      g_str_equal (get_text (self->address_row), self->shown_default))
    {
      g_free (self->shown_default);
      self->shown_default = g_strdup (wanted);
      gtk_editable_set_text (GTK_EDITABLE (self->address_row), wanted);
    }

  /* A UNIX socket has a path, not a port. */
  gtk_widget_set_visible (GTK_WIDGET (self->port_row), selected_family (self) != SP_FAMILY_UNIX);
  on_address_changed (self);
  on_port_changed (self);
}

static void
on_name_changed (SpNewSocketDialog *self)
{
  const char *name = get_text (self->name_row);
  g_autofree char *problem = check_name (self, name);

  /* An empty field is not an error yet: the user has not typed. */
  sp_field_set_error (GTK_WIDGET (self->name_row), GTK_WIDGET (self->name_error),
                      name[0] != '\0' ? problem : NULL);

  /* A UNIX socket's default name follows the socket's. */
  update_default_address (self);
}

static void
sp_new_socket_dialog_dispose (GObject *object)
{
  SpNewSocketDialog *self = SP_NEW_SOCKET_DIALOG (object);

  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_NEW_SOCKET_DIALOG);

  G_OBJECT_CLASS (sp_new_socket_dialog_parent_class)->dispose (object);
}

static void
sp_new_socket_dialog_finalize (GObject *object)
{
  SpNewSocketDialog *self = SP_NEW_SOCKET_DIALOG (object);

  g_free (self->shown_default);

  G_OBJECT_CLASS (sp_new_socket_dialog_parent_class)->finalize (object);
}

static void
sp_new_socket_dialog_class_init (SpNewSocketDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_new_socket_dialog_dispose;
  object_class->finalize = sp_new_socket_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-new-socket-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, family_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, address_error);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, address_hint);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, port_error);
}

static void
sp_new_socket_dialog_init (SpNewSocketDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (on_name_changed), self);
  g_signal_connect_swapped (self->address_row, "changed", G_CALLBACK (on_address_changed), self);
  g_signal_connect_swapped (self->port_row, "changed", G_CALLBACK (on_port_changed), self);
  g_signal_connect_swapped (self->family_row, "notify::selected",
                            G_CALLBACK (update_default_address), self);
  g_signal_connect_swapped (self->type_row, "notify::selected", G_CALLBACK (update_response),
                            self);
}

SpNewSocketDialog *
sp_new_socket_dialog_new (GtkWindow *parent,
                          SpSession *session)
{
  SpNewSocketDialog *self;
  g_autofree char *suggestion = NULL;

  g_return_val_if_fail (SP_IS_SESSION (session), NULL);

  self = g_object_new (SP_TYPE_NEW_SOCKET_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
  self->session = g_object_ref (session);

  /* The notes' names: a first socket is the server, a second the client. */
  if (!sp_session_has_socket_id (session, "server"))
    suggestion = g_strdup ("server");
  else if (!sp_session_has_socket_id (session, "client"))
    suggestion = g_strdup ("client");
  else
    for (guint i = 2; suggestion == NULL; i++)
      {
        g_autofree char *name = g_strdup_printf ("client%u", i);

        if (!sp_session_has_socket_id (session, name))
          suggestion = g_steal_pointer (&name);
      }

  sp_new_socket_dialog_set_name (self, suggestion);
  return self;
}

void
sp_new_socket_dialog_set_name (SpNewSocketDialog *self,
                               const char        *name)
{
  g_return_if_fail (SP_IS_NEW_SOCKET_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
  on_name_changed (self);
}

SpSocketConfig *
sp_new_socket_dialog_get_config (SpNewSocketDialog *self)
{
  g_autofree char *name_problem = NULL;
  g_autofree char *address_problem = NULL;
  g_autofree char *port_problem = NULL;
  SpSocketConfig *config;
  guint16 port;

  g_return_val_if_fail (SP_IS_NEW_SOCKET_DIALOG (self), NULL);

  name_problem = check_name (self, get_text (self->name_row));
  address_problem = check_address (self);
  port_problem = check_port (self);
  if (name_problem != NULL || address_problem != NULL || port_problem != NULL)
    return NULL;

  config = sp_socket_config_new (get_text (self->name_row), selected_family (self),
                                 selected_type (self));
  config->address = g_strdup (get_text (self->address_row));
  if (selected_family (self) != SP_FAMILY_UNIX &&
      sp_endpoint_parse_port (get_text (self->port_row), NULL, &port, NULL))
    config->port = port;
  return config;
}
