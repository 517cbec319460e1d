/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-data.h"

G_DEFINE_QUARK (sp-data-error-quark, sp_data_error)

typedef struct
{
  const char *name;     /* Python's name, lower case, '-' for '_' */
  const char *iconv;    /* the iconv name, NULL for UTF-8 itself */
  const char *bom;      /* the byte order mark Python writes first */
  guint       bom_len;
} SpEncoding;

/* Python's names and aliases (as codecs.lookup accepts them) for the
 * encodings students meet, with what glibc's iconv calls them. Python's
 * "utf-16" and "utf-32" write a BOM in the machine's order, which is little
 * endian on every machine this runs on. */
static const SpEncoding encodings[] = {
  { "utf-8", NULL, NULL, 0 },
  { "utf8", NULL, NULL, 0 },
  { "u8", NULL, NULL, 0 },
  { "utf", NULL, NULL, 0 },
  { "cp65001", NULL, NULL, 0 },
  { "ascii", "ASCII", NULL, 0 },
  { "us-ascii", "ASCII", NULL, 0 },
  { "us", "ASCII", NULL, 0 },
  { "646", "ASCII", NULL, 0 },
  { "cp367", "ASCII", NULL, 0 },
  { "iso646-us", "ASCII", NULL, 0 },
  { "ansi-x3.4-1968", "ASCII", NULL, 0 },
  { "latin-1", "ISO-8859-1", NULL, 0 },
  { "latin1", "ISO-8859-1", NULL, 0 },
  { "latin", "ISO-8859-1", NULL, 0 },
  { "l1", "ISO-8859-1", NULL, 0 },
  { "iso-8859-1", "ISO-8859-1", NULL, 0 },
  { "iso8859-1", "ISO-8859-1", NULL, 0 },
  { "8859", "ISO-8859-1", NULL, 0 },
  { "cp819", "ISO-8859-1", NULL, 0 },
  { "ibm819", "ISO-8859-1", NULL, 0 },
  { "iso-ir-100", "ISO-8859-1", NULL, 0 },
  { "iso-8859-2", "ISO-8859-2", NULL, 0 },
  { "iso8859-2", "ISO-8859-2", NULL, 0 },
  { "latin2", "ISO-8859-2", NULL, 0 },
  { "l2", "ISO-8859-2", NULL, 0 },
  { "iso-8859-15", "ISO-8859-15", NULL, 0 },
  { "iso8859-15", "ISO-8859-15", NULL, 0 },
  { "latin9", "ISO-8859-15", NULL, 0 },
  { "l9", "ISO-8859-15", NULL, 0 },
  { "utf-16", "UTF-16LE", "\xff\xfe", 2 },
  { "utf16", "UTF-16LE", "\xff\xfe", 2 },
  { "u16", "UTF-16LE", "\xff\xfe", 2 },
  { "utf-16-le", "UTF-16LE", NULL, 0 },
  { "utf-16le", "UTF-16LE", NULL, 0 },
  { "utf-16-be", "UTF-16BE", NULL, 0 },
  { "utf-16be", "UTF-16BE", NULL, 0 },
  { "utf-32", "UTF-32LE", "\xff\xfe\x00\x00", 4 },
  { "utf32", "UTF-32LE", "\xff\xfe\x00\x00", 4 },
  { "u32", "UTF-32LE", "\xff\xfe\x00\x00", 4 },
  { "utf-32-le", "UTF-32LE", NULL, 0 },
  { "utf-32le", "UTF-32LE", NULL, 0 },
  { "utf-32-be", "UTF-32BE", NULL, 0 },
  { "utf-32be", "UTF-32BE", NULL, 0 },
  { "cp1250", "CP1250", NULL, 0 },
  { "windows-1250", "CP1250", NULL, 0 },
  { "cp1251", "CP1251", NULL, 0 },
  { "windows-1251", "CP1251", NULL, 0 },
  { "cp1252", "CP1252", NULL, 0 },
  { "windows-1252", "CP1252", NULL, 0 },
  { "cp437", "CP437", NULL, 0 },
  { "ibm437", "CP437", NULL, 0 },
  { "437", "CP437", NULL, 0 },
  { "cp850", "CP850", NULL, 0 },
  { "ibm850", "CP850", NULL, 0 },
  { "850", "CP850", NULL, 0 },
  { "koi8-r", "KOI8-R", NULL, 0 },
};

