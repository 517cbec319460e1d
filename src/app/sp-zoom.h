/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* How much larger than normal a window draws its text, and with it the
 * diagrams, which size themselves from the font. 1.0 is normal. The range
 * is the "zoom" setting's. */
#define SP_ZOOM_DEFAULT      1.0
#define SP_ZOOM_MIN          0.5
#define SP_ZOOM_MAX          4.0
/* Presentation mode draws this much larger again, for a projector. */
#define SP_ZOOM_PRESENTATION 1.75

/* The next step up or down from `zoom`; `zoom` itself at the limit. */
double      sp_zoom_in          (double      zoom);
double      sp_zoom_out         (double      zoom);
double      sp_zoom_clamp       (double      zoom);
/* "125%" */
char       *sp_zoom_format      (double      zoom);
/* Sizes the text of every SpWindow on `display` (CSS class "sp-window";
 * with "presentation" also on, SP_ZOOM_PRESENTATION times more). */
void        sp_zoom_apply       (GdkDisplay *display,
                                 double      zoom);
/* The − 100% + row of the primary menu, on win.zoom-out, win.zoom-reset
 * and win.zoom-in; sp_zoom_control_set_zoom() keeps its label. */
GtkWidget  *sp_zoom_control_new      (void);
void        sp_zoom_control_set_zoom (GtkWidget  *control,
                                      double      zoom);

G_END_DECLS
