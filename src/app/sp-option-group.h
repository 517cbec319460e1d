/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-session.h"
#include "sp-socket.h"

G_BEGIN_DECLS

#define SP_TYPE_OPTION_GROUP (sp_option_group_get_type ())

G_DECLARE_FINAL_TYPE (SpOptionGroup, sp_option_group, SP, OPTION_GROUP, AdwBin)

/* A socket's options, one row per option of the core's table: a switch, or
 * a size applied with Enter. Before the socket exists they are part of its
 * configuration, set when socket() makes it; once it is open each change is
 * a call of its own, and the group emits "perform" (SpStep *step) with a
 * setsockopt step. An option that does not apply to the socket's family or
 * type is locked and says why. */

GtkWidget *sp_option_group_new         (void);
void       sp_option_group_set_config  (SpOptionGroup  *self,
                                        SpSocketConfig *config);
void       sp_option_group_set_socket  (SpOptionGroup  *self,
                                        SpSocket       *socket);

G_END_DECLS
