/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-socket.h"

G_BEGIN_DECLS

#define SP_TYPE_SOCKET_FACTS (sp_socket_facts_get_type ())

G_DECLARE_FINAL_TYPE (SpSocketFacts, sp_socket_facts, SP, SOCKET_FACTS, AdwBin)

/* What is known of a socket: its protocol, its 5-tuple with the address in
 * the forms it is taught in, the ephemeral port the kernel chose, bytes
 * waiting, the kernel's TCP state, the accept queue, and its counters. The
 * kernel's facts come from the socket's one SpKernelFacts while shown. */

GtkWidget *sp_socket_facts_new         (void);
/* `socket` may be NULL (not created yet): the kind still names the protocol. */
void       sp_socket_facts_set_socket  (SpSocketFacts *self,
                                        SpSocket      *socket,
                                        SpFamily       family,
                                        SpSocketType   type);
/* Reads the socket again: calls were made. */
void       sp_socket_facts_refresh     (SpSocketFacts *self);

G_END_DECLS
