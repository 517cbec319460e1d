/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-bytes-format.h"

#include "sp-data.h"

/* The hex column's bytes come in groups of this many, an extra space
 * between groups. */
#define GROUP_BYTES 8
#define COLUMN_GAP 2
#define C_ARRAY_PER_LINE 12

struct _SpHexDump
{
  char  *text;
  gsize  n_bytes;
  guint  bytes_per_line;
  guint  offset_width;
};

static guint
offset_width_for (gsize length,
                  guint bytes_per_line)
{
  guint width = 4;
  gsize last = length > 0 ? (length - 1) / bytes_per_line * bytes_per_line : 0;

  while (width < 16 && (last >> (4 * width)) != 0)
    width++;
  return width;
}

/* Position of byte `index` of a line inside the hex column: "xx " per
 * byte, one more space before each group but the first. */
static gsize
hex_position (guint index)
{
  return index * 3 + index / GROUP_BYTES;
}

/* The hex column of a full line, less the space after its last byte. */
static gsize
hex_column_width (guint bytes_per_line)
{
  return hex_position (bytes_per_line - 1) + 2;
}

static gsize
hex_column_start (SpHexDump *self)
{
  return self->offset_width + COLUMN_GAP;
}

static gsize
text_column_start (SpHexDump *self)
{
  return hex_column_start (self) + hex_column_width (self->bytes_per_line) + COLUMN_GAP;
}

static void
append_line (SpHexDump    *self,
             GString      *out,
             const guint8 *data,
             gsize         offset)
{
  gsize n = MIN (self->n_bytes - offset, self->bytes_per_line);
  gsize line_start = out->len;

  g_string_append_printf (out, "%0*" G_GSIZE_MODIFIER "x", self->offset_width, offset);
  g_string_append_len (out, "  ", COLUMN_GAP);
  for (guint i = 0; i < n; i++)
    {
      /* Pad to the byte's place: covers the gap between groups. */
      while (out->len - line_start < hex_column_start (self) + hex_position (i))
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "%02x", data[offset + i]);
    }
  /* A short last line keeps its text column in place. */
  while (out->len - line_start < text_column_start (self))
    g_string_append_c (out, ' ');
  for (guint i = 0; i < n; i++)
    {
      guint8 c = data[offset + i];

      g_string_append_c (out, c >= 0x20 && c < 0x7f ? (char) c : '.');
    }
  g_string_append_c (out, '\n');
}

SpHexDump *
sp_hex_dump_new (const guint8 *data,
                 gsize         length)
{
  return sp_hex_dump_new_with_width (data, length, SP_HEX_DUMP_BYTES_PER_LINE);
}

SpHexDump *
sp_hex_dump_new_with_width (const guint8 *data,
                            gsize         length,
                            guint         bytes_per_line)
{
  SpHexDump *self;
  GString *out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (bytes_per_line > 0, NULL);

  self = g_new0 (SpHexDump, 1);
  self->n_bytes = length;
  self->bytes_per_line = bytes_per_line;
  self->offset_width = offset_width_for (length, bytes_per_line);

  out = g_string_sized_new ((length / bytes_per_line + 1) * sp_hex_dump_get_line_length (self));
  for (gsize offset = 0; offset < length; offset += bytes_per_line)
    append_line (self, out, data, offset);
  self->text = g_string_free (out, FALSE);

  return self;
}

guint
sp_hex_dump_fit_bytes_per_line (gsize length,
                                gsize n_chars)
{
  static const guint widths[] = { 16, 8 };

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      SpHexDump line = { .bytes_per_line = widths[i],
                         .offset_width = offset_width_for (length, widths[i]) };

      if (text_column_start (&line) + widths[i] <= n_chars)
        return widths[i];
    }

  return 4;
}

void
sp_hex_dump_free (SpHexDump *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_free (self);
}

const char *
sp_hex_dump_get_text (SpHexDump *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->text;
}

gsize
sp_hex_dump_get_n_bytes (SpHexDump *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_bytes;
}

guint
sp_hex_dump_get_bytes_per_line (SpHexDump *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes_per_line;
}

gsize
sp_hex_dump_get_line_length (SpHexDump *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return text_column_start (self) + self->bytes_per_line + 1;
}

