/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-decode.h"

/* Names */

typedef struct
{
  const char *name;   /* as encodings.normalize_encoding() leaves it */
  SpEncoding  encoding;
} Alias;

/* Python's codec module names and the aliases in encodings/aliases.py
 * that lead to them. */
static const Alias aliases[] = {
  { "utf_8", SP_ENCODING_UTF8 },
  { "utf8", SP_ENCODING_UTF8 },
  { "u8", SP_ENCODING_UTF8 },
  { "utf", SP_ENCODING_UTF8 },
  { "utf8_ucs2", SP_ENCODING_UTF8 },
  { "utf8_ucs4", SP_ENCODING_UTF8 },
  { "cp65001", SP_ENCODING_UTF8 },
  { "ascii", SP_ENCODING_ASCII },
  { "646", SP_ENCODING_ASCII },
  { "ansi_x3.4_1968", SP_ENCODING_ASCII },
  { "ansi_x3_4_1968", SP_ENCODING_ASCII },
  { "ansi_x3.4_1986", SP_ENCODING_ASCII },
  { "cp367", SP_ENCODING_ASCII },
  { "csascii", SP_ENCODING_ASCII },
  { "ibm367", SP_ENCODING_ASCII },
  { "iso646_us", SP_ENCODING_ASCII },
  { "iso_646.irv_1991", SP_ENCODING_ASCII },
  { "iso_ir_6", SP_ENCODING_ASCII },
  { "us", SP_ENCODING_ASCII },
  { "us_ascii", SP_ENCODING_ASCII },
  { "latin_1", SP_ENCODING_LATIN1 },
  { "8859", SP_ENCODING_LATIN1 },
  { "cp819", SP_ENCODING_LATIN1 },
  { "csisolatin1", SP_ENCODING_LATIN1 },
  { "ibm819", SP_ENCODING_LATIN1 },
  { "iso8859", SP_ENCODING_LATIN1 },
  { "iso8859_1", SP_ENCODING_LATIN1 },
  { "iso_8859_1", SP_ENCODING_LATIN1 },
  { "iso_8859_1_1987", SP_ENCODING_LATIN1 },
  { "iso_ir_100", SP_ENCODING_LATIN1 },
  { "l1", SP_ENCODING_LATIN1 },
  { "latin", SP_ENCODING_LATIN1 },
  { "latin1", SP_ENCODING_LATIN1 },
  { "utf_16_le", SP_ENCODING_UTF16_LE },
  { "utf_16le", SP_ENCODING_UTF16_LE },
  { "unicodelittleunmarked", SP_ENCODING_UTF16_LE },
  { "utf_16_be", SP_ENCODING_UTF16_BE },
  { "utf_16be", SP_ENCODING_UTF16_BE },
  { "unicodebigunmarked", SP_ENCODING_UTF16_BE },
};

/* encodings.normalize_encoding() after codecs.lookup() lowered the case:
 * each run of characters other than letters, digits and '.' becomes one
 * '_', and none is left at either end. */
static char *
normalize_name (const char *name)
{
  GString *out = g_string_new (NULL);
  gboolean punctuation = FALSE;

  for (const char *p = name; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '.')
        {
          if (punctuation && out->len > 0)
            g_string_append_c (out, '_');
          g_string_append_c (out, g_ascii_tolower (*p));
          punctuation = FALSE;
        }
      else
        punctuation = TRUE;
    }

  return g_string_free (out, FALSE);
}

