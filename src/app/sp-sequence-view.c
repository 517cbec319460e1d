/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-sequence-view-private.h"

enum {
  PROP_0,
  PROP_PLAYER,
  PROP_FOLLOWING,
  N_PROPS,
  PROP_HADJUSTMENT = N_PROPS,
  PROP_VADJUSTMENT,
  PROP_HSCROLL_POLICY,
  PROP_VSCROLL_POLICY,
};

enum {
  EVENT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE_WITH_CODE (SpSequenceView, sp_sequence_view, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SCROLLABLE, NULL))

/* Scrolling */

static void
configure_adjustments (SpSequenceView *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double upper = MAX (_sp_sequence_view_content_height (self), height);
  double value = gtk_adjustment_get_value (self->vadjustment);

  if (self->following)
    value = upper - height;

  gtk_adjustment_configure (self->hadjustment, gtk_adjustment_get_value (self->hadjustment),
                            0, MAX (_sp_sequence_view_content_width (self), width),
                            width * 0.1, width * 0.9, width);
  gtk_adjustment_configure (self->vadjustment, value, 0, upper,
                            self->row_height, height * 0.9, height);
}

static void
on_vadjustment_value_changed (SpSequenceView *self)
{
  double bottom = gtk_adjustment_get_upper (self->vadjustment) -
                  gtk_adjustment_get_page_size (self->vadjustment);
  gboolean following = gtk_adjustment_get_value (self->vadjustment) >= bottom - 1;

  /* Scrolling back up stops following; reaching the bottom resumes it. */
  if (following != self->following)
    {
      self->following = following;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_adjustment (SpSequenceView  *self,
                GtkAdjustment  **slot,
                GtkAdjustment   *adjustment,
                gboolean         vertical)
{
  if (adjustment == NULL)
    adjustment = gtk_adjustment_new (0, 0, 0, 0, 0, 0);
  if (*slot == adjustment)
    return;

  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, self);
  g_set_object (slot, adjustment);
  if (vertical)
    g_signal_connect_swapped (adjustment, "value-changed",
                              G_CALLBACK (on_vadjustment_value_changed), self);
  else
    g_signal_connect_swapped (adjustment, "value-changed",
                              G_CALLBACK (gtk_widget_queue_draw), self);
  if (self->style_valid)
    configure_adjustments (self);
}

/* Following the player */

static void
update_description (SpSequenceView *self)
{
  guint n_lanes = sp_sequence_layout_get_n_lanes (self->layout);
  guint n_rows = sp_sequence_layout_get_n_rows (self->layout);
  g_autofree char *sockets = NULL;
  g_autofree char *events = NULL;
  g_autofree char *last = NULL;
  g_autofree char *description = NULL;

  if (n_rows == 0)
    {
      gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("No events yet"), -1);
      return;
    }

  sockets = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u socket", "%u sockets", n_lanes), n_lanes);
  events = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events", n_rows), n_rows);
  last = sp_sequence_layout_describe_row (self->layout, n_rows - 1);
  /* Translators: "3 sockets, 12 events, last: client sent 11 bytes to conn". */
  description = g_strdup_printf (_("%s, %s, last: %s"), sockets, events, last);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  description, -1);
}

static void
add_new_sockets (SpSequenceView *self)
{
  GListModel *sockets = sp_player_get_sockets (self->player);
  guint n = g_list_model_get_n_items (sockets);

  for (; self->n_sockets < n; self->n_sockets++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (sockets, self->n_sockets);
      SpSocket *listener = sp_socket_get_listener (socket);

      sp_sequence_layout_add_socket (self->layout, sp_socket_get_id (socket),
                                     listener != NULL ? sp_socket_get_id (listener) : NULL,
                                     sp_socket_get_socket_type (socket));
    }
}

/* Reads what the log appended, rebuilds only the tiles it changed, and
 * leaves the drawing to the next frame. */
