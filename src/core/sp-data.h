/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes as the user writes them and as Python shows them.
 * Errors are in SP_DATA_ERROR; messages start with the field name given. */

#define SP_DATA_ERROR (sp_data_error_quark ())

typedef enum
{
  SP_DATA_ERROR_INVALID,
} SpDataError;

GQuark      sp_data_error_quark           (void);

/* "48 65 6c 6c 6f", "48656c6c6f", "0x48 0x65", any whitespace or ':'
 * between bytes; an odd number of digits or a non-hex character is an
 * error naming its position. */
GBytes     *sp_data_parse_hex             (const char    *text,
                                           const char    *field,
                                           GError       **error);

/* Text with escapes: \r \n \t \0 \\ \' \" \xNN (exactly two hex digits);
 * other backslash sequences are an error naming the position. The result
 * is still text (UTF-8) — encode it with sp_data_encode. */
char       *sp_data_parse_escapes         (const char    *text,
                                           const char    *field,
                                           gsize         *length,
                                           GError       **error);

/* Encode UTF-8 `text` in `encoding` (Python's names, case-insensitive:
 * "utf-8", "ascii", "latin-1"/"iso-8859-1", "utf-16-le", "utf-16-be",
 * "utf-16", "cp1252", …). A character the encoding cannot represent is an
 * error (Python's errors="strict"). */
GBytes     *sp_data_encode                (const char    *text,
                                           gssize         length,
                                           const char    *encoding,
                                           const char    *field,
                                           GError       **error);
gboolean    sp_data_encoding_is_known     (const char    *encoding);

/* Python's repr() of bytes: b'Hello\r\n', b"it's", b'\x00\xff'. At most
 * `limit` bytes are shown (0 = all), followed by "..." when cut. */
char       *sp_data_format_python_bytes   (const guint8  *data,
                                           gsize          length,
                                           gsize          limit);
/* The same, appended to `out`. */
void        sp_data_append_python_bytes   (GString       *out,
                                           const guint8  *data,
                                           gsize          length,
                                           gsize          limit);
/* "48 65 6c 6c 6f" (lower case, one space between bytes). */
char       *sp_data_format_hex            (const guint8  *data,
                                           gsize          length);
/* The same appended to `out`, the bytes separated by `separator` ('\0':
 * none, "48656c6c6f"). */
void        sp_data_append_hex            (GString       *out,
                                           const guint8  *data,
                                           gsize          length,
                                           char           separator);
/* A Python string literal for `text` (UTF-8): 'Hello\r\n'. */
char       *sp_data_format_python_string  (const char    *text);

G_END_DECLS
