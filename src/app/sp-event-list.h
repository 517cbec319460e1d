/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_EVENT_LIST (sp_event_list_get_type ())

G_DECLARE_FINAL_TYPE (SpEventList, sp_event_list, SP, EVENT_LIST, AdwBin)

/* The player's events, one row each, following new ones as they come. */

GtkWidget *sp_event_list_new           (void);
/* NULL clears the list. */
void       sp_event_list_set_player    (SpEventList *self,
                                        SpPlayer    *player);
/* Shows only the events of one socket; NULL shows every event. */
void       sp_event_list_set_socket_id (SpEventList *self,
                                        const char  *socket_id);
/* Selects the events of step `index` and scrolls to the first of them. */
void       sp_event_list_select_step   (SpEventList *self,
                                        guint        index);
/* Selects the event at `position` in the log, if the list shows it. */
void       sp_event_list_select_event  (SpEventList *self,
                                        guint        position);

G_END_DECLS
