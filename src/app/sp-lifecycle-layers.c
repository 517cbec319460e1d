/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-errno.h"
#include "sp-labels.h"
#include "sp-lifecycle-view-private.h"

/* The diagram drawn in layers, each a function over the geometry: the
 * header, the loops, the close line, the arcs, the nodes, the straight
 * edges, a listener's extras, a stray failure; and the highlight on top. */

/* Draws `text` centred on x, its top at y; returns its width. */
static double
draw_text (SpLifecycleView *self,
           GtkSnapshot     *snapshot,
           const char      *text,
           double           x,
           double           y,
           double           scale,
           gboolean         bold,
           const GdkRGBA   *color)
{
  g_autoptr(PangoLayout) layout = _sp_lifecycle_view_make_layout (self, text, scale, bold);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT ((float) (x - width / 2.0), (float) y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  return width;
}

/* Draws `text` as draw_text() does, on a patch of `background` that hides
 * the lines it crosses. */
static void
draw_label (SpLifecycleView *self,
            GtkSnapshot     *snapshot,
            const char      *text,
            double           x,
            double           y,
            const GdkRGBA   *color,
            const GdkRGBA   *background)
{
  g_autoptr(PangoLayout) layout = _sp_lifecycle_view_make_layout (self, text, 0.8, FALSE);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_append_color (snapshot, background,
                             &GRAPHENE_RECT_INIT ((float) (x - width / 2.0 - 3), (float) y,
                                                  (float) width + 6, (float) height));
  draw_text (self, snapshot, text, x, y, 0.8, FALSE, color);
}

static const char *
node_label (SpLifecycleLayout *layout,
            guint              node,
            SpState            current)
{
  const SpLifecycleNode *spec = sp_lifecycle_layout_get_node (layout, node);

  /* The shut states are one node; the header says which. */
  if (spec->state == SP_STATE_SHUT_BOTH)
    return _("shut down");
  if (spec->states & (1u << current))
    return sp_state_label (current);
  return sp_state_label (spec->state);
}

/* Colours */

static GdkRGBA
with_alpha (const GdkRGBA *color,
            double         alpha)
{
  GdkRGBA faded = *color;

  faded.alpha *= (float) alpha;
  return faded;
}

/* The foreground for lines and text, faded by `alpha` as far as `colors`
 * fade. */
static GdkRGBA
faded_fg (const Colors *colors,
          double        alpha)
{
  return with_alpha (&colors->fg, 1.0 - (1.0 - alpha) * colors->fade);
}

/* Drawing */

static void
set_source (cairo_t       *cr,
            const GdkRGBA *color)
{
  gdk_cairo_set_source_rgba (cr, color);
}

static void
arrow_head (cairo_t *cr,
            double   x,
            double   y,
            double   angle,
            double   size)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, angle);
  cairo_move_to (cr, 0, 0);
  cairo_line_to (cr, -size, -size * 0.55);
  cairo_line_to (cr, -size, size * 0.55);
  cairo_close_path (cr);
  cairo_fill (cr);
  cairo_restore (cr);
}