static const SpEncoding *
lookup_encoding (const char *name)
{
  g_autofree char *normal = NULL;

  if (name == NULL)
    return NULL;

  normal = g_strstrip (g_strdup (name));
  for (char *p = normal; *p != '\0'; p++)
    *p = (*p == '_' || *p == ' ') ? '-' : g_ascii_tolower (*p);

  for (guint i = 0; i < G_N_ELEMENTS (encodings); i++)
    {
      if (g_str_equal (normal, encodings[i].name))
        return &encodings[i];
    }

  return NULL;
}

/* 1-based count of the characters before byte `offset`, plus one. */
static gsize
char_position (const char *text,
               gsize       offset)
{
  return (gsize) g_utf8_pointer_to_offset (text, text + offset) + 1;
}

/* The one-letter escapes and the byte each stands for. */
static const char simple_escape_letters[] = "rnt0\\'\"";
static const char simple_escapes[] = "\r\n\t\0\\'\"";

/* The character at `p` for a message: itself if printable, U+XXXX if not. */
static char *
describe_char (const char *p)
{
  gunichar c = g_utf8_get_char (p);

  if (g_unichar_isprint (c) && !g_unichar_isspace (c))
    return g_strdup_printf ("“%.*s”", (int) (g_utf8_next_char (p) - p), p);

  return g_strdup_printf ("U+%04X", c);
}

static gboolean
check_utf8 (const char  *text,
            gsize        length,
            const char  *field,
            GError     **error)
{
  const char *end = NULL;

  if (!g_utf8_validate_len (text, length, &end))
    {
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("%s: the text is not valid UTF-8 at byte %zu"),
                   field, (gsize) (end - text) + 1);
      return FALSE;
    }

  return TRUE;
}

GBytes *
sp_data_parse_hex (const char  *text,
                   const char  *field,
                   GError     **error)
{
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  const char *p;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (field == NULL)
    field = "hex";
  if (text == NULL)
    text = "";

  if (!check_utf8 (text, strlen (text), field, error))
    return NULL;

  p = text;
  while (*p != '\0')
    {
      const char *token;
      gsize n_digits = 0;

      if (g_ascii_isspace (*p) || *p == ':')
        {
          p++;
          continue;
        }

      /* One token: an optional 0x, then pairs of hex digits. */
      token = p;
      if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        {
          p += 2;
          if (!g_ascii_isxdigit (*p))
            {
              g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                           _("%s: “0x” at character %zu has no hex digits "
                             "after it; write bytes like 0x48 0x65 or 48 65"),
                           field, char_position (text, token - text));
              return NULL;
            }
        }

      while (*p != '\0' && !g_ascii_isspace (*p) && *p != ':')
        {
          if (!g_ascii_isxdigit (*p))
            {
              g_autofree char *what = describe_char (p);

              g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                           _("%s: %s at character %zu is not a hex digit; "
                             "use 0–9 and a–f, two digits per byte, like 48 65 6c 6c 6f"),
                           field, what, char_position (text, p - text));
              return NULL;
            }

          if (n_digits % 2 == 1)
            {
              guint8 byte = (guint8) ((g_ascii_xdigit_value (p[-1]) << 4) |
                                      g_ascii_xdigit_value (p[0]));
              g_byte_array_append (bytes, &byte, 1);
            }

          n_digits++;
          p++;
        }

      if (n_digits % 2 == 1)
        {
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("%s: the hex digit at character %zu has no partner; "
                         "write two digits per byte, like 0a rather than a"),
                       field, char_position (text, (p - 1) - text));
          return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

char *
sp_data_parse_escapes (const char  *text,
                       const char  *field,
                       gsize       *length,
                       GError     **error)
{
  g_autoptr(GString) out = NULL;
  const char *p;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (field == NULL)
    field = "text";
  if (text == NULL)
    text = "";

  if (!check_utf8 (text, strlen (text), field, error))
    return NULL;

  out = g_string_sized_new (strlen (text));

  for (p = text; *p != '\0'; )
    {
      const char *start = p;

      if (*p != '\\')
        {
          const char *next = g_utf8_next_char (p);

          g_string_append_len (out, p, next - p);
          p = next;
          continue;
        }

      p++;
      switch (*p)
        {
        case 'r':
        case 'n':
        case 't':
        case '0':
        case '\\':
        case '\'':
        case '"':
          g_string_append_c (out, simple_escapes[strchr (simple_escape_letters, *p) -
                                                 simple_escape_letters]);
          p++;
          break;

        case 'x':
          if (!g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
            {
              gsize n = 1;

              /* Quote the escape as far as it goes, without splitting a character. */
              while (n < 3 && p[n] != '\0' && g_ascii_isxdigit (p[n]))
                n++;
              g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                           _("%s: “\\%.*s” at character %zu needs exactly two "
                             "hex digits, like \\x41"),
                           field, (int) n, p, char_position (text, start - text));
              return NULL;
            }
          /* \xNN is the character U+00NN, as in a Python str literal. */
          g_string_append_unichar (out, (gunichar) ((g_ascii_xdigit_value (p[1]) << 4) |
                                                    g_ascii_xdigit_value (p[2])));
          p += 3;
          break;

        case '\0':
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("%s: the text ends with a lone “\\” at character %zu; "
                         "write \\\\ for a backslash"),
                       field, char_position (text, start - text));
          return NULL;

        default:
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("%s: “\\%.*s” at character %zu is not a known escape; "
                         "use \\r \\n \\t \\0 \\\\ \\' \\\" or \\xNN (write \\\\ for a "
                         "backslash)"),
                       field, (int) (g_utf8_next_char (p) - p), p,
                       char_position (text, start - text));
          return NULL;
        }
    }

  if (length != NULL)
    *length = out->len;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