static void
sync_layout (SpSequenceView *self)
{
  guint n_before = sp_sequence_layout_get_n_rows (self->layout);
  SpSequenceDamage damage;

  if (self->player == NULL)
    return;

  add_new_sockets (self);
  sp_sequence_layout_update (self->layout, sp_player_get_log (self->player), &damage);

  if (damage.lanes_changed)
    {
      _sp_sequence_view_drop_tiles_from (self, 0);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else
    _sp_sequence_view_drop_tiles_from (self, MIN (damage.first_row, n_before) /
                                             SP_SEQUENCE_LAYOUT_TILE_ROWS);

  if (self->style_valid)
    configure_adjustments (self);
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
reset_layout (SpSequenceView *self)
{
  sp_sequence_layout_reset (self->layout);
  self->n_sockets = 0;
  _sp_sequence_view_drop_tiles_from (self, 0);
  self->following = TRUE;
  sync_layout (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
on_log_items_changed (SpSequenceView *self,
                      guint           position,
                      guint           removed,
                      guint           added)
{
  /* The log only grows, except when a restart clears it. */
  if (removed > 0)
    reset_layout (self);
  else
    sync_layout (self);
}

static void
on_sockets_items_changed (SpSequenceView *self,
                          guint           position,
                          guint           removed,
                          guint           added)
{
  if (removed > 0)
    return;  /* a restart: the log's clear resets the lanes */
  sync_layout (self);
}

SpPlayer *
sp_sequence_view_get_player (SpSequenceView *self)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_VIEW (self), NULL);
  return self->player;
}

void
sp_sequence_view_set_player (SpSequenceView *self,
                             SpPlayer       *player)
{
  g_return_if_fail (SP_IS_SEQUENCE_VIEW (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  g_signal_group_set_target (self->log_signals, player != NULL ? sp_player_get_log (player) : NULL);
  g_signal_group_set_target (self->sockets_signals,
                             player != NULL ? sp_player_get_sockets (player) : NULL);
  reset_layout (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYER]);
}

gboolean
sp_sequence_view_get_following (SpSequenceView *self)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_VIEW (self), FALSE);
  return self->following;
}

SpSequenceLayout *
sp_sequence_view_get_layout (SpSequenceView *self)
{
  g_return_val_if_fail (SP_IS_SEQUENCE_VIEW (self), NULL);
  return self->layout;
}

void
sp_sequence_view_get_geometry (SpSequenceView     *self,
                               SpSequenceGeometry *geometry)
{
  g_return_if_fail (SP_IS_SEQUENCE_VIEW (self));
  g_return_if_fail (geometry != NULL);

  _sp_sequence_view_ensure_style (self);
  _sp_sequence_view_content_geometry (self, geometry);
  geometry->lane_x0 -= gtk_adjustment_get_value (self->hadjustment);
  geometry->row_y0 -= gtk_adjustment_get_value (self->vadjustment);
}

gboolean
sp_sequence_view_pick (SpSequenceView *self,
                       double          x,
                       double          y,
                       guint          *position)
{
  SpSequenceGeometry geometry;

  g_return_val_if_fail (SP_IS_SEQUENCE_VIEW (self), FALSE);
  g_return_val_if_fail (position != NULL, FALSE);

  sp_sequence_view_get_geometry (self, &geometry);
  /* The header covers the rows under it. */
  if (y < self->header_height)
    return FALSE;
  return sp_sequence_layout_pick (self->layout, &geometry, x, y, self->line_height * 0.4, position);
}

static void
on_click_released (GtkGestureClick *gesture,
                   int              n_press,
                   double           x,
                   double           y,
                   SpSequenceView  *self)
{
  guint position;

  if (sp_sequence_view_pick (self, x, y, &position))
    g_signal_emit (self, signals[EVENT_ACTIVATED], 0, position);
}

/* GtkWidget */

static void
sp_sequence_view_measure (GtkWidget      *widget,
                          GtkOrientation  orientation,
                          int             for_size,
                          int            *minimum,
                          int            *natural,
                          int            *minimum_baseline,
                          int            *natural_baseline)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (widget);

  _sp_sequence_view_ensure_style (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = _sp_sequence_view_ceil_px (self->gutter_width + self->lane_width);
      *natural = MAX (*minimum,
                      _sp_sequence_view_ceil_px (_sp_sequence_view_content_width (self)));
    }
  else
    {
      *minimum = _sp_sequence_view_ceil_px (self->header_height + 2 * self->row_height);
      *natural = MAX (*minimum,
                      _sp_sequence_view_ceil_px (_sp_sequence_view_content_height (self)));
    }
}

static void
sp_sequence_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (widget);

  _sp_sequence_view_ensure_style (self);
  configure_adjustments (self);
}

static void
sp_sequence_view_css_changed (GtkWidget         *widget,
                              GtkCssStyleChange *change)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (widget);

  GTK_WIDGET_CLASS (sp_sequence_view_parent_class)->css_changed (widget, change);

  /* Colours (dark mode, high contrast) and the font size shape every tile. */
  self->style_valid = FALSE;
  _sp_sequence_view_drop_tiles_from (self, 0);
  gtk_widget_queue_resize (widget);
}

