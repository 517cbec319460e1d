/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-decode.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

/* Payload bytes shown and copied the ways people know from Wireshark and
 * Python, and bytes searched for in the traffic log. */

/* A Wireshark-style hex dump, one line per 16 bytes:
 *
 *   0000  48 65 6c 6c 6f 20 57 6f  72 6c 64 0d 0a           Hello World..
 *
 * the offset (4 hex digits, more when the data needs them), two spaces,
 * the bytes in hex, in groups of 8 with an extra space between groups, two
 * spaces, and the bytes as ASCII (printable 0x20–0x7e, '.' otherwise).
 * Every line ends in '\n'. A narrow pane takes fewer bytes a line, as
 * Wireshark and GHex do:
 *
 *   0000  48 65 6c 6c 6f 20 57 6f  Hello Wo
 *   0008  72 6c 64 0d 0a           rld..
 *
 * The text is ASCII, so its character offsets (a GtkTextIter's offset)
 * and byte offsets are the same. */
typedef struct _SpHexDump SpHexDump;

typedef enum
{
  SP_HEX_DUMP_HEX,   /* the two hex digits of a byte */
  SP_HEX_DUMP_TEXT,  /* its ASCII character */
} SpHexDumpColumn;

#define SP_HEX_DUMP_BYTES_PER_LINE 16

/* 16 bytes a line. */
SpHexDump   *sp_hex_dump_new                (const guint8     *data,
                                             gsize             length);
SpHexDump   *sp_hex_dump_new_with_width     (const guint8     *data,
                                             gsize             length,
                                             guint             bytes_per_line);
/* The most bytes a line, of 16, 8 and 4, whose lines for `length` bytes
 * are at most `n_chars` characters long, '\n' aside; 4 if none is. */
guint        sp_hex_dump_fit_bytes_per_line (gsize             length,
                                             gsize             n_chars);
void         sp_hex_dump_free               (SpHexDump        *self);
const char  *sp_hex_dump_get_text           (SpHexDump        *self);
gsize        sp_hex_dump_get_n_bytes        (SpHexDump        *self);
guint        sp_hex_dump_get_bytes_per_line (SpHexDump        *self);
/* Characters per full line, including the '\n'. */
gsize        sp_hex_dump_get_line_length    (SpHexDump        *self);
/* The characters [start, end) that show byte `offset` in `column`. */
void         sp_hex_dump_byte_to_chars      (SpHexDump        *self,
                                             gsize             offset,
                                             SpHexDumpColumn   column,
                                             gsize            *start,
                                             gsize            *end);
/* The byte shown at character `position` and the column it is in; FALSE
 * for offsets, spaces and line ends. */
gboolean     sp_hex_dump_char_to_byte       (SpHexDump        *self,
                                             gsize             position,
                                             gsize            *offset,
                                             SpHexDumpColumn  *column);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpHexDump, sp_hex_dump_free)

/* Copy as */

/* "48 65 6c" (sp_data_format_hex). */
char        *sp_bytes_format_as_hex         (const guint8     *data,
                                             gsize             length);
/* The bytes decoded as bytes.decode(encoding, errors) would; under
 * SP_DECODE_STRICT an undecodable payload is an error (SP_DATA_ERROR)
 * whose message is Python's. The text may hold U+0000. */
char        *sp_bytes_format_as_text        (const guint8     *data,
                                             gsize             length,
                                             SpEncoding        encoding,
                                             SpDecodeErrors    errors,
                                             GError          **error);
/* Python's repr() of the bytes, whole: b'Hello\r\n', b"it's". */
char        *sp_bytes_format_as_python      (const guint8     *data,
                                             gsize             length);
/* "const unsigned char NAME[] = { 0x48, 0x65 };", twelve bytes per line
 * (on lines of their own past twelve); `name` NULL means "data". No bytes
 * give "{ }", which needs GNU C or C23. */
char        *sp_bytes_format_as_c_array     (const guint8     *data,
                                             gsize             length,
                                             const char       *name);

/* Search */

typedef enum
{
  SP_SEARCH_TEXT,  /* the UTF-8 bytes of what was typed */
  SP_SEARCH_HEX,   /* "48 65 6c", as sp_data_parse_hex reads it */
} SpSearchKind;

/* The bytes to look for; a hex search that does not parse is an error
 * (SP_DATA_ERROR) naming the position, and so is an empty search. */
GBytes      *sp_bytes_format_parse_search   (const char       *search,
                                             SpSearchKind      kind,
                                             GError          **error);
/* sp_traffic_log_query() for any bytes: positions in [begin, end) of the
 * events on `socket_id` (NULL: any) whose payload holds `needle` (a needle
 * without NUL bytes also matches an event's result text). Returns a
 * GArray of guint. */
GArray      *sp_bytes_format_find           (SpTrafficLog     *log,
                                             guint             begin,
                                             guint             end,
                                             const char       *socket_id,
                                             GBytes           *needle);

G_END_DECLS
