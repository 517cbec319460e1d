/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-sequence-view.h"

/* Row pictures are cached per tile of SP_SEQUENCE_LAYOUT_TILE_ROWS rows:
 * scrolling only moves cached render nodes, and an append rebuilds the
 * tiles whose rows it changed. Sizes come from the font, so a larger text
 * size (presentation mode) scales the whole chart. */

struct _SpSequenceView
{
  GtkWidget         parent_instance;

  SpPlayer         *player;
  GSignalGroup     *log_signals;
  GSignalGroup     *sockets_signals;
  SpSequenceLayout *layout;
  guint             n_sockets;   /* items of the sockets model seen */

  GtkAdjustment    *hadjustment;
  GtkAdjustment    *vadjustment;
  GtkGesture       *click;

  GPtrArray        *tiles;       /* GskRenderNode per tile, NULL until built */
  PangoLayout      *text;        /* reused for every label */

  /* From the font, in pixels. */
  double            char_width;
  double            line_height;
  double            lane_width;
  double            row_height;
  double            header_height;
  double            gutter_width;

  GdkRGBA           fg;
  GdkRGBA           bg;
  GdkRGBA           accent;
  GdkRGBA           error;

  guint             hscroll_policy : 1;
  guint             vscroll_policy : 1;
  guint             following : 1;
  guint             style_valid : 1;
};

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

/* Pixel rounding and lengths without libm, which the build does not link. */
static double
round_px (double value)
{
  return value >= 0 ? (gint64) (value + 0.5) : -(gint64) (0.5 - value);
}

static double
ceil_px (double value)
{
  gint64 truncated = (gint64) value;

  return truncated < value ? truncated + 1 : truncated;
}

static double
length_of (double dx,
           double dy)
{
  graphene_vec2_t vector;

  graphene_vec2_init (&vector, dx, dy);
  return graphene_vec2_length (&vector);
}

/* Style and metrics */

static void
lookup_color (SpSequenceView *self,
              const char     *name,
              const char     *fallback_name,
              const char     *fallback,
              GdkRGBA        *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));

  if (gtk_style_context_lookup_color (context, name, color))
    return;
  if (fallback_name != NULL && gtk_style_context_lookup_color (context, fallback_name, color))
    return;
  G_GNUC_END_IGNORE_DEPRECATIONS
  gdk_rgba_parse (color, fallback);
}

static void
update_metrics (SpSequenceView *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontMetrics *metrics = pango_context_get_metrics (context, NULL, NULL);

  self->char_width = pango_font_metrics_get_approximate_char_width (metrics) / (double) PANGO_SCALE;
  self->line_height = (pango_font_metrics_get_ascent (metrics) +
                       pango_font_metrics_get_descent (metrics)) / (double) PANGO_SCALE;
  pango_font_metrics_unref (metrics);
  self->line_height = MAX (self->line_height, 8);
  self->char_width = MAX (self->char_width, 4);

  self->lane_width = ceil_px (self->char_width * 20);
  self->row_height = ceil_px (self->line_height * 1.8);
  self->header_height = ceil_px (self->line_height * 2.6);
  self->gutter_width = ceil_px (self->char_width * 7);
}

static void
ensure_style (SpSequenceView *self)
{
  if (self->style_valid)
    return;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (self)), &self->fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  lookup_color (self, "view_bg_color", "window_bg_color", "#ffffff", &self->bg);
  lookup_color (self, "accent_color", NULL, "#1c71d8", &self->accent);
  lookup_color (self, "error_color", NULL, "#c01c28", &self->error);

  g_clear_object (&self->text);
  self->text = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  update_metrics (self);
  self->style_valid = TRUE;
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA result = *color;

  result.alpha *= alpha;
  return result;
}

/* Geometry: content coordinates, before scrolling */

static void
content_geometry (SpSequenceView     *self,
                  SpSequenceGeometry *geometry)
{
  geometry->lane_x0 = self->gutter_width + self->lane_width / 2;
  geometry->lane_width = self->lane_width;
  geometry->row_y0 = self->header_height + self->row_height / 2;
  geometry->row_height = self->row_height;
}

