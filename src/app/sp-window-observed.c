/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-labels.h"
#include "sp-observed-page.h"
#include "sp-window-private.h"

/* The sockets of the programs run from the window (DESIGN.md, "Watching a
 * program you wrote") in the sidebar, after the session's: a row for each
 * program, its sockets under it in the order they appeared, the sockets
 * accept returned under their listener. Rows are added and updated once
 * per batch of the log, never rebuilt for an event. Selecting one shows
 * its diagram and a page that only watches: the program drives it. */

#define OBSERVED_PROGRAM "observed-program"   /* program index + 1 */
#define OBSERVED_LISTENER "observed-listener" /* an accepted socket's listener id */

static int
row_program (GtkListBoxRow *row)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), OBSERVED_PROGRAM)) - 1;
}

gboolean
_sp_window_is_observed (SpWindow   *self,
                        const char *id)
{
  return id != NULL && sp_player_lookup_socket (self->player, id) == NULL &&
         sp_session_find_socket (self->session, id) == NULL &&
         sp_observed_sockets_lookup (self->observed, id) != NULL;
}

static char *
describe_program (SpTrace *trace)
{
  int pid = sp_trace_get_pid (trace);
  int status;

  if (pid == 0)
    return g_strdup (sp_trace_get_running (trace) ? _("starting") : _("did not start"));
  if (sp_trace_get_running (trace))
    /* TRANSLATORS: a traced program in the sidebar: its process id, and that it runs */
    return g_strdup_printf (_("pid %d · running"), pid);

  status = sp_trace_get_exit_status (trace);
  if (status > 128 && status < 128 + 65)
    /* TRANSLATORS: a traced program in the sidebar that a signal ended */
    return g_strdup_printf (_("pid %d · ended by signal %d"), pid, status - 128);
  /* TRANSLATORS: a traced program in the sidebar that has exited */
  return g_strdup_printf (_("pid %d · exited with status %d"), pid, status);
}

static void
update_program_row (SpWindow  *self,
                    GtkWidget *row)
{
  SpTrace *trace = sp_observed_sockets_get_trace (self->observed,
                                                  row_program (GTK_LIST_BOX_ROW (row)));
  g_autofree char *subtitle = describe_program (trace);
  g_autofree char *description = NULL;

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* TRANSLATORS: what a screen reader says for a traced program in the sidebar */
  description = g_strdup_printf (_("Program %s: %s"), sp_trace_get_program (trace), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* "IPv4 · stream (TCP) · listening", or as much of it as the program's
 * calls told. */
static char *
socket_subtitle (const SpObservedSocket *socket)
{
  g_autofree char *kind = NULL;

  if (socket->family_known && socket->type_known)
    kind = sp_socket_kind_label (socket->family, socket->type);
  else if (socket->family_known)
    kind = g_strdup (sp_family_label (socket->family));
  else if (socket->type_known)
    kind = g_strdup (sp_socket_type_label (socket->type));
  else
    return g_strdup (sp_state_label (socket->state));

  /* TRANSLATORS: a socket in the sidebar: its kind, then its state */
  return g_strdup_printf (_("%s · %s"), kind, sp_state_label (socket->state));
}

static void
update_socket_row (SpWindow               *self,
                   GtkWidget              *row,
                   const SpObservedSocket *socket)
{
  g_autofree char *subtitle = socket_subtitle (socket);
  g_autofree char *description = NULL;

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* TRANSLATORS: what a screen reader says for a socket in the sidebar */
  description = g_strdup_printf (_("Socket %s: %s"), socket->id, subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

gboolean
_sp_window_update_observed_row (SpWindow  *self,
                                GtkWidget *row)
{
  const char *id = g_object_get_data (G_OBJECT (row), "socket-id");
  const SpObservedSocket *socket;

  if (row_program (GTK_LIST_BOX_ROW (row)) < 0)
    return FALSE;

  if (id == NULL)
    update_program_row (self, row);
  else if ((socket = sp_observed_sockets_lookup (self->observed, id)) != NULL)
    update_socket_row (self, row, socket);
  return TRUE;
}

static GtkWidget *
make_program_row (SpWindow *self,
                  guint     program)
{
  SpTrace *trace = sp_observed_sockets_get_trace (self->observed, program);
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), sp_trace_get_program (trace));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "utilities-terminal-symbolic");
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_add_css_class (row, "observed-program");
  g_object_set_data (G_OBJECT (row), OBSERVED_PROGRAM, GINT_TO_POINTER (program + 1));
  update_program_row (self, row);
  return row;
}

static GtkWidget *
make_socket_row (SpWindow               *self,
                 const SpObservedSocket *socket)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), socket->id);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  g_object_set_data_full (G_OBJECT (row), "socket-id", g_strdup (socket->id), g_free);
  g_object_set_data (G_OBJECT (row), OBSERVED_PROGRAM, GINT_TO_POINTER (socket->program + 1));
  gtk_widget_add_css_class (row, "observed-socket");
  if (socket->listener != NULL)
    {
      /* Under their listener, as the playground's own accepted sockets are. */
      g_object_set_data_full (G_OBJECT (row), OBSERVED_LISTENER, g_strdup (socket->listener),
                              g_free);
      gtk_widget_add_css_class (row, "accepted-socket");
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "mail-reply-sender-symbolic");
    }
  update_socket_row (self, row, socket);
  g_hash_table_insert (self->observed_rows, g_strdup (socket->id), row);
  return row;
}

