/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_STEPS_PANEL (sp_steps_panel_get_type ())

G_DECLARE_FINAL_TYPE (SpStepsPanel, sp_steps_panel, SP, STEPS_PANEL, AdwBin)

GtkWidget *sp_steps_panel_new        (void);
void       sp_steps_panel_set_player (  SpStepsPanel *self,
                             SpPlayer *player);

G_END_DECLS