static double
content_width (SpSequenceView *self)
{
  return self->gutter_width + MAX (sp_sequence_layout_get_n_lanes (self->layout), 1) * self->lane_width;
}

static double
content_height (SpSequenceView *self)
{
  return self->header_height + (sp_sequence_layout_get_n_rows (self->layout) + 0.5) * self->row_height;
}

static double
lane_x (SpSequenceView *self,
        int             lane)
{
  const SpSequenceLane *data = sp_sequence_layout_get_lane (self->layout, lane);

  return self->gutter_width + (data->column + 0.5) * self->lane_width;
}

static double
row_y (SpSequenceView *self,
       double          row)
{
  return self->header_height + (row + 0.5) * self->row_height;
}

/* Drawing primitives: every shape is a colour node, moved and turned, so
 * nothing is rasterised on the CPU. */

static void
append_line (GtkSnapshot   *snapshot,
             double         x1,
             double         y1,
             double         x2,
             double         y2,
             double         width,
             double         dash,
             const GdkRGBA *color)
{
  double length = length_of (x2 - x1, y2 - y1);
  graphene_matrix_t turn;

  if (length < 0.5)
    return;

  /* Along the line: x runs from (x1, y1) towards (x2, y2). */
  graphene_matrix_init_from_2d (&turn, (x2 - x1) / length, (y2 - y1) / length,
                                -(y2 - y1) / length, (x2 - x1) / length, x1, y1);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_transform_matrix (snapshot, &turn);
  if (dash <= 0)
    gtk_snapshot_append_color (snapshot, color,
                               &GRAPHENE_RECT_INIT (0, -width / 2, length, width));
  else
    for (double d = 0; d < length; d += dash * 1.8)
      gtk_snapshot_append_color (snapshot, color,
                                 &GRAPHENE_RECT_INIT (d, -width / 2, MIN (dash, length - d), width));
  gtk_snapshot_restore (snapshot);
}

static void
append_arrow_head (GtkSnapshot   *snapshot,
                   double         x1,
                   double         y1,
                   double         x2,
                   double         y2,
                   double         size,
                   double         width,
                   const GdkRGBA *color)
{
  /* cos and sin of the wings' angle to the shaft, about 26 degrees. */
  const double c = 0.9004471;
  const double s = 0.4349655;
  double length = length_of (x2 - x1, y2 - y1);
  double bx = (x1 - x2) / length;
  double by = (y1 - y2) / length;

  for (int side = -1; side <= 1; side += 2)
    {
      double wx = bx * c - side * by * s;
      double wy = by * c + side * bx * s;

      append_line (snapshot, x2, y2, x2 + size * wx, y2 + size * wy, width, 0, color);
    }
}

static void
append_dot (GtkSnapshot   *snapshot,
            double         x,
            double         y,
            double         radius,
            gboolean       hollow,
            const GdkRGBA *color)
{
  GskRoundedRect circle;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (x - radius, y - radius, 2 * radius, 2 * radius);

  gsk_rounded_rect_init_from_rect (&circle, &bounds, radius);
  if (hollow)
    {
      float widths[4] = { 1.5, 1.5, 1.5, 1.5 };
      GdkRGBA colors[4] = { *color, *color, *color, *color };

      gtk_snapshot_append_border (snapshot, &circle, widths, colors);
      return;
    }

  gtk_snapshot_push_rounded_clip (snapshot, &circle);
  gtk_snapshot_append_color (snapshot, color, &bounds);
  gtk_snapshot_pop (snapshot);
}

typedef enum
{
  ALIGN_LEFT,    /* text starts at x */
  ALIGN_RIGHT,   /* text ends at x */
  ALIGN_CENTER,
} Align;

