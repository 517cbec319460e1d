/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* What the window calls families, types and states, translated: "IPv4",
 * "stream (TCP)", "listening". The session file keeps the core's names. */
const char *sp_family_label       (SpFamily      family);
const char *sp_socket_type_label  (SpSocketType  type);
const char *sp_state_label        (SpState       state);
/* "IPv4 · stream (TCP)" */
char       *sp_socket_kind_label  (SpFamily      family,
                                   SpSocketType  type);

G_END_DECLS
