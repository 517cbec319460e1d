/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "sp-errno.h"
#include "sp-kernel-facts.h"
#include "sp-labels.h"
#include "sp-lifecycle-layout.h"
#include "sp-lifecycle-view.h"
#include "sp-socket.h"

#define TRANSITION_US (250 * G_TIME_SPAN_MILLISECOND)
/* Below this the diagram would be too small to read; it is scaled down to
 * fit narrower space until then. */
#define MIN_SCALE 0.55
/* Filling its space (presentation mode), it grows at most this much. */
#define MAX_FILL_SCALE 3.0
#define FILL_FADE 0.45
#define MAX_NODES 8
#define MAX_ARCS 8
#define MAX_CHILDREN_SHOWN 6
/* Lines of text, in line heights, between arcs under the row. */
#define ARC_SPACING 2.1

typedef struct
{
  double x, y, w, h;
} Box;

/* Where everything goes, in pixels at scale 1, from the font's line
 * height: bigger text (presentation mode) makes a bigger diagram. */
typedef struct
{
  double unit;
  double width;
  double height;
  double start_x;        /* the dot the first edge leaves */
  double row_y;          /* the middle of the row of nodes */
  double lane_gap;       /* from the row to the lanes of a fork, above and under it */
  double loop_top;       /* the top of the labels over the loops */
  double bus_y;          /* the line close takes */
  double extras_y;       /* a listener's queue and accepted sockets */
  Box    nodes[MAX_NODES];
  int    arc_edges[MAX_ARCS];
  guint  n_arcs;
  double arcs_top;
  gboolean has_loops;
} Geometry;

typedef struct
{
  GdkRGBA fg;
  GdkRGBA accent;
  GdkRGBA accent_bg;
  GdkRGBA accent_fg;
  GdkRGBA error;
  GdkRGBA card;
  /* How much of their fading lines and text keep: a projector washes out
   * faint grey, so presentation mode (fill) keeps less of it. */
  double  fade;
} Colors;

struct _SpLifecycleView
{
  GtkWidget          parent_instance;

  SpPlayer          *player;
  char              *socket_id;
  SpSocket          *socket;
  GSignalGroup      *log_signals;
  GSignalGroup      *sockets_signals;
  GSignalGroup      *socket_signals;

  SpLifecycleLayout *layout;
  guint              processed;   /* log positions read into the layout */

  /* The kernel's facts, watched while the view is mapped. */
  SpKernelFacts     *facts;
  GSignalGroup      *facts_signals;
  char              *tcp_state;
  int                accept_queue;
  /* "id · state" of the first sockets accept returned, and how many it
   * returned in all. */
  GPtrArray         *children;
  guint              n_children;

  Geometry           geometry;
  gboolean           geometry_valid;
  GskRenderNode     *cache;       /* everything but the moving highlight */
  Colors             cache_colors;

  /* The highlight slides from the node it was on to the current one. */
  guint              shown_node;
  Box                slide_from;
  gint64             slide_start;
  guint              tick_id;

  /* The font the geometry was measured with: zoom and presentation mode
   * change it through CSS. */
  PangoFontDescription *font;
  /* The "animations-enabled" preference; the desktop's setting also counts. */
  gboolean           animate;
  /* Scaled up to fill the allocation too, not only down to fit its width. */
  gboolean           fill;
};

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

static void            rebuild       (SpLifecycleView *self);
static gboolean        read_children (SpLifecycleView *self);
static SpLifecyclePath current_path  (SpLifecycleView *self);

/* Text */

static PangoLayout *
make_layout (SpLifecycleView *self,
             const char      *text,
             double           scale,
             gboolean         bold)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (scale != 1.0)
    pango_attr_list_insert (attrs, pango_attr_scale_new (scale));
  if (bold)
    pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  return layout;
}