/* Draws `text` with its vertical centre at y. */
static void
append_text (SpSequenceView *self,
             GtkSnapshot    *snapshot,
             const char     *text,
             double          x,
             double          y,
             Align           align,
             gboolean        bold,
             double          scale,
             const GdkRGBA  *color)
{
  g_autoptr(PangoAttrList) attributes = pango_attr_list_new ();
  int width, height;

  if (bold)
    pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  if (scale != 1.0)
    pango_attr_list_insert (attributes, pango_attr_scale_new (scale));
  pango_layout_set_attributes (self->text, attributes);
  pango_layout_set_text (self->text, text, -1);
  pango_layout_get_pixel_size (self->text, &width, &height);

  if (align == ALIGN_RIGHT)
    x -= width;
  else if (align == ALIGN_CENTER)
    x -= width / 2.0;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round_px (x), round_px (y - height / 2.0)));
  gtk_snapshot_append_layout (snapshot, self->text, color);
  gtk_snapshot_restore (snapshot);
}

/* Tiles */

static void
draw_lanes (SpSequenceView *self,
            GtkSnapshot    *snapshot,
            guint           first,
            guint           last)
{
  guint n_rows = sp_sequence_layout_get_n_rows (self->layout);
  GdkRGBA line = with_alpha (&self->fg, 0.22);
  GdkRGBA spawn = with_alpha (&self->fg, 0.35);

  for (guint lane = 0; lane < sp_sequence_layout_get_n_lanes (self->layout); lane++)
    {
      const SpSequenceLane *data = sp_sequence_layout_get_lane (self->layout, lane);
      guint begin = MAX (data->first_row, first);
      guint end = MIN (MIN (data->end_row, n_rows - 1), last);
      double x = lane_x (self, lane);

      if (data->first_row == G_MAXUINT || begin > end)
        continue;

      gtk_snapshot_append_color (snapshot, &line,
                                 &GRAPHENE_RECT_INIT (x - 1, row_y (self, begin), 2,
                                                      (end - begin) * self->row_height));

      /* An accepted socket is born from its listener's accept. */
      if (data->listener >= 0 && data->first_row >= first && data->first_row <= last)
        append_line (snapshot, lane_x (self, data->listener), row_y (self, data->first_row),
                     x, row_y (self, data->first_row), 1.5, 3, &spawn);
    }
}

static void
draw_arrows (SpSequenceView *self,
             GtkSnapshot    *snapshot,
             guint           tile,
             guint           first,
             guint           last)
{
  SpSequenceGeometry geometry;
  const guint *arrows;
  guint n_arrows;
  double width = MAX (1.5, self->line_height / 11);

  content_geometry (self, &geometry);
  arrows = sp_sequence_layout_get_tile_arrows (self->layout, tile, &n_arrows);

  /* Arrows crossing several tiles are drawn by each, clipped to it, so
   * translucent strokes do not add up. */
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, row_y (self, first) - self->row_height / 2,
                                                         content_width (self),
                                                         (last - first + 1) * self->row_height));
  for (guint i = 0; i < n_arrows; i++)
    {
      const SpSequenceArrow *arrow = sp_sequence_layout_get_arrow (self->layout, arrows[i]);
      double x1, y1, x2, y2, inset, length;
      double dash = arrow->in_flight || arrow->kind == SP_SEQUENCE_ARROW_EOF ? 4 : 0;
      GdkRGBA color;

      switch (arrow->kind)
        {
        case SP_SEQUENCE_ARROW_DATA:
        case SP_SEQUENCE_ARROW_DATAGRAM:
          color = self->accent;
          break;
        case SP_SEQUENCE_ARROW_EOF:
          color = with_alpha (&self->fg, 0.55);
          break;
        case SP_SEQUENCE_ARROW_CONNECT:
        default:
          color = with_alpha (&self->fg, 0.75);
          break;
        }
      if (arrow->in_flight)
        color.alpha *= 0.6;

      sp_sequence_layout_get_arrow_line (self->layout, arrow, &geometry, &x1, &y1, &x2, &y2);
      /* Stop short of the dots at both ends. */
      length = length_of (x2 - x1, y2 - y1);
      if (length < 1)
        continue;
      inset = MIN (self->line_height * 0.35, length / 4);
      x1 += (x2 - x1) * inset / length;
      y1 += (y2 - y1) * inset / length;
      x2 -= (x2 - x1) * inset / (length - inset);
      y2 -= (y2 - y1) * inset / (length - inset);

      append_line (snapshot, x1, y1, x2, y2, width, dash, &color);
      append_arrow_head (snapshot, x1, y1, x2, y2, self->line_height * 0.45, width, &color);
    }
  gtk_snapshot_pop (snapshot);
}