static void
rounded_rect (cairo_t   *cr,
              const Box *box,
              double     radius)
{
  double r = MIN (radius, box->h / 2);

  cairo_new_sub_path (cr);
  cairo_arc (cr, box->x + box->w - r, box->y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, box->x + box->w - r, box->y + box->h - r, r, 0, G_PI / 2);
  cairo_arc (cr, box->x + r, box->y + box->h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, box->x + r, box->y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* The colour of an edge: the error it met, the call just made, a path
 * taken, or one not taken yet. */
static GdkRGBA
edge_color (SpLifecycleView       *self,
            const Colors          *colors,
            guint                  index,
            const SpLifecycleEdge *edge)
{
  if ((int) index == sp_lifecycle_layout_get_failed_edge (self->layout))
    return colors->error;
  if ((int) index == sp_lifecycle_layout_get_last_edge (self->layout))
    return colors->accent;
  return faded_fg (colors, edge->n_calls > 0 ? 0.75 : 0.35);
}

static gboolean
node_visited (SpLifecycleView *self,
              guint            node)
{
  for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (self->layout); i++)
    {
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (self->layout, i);

      if (edge->to == node && edge->n_calls > 0)
        return TRUE;
    }

  return FALSE;
}

static void
draw_nodes (SpLifecycleView *self,
            GtkSnapshot     *snapshot,
            const Colors    *colors)
{
  Geometry *g = &self->geometry;
  guint n_nodes = MIN (sp_lifecycle_layout_get_n_nodes (self->layout), MAX_NODES);
  SpState state = sp_lifecycle_layout_get_state (self->layout);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, (float) g->width, (float) g->height);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  cairo_set_line_width (cr, MAX (1.0, g->unit / 14));
  for (guint i = 0; i < n_nodes; i++)
    {
      gboolean visited = node_visited (self, i);
      GdkRGBA border = faded_fg (colors, visited ? 0.6 : 0.25);

      rounded_rect (cr, &g->nodes[i], g->unit * 0.5);
      set_source (cr, &colors->card);
      cairo_fill_preserve (cr);
      set_source (cr, &border);
      if (!visited)
        cairo_set_dash (cr, (double[]) { g->unit / 5, g->unit / 6 }, 2, 0);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  /* The dot a socket starts from: filled until socket() is called. */
  cairo_arc (cr, g->start_x, g->row_y, g->unit * 0.28, 0, 2 * G_PI);
  if (state == SP_STATE_UNCREATED)
    set_source (cr, &colors->accent_bg);
  else
    {
      GdkRGBA dot = faded_fg (colors, 0.55);

      set_source (cr, &dot);
    }
  cairo_fill (cr);
  cairo_destroy (cr);

  for (guint i = 0; i < n_nodes; i++)
    {
      gboolean visited = node_visited (self, i);
      GdkRGBA text = faded_fg (colors, visited ? 1.0 : 0.55);
      Box *box = &g->nodes[i];

      draw_text (self, snapshot, node_label (self->layout, i, state), box->x + box->w / 2,
                 box->y + box->h / 2 - g->unit / 2, 1.0, FALSE, &text);
    }
}

/* The straight arrows between neighbours, with the call over the arrow
 * and what it did under it. An arrow into another lane (a fork) bends
 * into it first. */
static void
draw_straight_edges (SpLifecycleView *self,
                     GtkSnapshot     *snapshot,
                     const Colors    *colors)
{
  Geometry *g = &self->geometry;
  SpSocketType type = sp_lifecycle_layout_get_socket_type (self->layout);
  guint n_nodes = MIN (sp_lifecycle_layout_get_n_nodes (self->layout), MAX_NODES);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, (float) g->width, (float) g->height);

  for (guint i = 0; i < n_nodes; i++)
    {
      int index = _sp_lifecycle_view_straight_edge_into (self->layout, i);
      const SpLifecycleEdge *edge;
      double x0, y0, x1, y1, mid;
      GdkRGBA color;
      g_autofree char *below = NULL;
      cairo_t *cr;

      if (index < 0)
        continue;

      edge = sp_lifecycle_layout_get_edge (self->layout, (guint) index);
      x1 = g->nodes[i].x;
      y1 = g->nodes[i].y + g->nodes[i].h / 2;
      /* The first edge comes from the start dot. */
      if (edge->from == SP_LIFECYCLE_NO_NODE)
        {
          x0 = g->start_x + g->unit * 0.4;
          y0 = g->row_y;
        }
      else
        {
          const Box *from = &g->nodes[MIN (edge->from, MAX_NODES - 1)];

          x0 = from->x + from->w;
          y0 = from->y + from->h / 2;
        }
      color = edge_color (self, colors, (guint) index, edge);

      cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      set_source (cr, &color);
      cairo_set_line_width (cr, MAX (1.0, g->unit / ((int) index ==
                                      sp_lifecycle_layout_get_last_edge (self->layout)
                                      ? 7.0 : 11.0)));
      cairo_move_to (cr, x0 + g->unit * 0.15, y0);
      if (y1 != y0)
        {
          double run = _sp_lifecycle_view_fork_run (g);

          cairo_curve_to (cr, x0 + run * 0.6, y0, x0 + run * 0.4, y1, x0 + run, y1);
          x0 += run;
        }
      cairo_line_to (cr, x1 - g->unit * 0.3, y1);
      cairo_stroke (cr);
      arrow_head (cr, x1 - g->unit * 0.1, y1, 0, g->unit * 0.38);
      cairo_destroy (cr);

      mid = (x0 + x1) / 2;
      draw_text (self, snapshot, sp_lifecycle_action_name (edge->action, type), mid,
                 y1 - g->unit * 1.05, 0.8, TRUE, &color);

      below = _sp_lifecycle_view_edge_note (self, (guint) index, edge);
      draw_text (self, snapshot, below, mid, y1 + g->unit * 0.2, 0.8, FALSE, &color);
    }
}

