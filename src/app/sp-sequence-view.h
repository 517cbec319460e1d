/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sp-player.h"
#include "sp-sequence-layout.h"

G_BEGIN_DECLS

#define SP_TYPE_SEQUENCE_VIEW (sp_sequence_view_get_type ())

G_DECLARE_FINAL_TYPE (SpSequenceView, sp_sequence_view, SP, SEQUENCE_VIEW, GtkWidget)

/* The sequence chart of a player's session: a lane per socket, time
 * flowing down, arrows for connections, data and end of file. Put it in a
 * GtkScrolledWindow (it is a GtkScrollable). It follows new events unless
 * scrolled back up.
 *
 * Signals:
 *   event-activated (guint position): an arrow or a mark was clicked;
 *     position is the event's position in the player's traffic log. */

GtkWidget        *sp_sequence_view_new           (void);
SpPlayer         *sp_sequence_view_get_player    (SpSequenceView     *self);
void              sp_sequence_view_set_player    (SpSequenceView     *self,
                                                  SpPlayer           *player);
/* Whether new events scroll the view to the bottom. */
gboolean          sp_sequence_view_get_following (SpSequenceView     *self);
SpSequenceLayout *sp_sequence_view_get_layout    (SpSequenceView     *self);
/* Where rows and lanes are, in widget coordinates at the current scroll. */
void              sp_sequence_view_get_geometry  (SpSequenceView     *self,
                                                  SpSequenceGeometry *geometry);
/* The log position of what is at (x, y) in widget coordinates: what a
 * click there activates. */
gboolean          sp_sequence_view_pick          (SpSequenceView     *self,
                                                  double              x,
                                                  double              y,
                                                  guint              *position);

G_END_DECLS