static void
draw_arrow_label (SpSequenceView *self,
                  GtkSnapshot    *snapshot,
                  guint           arrow)
{
  const SpSequenceArrow *data = sp_sequence_layout_get_arrow (self->layout, arrow);
  g_autofree char *label = sp_sequence_layout_get_arrow_label (self->layout, arrow);
  double x = lane_x (self, data->from_lane);
  double y = row_y (self, data->from_row) - self->line_height * 0.55;
  gboolean rightwards = data->to_lane < 0 ||
                        sp_sequence_layout_get_lane (self->layout, data->to_lane)->column >
                        sp_sequence_layout_get_lane (self->layout, data->from_lane)->column;
  GdkRGBA color = data->kind == SP_SEQUENCE_ARROW_DATA || data->kind == SP_SEQUENCE_ARROW_DATAGRAM
                  ? self->accent : with_alpha (&self->fg, 0.8);

  if (rightwards)
    append_text (self, snapshot, label, x + self->char_width, y, ALIGN_LEFT, FALSE, 1.0, &color);
  else
    append_text (self, snapshot, label, x - self->char_width, y, ALIGN_RIGHT, FALSE, 1.0, &color);
}

static char *
format_time (gint64 time_us)
{
  return g_strdup_printf ("%.3f", time_us / (double) G_USEC_PER_SEC);
}

static void
draw_note (SpSequenceView *self,
           GtkSnapshot    *snapshot,
           guint           row)
{
  SpTrafficLog *log = self->player != NULL ? sp_player_get_log (self->player) : NULL;
  g_autoptr(SpEvent) event = NULL;
  double y = row_y (self, row);
  GdkRGBA band = with_alpha (&self->fg, 0.05);
  GdkRGBA text = with_alpha (&self->fg, 0.7);
  const char *detail = NULL;
  g_autofree char *label = NULL;

  if (log != NULL && row < sp_traffic_log_get_n_appended (log))
    {
      event = sp_traffic_log_get_event (log, row);
      detail = sp_event_get_detail (event);
    }
  if (detail == NULL)
    label = sp_sequence_layout_get_row_label (self->layout, row);

  gtk_snapshot_append_color (snapshot, &band,
                             &GRAPHENE_RECT_INIT (self->gutter_width, y - self->row_height / 2 + 2,
                                                  content_width (self) - self->gutter_width,
                                                  self->row_height - 4));
  append_text (self, snapshot, detail != NULL ? detail : label, self->gutter_width + self->char_width,
               y, ALIGN_LEFT, FALSE, 0.9, &text);
}

static void
draw_mark (SpSequenceView *self,
           GtkSnapshot    *snapshot,
           guint           row)
{
  const SpSequenceRow *data = sp_sequence_layout_get_row (self->layout, row);
  g_autofree char *label = NULL;
  double radius = self->line_height * 0.22;
  double x, y;
  GdkRGBA dot, text;
  gboolean hollow = FALSE;

  if (data->kind == SP_SEQUENCE_MARK_NOTE || data->kind == SP_SEQUENCE_MARK_DROPPED ||
      data->lane < 0)
    {
      draw_note (self, snapshot, row);
      return;
    }

  x = lane_x (self, data->lane);
  y = row_y (self, row);
  text = with_alpha (&self->fg, 0.8);
  switch (data->kind)
    {
    case SP_SEQUENCE_MARK_ERROR:
      dot = self->error;
      text = self->error;
      radius *= 1.2;
      break;
    case SP_SEQUENCE_MARK_SEND:
    case SP_SEQUENCE_MARK_RECEIVE:
      dot = self->accent;
      break;
    case SP_SEQUENCE_MARK_EOF:
      dot = with_alpha (&self->fg, 0.7);
      hollow = TRUE;
      break;
    case SP_SEQUENCE_MARK_CALL:
    case SP_SEQUENCE_MARK_NOTE:
    case SP_SEQUENCE_MARK_DROPPED:
    default:
      dot = with_alpha (&self->fg, 0.6);
      break;
    }

  append_dot (snapshot, x, y, radius, hollow, &dot);
  if (data->arrow >= 0)
    draw_arrow_label (self, snapshot, data->arrow);

  label = sp_sequence_layout_get_row_label (self->layout, row);
  if (label == NULL)
    return;

  /* Beside the dot, on the side no arrow comes in from. */
  if (data->arrives_from_right && !data->arrives_from_left)
    append_text (self, snapshot, label, x - radius - self->char_width * 0.6, y, ALIGN_RIGHT,
                 data->kind == SP_SEQUENCE_MARK_ERROR, 1.0, &text);
  else
    append_text (self, snapshot, label, x + radius + self->char_width * 0.6, y, ALIGN_LEFT,
                 data->kind == SP_SEQUENCE_MARK_ERROR, 1.0, &text);
}