/* One loop over each node whose state is for repeating calls, with a line
 * of text for each call it stands for, stacked up from the loop. */
static void
draw_loops (SpLifecycleView *self,
            GtkSnapshot     *snapshot,
            const Colors    *colors)
{
  Geometry *g = &self->geometry;
  guint n_nodes = MIN (sp_lifecycle_layout_get_n_nodes (self->layout), MAX_NODES);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, (float) g->width, (float) g->height);

  for (guint node = 0; node < n_nodes; node++)
    {
      Box *box = &g->nodes[node];
      double cx = box->x + box->w / 2;
      double top = box->y;
      guint loops[SP_LIFECYCLE_ACTION_NONE];
      guint n_loops = 0;
      GdkRGBA loop_color = faded_fg (colors, 0.35);
      cairo_t *cr;

      for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (self->layout); i++)
        {
          const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (self->layout, i);

          if (_sp_lifecycle_view_is_loop (edge) && edge->from == node &&
              n_loops < G_N_ELEMENTS (loops))
            loops[n_loops++] = i;
        }
      if (n_loops == 0)
        continue;

      for (guint j = 0; j < n_loops; j++)
        {
          const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (self->layout, loops[j]);
          g_autofree char *text = _sp_lifecycle_view_edge_text (self, loops[j], edge);
          GdkRGBA color = edge_color (self, colors, loops[j], edge);
          double y = top - g->unit * (1.45 + 0.9 * (n_loops - j));

          /* The loop takes the colour of its liveliest call. */
          if (edge->n_calls > 0 || (int) loops[j] == sp_lifecycle_layout_get_failed_edge (
                                                      self->layout))
            loop_color = color;
          draw_text (self, snapshot, text, cx, y, 0.8, FALSE, &color);
        }

      /* The loop leaves the node's top, rises and comes back into it. */
      cr = gtk_snapshot_append_cairo (snapshot, &bounds);
      set_source (cr, &loop_color);
      cairo_set_line_width (cr, MAX (1.0, g->unit / 11));
      cairo_move_to (cr, cx - g->unit * 0.7, top);
      cairo_curve_to (cr, cx - g->unit * 1.0, top - g->unit * 1.4,
                      cx + g->unit * 1.0, top - g->unit * 1.4,
                      cx + g->unit * 0.75, top - g->unit * 0.3);
      cairo_stroke (cr);
      arrow_head (cr, cx + g->unit * 0.7, top - g->unit * 0.05, G_PI * 0.62, g->unit * 0.34);
      cairo_destroy (cr);
    }
}

/* Edges that skip a node (connect without bind) or run beside a straight
 * one (the first sendto binds too) go under the row. */