static double
text_width (SpLifecycleView *self,
            const char      *text,
            double           scale)
{
  g_autoptr(PangoLayout) layout = make_layout (self, text, scale, FALSE);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

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
  g_autoptr(PangoLayout) layout = make_layout (self, text, scale, bold);
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
  g_autoptr(PangoLayout) layout = make_layout (self, text, 0.8, FALSE);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_append_color (snapshot, background,
                             &GRAPHENE_RECT_INIT ((float) (x - width / 2.0 - 3), (float) y,
                                                  (float) width + 6, (float) height));
  draw_text (self, snapshot, text, x, y, 0.8, FALSE, color);
}

/* Labels */

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

static char *
count_text (const SpLifecycleEdge *edge)
{
  g_autofree char *size = NULL;

  if (edge->n_calls == 0)
    return g_strdup ("");
  if (edge->bytes == 0)
    return g_strdup_printf ("×%u", edge->n_calls);

  size = g_format_size (edge->bytes);
  /* TRANSLATORS: how often a call was made and the bytes it moved, "×3 · 33 bytes" */
  return g_strdup_printf (_("×%u · %s"), edge->n_calls, size);
}

/* What goes under an edge's name: its count, or the error a call met. */
static char *
edge_note (SpLifecycleView       *self,
           guint                  index,
           const SpLifecycleEdge *edge)
{
  const char *error;

  if ((int) index != sp_lifecycle_layout_get_failed_edge (self->layout))
    return count_text (edge);

  error = sp_errno_name (sp_lifecycle_layout_get_failed_error (self->layout));
  return g_strdup (error != NULL ? error : _("failed"));
}

/* The edge's label with its count, or the error a call met on it. */
static char *
edge_text (SpLifecycleView       *self,
           guint                  index,
           const SpLifecycleEdge *edge)
{
  const char *name = sp_lifecycle_action_name (edge->action,
                                               sp_lifecycle_layout_get_socket_type (self->layout));
  g_autofree char *count = NULL;

  if ((int) index == sp_lifecycle_layout_get_failed_edge (self->layout))
    {
      const char *error = sp_errno_name (sp_lifecycle_layout_get_failed_error (self->layout));

      return g_strdup_printf ("%s ✕ %s", name, error != NULL ? error : _("failed"));
    }

  count = count_text (edge);
  return count[0] != '\0' ? g_strdup_printf ("%s %s", name, count) : g_strdup (name);
}

/* Geometry */

static gboolean
is_loop (const SpLifecycleEdge *edge)
{
  return edge->from == edge->to && edge->action != SP_LIFECYCLE_ACTION_CLOSE;
}

static guint
column_of (SpLifecycleLayout *layout,
           guint              node)
{
  return sp_lifecycle_layout_get_node (layout, node)->column;
}

/* The edge drawn as the straight arrow into node `to` from a node in the
 * column before it, -1 for none: the first the layout lists; others
 * between the same nodes are arcs. The first edge comes from the start
 * dot. */
static int
straight_edge_into (SpLifecycleLayout *layout,
                    guint              to)
{
  for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (layout); i++)
    {
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, i);

      if (i == 0 && to == 0)
        return edge->from == SP_LIFECYCLE_NO_NODE ? 0 : -1;
      if (edge->action != SP_LIFECYCLE_ACTION_CLOSE && edge->from != SP_LIFECYCLE_NO_NODE &&
          edge->to == to && column_of (layout, to) == column_of (layout, edge->from) + 1)
        return (int) i;
    }

  return -1;
}

static gboolean
is_straight (SpLifecycleLayout *layout,
             guint              index)
{
  return straight_edge_into (layout, sp_lifecycle_layout_get_edge (layout, index)->to) ==
         (int) index;
}

static int
compare_spans (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const SpLifecycleEdge *edge_a = sp_lifecycle_layout_get_edge (user_data, *(const int *) a);
  const SpLifecycleEdge *edge_b = sp_lifecycle_layout_get_edge (user_data, *(const int *) b);

  return (int) (column_of (user_data, edge_a->to) - column_of (user_data, edge_a->from)) -
         (int) (column_of (user_data, edge_b->to) - column_of (user_data, edge_b->from));
}

