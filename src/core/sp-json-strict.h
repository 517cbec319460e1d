/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Far deeper than any session; json-glib's parser recurses, so a file of a
 * million '[' must be refused before it reaches it. */
#define SP_JSON_STRICT_MAX_NESTING 64

/* Every object of a session has a fixed set of member names (an unknown one
 * is an error), a few dozen at most. json-glib keeps an object's members in
 * a GHashTable keyed by g_str_hash(), whose collisions are easy to make: a
 * 1 MB object of 32,768 colliding names took it 45 s. Bounding the names
 * per object keeps that, and this check's own sets, linear in the text. */
#define SP_JSON_STRICT_MAX_MEMBERS 256

/* Where the text ends inside a string or an open bracket, if it does:
 * json-glib's own message for that points at the wrong place. */
typedef struct
{
  gboolean truncated;
  gboolean in_string;
  char     closer;
  guint    line;
  guint    column;
} SpJsonStrictEnd;

/* Run before json-glib on every text that becomes a session or a step:
 * FALSE with SP_SESSION_ERROR_SYNTAX, "NAME:LINE:COL: message" (columns in
 * characters), for the first problem json-glib would miss or misreport.
 * TRUE does not mean the text is JSON; json-glib still reads it, and `end`
 * says where it stops inside a string or a bracket if it does. */
gboolean sp_json_strict_check (const char       *data,
                               gsize             length,
                               const char       *name,
                               SpJsonStrictEnd  *end,
                               GError          **error);

G_END_DECLS
