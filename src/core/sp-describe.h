/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text from a file, a command line or a peer, made safe to put in a
 * message: at most SP_DESCRIBE_MAX_CHARS characters (then "…"), control
 * characters as \xNN, a byte that is not UTF-8 as U+FFFD. A file may hold
 * a 100 KB address; a message must not. */
#define SP_DESCRIBE_MAX_CHARS 48

char *sp_describe_text (const char *text);

G_END_DECLS
