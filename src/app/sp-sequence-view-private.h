/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-sequence-view.h"

G_BEGIN_DECLS

/* The sequence chart in two parts: the widget, which follows the player,
 * scrolls and picks (sp-sequence-view.c), and what it draws, from the style
 * and the font, cached per tile (sp-sequence-drawing.c).
 *
 * Row pictures are cached per tile of SP_SEQUENCE_LAYOUT_TILE_ROWS rows:
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

double         _sp_sequence_view_ceil_px          (double              value);
void           _sp_sequence_view_ensure_style     (SpSequenceView     *self);
void           _sp_sequence_view_content_geometry (SpSequenceView     *self,
                                                   SpSequenceGeometry *geometry);
double         _sp_sequence_view_content_width    (SpSequenceView     *self);
double         _sp_sequence_view_content_height   (SpSequenceView     *self);
/* Tiles not built yet are NULL. */
void           _sp_sequence_view_unref_tile       (gpointer            node);
void           _sp_sequence_view_drop_tiles_from  (SpSequenceView     *self,
                                                   guint               tile);
void           _sp_sequence_view_snapshot         (GtkWidget          *widget,
                                                   GtkSnapshot        *snapshot);

G_END_DECLS
