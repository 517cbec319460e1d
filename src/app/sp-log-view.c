/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-bytes-format.h"
#include "sp-lazy-menu.h"
#include "sp-log-view-private.h"

/* How close to the bottom, in pixels, still counts as being at the end. */
#define FOLLOW_SLACK 8.0

G_DEFINE_FINAL_TYPE (SpLogView, sp_log_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_TIME_DISPLAY,
  PROP_FOLLOW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Following */

static GtkAdjustment *
get_vadjustment (SpLogView *self)
{
  return gtk_scrolled_window_get_vadjustment (self->scrolled_window);
}

void
_sp_log_view_set_follow (SpLogView *self,
                         gboolean   follow)
{
  if (self->follow == !!follow)
    return;

  self->follow = !!follow;
  gtk_toggle_button_set_active (self->follow_button, follow);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW]);
}

static void
scroll_to_end (SpLogView *self)
{
  GtkAdjustment *adjustment = get_vadjustment (self);

  self->scrolling = TRUE;
  gtk_adjustment_set_value (adjustment,
                            gtk_adjustment_get_upper (adjustment) -
                            gtk_adjustment_get_page_size (adjustment));
  self->scrolling = FALSE;
}

static void
on_vadjustment_value_changed (SpLogView     *self,
                              GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  if (!self->scrolling)
    _sp_log_view_set_follow (self, gtk_adjustment_get_value (adjustment) >= bottom - FOLLOW_SLACK);
}

static void
on_vadjustment_changed (SpLogView     *self,
                        GtkAdjustment *adjustment)
{
  if (self->follow)
    scroll_to_end (self);
}

static void
on_follow_toggled (SpLogView *self)
{
  _sp_log_view_set_follow (self, gtk_toggle_button_get_active (self->follow_button));
  if (self->follow)
    scroll_to_end (self);
}

/* The status line and the cap's banner */

static void
update_status (SpLogView *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter));
  guint total = self->log != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->log)) : 0;
  g_autofree char *text = NULL;

  gtk_widget_set_visible (self->placeholder, shown == 0);

  if (self->search_error != NULL)
    text = g_strdup (self->search_error);
  else if (sp_traffic_filter_get_scanning (self->filter))
    text = g_strdup (_("Searching…"));
  else if (shown == total)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events", total), total);
  else
    /* Translators: "12 of 340 events" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u event", "%u of %u events",
                                         total),
                            shown, total);

  gtk_label_set_text (self->status_label, text);
  if (self->search_error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
}

static void
update_dropped (SpLogView *self)
{
  guint64 dropped = self->log != NULL ? sp_traffic_log_get_dropped_bytes (self->log) : 0;
  g_autofree char *size = NULL;
  g_autofree char *cap = NULL;
  g_autofree char *text = NULL;

  gtk_revealer_set_reveal_child (self->dropped_revealer, dropped > 0);
  if (dropped == 0)
    return;

  size = g_format_size (dropped);
  cap = g_format_size (sp_traffic_log_get_payload_cap (self->log));
  /* Translators: "The log limit of 256.0 MB was reached: the bytes of 1,024 older
   * events (12.3 MB) were dropped. The events themselves stay." */
  text = g_strdup_printf (_("The log limit of %s was reached: the bytes of %u older events (%s) "
                            "were dropped. The events themselves stay."),
                          cap, sp_traffic_log_get_dropped_events (self->log), size);
  gtk_label_set_text (self->dropped_label, text);
}

static void
on_items_changed (SpLogView *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filter)) == 0)
    _sp_log_view_set_follow (self, TRUE);
  update_status (self);
}

/* Filters */

static void
on_socket_filter_changed (SpLogView *self)
{
  guint selected = gtk_drop_down_get_selected (self->socket_dropdown);
  const char *id = NULL;

  if (selected != GTK_INVALID_LIST_POSITION && selected > 0)
    id = gtk_string_list_get_string (self->socket_names, selected);

  sp_traffic_filter_set_socket_id (self->filter, id);
}

static void
on_kind_filter_changed (SpLogView *self)
{
  /* The drop-down's rows are in SpTrafficShow's order. */
  sp_traffic_filter_set_show (self->filter, gtk_drop_down_get_selected (self->kind_dropdown));
}

static void
on_search_changed (SpLogView *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  SpSearchKind kind = gtk_toggle_button_get_active (self->hex_button) ? SP_SEARCH_HEX
                                                                       : SP_SEARCH_TEXT;
  g_autoptr(GBytes) needle = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->search_error, g_free);
  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  if (text[0] != '\0')
    {
      needle = sp_bytes_format_parse_search (text, kind, &error);
      if (needle == NULL)
        {
          self->search_error = g_strdup (error->message);
          gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
        }
    }

  sp_traffic_filter_set_needle (self->filter, needle);
  update_status (self);
}

