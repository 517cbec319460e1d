/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-composer.h"
#include "sp-destination-chooser.h"
#include "sp-player.h"
#include "sp-socket-form.h"

G_BEGIN_DECLS

#define SP_TYPE_CALL_BAR (sp_call_bar_get_type ())

G_DECLARE_FINAL_TYPE (SpCallBar, sp_call_bar, SP, CALL_BAR, AdwBin)

/* One button per call of the selected socket, in the order of its life
 * cycle, legal ones enabled (SpLifecycle) unless "Let it fail" enables
 * them all. A call's small arguments (backlog, buffer size, how shutdown
 * shuts, the option setsockopt sets) sit in its button's popover; the
 * bytes to send come from the composer and where they go from the
 * destination chooser. A click makes a step and hands it to the player.
 *
 * Properties "composer", "destination" and "form" (set them in the
 * page's template); "auto-receive": the user asked for recv whenever
 * bytes are waiting. */

GtkWidget *sp_call_bar_new             (void);
void       sp_call_bar_set_player      (SpCallBar    *self,
                                        SpPlayer     *player);
/* The socket the calls are made on: its id, and its live socket when it
 * has one; `family` and `type` are what it is or will be. */
void       sp_call_bar_set_socket      (SpCallBar    *self,
                                        const char   *id,
                                        SpSocket     *socket,
                                        SpFamily      family,
                                        SpSocketType  type);
/* Enables the calls anew (the state changed, or an argument did). */
void       sp_call_bar_update          (SpCallBar    *self);
gboolean   sp_call_bar_get_auto_receive (SpCallBar   *self);
/* Whether `call` is legal on the socket as it is now. */
gboolean   sp_call_bar_is_legal        (SpCallBar    *self,
                                        SpCall        call);
/* The step a click on `call` would make now, with its arguments; NULL when
 * they are not valid. recv gets the buffer size but never "until EOF". */
SpStep    *sp_call_bar_make_step       (SpCallBar    *self,
                                        SpCall        call);

G_END_DECLS