static void
draw_times (SpSequenceView *self,
            GtkSnapshot    *snapshot,
            guint           first,
            guint           last)
{
  GdkRGBA color = with_alpha (&self->fg, 0.5);
  g_autofree char *previous = NULL;

  if (first > 0)
    previous = format_time (sp_sequence_layout_get_row (self->layout, first - 1)->time_us);

  /* A time only where it changes, so that steps stand out. */
  for (guint row = first; row <= last; row++)
    {
      g_autofree char *time = format_time (sp_sequence_layout_get_row (self->layout, row)->time_us);

      if (g_strcmp0 (time, previous) != 0)
        append_text (self, snapshot, time, self->gutter_width - self->char_width, row_y (self, row),
                     ALIGN_RIGHT, FALSE, 0.85, &color);
      g_free (previous);
      previous = g_steal_pointer (&time);
    }
}

static GskRenderNode *
build_tile (SpSequenceView *self,
            guint           tile)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  guint first = tile * SP_SEQUENCE_LAYOUT_TILE_ROWS;
  guint last = MIN (first + SP_SEQUENCE_LAYOUT_TILE_ROWS, sp_sequence_layout_get_n_rows (self->layout)) - 1;

  draw_lanes (self, snapshot, first, last);
  draw_arrows (self, snapshot, tile, first, last);
  draw_times (self, snapshot, first, last);
  for (guint row = first; row <= last; row++)
    draw_mark (self, snapshot, row);

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

/* Tiles not built yet are NULL. */
static void
unref_tile (gpointer node)
{
  if (node != NULL)
    gsk_render_node_unref (node);
}

static GskRenderNode *
ensure_tile (SpSequenceView *self,
             guint           tile)
{
  if (tile >= self->tiles->len)
    g_ptr_array_set_size (self->tiles, tile + 1);
  if (g_ptr_array_index (self->tiles, tile) == NULL)
    {
      GskRenderNode *node = build_tile (self, tile);

      g_ptr_array_index (self->tiles, tile) = node != NULL ? node : gsk_container_node_new (NULL, 0);
    }
  return g_ptr_array_index (self->tiles, tile);
}

static void
drop_tiles_from (SpSequenceView *self,
                 guint           tile)
{
  if (tile < self->tiles->len)
    g_ptr_array_set_size (self->tiles, tile);
}