GBytes *
sp_data_encode (const char  *text,
                gssize       length,
                const char  *encoding,
                const char  *field,
                GError     **error)
{
  const SpEncoding *enc;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *converted = NULL;
  gsize bytes_read = 0;
  gsize bytes_written = 0;
  gsize len;
  GByteArray *out;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (field == NULL)
    field = "text";
  if (text == NULL)
    text = "";
  if (encoding == NULL)
    encoding = "utf-8";

  len = length < 0 ? strlen (text) : (gsize) length;

  enc = lookup_encoding (encoding);
  if (enc == NULL)
    {
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("%s: “%s” is not a known encoding; use utf-8, ascii, latin-1, "
                     "utf-16, utf-16-le, utf-16-be or cp1252"),
                   field, encoding);
      return NULL;
    }

  /* Embedded NULs are characters like any other here (from \0). */
  for (gsize i = 0; i < len; )
    {
      const char *end = NULL;

      if (g_utf8_validate_len (text + i, len - i, &end))
        break;
      if (*end != '\0')
        {
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("%s: the text is not valid UTF-8 at byte %zu"),
                       field, (gsize) (end - text) + 1);
          return NULL;
        }
      i = (gsize) (end - text) + 1;
    }

  out = g_byte_array_sized_new (len + enc->bom_len);
  if (enc->bom_len > 0)
    g_byte_array_append (out, (const guint8 *) enc->bom, enc->bom_len);

  if (enc->iconv == NULL)
    {
      g_byte_array_append (out, (const guint8 *) text, len);
      return g_byte_array_free_to_bytes (out);
    }

  converted = g_convert (text, len, enc->iconv, "UTF-8",
                         &bytes_read, &bytes_written, &local_error);
  if (converted == NULL)
    {
      g_byte_array_unref (out);

      if (g_error_matches (local_error, G_CONVERT_ERROR, G_CONVERT_ERROR_ILLEGAL_SEQUENCE) &&
          bytes_read < len)
        {
          const char *bad = text + bytes_read;
          g_autofree char *what = describe_char (bad);
          gsize position = 1;

          /* Count characters by hand: g_utf8_pointer_to_offset stops at NUL. */
          for (const char *q = text; q < bad; q = g_utf8_next_char (q))
            position++;

          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("%s: character %zu (%s) cannot be encoded in %s"),
                       field, position, what, encoding);
          return NULL;
        }

      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("%s: cannot encode in %s on this system: %s"),
                   field, encoding, local_error->message);
      return NULL;
    }

  g_byte_array_append (out, (const guint8 *) converted, bytes_written);
  return g_byte_array_free_to_bytes (out);
}

gboolean
sp_data_encoding_is_known (const char *encoding)
{
  return lookup_encoding (encoding) != NULL;
}

static char
pick_quote (const guint8 *data,
            gsize         length)
{
  gboolean has_single, has_double;

  /* memchr() on NULL is undefined even for 0 bytes, and empty is allowed. */
  if (length == 0)
    return '\'';

  has_single = memchr (data, '\'', length) != NULL;
  has_double = memchr (data, '"', length) != NULL;

  return (has_single && !has_double) ? '"' : '\'';
}

static const char hex_digits[] = "0123456789abcdef";

