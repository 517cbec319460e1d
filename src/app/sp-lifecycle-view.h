/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sp-observed-sockets.h"
#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_LIFECYCLE_VIEW (sp_lifecycle_view_get_type ())

G_DECLARE_FINAL_TYPE (SpLifecycleView, sp_lifecycle_view, SP, LIFECYCLE_VIEW, GtkWidget)

/* The life cycle of one socket as the lecture notes draw it, lit up as its
 * calls happen: the states of its path in a row, the current one
 * highlighted, each edge with its count of calls and bytes, a failed call
 * in the error colour on the edge it tried, the kernel's TCP state beside
 * the API state, and for a listener its accept queue and the sockets
 * accept returned. It reads the player's log and sockets, and a traced
 * program's sockets (SpObservedSockets); it never acts. */

GtkWidget  *sp_lifecycle_view_new           (void);
/* NULL shows nothing. */
void        sp_lifecycle_view_set_player    (SpLifecycleView *self,
                                             SpPlayer        *player);
/* The sockets of traced programs: a socket id the player does not have
 * is shown from their events, as the program drives it. */
void        sp_lifecycle_view_set_observed  (SpLifecycleView   *self,
                                             SpObservedSockets *observed);
void        sp_lifecycle_view_set_socket_id (SpLifecycleView *self,
                                             const char      *socket_id);
const char *sp_lifecycle_view_get_socket_id (SpLifecycleView *self);
/* Whether a call slides the highlight (default TRUE); the desktop's
 * "gtk-enable-animations" can still turn it off. */
void        sp_lifecycle_view_set_animate   (SpLifecycleView *self,
                                             gboolean         animate);
gboolean    sp_lifecycle_view_get_animate   (SpLifecycleView *self);
/* Whether the diagram grows to fill the space it is given (presentation
 * mode); by default it only shrinks to fit its width. */
void        sp_lifecycle_view_set_fill      (SpLifecycleView *self,
                                             gboolean         fill);
gboolean    sp_lifecycle_view_get_fill      (SpLifecycleView *self);
/* What the view says to a screen reader ("server: listening, 2
 * connections waiting"). */
char       *sp_lifecycle_view_describe      (SpLifecycleView *self);

G_END_DECLS
