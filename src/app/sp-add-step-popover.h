/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_ADD_STEP_POPOVER (sp_add_step_popover_get_type ())

G_DECLARE_FINAL_TYPE (SpAddStepPopover, sp_add_step_popover, SP, ADD_STEP_POPOVER, GtkPopover)

/* The steps panel's "Add Step" menu: the calls that have no button on a
 * socket's page (gethostname, gethostbyname, getaddrinfo, sleep, note and
 * serve), each made from a small form, so that none needs JSON typed by
 * hand. "Add" makes the step and hands it to the player, as a call's
 * button does; a field that is not valid says so, and the message names
 * it. */

GtkWidget *sp_add_step_popover_new        (void);
void       sp_add_step_popover_set_player (SpAddStepPopover  *self,
                                           SpPlayer          *player);
/* The step the form of `call` makes now; NULL, with an error that names
 * the field, when a field is not valid. */
SpStep    *sp_add_step_popover_make_step  (SpAddStepPopover  *self,
                                           SpCall             call,
                                           GError           **error);

G_END_DECLS