/* How many loops node `node` has. */
static guint
n_loops_at (SpLifecycleLayout *layout,
            guint              node)
{
  guint n = 0;

  for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (layout); i++)
    {
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, i);

      if (is_loop (edge) && edge->from == node)
        n++;
    }

  return n;
}

/* The horizontal run a forking edge takes to reach its lane. */
static double
fork_run (const Geometry *g)
{
  return 2.0 * g->unit;
}

static void
compute_geometry (SpLifecycleView *self)
{
  Geometry *g = &self->geometry;
  SpLifecycleLayout *layout = self->layout;
  guint n_nodes = MIN (sp_lifecycle_layout_get_n_nodes (layout), MAX_NODES);
  SpSocketType type = sp_lifecycle_layout_get_socket_type (layout);
  g_autoptr(PangoLayout) probe = make_layout (self, "Mg", 1.0, FALSE);
  /* Room over the loops of the last node for a count with bytes. */
  double count_room = text_width (self, "×00 · 000 bytes", 0.8);
  gboolean loops_above = FALSE, loops_under = FALSE, forks = FALSE;
  guint n_columns = 0;
  double u, x;
  int height;

  pango_layout_get_pixel_size (probe, NULL, &height);
  u = g->unit = MAX (height, 8);

  g->has_loops = FALSE;
  g->n_arcs = 0;
  for (guint i = 0; i < sp_lifecycle_layout_get_n_edges (layout); i++)
    {
      const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, i);

      if (is_loop (edge))
        g->has_loops = TRUE;
      else if (edge->action != SP_LIFECYCLE_ACTION_CLOSE && edge->from != SP_LIFECYCLE_NO_NODE &&
               !is_straight (layout, i) && g->n_arcs < MAX_ARCS)
        g->arc_edges[g->n_arcs++] = (int) i;
    }
  /* Short arcs nearest the row, so that longer ones go round them. */
  g_qsort_with_data (g->arc_edges, g->n_arcs, sizeof (int), compare_spans, layout);

  for (guint i = 0; i < n_nodes; i++)
    {
      const SpLifecycleNode *node = sp_lifecycle_layout_get_node (layout, i);

      n_columns = MAX (n_columns, node->column + 1);
      if (node->lane != 0)
        forks = TRUE;
      if (node->lane < 0 && n_loops_at (layout, i) > 0)
        loops_above = TRUE;
      if (node->lane > 0 && n_loops_at (layout, i) > 0)
        loops_under = TRUE;
    }

  /* Header (states), loops over the nodes, the row, arcs, the close line.
   * A fork puts its lanes above and under the row, the lower one far
   * enough down for its loops to clear the upper lane's nodes. */
  g->loop_top = 2.0 * u;
  if (forks)
    {
      double upper_y = g->loop_top + (loops_above ? 3.2 * u : 0.4 * u) + 0.95 * u;

      g->lane_gap = (0.95 * u + (loops_under ? 3.6 * u : 0.8 * u) + 0.95 * u) / 2;
      g->row_y = upper_y + g->lane_gap;
    }
  else
    {
      g->lane_gap = 0;
      g->row_y = g->loop_top + (g->has_loops ? 3.2 * u : 0.4 * u) + 0.95 * u;
    }
  g->arcs_top = g->row_y + g->lane_gap + 0.95 * u;
  g->bus_y = g->arcs_top + g->n_arcs * ARC_SPACING * u + 0.9 * u;
  g->extras_y = g->bus_y + 1.5 * u;
  g->height = g->extras_y + (sp_lifecycle_layout_get_path (layout) == SP_LIFECYCLE_PATH_SERVER
                             ? 3.6 * u : 0.2 * u);

  x = 0.6 * u;
  g->start_x = x + 0.3 * u;
  x = g->start_x + MAX (2.8 * u, text_width (self, sp_lifecycle_action_name (
                                   sp_lifecycle_layout_get_edge (layout, 0)->action, type), 0.8)
                                 + 1.6 * u);

  /* Column by column: the nodes of one column start at the same x, and the
   * gap after it is as wide as what its arrows say now, the name over an
   * arrow and the count or error under it. */
  for (guint c = 0; c < n_columns; c++)
    {
      double column_width = 0;
      double gap = 2.2 * u;
      gboolean any_next = FALSE;

      for (guint i = 0; i < n_nodes; i++)
        {
          const SpLifecycleNode *node = sp_lifecycle_layout_get_node (layout, i);
          double label = text_width (self, sp_state_label (node->state), 1.0);

          if (node->column != c)
            continue;
          if (node->state == SP_STATE_SHUT_BOTH)
            label = text_width (self, _("shut down"), 1.0);
          if (node->states & (1u << SP_STATE_CONNECTING))
            label = MAX (label, text_width (self, sp_state_label (SP_STATE_CONNECTING), 1.0));

          g->nodes[i].x = x;
          g->nodes[i].w = label + 1.6 * u;
          g->nodes[i].h = 1.9 * u;
          g->nodes[i].y = g->row_y + node->lane * g->lane_gap - g->nodes[i].h / 2;
          column_width = MAX (column_width, g->nodes[i].w);
        }
      x += column_width;

      for (guint i = 0; i < n_nodes; i++)
        {
          int next = straight_edge_into (layout, i);
          const SpLifecycleEdge *edge;
          g_autofree char *below = NULL;
          double room;

          if (next < 0 || column_of (layout, i) != c + 1)
            continue;
          edge = sp_lifecycle_layout_get_edge (layout, (guint) next);
          below = edge_note (self, (guint) next, edge);
          room = MAX (text_width (self, sp_lifecycle_action_name (edge->action, type), 0.8),
                      text_width (self, below, 0.8)) + 1.4 * u;
          if (sp_lifecycle_layout_get_node (layout, edge->from)->lane !=
              sp_lifecycle_layout_get_node (layout, i)->lane)
            room += fork_run (g);
          gap = any_next ? MAX (gap, room) : room;
          any_next = TRUE;
        }
      if (c + 1 < n_columns)
        x += gap;
    }

  g->width = x + 0.6 * u;
  /* The loop labels of the last node may reach past it. */
  if (g->has_loops && n_nodes > 0)
    g->width = MAX (g->width, g->nodes[n_nodes - 1].x + g->nodes[n_nodes - 1].w / 2 +
                              count_room / 2 + 2.5 * u);
  self->geometry_valid = TRUE;
}

