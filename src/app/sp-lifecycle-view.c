/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sp-errno.h"
#include "sp-labels.h"
#include "sp-lifecycle-view-private.h"
#include "sp-socket.h"

#define TRANSITION_US (250 * G_TIME_SPAN_MILLISECOND)
#define FILL_FADE 0.45

G_DEFINE_FINAL_TYPE (SpLifecycleView, sp_lifecycle_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SOCKET_ID,
  PROP_ANIMATE,
  PROP_FILL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Geometry */

static void
ensure_geometry (SpLifecycleView *self)
{
  if (self->layout != NULL && !self->geometry_valid)
    _sp_lifecycle_view_compute_geometry (self);
}

/* Colours, from the theme, so dark mode and high contrast work */

static void
lookup_color (GtkStyleContext *context,
              const char      *name,
              const char      *fallback,
              GdkRGBA         *color)
{
  if (!gtk_style_context_lookup_color (context, name, color))
    gdk_rgba_parse (color, fallback);
}

static void
get_colors (SpLifecycleView *self,
            Colors          *colors)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  GdkRGBA window;

  gtk_style_context_get_color (context, &colors->fg);
  lookup_color (context, "accent_color", "#1c71d8", &colors->accent);
  lookup_color (context, "accent_bg_color", "#3584e4", &colors->accent_bg);
  lookup_color (context, "accent_fg_color", "#ffffff", &colors->accent_fg);
  lookup_color (context, "error_color", "#c01c28", &colors->error);
  lookup_color (context, "card_bg_color", "#ffffff", &colors->card);
  lookup_color (context, "window_bg_color", "#fafafa", &window);
  G_GNUC_END_IGNORE_DEPRECATIONS

  /* The dark style's card is a translucent white over the window: the
   * patches behind labels must be what the card looks like, opaque. */
  colors->card.red = colors->card.red * colors->card.alpha +
                     window.red * (1 - colors->card.alpha);
  colors->card.green = colors->card.green * colors->card.alpha +
                       window.green * (1 - colors->card.alpha);
  colors->card.blue = colors->card.blue * colors->card.alpha +
                      window.blue * (1 - colors->card.alpha);
  colors->card.alpha = 1.0;
  colors->fade = self->fill ? FILL_FADE : 1.0;
}

static void
invalidate (SpLifecycleView *self)
{
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* The highlight */

static double
ease_out (double t)
{
  double inverse = 1.0 - t;

  return 1.0 - inverse * inverse * inverse;
}

static gboolean
slide_progress (SpLifecycleView *self,
                double          *progress)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  gint64 now;

  if (self->tick_id == 0 || clock == NULL)
    return FALSE;

  now = gdk_frame_clock_get_frame_time (clock);
  *progress = CLAMP ((double) (now - self->slide_start) / TRANSITION_US, 0.0, 1.0);
  return TRUE;
}

/* The highlight on the current node, on its way there while it slides. */
static void
draw_highlight (SpLifecycleView *self,
                GtkSnapshot     *snapshot,
                const Colors    *colors)
{
  SpState state = sp_lifecycle_layout_get_state (self->layout);
  guint node = sp_lifecycle_layout_node_for_state (self->layout, state);
  Box box;
  double t;

  if (node == SP_LIFECYCLE_NO_NODE || node >= MAX_NODES)
    return;

  box = self->geometry.nodes[node];
  if (slide_progress (self, &t))
    {
      double e = ease_out (t);

      box.x = self->slide_from.x + (box.x - self->slide_from.x) * e;
      box.y = self->slide_from.y + (box.y - self->slide_from.y) * e;
      box.w = self->slide_from.w + (box.w - self->slide_from.w) * e;
    }

  _sp_lifecycle_view_draw_highlight (self, snapshot, colors, node, &box);
}

static gboolean
on_slide_tick (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);
  double t = 1.0;

  gtk_widget_queue_draw (widget);
  if (slide_progress (self, &t) && t < 1.0)
    return G_SOURCE_CONTINUE;

  self->tick_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
animations_enabled (SpLifecycleView *self)
{
  gboolean enabled = TRUE;

  if (!self->animate)
    return FALSE;

  g_object_get (gtk_widget_get_settings (GTK_WIDGET (self)), "gtk-enable-animations", &enabled,
                NULL);
  return enabled;
}

