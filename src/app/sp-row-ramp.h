/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SP_TYPE_ROW_RAMP (sp_row_ramp_get_type ())
G_DECLARE_FINAL_TYPE (SpRowRamp, sp_row_ramp, SP, ROW_RAMP, GObject)

/* What a list view shows of `model`: all of it, except that while the
 * view has few rows, new ones come a few at each frame of `widget`.
 *
 * GTK 4.8's list views make the widgets for up to 200 rows at once, so a
 * burst into an empty list stalls the window for a frame of 100 ms or more
 * while they are made. Growing by a few rows a frame spreads that out; once
 * the view has its widgets, they are reused and the ramp stays out of the
 * way until the model is short again (cleared, or filtered down). */
SpRowRamp  *sp_row_ramp_new        (GListModel *model,
                                    GtkWidget  *widget);
GListModel *sp_row_ramp_get_model  (SpRowRamp  *self);
/* Shows every row now: to select one the ramp has not shown yet. */
void        sp_row_ramp_show_all   (SpRowRamp  *self);

G_END_DECLS