void
sp_hex_dump_byte_to_chars (SpHexDump       *self,
                           gsize            offset,
                           SpHexDumpColumn  column,
                           gsize           *start,
                           gsize           *end)
{
  gsize line_start;
  guint index;

  g_return_if_fail (self != NULL);
  g_return_if_fail (offset < self->n_bytes);

  line_start = offset / self->bytes_per_line * sp_hex_dump_get_line_length (self);
  index = offset % self->bytes_per_line;

  if (column == SP_HEX_DUMP_HEX)
    {
      *start = line_start + hex_column_start (self) + hex_position (index);
      *end = *start + 2;
    }
  else
    {
      *start = line_start + text_column_start (self) + index;
      *end = *start + 1;
    }
}

/* Which byte of a line the hex column position `x` shows, if a digit. */
static gboolean
hex_index_at (SpHexDump *self,
              gsize      x,
              guint     *index)
{
  /* A group's digits and spaces, and the extra space after it. */
  gsize group_width = GROUP_BYTES * 3 + 1;
  gsize within = x % group_width;

  if (x >= hex_column_width (self->bytes_per_line) || within == group_width - 1 ||
      within % 3 == 2)
    return FALSE;
  *index = x / group_width * GROUP_BYTES + within / 3;
  return TRUE;
}

gboolean
sp_hex_dump_char_to_byte (SpHexDump       *self,
                          gsize            position,
                          gsize           *offset,
                          SpHexDumpColumn *column)
{
  gsize line_length;
  gsize x;
  guint index;

  g_return_val_if_fail (self != NULL, FALSE);

  line_length = sp_hex_dump_get_line_length (self);
  x = position % line_length;

  if (x >= hex_column_start (self) && hex_index_at (self, x - hex_column_start (self), &index))
    *column = SP_HEX_DUMP_HEX;
  else if (x >= text_column_start (self) &&
           x < text_column_start (self) + self->bytes_per_line)
    {
      index = x - text_column_start (self);
      *column = SP_HEX_DUMP_TEXT;
    }
  else
    return FALSE;

  *offset = position / line_length * self->bytes_per_line + index;
  return *offset < self->n_bytes;
}

/* Copy as */

char *
sp_bytes_format_as_hex (const guint8 *data,
                        gsize         length)
{
  return sp_data_format_hex (data, length);
}

char *
sp_bytes_format_as_text (const guint8    *data,
                         gsize            length,
                         SpEncoding       encoding,
                         SpDecodeErrors   errors,
                         GError         **error)
{
  g_autoptr(SpDecoded) decoded = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  decoded = sp_decode (data, length, encoding, errors);
  if (decoded->failed)
    {
      g_set_error_literal (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID, decoded->message);
      return NULL;
    }

  return g_steal_pointer (&decoded->text);
}

char *
sp_bytes_format_as_python (const guint8 *data,
                           gsize         length)
{
  return sp_data_format_python_bytes (data, length, 0);
}

char *
sp_bytes_format_as_c_array (const guint8 *data,
                            gsize         length,
                            const char   *name)
{
  GString *out = g_string_new (NULL);
  gboolean wrapped = length > C_ARRAY_PER_LINE;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  g_string_append_printf (out, "const unsigned char %s[] = {", name != NULL ? name : "data");
  for (gsize i = 0; i < length; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (wrapped && i % C_ARRAY_PER_LINE == 0)
        g_string_append (out, "\n  ");
      else
        g_string_append_c (out, ' ');
      g_string_append_printf (out, "0x%02x", data[i]);
    }
  g_string_append (out, wrapped ? "\n};" : " };");

  return g_string_free (out, FALSE);
}

/* Search */

GBytes *
sp_bytes_format_parse_search (const char    *search,
                              SpSearchKind   kind,
                              GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (search != NULL, NULL);

  if (kind == SP_SEARCH_HEX)
    bytes = sp_data_parse_hex (search, "search", error);
  else
    bytes = g_bytes_new (search, strlen (search));

  if (bytes != NULL && g_bytes_get_size (bytes) == 0)
    {
      /* TRANSLATORS: %s is the field, "search". */
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID, _("%s: give at least one byte"),
                   "search");
      return NULL;
    }

  return g_steal_pointer (&bytes);
}

GArray *
sp_bytes_format_find (SpTrafficLog *log,
                      guint         begin,
                      guint         end,
                      const char   *socket_id,
                      GBytes       *needle)
{
  SpTrafficQuery query = { .socket_id = socket_id, .show = SP_TRAFFIC_SHOW_ALL };

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);
  g_return_val_if_fail (needle != NULL, NULL);

  query.needle = g_bytes_get_data (needle, &query.needle_len);

  return sp_traffic_log_query (log, begin, end, &query);
}