/* Slides the highlight when the current node changed. */
static void
follow_state (SpLifecycleView *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  guint node;

  if (self->layout == NULL)
    return;

  node = sp_lifecycle_layout_node_for_state (self->layout,
                                             sp_lifecycle_layout_get_state (self->layout));
  if (node == self->shown_node)
    return;

  if (self->shown_node < MAX_NODES && node < MAX_NODES && self->geometry_valid &&
      clock != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)) && animations_enabled (self))
    {
      self->slide_from = self->geometry.nodes[self->shown_node];
      self->slide_start = gdk_frame_clock_get_frame_time (clock);
      if (self->tick_id == 0)
        self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_slide_tick, NULL,
                                                      NULL);
    }
  self->shown_node = node;
}

/* Accessibility */

/* On a path that forks, the two calls that lead on from the current node
 * (bind or connect from created, listen or connect from bound), as the
 * diagram shows them. */
static gboolean
ways_on (SpLifecycleView  *self,
         SpState           state,
         const char      **first,
         const char      **second)
{
  SpLifecycleLayout *layout = self->layout;
  SpSocketType type = sp_lifecycle_layout_get_socket_type (layout);
  guint node = sp_lifecycle_layout_node_for_state (layout, state);
  guint n = 0;

  if (sp_lifecycle_layout_get_path (layout) != SP_LIFECYCLE_PATH_UNDECIDED ||
      node == SP_LIFECYCLE_NO_NODE)
    return FALSE;

  for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (layout) && n < 2; i++)
    {
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, i);

      if (edge->from != node || _sp_lifecycle_view_is_loop (edge) ||
          edge->action == SP_LIFECYCLE_ACTION_CLOSE)
        continue;
      *(n == 0 ? first : second) = sp_lifecycle_action_name (edge->action, type);
      n++;
    }

  return n == 2;
}

char *
sp_lifecycle_view_describe (SpLifecycleView *self)
{
  GString *text;
  SpState state;
  const char *first = NULL;
  const char *second = NULL;
  int error;

  g_return_val_if_fail (SP_IS_LIFECYCLE_VIEW (self), NULL);

  if (self->layout == NULL || self->socket_id == NULL)
    return g_strdup (_("No socket selected"));

  state = sp_lifecycle_layout_get_state (self->layout);
  text = g_string_new (NULL);
  if (ways_on (self, state, &first, &second))
    /* TRANSLATORS: a socket, its state and the two calls the diagram shows
     * it can take next, "server: bound: next listen or connect" */
    g_string_append_printf (text, _("%s: %s: next %s or %s"), self->socket_id,
                            sp_state_label (state), first, second);
  else
    /* TRANSLATORS: a socket and its state, "server: listening" */
    g_string_append_printf (text, _("%s: %s"), self->socket_id, sp_state_label (state));

  if (state == SP_STATE_LISTENING)
    {
      int queued = MAX (self->accept_queue, 0);

      g_string_append (text, ", ");
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%d connection waiting",
                                                 "%d connections waiting", queued), queued);
      if (self->n_children > 0)
        {
          g_string_append (text, ", ");
          g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u accepted",
                                                     "%u accepted", self->n_children),
                                  self->n_children);
        }
    }

  if (self->tcp_state != NULL)
    {
      g_string_append (text, ", ");
      g_string_append_printf (text, _("kernel TCP state %s"), self->tcp_state);
    }

  error = sp_lifecycle_layout_get_failed_error (self->layout);
  if (error != 0)
    {
      const char *name = sp_errno_name (error);

      g_string_append (text, ", ");
      g_string_append_printf (text, _("%s failed with %s"),
                              sp_call_to_string (sp_lifecycle_layout_get_failed_call (
                                                   self->layout)),
                              name != NULL ? name : _("an error"));
    }

  return g_string_free (text, FALSE);
}

static void
update_description (SpLifecycleView *self)
{
  g_autofree char *description = sp_lifecycle_view_describe (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

void
_sp_lifecycle_view_changed (SpLifecycleView *self)
{
  /* The slide starts from where the highlight was drawn, before the edges
   * grow with their counts. */
  follow_state (self);
  self->geometry_valid = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_description (self);
  invalidate (self);
}

/* GtkWidget */

static GtkSizeRequestMode
sp_lifecycle_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
sp_lifecycle_view_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);
  Geometry *g = &self->geometry;

  ensure_geometry (self);
  if (self->layout == NULL)
    {
      *minimum = *natural = 0;
      return;
    }

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) ceil (g->width * MIN_SCALE);
      *natural = (int) ceil (g->width);
    }
  else
    {
      double scale = for_size >= 0 ? _sp_lifecycle_view_fit_scale (self, for_size) : 1.0;

      /* A short window gives the calls below the room, and the diagram
       * draws smaller (see the snapshot); filling, it takes what it gets. */
      *natural = (int) ceil (g->height * scale);
      *minimum = self->fill ? *natural : (int) ceil (g->height * MIN (scale, MIN_SCALE));
    }
}

