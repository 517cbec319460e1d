/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-labels.h"
#include "sp-window-private.h"

/* The sidebar: the session's sockets, with the sockets accept returned
 * under their listener, and the page of the one selected. */

static const char *
row_socket_id (GtkListBoxRow *row)
{
  return row != NULL ? g_object_get_data (G_OBJECT (row), "socket-id") : NULL;
}

/* The sidebar's row of socket `id`, or NULL. */
GtkListBoxRow *
_sp_window_find_socket_row (SpWindow   *self,
                            const char *id)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->socket_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (id != NULL && g_strcmp0 (row_socket_id (GTK_LIST_BOX_ROW (row)), id) == 0)
        return GTK_LIST_BOX_ROW (row);
    }

  return NULL;
}

static char *
socket_row_subtitle (SpSocketConfig *config,
                     SpSocket       *socket)
{
  SpFamily family = socket != NULL ? sp_socket_get_family (socket) : config->family;
  SpSocketType type = socket != NULL ? sp_socket_get_socket_type (socket) : config->type;
  SpState state = socket != NULL ? sp_socket_get_state (socket) : SP_STATE_UNCREATED;
  g_autofree char *kind = sp_socket_kind_label (family, type);

  /* TRANSLATORS: a socket in the sidebar: its kind, then its state */
  return g_strdup_printf (_("%s · %s"), kind, sp_state_label (state));
}

/* The row's subtitle and what a screen reader says, from the socket now. */
void
_sp_window_update_socket_row (SpWindow  *self,
                              GtkWidget *row)
{
  const char *id = row_socket_id (GTK_LIST_BOX_ROW (row));
  SpSocketConfig *config = sp_session_find_socket (self->session, id);
  SpSocket *socket = sp_player_lookup_socket (self->player, id);
  g_autofree char *subtitle = NULL;
  g_autofree char *description = NULL;

  if (_sp_window_update_observed_row (self, row))
    return;
  if (config == NULL && socket == NULL)
    return;

  subtitle = socket_row_subtitle (config, socket);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* TRANSLATORS: what a screen reader says for a socket in the sidebar */
  description = g_strdup_printf (_("Socket %s: %s"), id, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

void
_sp_window_update_socket_rows (SpWindow *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->socket_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    _sp_window_update_socket_row (self, row);
}

static GtkWidget *
make_socket_row (SpWindow   *self,
                 const char *id,
                 gboolean    nested)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), id);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), "socket-id", g_strdup (id), g_free);
  if (nested)
    {
      /* Accepted sockets sit under their listener, as `conn` does under
       * `sock` in the notes. */
      gtk_widget_add_css_class (row, "accepted-socket");
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "mail-reply-sender-symbolic");
    }
  _sp_window_update_socket_row (self, row);
  return row;
}

static void
append_accepted (SpWindow   *self,
                 const char *listener_id,
                 GHashTable *shown)
{
  GListModel *sockets = sp_player_get_sockets (self->player);

  for (guint i = 0; i < g_list_model_get_n_items (sockets); i++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (sockets, i);
      SpSocket *listener = sp_socket_get_listener (socket);
      const char *id = sp_socket_get_id (socket);

      if (listener == NULL || g_strcmp0 (sp_socket_get_id (listener), listener_id) != 0 ||
          g_hash_table_contains (shown, id) ||
          sp_player_lookup_socket (self->player, id) != socket)
        continue;

      g_hash_table_add (shown, g_strdup (id));
      gtk_list_box_append (self->socket_list, make_socket_row (self, id, TRUE));
    }
}

/* The log's socket filter offers the sockets the sidebar lists, in its order. */
void
_sp_window_update_log_sockets (SpWindow *self)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  GtkListBoxRow *row;

  for (guint i = 0; (row = gtk_list_box_get_row_at_index (self->socket_list, i)) != NULL; i++)
    {
      /* A traced program's row is a heading, not a socket. */
      if (row_socket_id (row) != NULL)
        g_ptr_array_add (ids, (gpointer) row_socket_id (row));
    }
  g_ptr_array_add (ids, NULL);

  sp_log_view_set_socket_ids (self->log_view, (const char * const *) ids->pdata);
}