void
sp_data_append_python_bytes (GString      *out,
                             const guint8 *data,
                             gsize         length,
                             gsize         limit)
{
  gsize shown;
  char quote;

  g_return_if_fail (out != NULL);
  g_return_if_fail (data != NULL || length == 0);

  shown = (limit > 0 && length > limit) ? limit : length;
  quote = pick_quote (data, shown);

  g_string_append_c (out, 'b');
  g_string_append_c (out, quote);

  for (gsize i = 0; i < shown; i++)
    {
      guint8 c = data[i];

      if (c == quote || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c >= 0x7f)
        {
          /* Not printf: this runs for every byte of every line shown. */
          g_string_append (out, "\\x");
          g_string_append_c (out, hex_digits[c >> 4]);
          g_string_append_c (out, hex_digits[c & 0xf]);
        }
      else
        g_string_append_c (out, (char) c);
    }

  g_string_append_c (out, quote);
  if (shown < length)
    g_string_append (out, "...");
}

char *
sp_data_format_python_bytes (const guint8 *data,
                             gsize         length,
                             gsize         limit)
{
  GString *out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  out = g_string_sized_new (MIN (length, limit > 0 ? limit : length) + 3);
  sp_data_append_python_bytes (out, data, length, limit);
  return g_string_free (out, FALSE);
}

char *
sp_data_format_hex (const guint8 *data,
                    gsize         length)
{
  GString *out;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  out = g_string_sized_new (length * 3);
  sp_data_append_hex (out, data, length, ' ');
  return g_string_free (out, FALSE);
}

/* By table, not by printf: an export of a gigabyte formats a billion
 * bytes, which "%02x" takes minutes for. */
void
sp_data_append_hex (GString      *out,
                    const guint8 *data,
                    gsize         length,
                    char          separator)
{
  static const char digits[] = "0123456789abcdef";
  gsize width = separator != '\0' ? 3 : 2;
  gsize start;
  char *p;

  g_return_if_fail (out != NULL);
  g_return_if_fail (data != NULL || length == 0);

  if (length == 0)
    return;

  start = out->len;
  g_string_set_size (out, start + length * width - (width - 2));
  p = out->str + start;
  for (gsize i = 0; i < length; i++)
    {
      if (i > 0 && separator != '\0')
        *p++ = separator;
      *p++ = digits[data[i] >> 4];
      *p++ = digits[data[i] & 0xf];
    }
}

/* Python's str.isprintable() for one character. */
static gboolean
python_isprintable (gunichar c)
{
  GUnicodeType type;

  if (c == ' ')
    return TRUE;

  type = g_unichar_type (c);
  return type != G_UNICODE_CONTROL &&
         type != G_UNICODE_FORMAT &&
         type != G_UNICODE_UNASSIGNED &&
         type != G_UNICODE_PRIVATE_USE &&
         type != G_UNICODE_SURROGATE &&
         type != G_UNICODE_LINE_SEPARATOR &&
         type != G_UNICODE_PARAGRAPH_SEPARATOR &&
         type != G_UNICODE_SPACE_SEPARATOR;
}

static void
append_python_char (GString  *out,
                    gunichar  c,
                    char      quote)
{
  if (c == (gunichar) quote || c == '\\')
    {
      g_string_append_c (out, '\\');
      g_string_append_c (out, (char) c);
    }
  else if (c == '\t')
    g_string_append (out, "\\t");
  else if (c == '\n')
    g_string_append (out, "\\n");
  else if (c == '\r')
    g_string_append (out, "\\r");
  else if (c < 0x20 || c == 0x7f)
    g_string_append_printf (out, "\\x%02x", c);
  else if (c < 0x7f || python_isprintable (c))
    g_string_append_unichar (out, c);
  else if (c <= 0xff)
    g_string_append_printf (out, "\\x%02x", c);
  else if (c <= 0xffff)
    g_string_append_printf (out, "\\u%04x", c);
  else
    g_string_append_printf (out, "\\U%08x", c);
}

char *
sp_data_format_python_string (const char *text)
{
  GString *out;
  gsize length;
  char quote;
  const char *p;
  const char *end;

  if (text == NULL)
    text = "";

  length = strlen (text);
  quote = pick_quote ((const guint8 *) text, length);

  out = g_string_sized_new (length + 2);
  g_string_append_c (out, quote);

  /* Bytes that are not UTF-8 show as Python's surrogateescape shows them
   * (a file name that is not UTF-8 comes back from the OS that way). */
  p = text;
  end = text + length;
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\udc%02x", (guint8) *p);
          p++;
          continue;
        }

      append_python_char (out, c, quote);
      p = g_utf8_next_char (p);
    }

  g_string_append_c (out, quote);
  return g_string_free (out, FALSE);
}
