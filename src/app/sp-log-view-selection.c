/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-log-view-private.h"

/* Selection */

/* How often the newest bytes are looked for while events arrive: a burst
 * must not redraw the hex pane at every batch. */
#define NEWEST_INTERVAL_MS 250

static gboolean
on_newest_timeout (gpointer user_data)
{
  SpLogView *self = user_data;
  guint n;

  self->newest_id = 0;
  if (self->log == NULL || gtk_single_selection_get_selected_item (self->selection) != NULL)
    return G_SOURCE_REMOVE;

  n = sp_traffic_log_get_n_appended (self->log);
  for (guint i = n; i > self->newest_scanned; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (self->log, i - 1);
      g_autoptr(GBytes) payload = sp_event_get_payload (event);

      if (payload != NULL && g_bytes_get_size (payload) > 0)
        {
          sp_log_detail_set_event (self->detail, self->log, i - 1);
          break;
        }
    }
  self->newest_scanned = n;
  return G_SOURCE_REMOVE;
}

/* A student who just sent or received sees the bytes in the pane at once,
 * without looking for their row. */
static void
on_log_items_changed (SpLogView *self,
                      guint      position,
                      guint      removed,
                      guint      added)
{
  /* A restart cleared the log. */
  if (removed > 0)
    {
      self->newest_scanned = 0;
      if (gtk_single_selection_get_selected_item (self->selection) == NULL)
        sp_log_detail_set_event (self->detail, NULL, 0);
    }

  if (added > 0 && self->newest_id == 0)
    self->newest_id = g_timeout_add (NEWEST_INTERVAL_MS, on_newest_timeout, self);
}

static void
on_selection_changed (SpLogView *self)
{
  SpEvent *event = gtk_single_selection_get_selected_item (self->selection);

  if (event == NULL)
    sp_log_detail_set_event (self->detail, NULL, 0);
  else
    sp_log_detail_set_event (self->detail, self->log, sp_event_get_seq (event));
}

static GtkWidget *
get_inner_list_view (SpLogView *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        return child;
    }

  return NULL;
}

void
_sp_log_view_select_row (SpLogView *self,
                         guint      row)
{
  GtkWidget *list_view = get_inner_list_view (self);

  sp_row_ramp_show_all (self->ramp);
  gtk_single_selection_set_selected (self->selection, row);
  /* The user is reading this row now: stop following new ones. */
  _sp_log_view_set_follow (self, FALSE);
  if (list_view != NULL)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", row);
}

void
_sp_log_view_init_selection (SpLogView *self)
{
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_group_connect_object (self->log_signals, "items-changed",
                                 G_CALLBACK (on_log_items_changed), self, G_CONNECT_SWAPPED);
}