void
_sp_window_rebuild_socket_list (SpWindow *self)
{
  GListModel *configs = sp_session_get_sockets (self->session);
  g_autoptr(GHashTable) shown = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *selected = g_strdup (self->selected_id);
  GtkWidget *child;
  GtkListBoxRow *select_row;

  self->rebuilding = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->socket_list))) != NULL)
    gtk_list_box_remove (self->socket_list, child);

  for (guint i = 0; i < g_list_model_get_n_items (configs); i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (configs, i);

      g_hash_table_add (shown, g_strdup (config->id));
      gtk_list_box_append (self->socket_list, make_socket_row (self, config->id, FALSE));
      append_accepted (self, config->id, shown);
    }
  _sp_window_append_observed_rows (self);

  _sp_window_update_log_sockets (self);

  select_row = _sp_window_find_socket_row (self, selected);
  for (guint i = 0; select_row == NULL || !gtk_list_box_row_get_selectable (select_row); i++)
    if ((select_row = gtk_list_box_get_row_at_index (self->socket_list, i)) == NULL)
      break;
  gtk_list_box_select_row (self->socket_list, select_row);
  self->rebuilding = FALSE;

  if (g_strcmp0 (row_socket_id (select_row), self->selected_id) != 0 || select_row == NULL)
    _sp_window_select_socket (self, row_socket_id (select_row));
}

static gboolean
on_rebuild_idle (gpointer user_data)
{
  SpWindow *self = user_data;

  self->rebuild_id = 0;
  _sp_window_rebuild_socket_list (self);
  return G_SOURCE_REMOVE;
}

/* Many changes come at once (a restart closes every socket): rebuild once. */
void
_sp_window_queue_rebuild (SpWindow *self)
{
  if (self->rebuild_id == 0)
    self->rebuild_id = g_idle_add (on_rebuild_idle, self);
}

/* The socket page is the largest part of the window and shows only once
 * there is a socket to show: made then, it is not built at start. */
static void
ensure_socket_page (SpWindow *self)
{
  if (self->socket_page != NULL)
    return;

  self->socket_page = SP_SOCKET_PAGE (sp_socket_page_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->socket_page), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->socket_page), !self->presentation);
  sp_socket_page_set_player (self->socket_page, self->player);
  sp_socket_page_set_observed (self->socket_page, self->observed);
  g_signal_connect_object (self->socket_page, "show-socket", G_CALLBACK (_sp_window_show_socket),
                           self, G_CONNECT_SWAPPED);
  _sp_window_init_socket_page_settings (self);
  gtk_box_append (self->socket_box, GTK_WIDGET (self->socket_page));
}

void
_sp_window_select_socket (SpWindow   *self,
                          const char *id)
{
  gboolean observed = _sp_window_is_observed (self, id);

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);

  /* A traced program's socket has no calls to offer: the program makes
   * them. Its page only watches. */
  if (id != NULL && !observed)
    ensure_socket_page (self);
  if (self->socket_page != NULL && !observed)
    sp_socket_page_set_socket_id (self->socket_page, id);
  _sp_window_show_observed_page (self, observed ? id : NULL);
  sp_lifecycle_view_set_socket_id (self->lifecycle_view, id);
  gtk_label_set_label (self->diagram_title, id != NULL ? id : "");
  gtk_stack_set_visible_child_name (self->page_stack, id != NULL ? "socket" : "empty");
  _sp_window_update_actions (self);
}

void
_sp_window_show_socket (SpWindow   *self,
                        const char *id)
{
  GtkListBoxRow *row = _sp_window_find_socket_row (self, id);

  /* A socket accept has just made gets its row on the next rebuild, which
   * selects the socket selected by then. */
  if (row != NULL)
    gtk_list_box_select_row (self->socket_list, row);
  else if (g_strcmp0 (id, self->selected_id) != 0)
    _sp_window_select_socket (self, id);
}

void
_sp_window_on_row_selected (GtkListBox    *list,
                            GtkListBoxRow *row,
                            SpWindow      *self)
{
  /* A rebuild removes every row first; it selects again when done. */
  if (self->rebuilding || row == NULL)
    return;

  _sp_window_select_socket (self, row_socket_id (row));
}
