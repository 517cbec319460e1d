/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-observed-sockets.h"

G_BEGIN_DECLS

#define SP_TYPE_OBSERVED_PAGE (sp_observed_page_get_type ())

G_DECLARE_FINAL_TYPE (SpObservedPage, sp_observed_page, SP, OBSERVED_PAGE, GtkBox)

/* The page of a traced program's socket, under its lifecycle diagram: who
 * drives it, its kind, state and addresses from its newest events, and
 * no call buttons, since the program makes its calls (DESIGN.md,
 * "Watching a program you wrote"). It follows the socket as it changes. */
GtkWidget  *sp_observed_page_new       (SpObservedSockets *observed);
void        sp_observed_page_set_socket_id (SpObservedPage *self,
                                            const char     *socket_id);
const char *sp_observed_page_get_socket_id (SpObservedPage *self);

G_END_DECLS
