/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-endpoint.h"
#include "sp-preferences-window.h"

struct _SpPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *bind_address_row;
  AdwActionRow         *bind_address_error;
  AdwComboRow          *encoding_row;
  GtkStringList        *encodings;
  GtkSpinButton        *log_cap_button;
  GtkSwitch            *animations_switch;

  GSettings            *settings;
};

G_DEFINE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* An address a socket can be bound to without resolving a name: the
 * literals SpEndpoint reads for an IPv6 socket (IPv4 ones become their
 * IPv4-mapped form there, so both families pass), or "" for every
 * interface. */
static gboolean
check_bind_address (const char  *text,
                    GError     **error)
{
  g_autoptr(GInetAddress) address = NULL;

  address = sp_endpoint_parse_inet_address (SP_FAMILY_INET6, text, _("Default bind address"),
                                            error);
  return address != NULL;
}

static void
on_bind_address_changed (SpPreferencesWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->bind_address_row));
  g_autoptr(GError) error = NULL;
  gboolean valid = check_bind_address (text, &error);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->bind_address_error),
                                 valid ? "" : error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->bind_address_error), !valid);
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (self->bind_address_row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->bind_address_row), "error");
}

/* An address that is not valid stays in the field, with its error, and the
 * setting keeps the last valid one. */
static GVariant *
bind_address_to_setting (const GValue       *value,
                         const GVariantType *expected_type,
                         gpointer            user_data)
{
  const char *text = g_value_get_string (value);

  if (text == NULL || !check_bind_address (text, NULL))
    return NULL;

  return g_variant_new_string (text);
}

static gboolean
encoding_from_setting (GValue   *value,
                       GVariant *variant,
                       gpointer  user_data)
{
  GListModel *encodings = G_LIST_MODEL (user_data);
  const char *encoding = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (encodings); i++)
    {
      const char *item = gtk_string_list_get_string (GTK_STRING_LIST (encodings), i);

      if (g_strcmp0 (item, encoding) == 0)
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  return FALSE;
}

static GVariant *
encoding_to_setting (const GValue       *value,
                     const GVariantType *expected_type,
                     gpointer            user_data)
{
  const char *encoding = gtk_string_list_get_string (GTK_STRING_LIST (user_data),
                                                     g_value_get_uint (value));

  return encoding != NULL ? g_variant_new_string (encoding) : NULL;
}

/* The encodings offered are the ones the schema allows. */
static void
fill_encodings (SpPreferencesWindow *self)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GVariant) range = NULL;
  g_autoptr(GVariant) choices = NULL;
  g_autofree const char **names = NULL;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  key = g_settings_schema_get_key (schema, "default-encoding");
  range = g_settings_schema_key_get_range (key);
  g_variant_get (range, "(&sv)", NULL, &choices);
  names = g_variant_get_strv (choices, NULL);

  gtk_string_list_splice (self->encodings, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->encodings)),
                          names);
}

static void
sp_preferences_window_dispose (GObject *object)
{
  SpPreferencesWindow *self = SP_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_preferences_window_parent_class)->dispose (object);
}

static void
sp_preferences_window_class_init (SpPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, bind_address_row);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, bind_address_error);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, encodings);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, log_cap_button);
  gtk_widget_class_bind_template_child (widget_class, SpPreferencesWindow, animations_switch);
}

static void
sp_preferences_window_init (SpPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->bind_address_row, "changed",
                            G_CALLBACK (on_bind_address_changed), self);

  self->settings = g_settings_new (APP_ID);
  fill_encodings (self);

  g_settings_bind_with_mapping (self->settings, "default-bind-address",
                                self->bind_address_row, "text",
                                G_SETTINGS_BIND_DEFAULT,
                                NULL, bind_address_to_setting, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "default-encoding",
                                self->encoding_row, "selected",
                                G_SETTINGS_BIND_DEFAULT,
                                encoding_from_setting, encoding_to_setting,
                                self->encodings, NULL);
  g_settings_bind (self->settings, "log-cap-mib",
                   self->log_cap_button, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "animations-enabled",
                   self->animations_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

SpPreferencesWindow *
sp_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (SP_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
}