static void
on_time_display_changed (SpLogView *self)
{
  GtkListItemFactory *factory = g_object_ref (gtk_column_view_column_get_factory (self->time_column));

  /* A new factory binds every visible cell again. */
  gtk_column_view_column_set_factory (self->time_column, NULL);
  gtk_column_view_column_set_factory (self->time_column, factory);
  g_object_unref (factory);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_DISPLAY]);
}

/* The object */

static void
sp_log_view_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SpLogView *self = SP_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_TIME_DISPLAY:
      g_value_set_string (value, _sp_log_view_get_time_display (self) == SP_LOG_TIME_WALL
                                 ? "wall" : "relative");
      break;

    case PROP_FOLLOW:
      g_value_set_boolean (value, self->follow);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_log_view_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SpLogView *self = SP_LOG_VIEW (object);

  switch (prop_id)
    {
    case PROP_TIME_DISPLAY:
      gtk_drop_down_set_selected (self->time_dropdown,
                                  g_strcmp0 (g_value_get_string (value), "wall") == 0);
      break;

    case PROP_FOLLOW:
      _sp_log_view_set_follow (self, g_value_get_boolean (value));
      if (self->follow)
        scroll_to_end (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_log_view_dispose (GObject *object)
{
  SpLogView *self = SP_LOG_VIEW (object);

  g_clear_handle_id (&self->newest_id, g_source_remove);
  if (self->fit_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->fit_id);
  self->fit_id = 0;
  g_clear_object (&self->ramp);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_LOG_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter);
  g_clear_object (&self->log_signals);
  g_clear_object (&self->log);
  g_clear_object (&self->player);

  G_OBJECT_CLASS (sp_log_view_parent_class)->dispose (object);
}

static void
sp_log_view_finalize (GObject *object)
{
  SpLogView *self = SP_LOG_VIEW (object);

  g_free (self->search_error);

  G_OBJECT_CLASS (sp_log_view_parent_class)->finalize (object);
}

static void
sp_log_view_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sp_log_view_parent_class)->css_changed (widget, change);

  _sp_log_view_update_fixed_widths (SP_LOG_VIEW (widget));
}

static void
sp_log_view_class_init (SpLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_log_view_get_property;
  object_class->set_property = sp_log_view_set_property;
  object_class->dispose = sp_log_view_dispose;
  object_class->finalize = sp_log_view_finalize;

  widget_class->css_changed = sp_log_view_css_changed;

  /* "relative" or "wall", as the log-time-display setting names them. */
  properties[PROP_TIME_DISPLAY] =
    g_param_spec_string ("time-display", NULL, NULL, "relative",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOW] =
    g_param_spec_boolean ("follow", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (SP_TYPE_LOG_DETAIL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SpLogView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, column_view);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, placeholder);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, socket_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, hex_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, time_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, follow_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, status_label);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, dropped_revealer);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, dropped_label);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, detail);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, export_button);
  gtk_widget_class_bind_template_child (widget_class, SpLogView, export_menu);

  _sp_log_view_class_init_export (widget_class);
}

