/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* Where a new IP socket binds unless the user chooses otherwise: the
 * "default-bind-address" setting when it is an address of `family` (or "",
 * every interface), else loopback: 127.0.0.1, or ::1 for IPv6. NULL for a
 * UNIX socket, whose address is a path. */
char       *sp_default_bind_address        (SpFamily     family);
/* The address a new UNIX socket `id` gets: an abstract name of its own,
 * which leaves no file behind. */
char       *sp_default_unix_address        (const char  *id);
/* The address a new socket of `family` gets: either of the above. */
char       *sp_default_address             (SpFamily     family,
                                            const char  *id);
/* Whether binding `text` in `family` means every interface: "", 0.0.0.0,
 * ::, or another spelling of them. */
gboolean    sp_address_is_every_interface  (SpFamily     family,
                                            const char  *text);
/* What such an address means, for a hint beside the field. */
const char *sp_every_interface_hint        (void);

G_END_DECLS