static void
draw_arcs (SpLifecycleView *self,
           GtkSnapshot     *snapshot,
           const Colors    *colors)
{
  Geometry *g = &self->geometry;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, (float) g->width, (float) g->height);

  for (guint a = 0; a < g->n_arcs; a++)
    {
      guint index = (guint) g->arc_edges[a];
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (self->layout, index);
      Box *from = &g->nodes[MIN (edge->from, MAX_NODES - 1)];
      Box *to = &g->nodes[MIN (edge->to, MAX_NODES - 1)];
      double x0 = from->x + from->w * 0.6;
      double x1 = to->x + to->w * 0.35;
      double bottom = g->arcs_top + g->unit * (0.9 + a * ARC_SPACING);
      GdkRGBA color = edge_color (self, colors, index, edge);
      g_autofree char *text = _sp_lifecycle_view_edge_text (self, index, edge);
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

      set_source (cr, &color);
      cairo_set_line_width (cr, MAX (1.0, g->unit / 11));
      cairo_move_to (cr, x0, from->y + from->h);
      cairo_curve_to (cr, x0, bottom, x0, bottom, (x0 + x1) / 2, bottom);
      cairo_curve_to (cr, x1, bottom, x1, bottom, x1, to->y + to->h + g->unit * 0.35);
      cairo_stroke (cr);
      arrow_head (cr, x1, to->y + to->h + g->unit * 0.02, -G_PI / 2, g->unit * 0.34);
      cairo_destroy (cr);

      draw_label (self, snapshot, text, (x0 + x1) / 2, bottom + g->unit * 0.1, &color,
                  &colors->card);
    }
}

/* close is legal from every state: one line under the row, fed from each
 * node, into closed. */
static void
draw_close (SpLifecycleView *self,
            GtkSnapshot     *snapshot,
            const Colors    *colors)
{
  Geometry *g = &self->geometry;
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, (float) g->width, (float) g->height);
  /* close has one edge, whichever state it is asked from. */
  int index = sp_lifecycle_layout_edge_for_call (self->layout, SP_STATE_CREATED, SP_CALL_CLOSE);
  const SpLifecycleEdge *edge;
  Box *closed;
  double first_x = G_MAXDOUBLE;
  g_autofree char *text = NULL;
  GdkRGBA color;
  cairo_t *cr;

  if (index < 0)
    return;

  edge = sp_lifecycle_layout_get_edge (self->layout, (guint) index);
  closed = &g->nodes[MIN (edge->to, MAX_NODES - 1)];
  color = edge_color (self, colors, (guint) index, edge);

  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  set_source (cr, &color);
  cairo_set_line_width (cr, MAX (1.0, g->unit / 11));
  for (guint i = 0; i < MIN (sp_lifecycle_layout_get_n_nodes (self->layout), MAX_NODES); i++)
    {
      double x = g->nodes[i].x + g->nodes[i].w / 2;

      if (!(edge->from_nodes & (1u << i)))
        continue;

      /* A node above the row would cross the lane under it on the way
       * down: it goes right, over the others, and into closed from above. */
      if (sp_lifecycle_layout_get_node (self->layout, i)->lane < 0)
        {
          double y = g->nodes[i].y + g->nodes[i].h / 2;
          double x1 = closed->x + closed->w / 2;

          cairo_move_to (cr, g->nodes[i].x + g->nodes[i].w, y);
          cairo_line_to (cr, x1, y);
          cairo_line_to (cr, x1, closed->y - g->unit * 0.35);
          cairo_stroke (cr);
          arrow_head (cr, x1, closed->y - g->unit * 0.02, G_PI / 2, g->unit * 0.34);
          continue;
        }

      first_x = MIN (first_x, x);
      cairo_move_to (cr, x, g->nodes[i].y + g->nodes[i].h);
      cairo_line_to (cr, x, g->bus_y);
    }
  if (first_x < G_MAXDOUBLE)
    {
      double x1 = closed->x + closed->w / 2;

      cairo_move_to (cr, first_x, g->bus_y);
      cairo_line_to (cr, x1, g->bus_y);
      cairo_line_to (cr, x1, closed->y + closed->h + g->unit * 0.35);
      cairo_stroke (cr);
      arrow_head (cr, x1, closed->y + closed->h + g->unit * 0.02, -G_PI / 2, g->unit * 0.34);
    }
  cairo_destroy (cr);

  text = _sp_lifecycle_view_edge_text (self, (guint) index, edge);
  draw_label (self, snapshot, text,
              closed->x - g->unit * 0.4 - _sp_lifecycle_view_text_width (self, text, 0.8) / 2,
              g->bus_y + g->unit * 0.1, &color, &colors->card);
}