static void
ensure_geometry (SpLifecycleView *self)
{
  if (self->layout != NULL && !self->geometry_valid)
    compute_geometry (self);
}

static double
fit_scale (SpLifecycleView *self,
           int              width)
{
  if (self->layout == NULL || self->geometry.width <= 0 || width >= self->geometry.width)
    return 1.0;
  return MAX (MIN_SCALE, width / self->geometry.width);
}

/* As large as fits in width × height. */
static double
fill_scale (SpLifecycleView *self,
            int              width,
            int              height)
{
  if (self->layout == NULL || self->geometry.width <= 0 || self->geometry.height <= 0)
    return 1.0;
  return CLAMP (MIN (width / self->geometry.width, height / self->geometry.height),
                MIN_SCALE, MAX_FILL_SCALE);
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

  gtk_style_context_get_color (context, &colors->fg);
  lookup_color (context, "accent_color", "#1c71d8", &colors->accent);
  lookup_color (context, "accent_bg_color", "#3584e4", &colors->accent_bg);
  lookup_color (context, "accent_fg_color", "#ffffff", &colors->accent_fg);
  lookup_color (context, "error_color", "#c01c28", &colors->error);
  lookup_color (context, "card_bg_color", "#ffffff", &colors->card);
  G_GNUC_END_IGNORE_DEPRECATIONS
  colors->fade = self->fill ? FILL_FADE : 1.0;
}

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
      int index = straight_edge_into (self->layout, i);
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
          double run = fork_run (g);

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

      below = edge_note (self, (guint) index, edge);
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

          if (is_loop (edge) && edge->from == node && n_loops < G_N_ELEMENTS (loops))
            loops[n_loops++] = i;
        }
      if (n_loops == 0)
        continue;

      for (guint j = 0; j < n_loops; j++)
        {
          const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (self->layout, loops[j]);
          g_autofree char *text = edge_text (self, loops[j], edge);
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
      g_autofree char *text = edge_text (self, index, edge);
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

  text = edge_text (self, (guint) index, edge);
  draw_label (self, snapshot, text, closed->x - g->unit * 0.4 - text_width (self, text, 0.8) / 2,
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
  double width = text_width (self, text, 0.8) + g->unit;
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

  x += draw_text (self, snapshot, _("API"), x + text_width (self, _("API"), 0.8) / 2,
                  y + g->unit * 0.12, 0.8, FALSE, &caption) + g->unit * 0.4;
  x += draw_pill (self, snapshot, sp_state_label (state), x, y, &colors->accent_bg,
                  &colors->accent_fg) + g->unit;

  if (self->tcp_state != NULL)
    {
      const char *label = _("Kernel TCP");

      x += draw_text (self, snapshot, label, x + text_width (self, label, 0.8) / 2,
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
  draw_text (self, snapshot, waiting, x + text_width (self, waiting, 0.8) / 2, y, 0.8, FALSE,
             &caption);

  y += g->unit * 1.4;
  x = g->nodes[listening].x;
  if (self->n_children == 0)
    {
      const char *none = _("accept has returned no socket yet");

      draw_text (self, snapshot, none, x + text_width (self, none, 0.8) / 2, y, 0.8, FALSE,
                 &caption);
      return;
    }

  for (guint i = 0; i < self->children->len; i++)
    x += draw_pill (self, snapshot, g_ptr_array_index (self->children, i), x, y, &chip,
                    &colors->fg) + g->unit * 0.4;
  if (self->n_children > self->children->len)
    {
      g_autofree char *more = g_strdup_printf (_("and %u more"),
                                               self->n_children - self->children->len);

      draw_text (self, snapshot, more, x + text_width (self, more, 0.8) / 2, y + g->unit * 0.12,
                 0.8, FALSE, &caption);
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

static GskRenderNode *
render_static (SpLifecycleView *self,
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

static void
draw_highlight (SpLifecycleView *self,
                GtkSnapshot     *snapshot,
                const Colors    *colors)
{
  Geometry *g = &self->geometry;
  SpState state = sp_lifecycle_layout_get_state (self->layout);
  guint node = sp_lifecycle_layout_node_for_state (self->layout, state);
  Box box;
  double t;
  graphene_rect_t bounds;
  cairo_t *cr;

  if (node == SP_LIFECYCLE_NO_NODE || node >= MAX_NODES)
    return;

  box = g->nodes[node];
  if (slide_progress (self, &t))
    {
      double e = ease_out (t);

      box.x = self->slide_from.x + (box.x - self->slide_from.x) * e;
      box.y = self->slide_from.y + (box.y - self->slide_from.y) * e;
      box.w = self->slide_from.w + (box.w - self->slide_from.w) * e;
    }

  bounds = GRAPHENE_RECT_INIT ((float) box.x - 2, (float) box.y - 2, (float) box.w + 4,
                               (float) box.h + 4);
  cr = gtk_snapshot_append_cairo (snapshot, &bounds);
  rounded_rect (cr, &box, g->unit * 0.5);
  set_source (cr, &colors->accent_bg);
  cairo_fill (cr);
  cairo_destroy (cr);

  /* While it slides, the part of the label the highlight covers turns. */
  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT ((float) box.x, (float) box.y,
                                                         (float) box.w, (float) box.h));
  draw_text (self, snapshot, node_label (self->layout, node, state),
             g->nodes[node].x + g->nodes[node].w / 2,
             g->nodes[node].y + g->nodes[node].h / 2 - g->unit / 2, 1.0, TRUE,
             &colors->accent_fg);
  gtk_snapshot_pop (snapshot);
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

      if (edge->from != node || is_loop (edge) || edge->action == SP_LIFECYCLE_ACTION_CLOSE)
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

static void
changed (SpLifecycleView *self)
{
  /* The slide starts from where the highlight was drawn, before the edges
   * grow with their counts. */
  follow_state (self);
  self->geometry_valid = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  update_description (self);
  invalidate (self);
}

/* Following the player */

static void
read_events (SpLifecycleView *self)
{
  SpTrafficLog *log = sp_player_get_log (self->player);
  guint n = sp_traffic_log_get_n_appended (log);
  g_autoptr(GArray) positions = NULL;
  gboolean any = FALSE;

  if (self->processed >= n)
    return;

  positions = sp_traffic_log_find (log, self->processed, n, self->socket_id, NULL);
  self->processed = n;

  for (guint i = 0; i < positions->len; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log,
                                                           g_array_index (positions, guint, i));
      SpImpaired impaired = sp_event_get_impaired (event);

      /* A copy or a late datagram of an impaired socket is the network's,
       * not a call of the program's. */
      if (impaired == SP_IMPAIRED_COPY || impaired == SP_IMPAIRED_RELEASED)
        continue;

      any |= sp_lifecycle_layout_record (self->layout, sp_event_get_kind (event),
                                         sp_event_get_call (event), sp_event_get_ok (event),
                                         sp_event_get_error_code (event),
                                         sp_event_get_state (event), sp_event_get_bytes (event));
    }

  if (any)
    changed (self);
}

static void
on_log_items_changed (SpLifecycleView *self,
                      guint            position,
                      guint            removed,
                      guint            added)
{
  /* Only a restart removes events: start again from the empty log. */
  if (removed > 0)
    {
      rebuild (self);
      return;
    }

  if (self->layout == NULL)
    return;
  read_events (self);
  /* A call made by hand decides the way a socket goes, even one that
   * failed without moving it (a connect refused at once). */
  if (current_path (self) != sp_lifecycle_layout_get_path (self->layout))
    {
      rebuild (self);
      return;
    }
  /* The sockets accept returned change state by their own calls. */
  if (sp_lifecycle_layout_get_path (self->layout) == SP_LIFECYCLE_PATH_SERVER &&
      read_children (self))
    changed (self);
}

/* Whether the socket is, or is meant to be, a listener: it listens now,
 * or a step of the session makes it one. */
static gboolean
socket_listens (SpLifecycleView *self)
{
  SpSession *session = sp_player_get_session (self->player);

  if (self->socket != NULL && sp_socket_get_state (self->socket) == SP_STATE_LISTENING)
    return TRUE;

  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      SpStep *step = sp_session_get_step (session, i);

      if (g_strcmp0 (step->socket, self->socket_id) == 0 &&
          (step->call == SP_CALL_LISTEN || step->call == SP_CALL_ACCEPT ||
           step->call == SP_CALL_SERVE))
        return TRUE;
    }

  return FALSE;
}

/* Whether the socket has connected, or is meant to: it is connected (or
 * shut down) now, or a step of the session connects it. */
static gboolean
socket_connects (SpLifecycleView *self)
{
  SpSession *session = sp_player_get_session (self->player);

  if (self->socket != NULL)
    {
      switch (sp_socket_get_state (self->socket))
        {
        case SP_STATE_CONNECTING:
        case SP_STATE_CONNECTED:
        case SP_STATE_SHUT_READ:
        case SP_STATE_SHUT_WRITE:
        case SP_STATE_SHUT_BOTH:
          return TRUE;
        case SP_STATE_UNCREATED:
        case SP_STATE_CREATED:
        case SP_STATE_BOUND:
        case SP_STATE_LISTENING:
        case SP_STATE_CLOSED:
        case SP_N_STATES:
        default:
          break;
        }
    }

  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      SpStep *step = sp_session_get_step (session, i);

      if (g_strcmp0 (step->socket, self->socket_id) == 0 &&
          (step->call == SP_CALL_CONNECT || step->call == SP_CALL_CONNECT_EX))
        return TRUE;
    }

  return FALSE;
}

static SpSocketType
socket_type (SpLifecycleView *self)
{
  SpSocketConfig *config;

  if (self->socket != NULL)
    return sp_socket_get_socket_type (self->socket);

  config = sp_session_find_socket (sp_player_get_session (self->player), self->socket_id);
  return config != NULL ? config->type : SP_SOCKET_TYPE_STREAM;
}

static SpLifecyclePath
current_path (SpLifecycleView *self)
{
  return sp_lifecycle_path_for (socket_type (self),
                                self->socket != NULL &&
                                sp_socket_get_listener (self->socket) != NULL,
                                socket_listens (self), socket_connects (self));
}

/* The sockets accept returned, as shown; whether that changed. */
static gboolean
read_children (SpLifecycleView *self)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new_with_free_func (g_free);
  GListModel *sockets = self->player != NULL ? sp_player_get_sockets (self->player) : NULL;
  guint n_children = 0;
  gboolean same;

  for (guint i = 0; sockets != NULL && self->socket != NULL &&
                    i < g_list_model_get_n_items (sockets); i++)
    {
      g_autoptr(SpSocket) socket = g_list_model_get_item (sockets, i);

      if (sp_socket_get_listener (socket) != self->socket)
        continue;
      /* A listener that served thousands shows a few and counts the rest. */
      if (n_children++ < MAX_CHILDREN_SHOWN)
        /* TRANSLATORS: an accepted socket and its state, "conn · connected" */
        g_ptr_array_add (children, g_strdup_printf (_("%s · %s"), sp_socket_get_id (socket),
                                                    sp_state_label (sp_socket_get_state (
                                                                      socket))));
    }

  same = n_children == self->n_children && children->len == self->children->len;
  for (guint i = 0; same && i < children->len; i++)
    same = g_str_equal (g_ptr_array_index (children, i), g_ptr_array_index (self->children, i));
  if (same)
    return FALSE;

  g_ptr_array_unref (self->children);
  self->children = g_steal_pointer (&children);
  self->n_children = n_children;
  return TRUE;
}

/* The kernel's facts as the watcher last read them, unknown while the
 * view is not shown; whether they changed. */
static gboolean
read_facts (SpLifecycleView *self)
{
  const char *tcp_state = self->facts != NULL ? sp_kernel_facts_get_tcp_state (self->facts)
                                              : NULL;
  int queue = self->facts != NULL ? sp_kernel_facts_get_accept_queue (self->facts) : -1;
  gboolean any = read_children (self);

  if (g_strcmp0 (tcp_state, self->tcp_state) == 0 && queue == self->accept_queue)
    return any;

  g_free (self->tcp_state);
  self->tcp_state = g_strdup (tcp_state);
  self->accept_queue = queue;
  return TRUE;
}

static void
on_facts_changed (SpLifecycleView *self)
{
  if (read_facts (self))
    changed (self);
}

/* Holds the watcher of the socket while the view is shown, so that its
 * timer runs only while someone looks. */
static void
update_watch (SpLifecycleView *self)
{
  SpSocket *socket = gtk_widget_get_mapped (GTK_WIDGET (self)) ? self->socket : NULL;

  if (self->facts != NULL && sp_kernel_facts_get_socket (self->facts) == socket)
    return;

  g_clear_object (&self->facts);
  if (socket != NULL)
    self->facts = sp_kernel_facts_watch (socket);
  g_signal_group_set_target (self->facts_signals, self->facts);
}

static void
lookup_socket (SpLifecycleView *self)
{
  SpSocket *socket = NULL;

  if (self->player != NULL && self->socket_id != NULL)
    socket = sp_player_lookup_socket (self->player, self->socket_id);
  if (g_set_object (&self->socket, socket))
    {
      g_signal_group_set_target (self->socket_signals, socket);
      update_watch (self);
    }
}

/* Starts over from the log: a new socket, player or restart. */
static void
rebuild (SpLifecycleView *self)
{
  lookup_socket (self);
  g_clear_pointer (&self->layout, sp_lifecycle_layout_free);
  self->processed = 0;
  self->geometry_valid = FALSE;
  self->shown_node = SP_LIFECYCLE_NO_NODE;

  if (self->player != NULL && self->socket_id != NULL)
    {
      self->layout = sp_lifecycle_layout_new (socket_type (self), current_path (self));
      read_events (self);
      /* Where no event says it (an accepted socket, a restart), the socket does. */
      if (self->socket != NULL)
        sp_lifecycle_layout_set_state (self->layout, sp_socket_get_state (self->socket));
      read_facts (self);
      self->shown_node = sp_lifecycle_layout_node_for_state (
        self->layout, sp_lifecycle_layout_get_state (self->layout));
    }

  gtk_widget_queue_resize (GTK_WIDGET (self));
  changed (self);
}

static void
on_sockets_changed (SpLifecycleView *self)
{
  SpSocket *before = self->socket;

  lookup_socket (self);
  /* A socket of this id came or went (accept, restart): its path may be
   * another one now. */
  if (self->socket != before)
    rebuild (self);
  else if (read_facts (self))
    changed (self);
}

static void
on_socket_state (SpLifecycleView *self)
{
  if (self->layout == NULL || self->socket == NULL)
    return;

  /* A stream socket that starts listening is a server after all, one
   * that connects a client. */
  if (current_path (self) != sp_lifecycle_layout_get_path (self->layout))
    {
      rebuild (self);
      return;
    }

  /* The kernel's TCP state moves with the socket's: show it now rather
   * than at the watcher's next reading, whichever of us hears first. */
  if (self->facts != NULL)
    sp_kernel_facts_refresh (self->facts);
  if (read_facts (self))
    changed (self);
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
      double scale = for_size >= 0 ? fit_scale (self, for_size) : 1.0;

      *minimum = *natural = (int) ceil (g->height * scale);
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
      self->cache = render_static (self, &colors);
      self->cache_colors = colors;
    }

  if (self->fill)
    {
      scale = fill_scale (self, width, height);
      top = MAX (0, (height - self->geometry.height * scale) / 2);
    }
  else
    {
      scale = fit_scale (self, width);
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
  update_watch (self);
  on_facts_changed (self);
}

static void
sp_lifecycle_view_unmap (GtkWidget *widget)
{
  SpLifecycleView *self = SP_LIFECYCLE_VIEW (widget);

  GTK_WIDGET_CLASS (sp_lifecycle_view_parent_class)->unmap (widget);
  update_watch (self);
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

  self->log_signals = g_signal_group_new (SP_TYPE_TRAFFIC_LOG);
  g_signal_group_connect_swapped (self->log_signals, "items-changed",
                                  G_CALLBACK (on_log_items_changed), self);
  self->sockets_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->sockets_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);
  self->socket_signals = g_signal_group_new (SP_TYPE_SOCKET);
  g_signal_group_connect_swapped (self->socket_signals, "notify::state",
                                  G_CALLBACK (on_socket_state), self);
  self->facts_signals = g_signal_group_new (SP_TYPE_KERNEL_FACTS);
  g_signal_group_connect_swapped (self->facts_signals, "changed",
                                  G_CALLBACK (on_facts_changed), self);

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
  rebuild (self);
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

  rebuild (self);
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
