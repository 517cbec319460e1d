/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <adwaita.h>

#include "sp-data.h"
#include "sp-endpoint.h"
#include "sp-field.h"

void
sp_field_set_error (GtkWidget  *field,
                    GtkWidget  *message_widget,
                    const char *message)
{
  if (message != NULL)
    {
      gtk_widget_add_css_class (field, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (field),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (field),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (field, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }

  if (message_widget == NULL)
    return;

  if (GTK_IS_LABEL (message_widget))
    gtk_label_set_text (GTK_LABEL (message_widget), message != NULL ? message : "");
  else if (ADW_IS_PREFERENCES_ROW (message_widget))
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (message_widget),
                                   message != NULL ? message : "");
  gtk_widget_set_visible (message_widget, message != NULL);
}

void
sp_field_set_text (GtkEditable *field,
                   const char  *text)
{
  if (g_strcmp0 (gtk_editable_get_text (field), text) != 0)
    gtk_editable_set_text (field, text);
}

gboolean
sp_field_parse_number (const char  *text,
                       const char  *field,
                       gint64       min,
                       gint64       max,
                       gint64      *value,
                       GError     **error)
{
  if (!g_ascii_string_to_signed (text, 10, min, max, value, NULL))
    {
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("%s: must be a whole number from %lld to %lld"),
                   field, (long long) min, (long long) max);
      return FALSE;
    }

  return TRUE;
}

gboolean
sp_field_check_address (SpFamily     family,
                        const char  *text,
                        const char  *field,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GObject) parsed = NULL;

  if (family == SP_FAMILY_UNIX)
    parsed = G_OBJECT (sp_endpoint_parse_unix (text, field, &local_error));
  else
    parsed = G_OBJECT (sp_endpoint_parse_inet_address (family, text, field, &local_error));

  if (parsed != NULL ||
      g_error_matches (local_error, SP_ENDPOINT_ERROR, SP_ENDPOINT_ERROR_NEEDS_RESOLVING))
    return TRUE;

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

void
sp_field_set_locked (GtkWidget  *field,
                     gboolean    locked,
                     const char *why)
{
  gtk_widget_set_sensitive (field, !locked);
  gtk_widget_set_tooltip_text (field, locked ? why : NULL);
  if (locked && why != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (field),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why,
                                    -1);
  else if (!gtk_widget_has_css_class (field, "error"))
    gtk_accessible_reset_property (GTK_ACCESSIBLE (field), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}