/* A pill of text at (x, y) from its left; returns its width. */
static double
draw_pill (SpLifecycleView *self,
           GtkSnapshot     *snapshot,
           const char      *text,
           double           x,
           double           y,
           const GdkRGBA   *fill,
           const GdkRGBA   *ink)
{
  Geometry *g = &self->geometry;
  double width = _sp_lifecycle_view_text_width (self, text, 0.8) + g->unit;
  Box box = { x, y, width, g->unit * 1.15 };
  graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float) box.x, (float) box.y,
                                               (float) box.w, (float) box.h);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  rounded_rect (cr, &box, box.h / 2);
  set_source (cr, fill);
  cairo_fill (cr);
  cairo_destroy (cr);

  draw_text (self, snapshot, text, x + width / 2, y + g->unit * 0.12, 0.8, TRUE, ink);
  return width;
}

/* The API state and the kernel's TCP state, side by side. */
static void
draw_header (SpLifecycleView *self,
             GtkSnapshot     *snapshot,
             const Colors    *colors)
{
  Geometry *g = &self->geometry;
  SpState state = sp_lifecycle_layout_get_state (self->layout);
  GdkRGBA caption = faded_fg (colors, 0.6);
  GdkRGBA neutral = with_alpha (&colors->fg, 0.1);
  double x = g->unit * 0.6;
  double y = g->unit * 0.3;

  x += draw_text (self, snapshot, _("API"),
                  x + _sp_lifecycle_view_text_width (self, _("API"), 0.8) / 2,
                  y + g->unit * 0.12, 0.8, FALSE, &caption) + g->unit * 0.4;
  x += draw_pill (self, snapshot, sp_state_label (state), x, y, &colors->accent_bg,
                  &colors->accent_fg) + g->unit;

  if (self->tcp_state != NULL)
    {
      const char *label = _("Kernel TCP");

      x += draw_text (self, snapshot, label,
                      x + _sp_lifecycle_view_text_width (self, label, 0.8) / 2,
                      y + g->unit * 0.12, 0.8, FALSE, &caption) + g->unit * 0.4;
      draw_pill (self, snapshot, self->tcp_state, x, y, &neutral, &colors->fg);
    }
}

/* A listener's pending connections, as a queue, and the sockets accept
 * returned (the notes' `conn` beside `sock`). */
static void
draw_listener_extras (SpLifecycleView *self,
                      GtkSnapshot     *snapshot,
                      const Colors    *colors)
{
  Geometry *g = &self->geometry;
  guint listening = sp_lifecycle_layout_node_for_state (self->layout, SP_STATE_LISTENING);
  GdkRGBA caption = faded_fg (colors, 0.6);
  GdkRGBA chip = with_alpha (&colors->accent_bg, 0.15);
  double x, y = g->extras_y;
  g_autofree char *waiting = NULL;
  int queued = MAX (self->accept_queue, 0);

  /* A socket that may still listen has no queue yet. */
  if (listening == SP_LIFECYCLE_NO_NODE ||
      sp_lifecycle_layout_get_path (self->layout) != SP_LIFECYCLE_PATH_SERVER)
    return;

  x = g->nodes[listening].x;
  waiting = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d waiting to be accepted",
                                          "%d waiting to be accepted", queued), queued);

  /* One small box per pending connection, as a queue. */
  if (queued > 0)
    {
      graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float) x, (float) y, (float) (g->unit * 8),
                                                   (float) g->unit);
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

      set_source (cr, &colors->accent);
      cairo_set_line_width (cr, MAX (1.0, g->unit / 11));
      for (int i = 0; i < MIN (queued, 5); i++)
        {
          cairo_rectangle (cr, x + i * g->unit * 0.8 + 0.5, y + g->unit * 0.2,
                           g->unit * 0.6, g->unit * 0.6);
          cairo_stroke (cr);
        }
      cairo_destroy (cr);
      x += MIN (queued, 5) * g->unit * 0.8 + g->unit * 0.3;
    }
  /* A traced program's listener has no queue the playground can read. */
  if (_sp_lifecycle_view_get_observed (self) == NULL)
    draw_text (self, snapshot, waiting,
               x + _sp_lifecycle_view_text_width (self, waiting, 0.8) / 2, y, 0.8, FALSE,
               &caption);

  y += g->unit * 1.4;
  x = g->nodes[listening].x;
  if (self->n_children == 0)
    {
      const char *none = _("accept has returned no socket yet");

      draw_text (self, snapshot, none, x + _sp_lifecycle_view_text_width (self, none, 0.8) / 2,
                 y, 0.8, FALSE, &caption);
      return;
    }

  for (guint i = 0; i < self->children->len; i++)
    x += draw_pill (self, snapshot, g_ptr_array_index (self->children, i), x, y, &chip,
                    &colors->fg) + g->unit * 0.4;
  if (self->n_children > self->children->len)
    {
      g_autofree char *more = g_strdup_printf (_("and %u more"),
                                               self->n_children - self->children->len);

      draw_text (self, snapshot, more, x + _sp_lifecycle_view_text_width (self, more, 0.8) / 2,
                 y + g->unit * 0.12, 0.8, FALSE, &caption);
    }
}