static gboolean
lookup_alias (const char *name,
              SpEncoding *encoding)
{
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      if (g_str_equal (name, aliases[i].name))
        {
          *encoding = aliases[i].encoding;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
sp_encoding_from_name (const char *name,
                       SpEncoding *encoding)
{
  g_autofree char *normal = NULL;

  g_return_val_if_fail (encoding != NULL, FALSE);

  if (name == NULL)
    return FALSE;

  normal = normalize_name (name);
  if (lookup_alias (normal, encoding))
    return TRUE;

  /* Python tries the name again with '.' as '_'. */
  g_strdelimit (normal, ".", '_');
  return lookup_alias (normal, encoding);
}

const char *
sp_encoding_to_name (SpEncoding encoding)
{
  switch (encoding)
    {
    case SP_ENCODING_ASCII:
      return "ascii";
    case SP_ENCODING_LATIN1:
      return "latin-1";
    case SP_ENCODING_UTF16_LE:
      return "utf-16-le";
    case SP_ENCODING_UTF16_BE:
      return "utf-16-be";
    case SP_ENCODING_UTF8:
    default:
      return "utf-8";
    }
}

gboolean
sp_decode_errors_from_name (const char     *name,
                            SpDecodeErrors *errors)
{
  static const SpDecodeErrors all[] = { SP_DECODE_STRICT, SP_DECODE_REPLACE, SP_DECODE_IGNORE };

  g_return_val_if_fail (errors != NULL, FALSE);

  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (all); i++)
    {
      if (g_str_equal (name, sp_decode_errors_to_name (all[i])))
        {
          *errors = all[i];
          return TRUE;
        }
    }
  return FALSE;
}

const char *
sp_decode_errors_to_name (SpDecodeErrors errors)
{
  switch (errors)
    {
    case SP_DECODE_REPLACE:
      return "replace";
    case SP_DECODE_IGNORE:
      return "ignore";
    case SP_DECODE_STRICT:
    default:
      return "strict";
    }
}

/* Decoders: one character from `s` (`avail` > 0 bytes left). TRUE with the
 * character and the bytes it took; FALSE with Python's reason and the
 * number of bytes its exception covers. */

typedef gboolean (*DecodeOne) (const guint8  *s,
                               gsize          avail,
                               gunichar      *ch,
                               gsize         *used,
                               const char   **reason);

/* Python's UTF-8 decoder reports the maximal invalid subpart (Unicode
 * 15, 3.9 "U+FFFD Substitution of Maximal Subparts"): the start byte and
 * the continuation bytes that could still have led to a character. */
static gboolean
decode_utf8 (const guint8  *s,
             gsize          avail,
             gunichar      *ch,
             gsize         *used,
             const char   **reason)
{
  guint8 first = s[0];
  guint8 low = 0x80;
  guint8 high = 0xbf;
  guint n;

  if (first < 0x80)
    {
      *ch = first;
      *used = 1;
      return TRUE;
    }

  if (first < 0xc2 || first > 0xf4)
    {
      *reason = "invalid start byte";
      *used = 1;
      return FALSE;
    }

  n = first < 0xe0 ? 2 : first < 0xf0 ? 3 : 4;
  /* Overlong forms, surrogates and code points past U+10FFFF are ruled
   * out by the second byte. */
  if (first == 0xe0)
    low = 0xa0;
  else if (first == 0xed)
    high = 0x9f;
  else if (first == 0xf0)
    low = 0x90;
  else if (first == 0xf4)
    high = 0x8f;

  *ch = first & (0x7f >> n);
  for (guint k = 1; k < n; k++)
    {
      if (k >= avail)
        {
          *reason = "unexpected end of data";
          *used = avail;
          return FALSE;
        }
      if (s[k] < low || s[k] > high)
        {
          *reason = "invalid continuation byte";
          *used = k;
          return FALSE;
        }
      *ch = (*ch << 6) | (s[k] & 0x3f);
      low = 0x80;
      high = 0xbf;
    }

  *used = n;
  return TRUE;
}

static gboolean
decode_ascii (const guint8  *s,
              gsize          avail,
              gunichar      *ch,
              gsize         *used,
              const char   **reason)
{
  *used = 1;
  if (s[0] >= 0x80)
    {
      *reason = "ordinal not in range(128)";
      return FALSE;
    }
  *ch = s[0];
  return TRUE;
}

static gboolean
decode_latin1 (const guint8  *s,
               gsize          avail,
               gunichar      *ch,
               gsize         *used,
               const char   **reason)
{
  *ch = s[0];
  *used = 1;
  return TRUE;
}

static gboolean
decode_utf16 (const guint8  *s,
              gsize          avail,
              gboolean       big_endian,
              gunichar      *ch,
              gsize         *used,
              const char   **reason)
{
  guint16 unit;
  guint16 next;

  if (avail < 2)
    {
      *reason = "truncated data";
      *used = avail;
      return FALSE;
    }

  unit = big_endian ? (s[0] << 8) | s[1] : s[0] | (s[1] << 8);
  *used = 2;
  if (unit < 0xd800 || unit > 0xdfff)
    {
      *ch = unit;
      return TRUE;
    }

  /* A low surrogate with no high one before it. */
  if (unit >= 0xdc00)
    {
      *reason = "illegal encoding";
      return FALSE;
    }

  if (avail < 4)
    {
      *reason = "unexpected end of data";
      *used = avail;
      return FALSE;
    }

  next = big_endian ? (s[2] << 8) | s[3] : s[2] | (s[3] << 8);
  if (next < 0xdc00 || next > 0xdfff)
    {
      /* Only the high surrogate is in error; the next unit is read again. */
      *reason = "illegal UTF-16 surrogate";
      return FALSE;
    }

  *ch = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
  *used = 4;
  return TRUE;
}

static gboolean
decode_utf16_le (const guint8  *s,
                 gsize          avail,
                 gunichar      *ch,
                 gsize         *used,
                 const char   **reason)
{
  return decode_utf16 (s, avail, FALSE, ch, used, reason);
}

static gboolean
decode_utf16_be (const guint8  *s,
                 gsize          avail,
                 gunichar      *ch,
                 gsize         *used,
                 const char   **reason)
{
  return decode_utf16 (s, avail, TRUE, ch, used, reason);
}

static DecodeOne
decoder_for (SpEncoding encoding)
{
  switch (encoding)
    {
    case SP_ENCODING_ASCII:
      return decode_ascii;
    case SP_ENCODING_LATIN1:
      return decode_latin1;
    case SP_ENCODING_UTF16_LE:
      return decode_utf16_le;
    case SP_ENCODING_UTF16_BE:
      return decode_utf16_be;
    case SP_ENCODING_UTF8:
    default:
      return decode_utf8;
    }
}

/* UnicodeDecodeError.__str__. */
static char *
python_message (SpEncoding    encoding,
                const guint8 *data,
                gsize         start,
                gsize         end,
                const char   *reason)
{
  if (end == start + 1)
    return g_strdup_printf ("'%s' codec can't decode byte 0x%02x in position %" G_GSIZE_FORMAT
                            ": %s", sp_encoding_to_name (encoding), data[start], start, reason);

  return g_strdup_printf ("'%s' codec can't decode bytes in position %" G_GSIZE_FORMAT
                          "-%" G_GSIZE_FORMAT ": %s",
                          sp_encoding_to_name (encoding), start, end - 1, reason);
}

SpDecoded *
sp_decode (const guint8   *data,
           gsize           length,
           SpEncoding      encoding,
           SpDecodeErrors  errors)
{
  DecodeOne decode_one = decoder_for (encoding);
  SpDecoded *decoded = g_new0 (SpDecoded, 1);
  GString *text = g_string_sized_new (length);
  gsize offset = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  while (offset < length)
    {
      const char *reason = NULL;
      gunichar ch = 0;
      gsize used = 0;

      if (decode_one (data + offset, length - offset, &ch, &used, &reason))
        g_string_append_unichar (text, ch);
      else if (errors == SP_DECODE_REPLACE)
        g_string_append_unichar (text, 0xfffd);
      else if (errors == SP_DECODE_STRICT)
        {
          decoded->failed = TRUE;
          decoded->error_start = offset;
          decoded->error_end = offset + used;
          decoded->reason = g_strdup (reason);
          decoded->message = python_message (encoding, data, offset, offset + used, reason);
          break;
        }

      offset += used;
    }

  decoded->length = text->len;
  decoded->text = g_string_free (text, FALSE);
  return decoded;
}

void
sp_decoded_free (SpDecoded *decoded)
{
  if (decoded == NULL)
    return;

  g_free (decoded->text);
  g_free (decoded->reason);
  g_free (decoded->message);
  g_free (decoded);
}

char *
sp_decode_make_visible (const char     *text,
                        gssize          length,
                        SpVisibleFlags  flags)
{
  GString *out;

  g_return_val_if_fail (text != NULL || length <= 0, NULL);

  if (length < 0)
    length = text != NULL ? strlen (text) : 0;
  out = g_string_sized_new (length);

  /* Bytes of a multi-byte UTF-8 sequence are all 0x80 or more, so a
   * byte-wise walk sees exactly the control characters. */
  for (gssize i = 0; i < length; i++)
    {
      guchar c = text[i];

      if (c < 0x20)
        {
          g_string_append_unichar (out, 0x2400 + c);
          if (c == '\n' && (flags & SP_VISIBLE_KEEP_NEWLINES))
            g_string_append_c (out, '\n');
        }
      else if (c == 0x7f)
        g_string_append_unichar (out, 0x2421);
      else
        g_string_append_c (out, c);
    }

  return g_string_free (out, FALSE);
}