static void
sp_lifecycle_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  Colors colors;
  double scale;
  double top = 0;

  ensure_geometry (self);
  if (self->layout == NULL)
    return;

  get_colors (self, &colors);
  /* A theme switch (dark, high contrast) changes the colours under us. */
  if (self->cache != NULL && memcmp (&colors, &self->cache_colors, sizeof colors) != 0)
    g_clear_pointer (&self->cache, gsk_render_node_unref);
  if (self->cache == NULL)
    {
      self->cache = _sp_lifecycle_view_render_static (self, &colors);
      self->cache_colors = colors;
    }

  if (self->fill)
    {
      scale = _sp_lifecycle_view_fill_scale (self, width, height);
      top = MAX (0, (height - self->geometry.height * scale) / 2);
    }
  else
    {
      /* As wide as fits, and no taller than the height it was given. */
      scale = _sp_lifecycle_view_fit_scale (self, width);
      if (self->geometry.height > 0)
        scale = MIN (scale, MAX (MIN_SCALE, height / self->geometry.height));
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot,
                          &GRAPHENE_POINT_INIT ((float) MAX (0, (width - self->geometry.width *
                                                                 scale) / 2), (float) top));
  gtk_snapshot_scale (snapshot, (float) scale, (float) scale);
  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
  draw_highlight (self, snapshot, &colors);
  gtk_snapshot_restore (snapshot);
}

/* Text size changes (presentation mode) change every measure. */
static void
on_font_changed (SpLifecycleView *self)
{
  self->geometry_valid = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  invalidate (self);
}

/* Zoom and presentation mode change the font from CSS, which the settings
 * do not see. */
static void
sp_lifecycle_view_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);
  const PangoFontDescription *font;

  GTK_WIDGET_CLASS (sp_lifecycle_view_parent_class)->css_changed (widget, change);

  font = pango_context_get_font_description (gtk_widget_get_pango_context (widget));
  if (self->font != NULL && font != NULL && pango_font_description_equal (font, self->font))
    return;

  g_clear_pointer (&self->font, pango_font_description_free);
  self->font = font != NULL ? pango_font_description_copy (font) : NULL;
  on_font_changed (self);
}

static void
sp_lifecycle_view_map (GtkWidget *widget)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);

  GTK_WIDGET_CLASS (sp_lifecycle_view_parent_class)->map (widget);
  _sp_lifecycle_view_update_watch (self);
  _sp_lifecycle_view_facts_changed (self);
}

static void
sp_lifecycle_view_unmap (GtkWidget *widget)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);

  GTK_WIDGET_CLASS (sp_lifecycle_view_parent_class)->unmap (widget);
  _sp_lifecycle_view_update_watch (self);
}

/* GObject */

static void
sp_lifecycle_view_dispose (GObject *object)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (object);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_signal_group_set_target (self->log_signals, NULL);
  g_signal_group_set_target (self->sockets_signals, NULL);
  g_signal_group_set_target (self->socket_signals, NULL);
  g_signal_group_set_target (self->facts_signals, NULL);
  g_clear_object (&self->facts);
  g_clear_object (&self->socket);
  g_clear_object (&self->player);
  g_clear_pointer (&self->layout, sp_lifecycle_layout_free);
  g_clear_pointer (&self->cache, gsk_render_node_unref);

  G_OBJECT_CLASS (sp_lifecycle_view_parent_class)->dispose (object);
}

static void
sp_lifecycle_view_finalize (GObject *object)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (object);

  g_clear_object (&self->log_signals);
  g_clear_object (&self->sockets_signals);
  g_clear_object (&self->socket_signals);
  g_clear_object (&self->facts_signals);
  g_ptr_array_unref (self->children);
  g_free (self->tcp_state);
  g_free (self->socket_id);
  g_clear_pointer (&self->font, pango_font_description_free);

  G_OBJECT_CLASS (sp_lifecycle_view_parent_class)->finalize (object);
}

