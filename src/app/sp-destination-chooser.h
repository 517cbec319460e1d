/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-observed-sockets.h"
#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_DESTINATION_CHOOSER (sp_destination_chooser_get_type ())

G_DECLARE_FINAL_TYPE (SpDestinationChooser, sp_destination_chooser, SP, DESTINATION_CHOOSER,
                      AdwBin)

/* Where connect, connect_ex and sendto go: one of the session's sockets
 * that can take the call (sp-destinations.h), the likeliest by default, or
 * an address and port typed in. Property "valid": whether a step can be
 * made from it. */

GtkWidget  *sp_destination_chooser_new          (void);
/* Offers the listening sockets of traced programs too, reached by their
 * address (a session cannot name them). */
void        sp_destination_chooser_set_observed (SpDestinationChooser *self,
                                                 SpObservedSockets    *observed);
void        sp_destination_chooser_set_player   (SpDestinationChooser *self,
                                                 SpPlayer             *player);
/* The socket that sends, which the choice starts over for. */
void        sp_destination_chooser_set_socket   (SpDestinationChooser *self,
                                                 const char           *id,
                                                 SpFamily              family,
                                                 SpSocketType          type);
/* Reads the sockets again (one came, went, listened or was bound), keeping
 * what the user chose while it is still offered. */
void        sp_destination_chooser_refresh      (SpDestinationChooser *self);
gboolean    sp_destination_chooser_get_valid    (SpDestinationChooser *self);
/* The socket chosen, or NULL for an address typed in. */
const char *sp_destination_chooser_get_chosen   (SpDestinationChooser *self);
/* Sets the step's "to", or its address and port. */
void        sp_destination_chooser_fill_step    (SpDestinationChooser *self,
                                                 SpStep               *step);
/* Chooses "an address and port" with these (port -1 leaves it). */
void        sp_destination_chooser_set_address  (SpDestinationChooser *self,
                                                 const char           *address,
                                                 int                   port);

G_END_DECLS
