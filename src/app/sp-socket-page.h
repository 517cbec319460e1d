/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-observed-sockets.h"
#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_SOCKET_PAGE (sp_socket_page_get_type ())

G_DECLARE_FINAL_TYPE (SpSocketPage, sp_socket_page, SP, SOCKET_PAGE, AdwBin)

/* The page of one socket: one button per call, where connect and sendto go,
 * the data to send, its settings and what the kernel says about it. Every
 * button makes an SpStep that the player runs; the page never touches a
 * socket itself.
 *
 * Signal "show-socket" (const char *id): an accept clicked on this page
 * returned socket `id`, which the window shows next. */

GtkWidget  *sp_socket_page_new           (void);
/* NULL clears the page. */
/* Traced programs' listeners are somewhere a connect or sendto can go. */
void        sp_socket_page_set_observed  (SpSocketPage      *self,
                                          SpObservedSockets *observed);
void        sp_socket_page_set_player    (SpSocketPage *self,
                                          SpPlayer     *player);
/* A socket configured in the player's session, or one made by accept;
 * NULL shows nothing. */
void        sp_socket_page_set_socket_id (SpSocketPage *self,
                                          const char   *id);
const char *sp_socket_page_get_socket_id (SpSocketPage *self);
/* Chooses the composer's encoding, by Python's name ("utf-8", "latin-1");
 * a name the composer does not offer changes nothing. */
void        sp_socket_page_set_encoding  (SpSocketPage *self,
                                          const char   *encoding);

G_END_DECLS
