/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-address-defaults.h"
#include "sp-endpoint.h"
#include "sp-new-socket-dialog.h"

struct _SpNewSocketDialog
{
  AdwMessageDialog  parent_instance;

  AdwEntryRow      *name_row;
  GtkLabel         *name_error;
  AdwComboRow      *kind_row;
  AdwEntryRow      *address_row;
  AdwActionRow     *address_error;
  AdwActionRow     *address_hint;

  SpSession        *session;
  /* What the address field was given for the kind, so that a change of
   * kind replaces it only when the user has not typed their own. */
  char             *shown_default;
};

G_DEFINE_FINAL_TYPE (SpNewSocketDialog, sp_new_socket_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* The kinds in the order of the template's list. */
static const struct
{
  SpFamily     family;
  SpSocketType type;
} kinds[] = {
  { SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM },
  { SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM },
  { SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM },
  { SP_FAMILY_INET6, SP_SOCKET_TYPE_DGRAM },
  { SP_FAMILY_UNIX, SP_SOCKET_TYPE_STREAM },
  { SP_FAMILY_UNIX, SP_SOCKET_TYPE_DGRAM },
};

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
  guint kind = MIN (adw_combo_row_get_selected (self->kind_row), G_N_ELEMENTS (kinds) - 1);

  return kinds[kind].family;
}

/* NULL when the address may be bound (a host name is resolved when the
 * step runs), else what is wrong with it. */
static char *
check_address (SpNewSocketDialog *self,
               const char        *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) address = NULL;
  SpFamily family = selected_family (self);

  if (family == SP_FAMILY_UNIX)
    return NULL;

  address = sp_endpoint_parse_inet_address (family, text, _("Address"), &error);
  if (address != NULL ||
      g_error_matches (error, SP_ENDPOINT_ERROR, SP_ENDPOINT_ERROR_NEEDS_RESOLVING))
    return NULL;
  return g_strdup (error->message);
}

static void
update_address (SpNewSocketDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *problem = check_address (self, text);
  SpFamily family = selected_family (self);
  gboolean every = problem == NULL && sp_address_is_every_interface (family, text);

  gtk_widget_set_visible (GTK_WIDGET (self->address_row), family != SP_FAMILY_UNIX);
  gtk_widget_set_visible (GTK_WIDGET (self->address_error), problem != NULL);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_error),
                                 problem != NULL ? problem : "");
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->address_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->address_row), "error");

  /* Binding every interface is allowed, and said plainly. */
  gtk_widget_set_visible (GTK_WIDGET (self->address_hint), every);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->address_hint),
                                 every ? sp_every_interface_hint () : "");
}

static void
update_response (SpNewSocketDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *name_problem = check_name (self, name);
  g_autofree char *address_problem = check_address (self, address);

  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "add",
                                           name_problem == NULL && address_problem == NULL);
}

static void
on_address_changed (SpNewSocketDialog *self)
{
  update_address (self);
  update_response (self);
}

static void
on_kind_changed (SpNewSocketDialog *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->address_row));
  g_autofree char *wanted = sp_default_bind_address (selected_family (self));

  /* The new kind's own default, unless the user typed an address. */
  if (wanted != NULL && (self->shown_default == NULL || g_str_equal (text, self->shown_default)))
    {
      g_free (self->shown_default);
      self->shown_default = g_strdup (wanted);
      gtk_editable_set_text (GTK_EDITABLE (self->address_row), wanted);
    }

  on_address_changed (self);
}

static void
on_name_changed (SpNewSocketDialog *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  g_autofree char *problem = check_name (self, name);

  /* An empty field is not an error yet: the user has not typed. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_error), problem != NULL && name[0] != '\0');
  gtk_label_set_label (self->name_error, problem != NULL ? problem : "");
  if (problem != NULL && name[0] != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");

  update_response (self);
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
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, address_row);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, address_error);
  gtk_widget_class_bind_template_child (widget_class, SpNewSocketDialog, address_hint);
}

static void
sp_new_socket_dialog_init (SpNewSocketDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->name_row, "changed", G_CALLBACK (on_name_changed), self);
  g_signal_connect_swapped (self->address_row, "changed", G_CALLBACK (on_address_changed), self);
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (on_kind_changed),
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
  on_kind_changed (self);

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
  const char *name;
  g_autofree char *problem = NULL;
  guint kind;
  SpSocketConfig *config;

  g_return_val_if_fail (SP_IS_NEW_SOCKET_DIALOG (self), NULL);

  name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  problem = check_name (self, name);
  if (problem == NULL)
    problem = check_address (self, gtk_editable_get_text (GTK_EDITABLE (self->address_row)));
  if (problem != NULL)
    return NULL;

  kind = MIN (adw_combo_row_get_selected (self->kind_row), G_N_ELEMENTS (kinds) - 1);
  config = sp_socket_config_new (name, kinds[kind].family, kinds[kind].type);

  /* The address field starts at a safe default (loopback, unless the
   * preferences say otherwise); a UNIX socket gets an abstract name of its
   * own. */
  if (kinds[kind].family == SP_FAMILY_UNIX)
    config->address = g_strdup_printf ("@socket-playground-%s", name);
  else
    config->address = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->address_row)));

  return config;
}
