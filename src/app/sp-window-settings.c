/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-decode.h"
#include "sp-recent.h"
#include "sp-window-private.h"
#include "sp-zoom.h"

/* The preferences the window follows while it lives. Without the schema
 * (self->settings NULL) the zoom is the window's own and the rest keep
 * their defaults. */

/* Zoom */

static void
show_zoom (SpWindow *self,
           double    zoom)
{
  self->zoom = sp_zoom_clamp (zoom);
  sp_zoom_apply (gtk_widget_get_display (GTK_WIDGET (self)), self->zoom);
  if (self->zoom_control != NULL)
    sp_zoom_control_set_zoom (self->zoom_control, self->zoom);

  _sp_window_set_action_enabled (self, "zoom-in", sp_zoom_in (self->zoom) > self->zoom);
  _sp_window_set_action_enabled (self, "zoom-out", sp_zoom_out (self->zoom) < self->zoom);
}

static void
on_zoom_changed (SpWindow *self)
{
  show_zoom (self, g_settings_get_double (self->settings, "zoom"));
}

void
_sp_window_set_zoom (SpWindow *self,
                     double    zoom)
{
  zoom = sp_zoom_clamp (zoom);
  if (self->settings != NULL)
    g_settings_set_double (self->settings, "zoom", zoom);
  else
    show_zoom (self, zoom);
}

/* Encodings */

static void
on_encoding_changed (SpWindow *self)
{
  g_autofree char *name = g_settings_get_string (self->settings, "default-encoding");
  SpEncoding encoding;

  if (self->socket_page != NULL)
    sp_socket_page_set_encoding (self->socket_page, name);

  /* Python's "utf-16" and "utf-32" add a byte order mark and cp1252 is
   * not Latin-1: the pane cannot decode them the same way. */
  if (!g_str_equal (name, "utf-16") && sp_encoding_from_name (name, &encoding))
    sp_log_view_set_encoding (self->log_view, encoding);
}

/* Recent sessions */

static void
on_recent_changed (SpWindow *self)
{
  g_autoptr(GMenuModel) recent = sp_recent_menu_new (self->settings);
  g_autoptr(GMenuModel) link = NULL;
  /* After "New Session" and "Open…". */
  const int position = 2;

  if (g_menu_model_get_n_items (G_MENU_MODEL (self->file_section)) > position)
    link = g_menu_model_get_item_link (G_MENU_MODEL (self->file_section), position,
                                       G_MENU_LINK_SUBMENU);
  if (link != NULL)
    g_menu_remove (self->file_section, position);

  if (recent != NULL)
    g_menu_insert_submenu (self->file_section, position, _("Open _Recent"), recent);
}

void
_sp_window_add_recent (SpWindow *self,
                       GFile    *file)
{
  if (self->settings != NULL && file != NULL)
    sp_recent_add (self->settings, file);
}

static void
on_recent_queried (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(SpWindow) self = user_data;
  GFile *file = G_FILE (object);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_info_finish (file, result, &error);
  if (info == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = NULL;

      if (self->settings != NULL)
        sp_recent_remove (self->settings, uri);
      /* TRANSLATORS: %s is a session file's name */
      message = g_strdup_printf (_("“%s” is no longer there: it was removed from the "
                                   "recent sessions"), name);
      _sp_window_toast (self, message);
      return;
    }

  /* Any other problem is the opening's to report. */
  sp_window_open (self, file);
}

void
_sp_window_open_recent (SpWindow   *self,
                        const char *uri)
{
  g_autoptr(GFile) file = g_file_new_for_uri (uri);

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE, G_FILE_QUERY_INFO_NONE,
                           G_PRIORITY_DEFAULT, NULL, on_recent_queried, g_object_ref (self));
}

void
_sp_window_init_socket_page_settings (SpWindow *self)
{
  g_autofree char *name = NULL;

  if (self->settings == NULL)
    return;

  name = g_settings_get_string (self->settings, "default-encoding");
  sp_socket_page_set_encoding (self->socket_page, name);
}

void
_sp_window_init_settings (SpWindow *self)
{
  /* What the zoom's CSS (sp-zoom.c) selects. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "sp-window");

  if (self->settings == NULL)
    {
      show_zoom (self, SP_ZOOM_DEFAULT);
      return;
    }

  g_signal_connect_object (self->settings, "changed::zoom",
                           G_CALLBACK (on_zoom_changed), self, G_CONNECT_SWAPPED);
  on_zoom_changed (self);

  g_settings_bind (self->settings, "animations-enabled", self->lifecycle_view, "animate",
                   G_SETTINGS_BIND_GET);

  g_signal_connect_object (self->settings, "changed::default-encoding",
                           G_CALLBACK (on_encoding_changed), self, G_CONNECT_SWAPPED);
  on_encoding_changed (self);

  g_signal_connect_object (self->settings, "changed::recent-sessions",
                           G_CALLBACK (on_recent_changed), self, G_CONNECT_SWAPPED);
  on_recent_changed (self);
}