/* Header: the lanes' names, kept in view while the rows scroll. */
static void
draw_header (SpSequenceView *self,
             GtkSnapshot    *snapshot,
             double          width)
{
  GdkRGBA chip = with_alpha (&self->fg, 0.08);
  GdkRGBA border = with_alpha (&self->fg, 0.15);
  double chip_height = self->line_height * 1.6;
  double y = self->header_height / 2;

  gtk_snapshot_append_color (snapshot, &self->bg, &GRAPHENE_RECT_INIT (0, 0, width, self->header_height));
  gtk_snapshot_append_color (snapshot, &border,
                             &GRAPHENE_RECT_INIT (0, self->header_height - 1, width, 1));

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-gtk_adjustment_get_value (self->hadjustment), 0));
  for (guint lane = 0; lane < sp_sequence_layout_get_n_lanes (self->layout); lane++)
    {
      const char *id = sp_sequence_layout_get_lane (self->layout, lane)->id;
      double x = lane_x (self, lane);
      double chip_width = self->lane_width - 2 * self->char_width;
      GskRoundedRect rect;

      gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x - chip_width / 2, y - chip_height / 2,
                                                                   chip_width, chip_height),
                                       chip_height / 2);
      gtk_snapshot_push_rounded_clip (snapshot, &rect);
      gtk_snapshot_append_color (snapshot, &chip, &rect.bounds);
      gtk_snapshot_pop (snapshot);
      /* A long name (a traced program's "notes_echo_server.py:3") keeps its
       * end, the descriptor, within its chip. */
      pango_layout_set_width (self->text, (int) (chip_width - self->char_width) * PANGO_SCALE);
      pango_layout_set_ellipsize (self->text, PANGO_ELLIPSIZE_START);
      append_text (self, snapshot, id, x, y, ALIGN_CENTER, TRUE, 1.0, &self->fg);
      pango_layout_set_width (self->text, -1);
      pango_layout_set_ellipsize (self->text, PANGO_ELLIPSIZE_NONE);
    }
  gtk_snapshot_restore (snapshot);
}

static void
sp_sequence_view_snapshot (GtkWidget   *widget,
                           GtkSnapshot *snapshot)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double top = gtk_adjustment_get_value (self->vadjustment);
  guint n_rows;
  double first_y, last_y;

  ensure_style (self);
  n_rows = sp_sequence_layout_get_n_rows (self->layout);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (n_rows > 0)
    {
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-gtk_adjustment_get_value (self->hadjustment),
                                                              -top));
      /* Only the tiles in view, one row of margin for labels that overhang. */
      first_y = MAX (0, top - self->header_height - self->row_height);
      last_y = MAX (0, top + height - self->header_height + self->row_height);
      for (guint tile = (guint) (first_y / self->row_height) / SP_SEQUENCE_LAYOUT_TILE_ROWS;
           tile * SP_SEQUENCE_LAYOUT_TILE_ROWS < n_rows &&
           tile <= (guint) (last_y / self->row_height) / SP_SEQUENCE_LAYOUT_TILE_ROWS;
           tile++)
        gtk_snapshot_append_node (snapshot, ensure_tile (self, tile));
      gtk_snapshot_restore (snapshot);
    }
  draw_header (self, snapshot, width);
  gtk_snapshot_pop (snapshot);
}

/* Scrolling */

static void
configure_adjustments (SpSequenceView *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double upper = MAX (content_height (self), height);
  double value = gtk_adjustment_get_value (self->vadjustment);

  if (self->following)
    value = upper - height;

  gtk_adjustment_configure (self->hadjustment, gtk_adjustment_get_value (self->hadjustment),
                            0, MAX (content_width (self), width), width * 0.1, width * 0.9, width);
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
      drop_tiles_from (self, 0);
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }
  else
    drop_tiles_from (self, MIN (damage.first_row, n_before) / SP_SEQUENCE_LAYOUT_TILE_ROWS);

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
  drop_tiles_from (self, 0);
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

  ensure_style (self);
  content_geometry (self, geometry);
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

  ensure_style (self);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = ceil_px (self->gutter_width + self->lane_width);
      *natural = MAX (*minimum, ceil_px (content_width (self)));
    }
  else
    {
      *minimum = ceil_px (self->header_height + 2 * self->row_height);
      *natural = MAX (*minimum, ceil_px (content_height (self)));
    }
}

static void
sp_sequence_view_size_allocate (GtkWidget *widget,
                                int        width,
                                int        height,
                                int        baseline)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (widget);

  ensure_style (self);
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
  drop_tiles_from (self, 0);
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
  widget_class->snapshot = sp_sequence_view_snapshot;
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
  self->tiles = g_ptr_array_new_with_free_func (unref_tile);
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
