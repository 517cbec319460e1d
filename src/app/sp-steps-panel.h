/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_STEPS_PANEL (sp_steps_panel_get_type ())

G_DECLARE_FINAL_TYPE (SpStepsPanel, sp_steps_panel, SP, STEPS_PANEL, AdwBin)

/* The session's steps, their status and the current one.
 *
 * Signals:
 *   step-activated (guint index): the user clicked or activated a step. */

GtkWidget *sp_steps_panel_new        (void);
/* NULL clears the panel. */
void       sp_steps_panel_set_player (SpStepsPanel *self,
                                      SpPlayer     *player);

G_END_DECLS
