/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-session.h"
#include "sp-socket.h"

G_BEGIN_DECLS

#define SP_TYPE_SOCKET_FORM (sp_socket_form_get_type ())

G_DECLARE_FINAL_TYPE (SpSocketForm, sp_socket_form, SP, SOCKET_FORM, AdwBin)

/* A configured socket's settings: family, type, protocol, address, port,
 * options and a bad network for its datagrams, validated as they are typed
 * and written into the SpSocketConfig, which the form follows. Fields the
 * kernel has fixed (family once socket() ran, the address once bound) are
 * locked, and say why.
 *
 * Once the socket is open an option is no longer configuration but a call:
 * the form then emits "perform" (SpStep *step) with a setsockopt step.
 * Property "valid": every field holds a value the config can take. */

GtkWidget *sp_socket_form_new         (void);
void       sp_socket_form_set_config  (SpSocketForm   *self,
                                       SpSocketConfig *config);
/* The live socket of the config's id, NULL when it has none (yet). */
void       sp_socket_form_set_socket  (SpSocketForm   *self,
                                       SpSocket       *socket);

gboolean   sp_socket_form_get_valid   (SpSocketForm   *self);
/* Whether what `call` takes from the form (the protocol for socket, the
 * address and port for bind) is valid as typed. */
gboolean   sp_socket_form_is_valid_for (SpSocketForm  *self,
                                        SpCall         call);

G_END_DECLS