static void
sp_lifecycle_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SOCKET_ID:
      g_value_set_string (value, self->socket_id);
      break;
    case PROP_ANIMATE:
      g_value_set_boolean (value, self->animate);
      break;
    case PROP_FILL:
      g_value_set_boolean (value, self->fill);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_lifecycle_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SOCKET_ID:
      sp_lifecycle_view_set_socket_id (self, g_value_get_string (value));
      break;
    case PROP_ANIMATE:
      sp_lifecycle_view_set_animate (self, g_value_get_boolean (value));
      break;
    case PROP_FILL:
      sp_lifecycle_view_set_fill (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_lifecycle_view_class_init (SpLifecycleViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_lifecycle_view_dispose;
  object_class->finalize = sp_lifecycle_view_finalize;
  object_class->get_property = sp_lifecycle_view_get_property;
  object_class->set_property = sp_lifecycle_view_set_property;

  widget_class->get_request_mode = sp_lifecycle_view_get_request_mode;
  widget_class->measure = sp_lifecycle_view_measure;
  widget_class->snapshot = sp_lifecycle_view_snapshot;
  widget_class->map = sp_lifecycle_view_map;
  widget_class->css_changed = sp_lifecycle_view_css_changed;
  widget_class->unmap = sp_lifecycle_view_unmap;

  properties[PROP_SOCKET_ID] =
    g_param_spec_string ("socket-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANIMATE] =
    g_param_spec_boolean ("animate", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILL] =
    g_param_spec_boolean ("fill", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "lifecycleview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sp_lifecycle_view_init (SpLifecycleView *self)
{
  self->children = g_ptr_array_new_with_free_func (g_free);
  self->accept_queue = -1;
  self->shown_node = SP_LIFECYCLE_NO_NODE;
  self->animate = TRUE;

  _sp_lifecycle_view_init_follow (self);

  g_signal_connect_object (gtk_widget_get_settings (GTK_WIDGET (self)), "notify::gtk-font-name",
                           G_CALLBACK (on_font_changed), self, G_CONNECT_SWAPPED);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Lifecycle diagram"),
                                  -1);
  update_description (self);
}

GtkWidget *
sp_lifecycle_view_new (void)
{
  return g_object_new (SP_TYPE_LIFECYCLE_VIEW, NULL);
}

void
sp_lifecycle_view_set_player (SpLifecycleView *self,
                              SpPlayer        *player)
{
  g_return_if_fail (SP_IS_LIFECYCLE_VIEW (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  g_signal_group_set_target (self->log_signals, player != NULL ? sp_player_get_log (player) : NULL);
  g_signal_group_set_target (self->sockets_signals,
                             player != NULL ? sp_player_get_sockets (player) : NULL);
  _sp_lifecycle_view_rebuild (self);
}

void
sp_lifecycle_view_set_socket_id (SpLifecycleView *self,
                                 const char      *socket_id)
{
  g_return_if_fail (SP_IS_LIFECYCLE_VIEW (self));

  if (g_strcmp0 (self->socket_id, socket_id) == 0)
    return;

  g_free (self->socket_id);
  self->socket_id = g_strdup (socket_id);

  _sp_lifecycle_view_rebuild (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SOCKET_ID]);
}

const char *
sp_lifecycle_view_get_socket_id (SpLifecycleView *self)
{
  g_return_val_if_fail (SP_IS_LIFECYCLE_VIEW (self), NULL);
  return self->socket_id;
}

void
sp_lifecycle_view_set_animate (SpLifecycleView *self,
                               gboolean         animate)
{
  g_return_if_fail (SP_IS_LIFECYCLE_VIEW (self));

  animate = !!animate;
  if (self->animate == animate)
    return;

  self->animate = animate;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANIMATE]);
}

gboolean
sp_lifecycle_view_get_animate (SpLifecycleView *self)
{
  g_return_val_if_fail (SP_IS_LIFECYCLE_VIEW (self), FALSE);
  return self->animate;
}

void
sp_lifecycle_view_set_fill (SpLifecycleView *self,
                            gboolean         fill)
{
  g_return_if_fail (SP_IS_LIFECYCLE_VIEW (self));

  fill = !!fill;
  if (self->fill == fill)
    return;

  self->fill = fill;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILL]);
}

gboolean
sp_lifecycle_view_get_fill (SpLifecycleView *self)
{
  g_return_val_if_fail (SP_IS_LIFECYCLE_VIEW (self), FALSE);
  return self->fill;
}