/* After `row` and the rows that follow it with `key` set to `value` (an
 * int, or a string when `text` is TRUE). */
static int
position_after (GtkListBox    *list,
                GtkListBoxRow *row,
                const char    *key,
                gconstpointer  value,
                gboolean       text)
{
  int position = gtk_list_box_row_get_index (row) + 1;
  GtkListBoxRow *next;

  while ((next = gtk_list_box_get_row_at_index (list, position)) != NULL)
    {
      gconstpointer data = g_object_get_data (G_OBJECT (next), key);

      if (text ? g_strcmp0 (data, value) != 0 : data != value)
        break;
      position++;
    }
  return position;
}

static GtkListBoxRow *
find_program_row (SpWindow *self,
                  guint     program)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->socket_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (row_program (GTK_LIST_BOX_ROW (row)) == (int) program &&
          g_object_get_data (G_OBJECT (row), "socket-id") == NULL)
        return GTK_LIST_BOX_ROW (row);
    }
  return NULL;
}

/* Where a socket's row goes: after its listener's last accepted socket,
 * else at the end of its program's sockets. */
static int
socket_position (SpWindow               *self,
                 const SpObservedSocket *socket)
{
  GtkListBoxRow *listener = socket->listener != NULL
                            ? g_hash_table_lookup (self->observed_rows, socket->listener) : NULL;
  GtkListBoxRow *program;

  if (listener != NULL)
    return position_after (self->socket_list, listener, OBSERVED_LISTENER, socket->listener,
                           TRUE);
  program = find_program_row (self, socket->program);
  if (program == NULL)
    return -1;
  return position_after (self->socket_list, program, OBSERVED_PROGRAM,
                         GINT_TO_POINTER (socket->program + 1), FALSE);
}

/* The rows of programs and sockets that have none yet. */
static gboolean
add_new_rows (SpWindow *self)
{
  guint n_programs = sp_observed_sockets_get_n_programs (self->observed);
  guint n_sockets = sp_observed_sockets_get_n_sockets (self->observed);
  gboolean added = self->observed_programs_shown < n_programs ||
                   self->observed_sockets_shown < n_sockets;

  for (; self->observed_programs_shown < n_programs; self->observed_programs_shown++)
    gtk_list_box_append (self->socket_list,
                         make_program_row (self, self->observed_programs_shown));

  for (; self->observed_sockets_shown < n_sockets; self->observed_sockets_shown++)
    {
      const SpObservedSocket *socket =
        sp_observed_sockets_get_socket (self->observed, self->observed_sockets_shown);

      gtk_list_box_insert (self->socket_list, make_socket_row (self, socket),
                           socket_position (self, socket));
    }

  return added;
}

/* Called by a rebuild once the session's rows are in. */
void
_sp_window_append_observed_rows (SpWindow *self)
{
  g_hash_table_remove_all (self->observed_rows);
  self->observed_programs_shown = 0;
  self->observed_sockets_shown = 0;
  add_new_rows (self);
}

static void
on_observed_changed (SpObservedSockets *observed,
                     SpWindow          *self)
{
  GPtrArray *changed = sp_observed_sockets_get_changed (observed);

  /* A rebuild to come adds every row anyway. */
  if (self->rebuild_id != 0)
    return;

  if (add_new_rows (self))
    _sp_window_update_log_sockets (self);

  for (guint i = 0; i < changed->len; i++)
    {
      const SpObservedSocket *socket = g_ptr_array_index (changed, i);
      GtkWidget *row = g_hash_table_lookup (self->observed_rows, socket->id);

      if (row != NULL)
        update_socket_row (self, row, socket);
    }

  for (guint i = 0; i < sp_observed_sockets_get_n_programs (observed); i++)
    {
      GtkListBoxRow *row = find_program_row (self, i);

      if (row != NULL)
        update_program_row (self, GTK_WIDGET (row));
    }

  /* The first socket a program makes shows at once when nothing else does. */
  if (self->selected_id == NULL && sp_observed_sockets_get_n_sockets (observed) > 0)
    _sp_window_show_socket (self, sp_observed_sockets_get_socket (observed, 0)->id);
}

/* The page */

void
_sp_window_update_page_visibility (SpWindow *self)
{
  gboolean observed = _sp_window_is_observed (self, self->selected_id);

  if (self->socket_page != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->socket_page), !self->presentation && !observed);
  if (self->observed_page != NULL)
    gtk_widget_set_visible (self->observed_page, !self->presentation && observed);
}

/* Shows the page of observed socket `id`, or hides it for NULL. */
void
_sp_window_show_observed_page (SpWindow   *self,
                               const char *id)
{
  if (id != NULL && self->observed_page == NULL)
    {
      self->observed_page = sp_observed_page_new (self->observed);
      gtk_box_append (self->socket_box, self->observed_page);
    }
  if (id != NULL)
    sp_observed_page_set_socket_id (SP_OBSERVED_PAGE (self->observed_page), id);
  _sp_window_update_page_visibility (self);
}

void
_sp_window_init_observed (SpWindow *self)
{
  self->observed = sp_observed_sockets_new ();
  self->observed_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_signal_connect_object (self->observed, "changed", G_CALLBACK (on_observed_changed), self, 0);
  sp_lifecycle_view_set_observed (self->lifecycle_view, self->observed);
}
