/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-event.h"

G_BEGIN_DECLS

/* One event as a plain output line reads, mirroring the Python it stands
 * for, without the newline:
 *   [0.003] conn  recv(1024) -> b'Hello World' (11 bytes)
 * The socket id is padded to `id_width` characters. Shared by --headless
 * and --trace, so that the playground's own sockets and a traced
 * program's read alike. */
void sp_event_line_append_plain (GString *line,
                                 SpEvent *event,
                                 int      id_width);

G_END_DECLS
