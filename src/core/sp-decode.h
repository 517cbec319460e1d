/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bytes decoded to text the way Python's bytes.decode(encoding, errors)
 * does it, for the traffic log's text pane, and text made displayable. */

typedef enum
{
  SP_ENCODING_UTF8,
  SP_ENCODING_ASCII,
  SP_ENCODING_LATIN1,
  SP_ENCODING_UTF16_LE,
  SP_ENCODING_UTF16_BE,
} SpEncoding;

typedef enum
{
  SP_DECODE_STRICT,   /* stop at the first error and say where it is */
  SP_DECODE_REPLACE,  /* U+FFFD for each invalid sequence */
  SP_DECODE_IGNORE,   /* drop invalid sequences */
} SpDecodeErrors;

/* The result of a decode. `text` is UTF-8 of `length` bytes (it may hold
 * U+0000) and is NUL-terminated. Under SP_DECODE_STRICT, `failed` says
 * that Python would raise UnicodeDecodeError: `text` is what was decoded
 * before the error, bytes [error_start, error_end) are the ones Python's
 * exception names, `reason` is its reason ("invalid continuation byte")
 * and `message` its str() ("'utf-8' codec can't decode byte 0xe9 in
 * position 5: invalid continuation byte"). */
typedef struct
{
  char     *text;
  gsize     length;
  gboolean  failed;
  gsize     error_start;
  gsize     error_end;
  char     *reason;
  char     *message;
} SpDecoded;

/* Python's codec names and aliases, in any case and with any punctuation
 * Python accepts ("UTF-8", "utf8", "u8", "latin-1", "iso-8859-1", "l1",
 * "us-ascii", "646", "utf-16-le", "utf_16le", "UnicodeBigUnmarked", …). */
gboolean     sp_encoding_from_name        (const char      *name,
                                           SpEncoding      *encoding);
/* The name Python's messages use: "utf-8", "ascii", "latin-1",
 * "utf-16-le", "utf-16-be". */
const char  *sp_encoding_to_name          (SpEncoding       encoding);

/* "strict", "replace", "ignore". */
gboolean     sp_decode_errors_from_name   (const char      *name,
                                           SpDecodeErrors  *errors);
const char  *sp_decode_errors_to_name     (SpDecodeErrors   errors);

/* bytes.decode(encoding, errors). Free with sp_decoded_free. */
SpDecoded   *sp_decode                    (const guint8    *data,
                                           gsize            length,
                                           SpEncoding       encoding,
                                           SpDecodeErrors   errors);
void         sp_decoded_free              (SpDecoded       *decoded);

typedef enum
{
  SP_VISIBLE_NONE          = 0,
  /* After each ␊, a real line break, so text keeps its lines. */
  SP_VISIBLE_KEEP_NEWLINES = 1 << 0,
} SpVisibleFlags;

/* `text` (UTF-8, `length` bytes or -1 for NUL-terminated) with control
 * characters replaced by their visible symbols: C0 U+0000–U+001F by
 * U+2400–U+241F (␀ … ␉ ␊ … ␍ …), DEL by ␡. Free with g_free. */
char        *sp_decode_make_visible       (const char      *text,
                                           gssize           length,
                                           SpVisibleFlags   flags);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpDecoded, sp_decoded_free)

G_END_DECLS
