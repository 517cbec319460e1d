/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_EVENT_LIST (sp_event_list_get_type ())

G_DECLARE_FINAL_TYPE (SpEventList, sp_event_list, SP, EVENT_LIST, AdwBin)

GtkWidget *sp_event_list_new        (void);
void       sp_event_list_set_player (  SpEventList *self,
                             SpPlayer *player);

G_END_DECLS
