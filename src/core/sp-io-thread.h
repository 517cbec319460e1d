/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The context of a thread that does nothing but wait on sockets and read
 * them: a window's main loop spends whole milliseconds laying out and
 * drawing, and a socket nobody reads meanwhile overflows. The thread
 * starts at the first call and runs until the program exits. */
GMainContext *sp_io_thread_get_context (void);

G_END_DECLS
