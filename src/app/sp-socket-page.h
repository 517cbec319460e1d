/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_SOCKET_PAGE (sp_socket_page_get_type ())

G_DECLARE_FINAL_TYPE (SpSocketPage, sp_socket_page, SP, SOCKET_PAGE, AdwBin)

GtkWidget *sp_socket_page_new        (void);
void       sp_socket_page_set_player (  SpSocketPage *self,
                             SpPlayer *player);

G_END_DECLS
