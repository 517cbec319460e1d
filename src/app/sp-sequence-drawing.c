/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-sequence-view-private.h"

/* Pixel rounding and lengths without libm, which the build does not link. */
static double
round_px (double value)
{
  return value >= 0 ? (gint64) (value + 0.5) : -(gint64) (0.5 - value);
}

double
_sp_sequence_view_ceil_px (double value)
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

  self->lane_width = _sp_sequence_view_ceil_px (self->char_width * 20);
  self->row_height = _sp_sequence_view_ceil_px (self->line_height * 1.8);
  self->header_height = _sp_sequence_view_ceil_px (self->line_height * 2.6);
  self->gutter_width = _sp_sequence_view_ceil_px (self->char_width * 7);
}

void
_sp_sequence_view_ensure_style (SpSequenceView *self)
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

void
_sp_sequence_view_content_geometry (SpSequenceView     *self,
                                    SpSequenceGeometry *geometry)
{
  geometry->lane_x0 = self->gutter_width + self->lane_width / 2;
  geometry->lane_width = self->lane_width;
  geometry->row_y0 = self->header_height + self->row_height / 2;
  geometry->row_height = self->row_height;
}

double
_sp_sequence_view_content_width (SpSequenceView *self)
{
  return self->gutter_width + MAX (sp_sequence_layout_get_n_lanes (self->layout), 1) * self->lane_width;
}

double
_sp_sequence_view_content_height (SpSequenceView *self)
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

  _sp_sequence_view_content_geometry (self, &geometry);
  arrows = sp_sequence_layout_get_tile_arrows (self->layout, tile, &n_arrows);

  /* Arrows crossing several tiles are drawn by each, clipped to it, so
   * translucent strokes do not add up. */
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, row_y (self, first) - self->row_height / 2,
                                                         _sp_sequence_view_content_width (self),
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
                                                  _sp_sequence_view_content_width (self) -
                                                  self->gutter_width,
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

void
_sp_sequence_view_unref_tile (gpointer node)
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

void
_sp_sequence_view_drop_tiles_from (SpSequenceView *self,
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
      append_text (self, snapshot, id, x, y, ALIGN_CENTER, TRUE, 1.0, &self->fg);
    }
  gtk_snapshot_restore (snapshot);
}

void
_sp_sequence_view_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  SpSequenceView *self = SP_SEQUENCE_VIEW (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double top = gtk_adjustment_get_value (self->vadjustment);
  guint n_rows;
  double first_y, last_y;

  _sp_sequence_view_ensure_style (self);
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
