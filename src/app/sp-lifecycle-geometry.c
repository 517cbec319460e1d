/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-errno.h"
#include "sp-labels.h"
#include "sp-lifecycle-view-private.h"

/* Where everything of the diagram goes, in pixels at scale 1, measured from
 * the layout and the widget's font. */

/* Text */

PangoLayout *
_sp_lifecycle_view_make_layout (SpLifecycleView *self,
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

double
_sp_lifecycle_view_text_width (SpLifecycleView *self,
                               const char      *text,
                               double           scale)
{
  g_autoptr(PangoLayout) layout = _sp_lifecycle_view_make_layout (self, text, scale, FALSE);
  int width;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* Labels */

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
char *
_sp_lifecycle_view_edge_note (SpLifecycleView       *self,
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
char *
_sp_lifecycle_view_edge_text (SpLifecycleView       *self,
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

gboolean
_sp_lifecycle_view_is_loop (const SpLifecycleEdge *edge)
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
int
_sp_lifecycle_view_straight_edge_into (SpLifecycleLayout *layout,
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
  const SpLifecycleEdge *edge = sp_lifecycle_layout_get_edge (layout, index);

  return _sp_lifecycle_view_straight_edge_into (layout, edge->to) == (int) index;
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

      if (_sp_lifecycle_view_is_loop (edge) && edge->from == node)
        n++;
    }

  return n;
}

/* The horizontal run a forking edge takes to reach its lane. */
double
_sp_lifecycle_view_fork_run (const Geometry *g)
{
  return 2.0 * g->unit;
}

void
_sp_lifecycle_view_compute_geometry (SpLifecycleView *self)
{
  Geometry *g = &self->geometry;
  SpLifecycleLayout *layout = self->layout;
  guint n_nodes = MIN (sp_lifecycle_layout_get_n_nodes (layout), MAX_NODES);
  SpSocketType type = sp_lifecycle_layout_get_socket_type (layout);
  g_autoptr(PangoLayout) probe = _sp_lifecycle_view_make_layout (self, "Mg", 1.0, FALSE);
  /* Room over the loops of the last node for a count with bytes. */
  double count_room = _sp_lifecycle_view_text_width (self, "×00 · 000 bytes", 0.8);
  gboolean loops_above = FALSE, loops_under = FALSE, forks = FALSE;
  const char *first;
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

      if (_sp_lifecycle_view_is_loop (edge))
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

  first = sp_lifecycle_action_name (sp_lifecycle_layout_get_edge (layout, 0)->action, type);
  x = 0.6 * u;
  g->start_x = x + 0.3 * u;
  x = g->start_x + MAX (2.8 * u, _sp_lifecycle_view_text_width (self, first, 0.8) + 1.6 * u);

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
          double label = _sp_lifecycle_view_text_width (self, sp_state_label (node->state), 1.0);

          if (node->column != c)
            continue;
          if (node->state == SP_STATE_SHUT_BOTH)
            label = _sp_lifecycle_view_text_width (self, _("shut down"), 1.0);
          if (node->states & (1u << SP_STATE_CONNECTING))
            label = MAX (label, _sp_lifecycle_view_text_width (
                                  self, sp_state_label (SP_STATE_CONNECTING), 1.0));

          g->nodes[i].x = x;
          g->nodes[i].w = label + 1.6 * u;
          g->nodes[i].h = 1.9 * u;
          g->nodes[i].y = g->row_y + node->lane * g->lane_gap - g->nodes[i].h / 2;
          column_width = MAX (column_width, g->nodes[i].w);
        }
      x += column_width;

      for (guint i = 0; i < n_nodes; i++)
        {
          int next = _sp_lifecycle_view_straight_edge_into (layout, i);
          const SpLifecycleEdge *edge;
          g_autofree char *below = NULL;
          double room;

          if (next < 0 || column_of (layout, i) != c + 1)
            continue;
          edge = sp_lifecycle_layout_get_edge (layout, (guint) next);
          below = _sp_lifecycle_view_edge_note (self, (guint) next, edge);
          room = MAX (_sp_lifecycle_view_text_width (
                        self, sp_lifecycle_action_name (edge->action, type), 0.8),
                      _sp_lifecycle_view_text_width (self, below, 0.8)) + 1.4 * u;
          if (sp_lifecycle_layout_get_node (layout, edge->from)->lane !=
              sp_lifecycle_layout_get_node (layout, i)->lane)
            room += _sp_lifecycle_view_fork_run (g);
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

double
_sp_lifecycle_view_fit_scale (SpLifecycleView *self,
                              int              width)
{
  if (self->layout == NULL || self->geometry.width <= 0 || width >= self->geometry.width)
    return 1.0;
  return MAX (MIN_SCALE, width / self->geometry.width);
}

/* As large as fits in width × height. */
double
_sp_lifecycle_view_fill_scale (SpLifecycleView *self,
                               int              width,
                               int              height)
{
  if (self->layout == NULL || self->geometry.width <= 0 || self->geometry.height <= 0)
    return 1.0;
  return CLAMP (MIN (width / self->geometry.width, height / self->geometry.height),
                MIN_SCALE, MAX_FILL_SCALE);
}