static void
sp_sequence_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAYER:
      g_value_set_object (value, self->player);
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    case PROP_HADJUSTMENT:
      g_value_set_object (value, self->hadjustment);
      break;
    case PROP_VADJUSTMENT:
      g_value_set_object (value, self->vadjustment);
      break;
    case PROP_HSCROLL_POLICY:
      g_value_set_enum (value, self->hscroll_policy);
      break;
    case PROP_VSCROLL_POLICY:
      g_value_set_enum (value, self->vscroll_policy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_sequence_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (object);

  switch (prop_id)
    {
    case PROP_PLAYER:
      sp_sequence_view_set_player (self, g_value_get_object (value));
      break;
    case PROP_HADJUSTMENT:
      set_adjustment (self, &self->hadjustment, g_value_get_object (value), FALSE);
      break;
    case PROP_VADJUSTMENT:
      set_adjustment (self, &self->vadjustment, g_value_get_object (value), TRUE);
      break;
    case PROP_HSCROLL_POLICY:
      if (self->hscroll_policy != (guint) g_value_get_enum (value))
        {
          self->hscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_VSCROLL_POLICY:
      if (self->vscroll_policy != (guint) g_value_get_enum (value))
        {
          self->vscroll_policy = g_value_get_enum (value);
          gtk_widget_queue_resize (GTK_WIDGET (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_sequence_view_dispose (GObject *object)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (object);

  if (self->log_signals != NULL)
    g_signal_group_set_target (self->log_signals, NULL);
  if (self->sockets_signals != NULL)
    g_signal_group_set_target (self->sockets_signals, NULL);
  g_clear_object (&self->player);
  if (self->hadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->hadjustment, self);
  if (self->vadjustment != NULL)
    g_signal_handlers_disconnect_by_data (self->vadjustment, self);
  g_clear_object (&self->hadjustment);
  g_clear_object (&self->vadjustment);
  g_clear_object (&self->text);

  G_OBJECT_CLASS (sp_sequence_view_parent_class)->dispose (object);
}

static void
sp_sequence_view_finalize (GObject *object)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (object);

  g_clear_object (&self->log_signals);
  g_clear_object (&self->sockets_signals);
  g_clear_object (&self->layout);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);

  G_OBJECT_CLASS (sp_sequence_view_parent_class)->finalize (object);
}

static void
sp_sequence_view_class_init (SpSequenceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_sequence_view_get_property;
  object_class->set_property = sp_sequence_view_set_property;
  object_class->dispose = sp_sequence_view_dispose;
  object_class->finalize = sp_sequence_view_finalize;

  widget_class->measure = sp_sequence_view_measure;
  widget_class->size_allocate = sp_sequence_view_size_allocate;
  widget_class->snapshot = _sp_sequence_view_snapshot;
  widget_class->css_changed = sp_sequence_view_css_changed;

  properties[PROP_PLAYER] =
    g_param_spec_object ("player", NULL, NULL, SP_TYPE_PLAYER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_object_class_override_property (object_class, PROP_HADJUSTMENT, "hadjustment");
  g_object_class_override_property (object_class, PROP_VADJUSTMENT, "vadjustment");
  g_object_class_override_property (object_class, PROP_HSCROLL_POLICY, "hscroll-policy");
  g_object_class_override_property (object_class, PROP_VSCROLL_POLICY, "vscroll-policy");

  signals[EVENT_ACTIVATED] =
    g_signal_new ("event-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_css_name (widget_class, "sequenceview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sp_sequence_view_init (SpSequenceView *self)
{
  self->layout = sp_sequence_layout_new ();
  self->tiles = g_ptr_array_new_with_free_func (_sp_sequence_view_unref_tile);
  self->following = TRUE;
  self->hadjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 0, 0, 0, 0));
  self->vadjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 0, 0, 0, 0));
  g_signal_connect_swapped (self->hadjustment, "value-changed", G_CALLBACK (gtk_widget_queue_draw), self);
  g_signal_connect_swapped (self->vadjustment, "value-changed",
                            G_CALLBACK (on_vadjustment_value_changed), self);

  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_object (self->log_signals, "items-changed",
                                 G_CALLBACK (on_log_items_changed), self, G_CONNECT_SWAPPED);
  self->sockets_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_object (self->sockets_signals, "items-changed",
                                 G_CALLBACK (on_sockets_items_changed), self, G_CONNECT_SWAPPED);

  self->click = gtk_gesture_click_new ();
  g_signal_connect (self->click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->click));

  /* The theme's view background and text colours, as lists have. */
  gtk_widget_add_css_class (GTK_WIDGET (self), "view");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  update_description (self);
}

GtkWidget *
sp_sequence_view_new (void)
{
  return g_object_new (SP_TYPE_SEQUENCE_VIEW, NULL);
}
