/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Far deeper than any session; json-glib's parser recurses, so a file of a
 * million '[' must be refused before it reaches it. */
#define SP_JSON_STRICT_MAX_NESTING 64

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

gboolean sp_json_strict_check (const char       *data,
                               gsize             length,
                               const char       *name,
                               SpJsonStrictEnd  *end,
                               GError          **error);

G_END_DECLS
