/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sp-kernel-facts.h"
#include "sp-lifecycle-layout.h"
#include "sp-lifecycle-view.h"

G_BEGIN_DECLS

/* The lifecycle view in four parts: the widget, which slides the highlight
 * and describes the diagram (sp-lifecycle-view.c); what it follows, the
 * player's log, the socket and its kernel facts (sp-lifecycle-follow.c);
 * where everything goes, measured from the layout and the font
 * (sp-lifecycle-geometry.c); and the layers drawn there, one function each
 * (sp-lifecycle-layers.c). */

/* Below this the diagram would be too small to read; it is scaled down to
 * fit narrower space until then. */
#define MIN_SCALE 0.55
/* Filling its space (presentation mode), it grows at most this much. */
#define MAX_FILL_SCALE 3.0
#define MAX_NODES 8
#define MAX_ARCS 8
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

/* The widget */

/* The diagram changed: measure, describe and draw it again. */
void           _sp_lifecycle_view_changed            (SpLifecycleView       *self);

/* Following the player */

void           _sp_lifecycle_view_init_follow        (SpLifecycleView       *self);
void           _sp_lifecycle_view_rebuild            (SpLifecycleView       *self);
void           _sp_lifecycle_view_update_watch       (SpLifecycleView       *self);
void           _sp_lifecycle_view_facts_changed      (SpLifecycleView       *self);

/* Geometry and text */

PangoLayout   *_sp_lifecycle_view_make_layout        (SpLifecycleView       *self,
                                                      const char            *text,
                                                      double                 scale,
                                                      gboolean               bold);
double         _sp_lifecycle_view_text_width         (SpLifecycleView       *self,
                                                      const char            *text,
                                                      double                 scale);
char          *_sp_lifecycle_view_edge_note          (SpLifecycleView       *self,
                                                      guint                  index,
                                                      const SpLifecycleEdge *edge);
char          *_sp_lifecycle_view_edge_text          (SpLifecycleView       *self,
                                                      guint                  index,
                                                      const SpLifecycleEdge *edge);
gboolean       _sp_lifecycle_view_is_loop            (const SpLifecycleEdge *edge);
int            _sp_lifecycle_view_straight_edge_into (SpLifecycleLayout     *layout,
                                                      guint                  to);
double         _sp_lifecycle_view_fork_run           (const Geometry        *g);
void           _sp_lifecycle_view_compute_geometry   (SpLifecycleView       *self);
double         _sp_lifecycle_view_fit_scale          (SpLifecycleView       *self,
                                                      int                    width);
double         _sp_lifecycle_view_fill_scale         (SpLifecycleView       *self,
                                                      int                    width,
                                                      int                    height);

/* Layers */

GskRenderNode *_sp_lifecycle_view_render_static      (SpLifecycleView       *self,
                                                      const Colors          *colors);
void           _sp_lifecycle_view_draw_highlight     (SpLifecycleView       *self,
                                                      GtkSnapshot           *snapshot,
                                                      const Colors          *colors,
                                                      guint                  node,
                                                      const Box             *box);

G_END_DECLS