static void
sp_log_view_init (SpLogView *self)
{
  GtkAdjustment *vadjustment;

  gtk_widget_init_template (GTK_WIDGET (self));
  _sp_log_view_add_columns (self);
  sp_lazy_menu_attach (self->export_button, self->export_menu);

  /* Connected here rather than in the template, which the UI validator
   * checks without this file's static functions. */
  g_signal_connect_swapped (self->socket_dropdown, "notify::selected",
                            G_CALLBACK (on_socket_filter_changed), self);
  g_signal_connect_swapped (self->kind_dropdown, "notify::selected",
                            G_CALLBACK (on_kind_filter_changed), self);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->hex_button, "toggled", G_CALLBACK (on_search_changed), self);
  g_signal_connect_swapped (self->time_dropdown, "notify::selected",
                            G_CALLBACK (on_time_display_changed), self);
  g_signal_connect_swapped (self->follow_button, "toggled", G_CALLBACK (on_follow_toggled), self);

  self->socket_names = GTK_STRING_LIST (gtk_drop_down_get_model (self->socket_dropdown));
  self->follow = TRUE;
  self->filter = sp_traffic_filter_new ();
  g_signal_connect_object (self->filter, "notify::scanning",
                           G_CALLBACK (update_status), self, G_CONNECT_SWAPPED);
  self->ramp = sp_row_ramp_new (G_LIST_MODEL (self->filter), GTK_WIDGET (self->column_view));
  self->selection = gtk_single_selection_new (g_object_ref (sp_row_ramp_get_model (self->ramp)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_object (self->log_signals, "notify::dropped-bytes",
                                 G_CALLBACK (update_dropped), self, G_CONNECT_SWAPPED);
  _sp_log_view_init_selection (self);

  vadjustment = get_vadjustment (self);
  g_signal_connect_object (vadjustment, "value-changed",
                           G_CALLBACK (on_vadjustment_value_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (vadjustment, "changed",
                           G_CALLBACK (on_vadjustment_changed), self, G_CONNECT_SWAPPED);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.export", FALSE);
  on_items_changed (self);
  update_dropped (self);
}

GtkWidget *
sp_log_view_new (void)
{
  return g_object_new (SP_TYPE_LOG_VIEW, NULL);
}

void
sp_log_view_set_player (SpLogView *self,
                        SpPlayer  *player)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  g_clear_object (&self->log);
  if (player != NULL)
    self->log = g_object_ref (sp_player_get_log (player));
  g_signal_group_set_target (self->log_signals, self->log);
  self->newest_scanned = 0;
  _sp_log_view_set_follow (self, TRUE);
  sp_traffic_filter_set_log (self->filter, self->log);
  sp_log_detail_set_event (self->detail, NULL, 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "log.export", self->log != NULL);
  update_dropped (self);
  update_status (self);
}

void
sp_log_view_set_socket_ids (SpLogView          *self,
                            const char * const *ids)
{
  guint n_old;
  g_autofree char *selected_id = NULL;
  guint selected = 0;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->socket_names));
  if (gtk_drop_down_get_selected (self->socket_dropdown) > 0 &&
      gtk_drop_down_get_selected (self->socket_dropdown) != GTK_INVALID_LIST_POSITION)
    selected_id = g_strdup (gtk_string_list_get_string (self->socket_names,
                                                        gtk_drop_down_get_selected (self->socket_dropdown)));

  /* The first row, "All Sockets", stays. */
  gtk_string_list_splice (self->socket_names, 1, n_old - 1, ids);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    {
      if (g_strcmp0 (ids[i], selected_id) == 0)
        selected = i + 1;
    }

  gtk_drop_down_set_selected (self->socket_dropdown, selected);
}

void
sp_log_view_set_socket_id (SpLogView  *self,
                           const char *socket_id)
{
  guint n;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->socket_names));
  for (guint i = 1; i < n && socket_id != NULL; i++)
    {
      if (g_strcmp0 (gtk_string_list_get_string (self->socket_names, i), socket_id) == 0)
        {
          gtk_drop_down_set_selected (self->socket_dropdown, i);
          return;
        }
    }

  gtk_drop_down_set_selected (self->socket_dropdown, 0);
  /* A socket the list does not name yet still filters. */
  sp_traffic_filter_set_socket_id (self->filter, socket_id);
}

void
sp_log_view_set_search (SpLogView  *self,
                        const char *text,
                        gboolean    hex)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));

  gtk_toggle_button_set_active (self->hex_button, hex);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* At once, not after the entry's typing delay. */
  on_search_changed (self);
}

void
sp_log_view_set_encoding (SpLogView  *self,
                          SpEncoding  encoding)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));

  sp_log_detail_set_encoding (self->detail, encoding);
}

void
sp_log_view_focus_search (SpLogView *self)
{
  g_return_if_fail (SP_IS_LOG_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
sp_log_view_select_step (SpLogView *self,
                         guint      index)
{
  GListModel *model;
  guint n;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  model = G_LIST_MODEL (self->filter);
  n = g_list_model_get_n_items (model);
  for (guint row = 0; row < n; row++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (model, row);

      if (sp_event_get_step (event) == (int) index)
        {
          _sp_log_view_select_row (self, row);
          return;
        }
    }
}

void
sp_log_view_select_event (SpLogView *self,
                          guint      position)
{
  guint row;

  g_return_if_fail (SP_IS_LOG_VIEW (self));

  if (self->log == NULL || position >= g_list_model_get_n_items (G_LIST_MODEL (self->log)))
    return;

  if (!sp_traffic_filter_find_row (self->filter, position, &row))
    {
      /* Asked for by name: show it, whatever the filters said. */
      gtk_drop_down_set_selected (self->socket_dropdown, 0);
      gtk_drop_down_set_selected (self->kind_dropdown, SP_TRAFFIC_SHOW_ALL);
      sp_log_view_set_search (self, "", FALSE);
      sp_traffic_filter_set_socket_id (self->filter, NULL);
      if (!sp_traffic_filter_find_row (self->filter, position, &row))
        return;
    }

  _sp_log_view_select_row (self, row);
}

guint
sp_log_view_get_selected (SpLogView *self)
{
  SpEvent *event;

  g_return_val_if_fail (SP_IS_LOG_VIEW (self), G_MAXUINT);

  event = gtk_single_selection_get_selected_item (self->selection);
  return event != NULL ? sp_event_get_seq (event) : G_MAXUINT;
}