/* A failed call that has no edge on this path shows at the current node. */
static void
draw_stray_failure (SpLifecycleView *self,
                    GtkSnapshot     *snapshot,
                    const Colors    *colors)
{
  Geometry *g = &self->geometry;
  int error = sp_lifecycle_layout_get_failed_error (self->layout);
  guint node = sp_lifecycle_layout_node_for_state (self->layout,
                                                   sp_lifecycle_layout_get_state (self->layout));
  const char *name = sp_errno_name (error);
  g_autofree char *text = NULL;
  const Box *box = node == SP_LIFECYCLE_NO_NODE ? NULL : &g->nodes[MIN (node, MAX_NODES - 1)];
  double x = box == NULL ? g->start_x : box->x;
  double y = box == NULL ? g->row_y : box->y + box->h / 2;

  if (error == 0 || sp_lifecycle_layout_get_failed_edge (self->layout) >= 0)
    return;

  text = g_strdup_printf ("%s ✕ %s", sp_call_to_string (sp_lifecycle_layout_get_failed_call (
                                                          self->layout)),
                          name != NULL ? name : _("failed"));
  draw_pill (self, snapshot, text, x, y + g->unit * 1.1, &colors->error,
             &colors->accent_fg);
}

GskRenderNode *
_sp_lifecycle_view_render_static (SpLifecycleView *self,
                                  const Colors    *colors)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  draw_header (self, snapshot, colors);
  draw_loops (self, snapshot, colors);
  /* Arc labels cover the close line's ticks, not the other way round. */
  draw_close (self, snapshot, colors);
  draw_arcs (self, snapshot, colors);
  draw_nodes (self, snapshot, colors);
  draw_straight_edges (self, snapshot, colors);
  draw_listener_extras (self, snapshot, colors);
  draw_stray_failure (self, snapshot, colors);
  return gtk_snapshot_free_to_node (snapshot);
}

/* The highlight at `box`, on its way to node `node`: the part of the
 * node's label it covers turns. */
void
_sp_lifecycle_view_draw_highlight (SpLifecycleView *self,
                                   GtkSnapshot     *snapshot,
                                   const Colors    *colors,
                                   guint            node,
                                   const Box       *box)
{
  Geometry *g = &self->geometry;
  SpState state = sp_lifecycle_layout_get_state (self->layout);
  graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float) box->x - 2, (float) box->y - 2,
                                               (float) box->w + 4, (float) box->h + 4);
  cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &bounds);

  rounded_rect (cr, box, g->unit * 0.5);
  set_source (cr, &colors->accent_bg);
  cairo_fill (cr);
  cairo_destroy (cr);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT ((float) box->x, (float) box->y,
                                                         (float) box->w, (float) box->h));
  draw_text (self, snapshot, node_label (self->layout, node, state),
             g->nodes[node].x + g->nodes[node].w / 2,
             g->nodes[node].y + g->nodes[node].h / 2 - g->unit / 2, 1.0, TRUE,
             &colors->accent_fg);
  gtk_snapshot_pop (snapshot);
}
