/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-data.h"
#include "sp-test-util.h"

/* Runs `python3 -c script args…` and returns its output split in lines,
 * or NULL (and skips the test) when there is no python3. */
static char **
run_python (const char *script,
            GPtrArray  *args)
{
  g_autofree char *out = sp_test_run_python (script, args);

  if (out == NULL)
    return NULL;

  /* Drop the last newline so the split has one entry per printed line. */
  if (g_str_has_suffix (out, "\n"))
    out[strlen (out) - 1] = '\0';

  return g_strsplit (out, "\n", -1);
}

static char *
hex_of (const guint8 *data,
        gsize         length)
{
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (s, "%02x", data[i]);

  return g_string_free (s, FALSE);
}

/* repr(bytes) byte-for-byte, for every byte value alone, all of them
 * together, quote mixes and random strings. */
static void
test_python_bytes_repr (void)
{
  static const char *samples[] = {
    "", "Hello World", "Hello\r\n", "it's", "say \"hi\"", "both ' and \"", "'", "\"",
    "''\"", "\\", "\\'", "\\\"", "\t\n\r\x0b\x0c", "~\x7f\x80", "b'x'",
  };
  g_autoptr(GPtrArray) vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) expected = NULL;
  guint8 all[256];

  for (guint i = 0; i < 256; i++)
    {
      guint8 byte = (guint8) i;

      all[i] = byte;
      g_ptr_array_add (vectors, g_bytes_new (&byte, 1));
    }
  g_ptr_array_add (vectors, g_bytes_new (all, sizeof all));

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_ptr_array_add (vectors, g_bytes_new (samples[i], strlen (samples[i])));
  /* "x\0y" has an embedded NUL, so give its length by hand. */
  g_ptr_array_add (vectors, g_bytes_new ("x\0y", 3));

  for (guint i = 0; i < 64; i++)
    {
      guint8 buf[24];
      gsize len = (gsize) g_test_rand_int_range (0, sizeof buf);

      for (gsize j = 0; j < len; j++)
        {
          /* Lean towards quotes and backslashes, where the rules are subtle. */
          static const guint8 special[] = { '\'', '"', '\\', 'a', '\n', 0 };
          int pick = g_test_rand_int_range (0, 4);

          buf[j] = pick == 0 ? (guint8) g_test_rand_int_range (0, 256)
                             : special[g_test_rand_int_range (0, sizeof special)];
        }
      g_ptr_array_add (vectors, g_bytes_new (buf, len));
    }

  for (guint i = 0; i < vectors->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (vectors->pdata[i], &len);

      g_ptr_array_add (args, hex_of (data, len));
    }

  expected = run_python ("import sys\n"
                         "for a in sys.argv[1:]: print(repr(bytes.fromhex(a)))\n",
                         args);
  if (expected == NULL)
    return;

  g_assert_cmpuint (g_strv_length (expected), ==, vectors->len);
  for (guint i = 0; i < vectors->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (vectors->pdata[i], &len);
      g_autofree char *repr = sp_data_format_python_bytes (data, len, 0);

      g_assert_cmpstr (repr, ==, expected[i]);
    }
}

static void
test_python_bytes_limit (void)
{
  const guint8 *hello = (const guint8 *) "Hello World";
  g_autofree char *cut = sp_data_format_python_bytes (hello, 11, 5);
  g_autofree char *whole = sp_data_format_python_bytes (hello, 11, 11);
  g_autofree char *big = sp_data_format_python_bytes (hello, 11, 100);
  g_autofree char *quote = sp_data_format_python_bytes ((const guint8 *) "it's\"", 5, 4);
  g_autofree char *empty = sp_data_format_python_bytes (NULL, 0, 0);

  g_assert_cmpstr (cut, ==, "b'Hello'...");
  g_assert_cmpstr (whole, ==, "b'Hello World'");
  g_assert_cmpstr (big, ==, "b'Hello World'");
  /* Quotes are chosen for what is shown. */
  g_assert_cmpstr (quote, ==, "b\"it's\"...");
  g_assert_cmpstr (empty, ==, "b''");
}

static void
test_python_string_repr (void)
{
  static const char *samples[] = {
    "", "Hello\r\n", "it's", "say \"hi\"", "both ' and \"", "\\", "tab\there", "\x01\x1f\x7f",
    "wörld €", "日本語", "😀", "\u00a0\u00ad\xc2\x85", "\u2028\u2029\u200b\u200e\u3000",
    "\ue000", "\U0010ffff", "\ufeff\ufffd", "/tmp/sock", "'\"'",
  };
  static const char *invalid[] = {
    "\xff", "a\x80z", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "ok\xc3(",
  };
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) expected = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
    g_ptr_array_add (strings, g_strdup (samples[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    g_ptr_array_add (strings, g_strdup (invalid[i]));
  /* Every character up to U+04FF and the general punctuation block, one each. */
  for (gunichar c = 1; c < 0x500; c++)
    g_ptr_array_add (strings, g_ucs4_to_utf8 (&c, 1, NULL, NULL, NULL));
  for (gunichar c = 0x2000; c < 0x2070; c++)
    g_ptr_array_add (strings, g_ucs4_to_utf8 (&c, 1, NULL, NULL, NULL));

  for (guint i = 0; i < strings->len; i++)
    {
      const char *s = strings->pdata[i];

      g_ptr_array_add (args, hex_of ((const guint8 *) s, strlen (s)));
    }

  expected = run_python ("import sys\n"
                         "for a in sys.argv[1:]:\n"
                         "  print(repr(bytes.fromhex(a).decode('utf-8', 'surrogateescape')))\n",
                         args);
  if (expected == NULL)
    return;

  g_assert_cmpuint (g_strv_length (expected), ==, strings->len);
  for (guint i = 0; i < strings->len; i++)
    {
      g_autofree char *repr = sp_data_format_python_string (strings->pdata[i]);

      g_assert_cmpstr (repr, ==, expected[i]);
    }
}

/* The names sp-data.c knows, each checked against Python's codec. */
static const char *encoding_names[] = {
  "utf-8", "utf8", "u8", "utf", "cp65001",
  "ascii", "us-ascii", "us", "646", "cp367", "iso646-us", "ansi_x3.4_1968",
  "latin-1", "latin1", "latin", "l1", "iso-8859-1", "iso8859-1", "8859", "cp819", "ibm819",
  "iso-ir-100", "iso-8859-2", "iso8859_2", "latin2", "l2", "iso-8859-15", "iso8859-15",
  "latin9", "l9",
  "utf-16", "utf16", "u16", "utf-16-le", "utf-16le", "utf-16-be", "utf-16be",
  "utf-32", "utf32", "u32", "utf-32-le", "utf-32le", "utf-32-be", "utf-32be",
  "cp1250", "windows-1250", "cp1251", "windows-1251", "cp1252", "windows-1252",
  "cp437", "ibm437", "437", "cp850", "ibm850", "850", "koi8-r",
  "UTF-8", "Latin_1", "UTF_16_LE", "Windows-1252",
};

/* Every character, one at a time, in every encoding: the same bytes as
 * Python, or an error where Python fails. */
static void
test_encode_matches_python (void)
{
  static const gunichar extra[] = {
    0x20ac, 0x201a, 0x201c, 0x201d, 0x2013, 0x2014, 0x2122, 0x2030, 0x0152, 0x0160, 0x0178,
    0x03a9, 0x0416, 0x044f, 0x0401, 0x2500, 0x2591, 0x263a, 0x4e2d, 0x1f600, 0xfffd, 0xfeff,
    0x00a4, 0x221a, 0x2248, 0x25a0, 0xe000, 0x10ffff,
  };
  g_autoptr(GString) list = g_string_new (NULL);
  g_autoptr(GArray) chars = g_array_new (FALSE, FALSE, sizeof (gunichar));
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) expected = NULL;

  for (gunichar c = 0; c < 0x250; c++)
    g_array_append_val (chars, c);
  g_array_append_vals (chars, extra, G_N_ELEMENTS (extra));

  for (guint i = 0; i < chars->len; i++)
    g_string_append_printf (list, i == 0 ? "%u" : ",%u", g_array_index (chars, gunichar, i));

  /* One Python run for all: a line per character per encoding. */
  g_ptr_array_add (args, list->str);
  for (guint e = 0; e < G_N_ELEMENTS (encoding_names); e++)
    g_ptr_array_add (args, (char *) encoding_names[e]);
  expected = run_python ("import sys\n"
                         "for name in sys.argv[2:]:\n"
                         "  for c in sys.argv[1].split(','):\n"
                         "    try: print(chr(int(c)).encode(name).hex())\n"
                         "    except UnicodeEncodeError: print('-')\n",
                         args);
  if (expected == NULL)
    return;
  g_assert_cmpuint (g_strv_length (expected), ==, chars->len * G_N_ELEMENTS (encoding_names));

  for (guint e = 0; e < G_N_ELEMENTS (encoding_names); e++)
    {
      g_assert_true (sp_data_encoding_is_known (encoding_names[e]));

      for (guint i = 0; i < chars->len; i++)
        {
          const char *python = expected[e * chars->len + i];
          gunichar c = g_array_index (chars, gunichar, i);
          g_autofree char *utf8 = g_ucs4_to_utf8 (&c, 1, NULL, NULL, NULL);
          g_autoptr(GError) error = NULL;
          /* U+0000 is one character here, so give the length. */
          g_autoptr(GBytes) bytes = sp_data_encode (utf8, c == 0 ? 1 : -1, encoding_names[e],
                                                    "data.text", &error);
          g_autofree char *got = NULL;

          if (bytes != NULL)
            {
              gsize len;
              const guint8 *data = g_bytes_get_data (bytes, &len);

              got = hex_of (data, len);
            }
          else
            {
              g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
              g_assert_true (g_str_has_prefix (error->message, "data.text: character 1 "));
              got = g_strdup ("-");
            }

          if (g_strcmp0 (got, python) != 0)
            g_error ("U+%04X in %s: got %s, Python gives %s",
                     c, encoding_names[e], got, python);
        }
    }
}

/* Whole strings, including the BOM Python's utf-16 and utf-32 write, and
 * where the first unencodable character is. */
static void
test_encode_strings (void)
{
  static const char *texts[] = {
    "", "Hello World", "wörld", "Grüße, €5", "abc\u00e9def", "日本", "x😀y", "\u0416\u044f",
  };
  static const char *names[] = {
    "utf-8", "ascii", "latin-1", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252",
    "cp1251", "cp437", "koi8-r",
  };
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) expected = NULL;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint j = 0; j < G_N_ELEMENTS (texts); j++)
      {
        g_ptr_array_add (args, g_strdup (names[i]));
        g_ptr_array_add (args, hex_of ((const guint8 *) texts[j], strlen (texts[j])));
      }

  expected = run_python ("import sys\n"
                         "a = sys.argv[1:]\n"
                         "for name, text in zip(a[0::2], a[1::2]):\n"
                         "  s = bytes.fromhex(text).decode('utf-8')\n"
                         "  try: print(s.encode(name).hex())\n"
                         "  except UnicodeEncodeError as e: print('-%d' % (e.start + 1))\n",
                         args);
  if (expected == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    for (guint j = 0; j < G_N_ELEMENTS (texts); j++, n++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) bytes = sp_data_encode (texts[j], -1, names[i], "data.text", &error);

        if (expected[n][0] == '-')
          {
            g_autofree char *prefix = g_strdup_printf ("data.text: character %s (",
                                                       expected[n] + 1);

            g_assert_null (bytes);
            g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
            g_assert_true (g_str_has_prefix (error->message, prefix));
            g_assert_true (g_str_has_suffix (error->message, names[i]));
          }
        else
          {
            gsize len;
            const guint8 *data;
            g_autofree char *got = NULL;

            g_assert_no_error (error);
            data = g_bytes_get_data (bytes, &len);
            got = hex_of (data, len);
            g_assert_cmpstr (got, ==, expected[n]);
          }
      }
}

static void
test_encode_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize len;

  bytes = sp_data_encode ("caé", -1, "ascii", "data.text", &error);
  g_assert_null (bytes);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "data.text: character 3 (“é”) cannot be encoded in ascii");
  g_clear_error (&error);

  /* Characters after an embedded NUL are still counted. */
  bytes = sp_data_encode ("a\0bé", 5, "ascii", "data.text", &error);
  g_assert_null (bytes);
  g_assert_cmpstr (error->message, ==, "data.text: character 4 (“é”) cannot be encoded in ascii");
  g_clear_error (&error);

  bytes = sp_data_encode ("a\0b", 3, "utf-16-be", "data.text", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, &len), len, "\0a\0\0\0b", 6);
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = sp_data_encode ("hi", -1, "klingon", "steps[2].data", &error);
  g_assert_null (bytes);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "steps[2].data: “klingon” is not a known "
                                                   "encoding; use utf-8"));
  g_clear_error (&error);

  bytes = sp_data_encode ("a\xff", -1, "utf-8", "data.text", &error);
  g_assert_null (bytes);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "data.text: "));
  g_clear_error (&error);

  /* A non-printable character is shown by its code point. */
  bytes = sp_data_encode ("x\xc2\x85", -1, "ascii", "data.text", &error);
  g_assert_null (bytes);
  g_assert_cmpstr (error->message, ==,
                   "data.text: character 2 (U+0085) cannot be encoded in ascii");
  g_clear_error (&error);

  bytes = sp_data_encode ("Hello", -1, NULL, "data.text", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (bytes, &len), len, "Hello", 5);

  g_assert_false (sp_data_encoding_is_known ("utf-9"));
  g_assert_false (sp_data_encoding_is_known (""));
  g_assert_false (sp_data_encoding_is_known (NULL));
  g_assert_true (sp_data_encoding_is_known (" UTF_8 "));
}

static void
test_parse_hex (void)
{
  static const struct {
    const char *text;
    const char *hex;
  } good[] = {
    { "48 65 6c 6c 6f", "48656c6c6f" },
    { "48656c6c6f", "48656c6c6f" },
    { "0x48 0x65", "4865" },
    { "0X4865", "4865" },
    { "de:ad:BE:ef", "deadbeef" },
    { "  00\tff\n10  ", "00ff10" },
    { "", "" },
    { "   ", "" },
  };
  static const struct {
    const char *text;
    const char *message;
  } bad[] = {
    { "48 6", "data.hex: the hex digit at character 4 has no partner; " },
    { "486", "data.hex: the hex digit at character 3 has no partner; " },
    { "48 zz", "data.hex: “z” at character 4 is not a hex digit; " },
    { "4g", "data.hex: “g” at character 2 is not a hex digit; " },
    { "é 41", "data.hex: “é” at character 1 is not a hex digit; " },
    { "41 é", "data.hex: “é” at character 4 is not a hex digit; " },
    { "48,65", "data.hex: “,” at character 3 is not a hex digit; " },
    { "0x", "data.hex: “0x” at character 1 has no hex digits" },
    { "41 0x 42", "data.hex: “0x” at character 4 has no hex digits" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = sp_data_parse_hex (good[i].text, "data.hex", &error);
      gsize len;
      const guint8 *data;
      g_autofree char *hex = NULL;

      g_assert_no_error (error);
      data = g_bytes_get_data (bytes, &len);
      hex = hex_of (data, len);
      g_assert_cmpstr (hex, ==, good[i].hex);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = sp_data_parse_hex (bad[i].text, "data.hex", &error);

      g_assert_null (bytes);
      g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, bad[i].message))
        g_error ("“%s”: got “%s”, expected it to start “%s”",
                 bad[i].text, error->message, bad[i].message);
    }
}

static void
test_parse_escapes (void)
{
  static const struct {
    const char *text;
    const char *result;
    gsize length;
  } good[] = {
    { "Hello World", "Hello World", 11 },
    { "GET / HTTP/1.0\\r\\n\\r\\n", "GET / HTTP/1.0\r\n\r\n", 18 },
    { "a\\tb\\nc", "a\tb\nc", 5 },
    { "\\0", "\0", 1 },
    { "x\\0y", "x\0y", 3 },
    { "\\\\ \\' \\\"", "\\ ' \"", 5 },
    { "\\x41\\x7e", "A~", 2 },
    /* \xNN is a character: U+00FF is two bytes in UTF-8. */
    { "\\xff", "\xc3\xbf", 2 },
    { "\\xE9t\\xe9", "\xc3\xa9t\xc3\xa9", 5 },
    { "wörld", "wörld", 6 },
    { "", "", 0 },
  };
  static const struct {
    const char *text;
    const char *message;
  } bad[] = {
    { "abc\\q", "data.text: “\\q” at character 4 is not a known escape; " },
    { "\\é", "data.text: “\\é” at character 1 is not a known escape; " },
    { "é\\x4", "data.text: “\\x4” at character 2 needs exactly two hex digits" },
    { "\\x", "data.text: “\\x” at character 1 needs exactly two hex digits" },
    { "\\xg1", "data.text: “\\x” at character 1 needs exactly two hex digits" },
    { "end\\", "data.text: the text ends with a lone “\\” at character 4; " },
    { "\\1", "data.text: “\\1” at character 1 is not a known escape; " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gsize length = 1234;
      g_autofree char *text = sp_data_parse_escapes (good[i].text, "data.text", &length, &error);

      g_assert_no_error (error);
      g_assert_cmpmem (text, length, good[i].result, good[i].length);
      g_assert_cmpint (text[length], ==, '\0');
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = sp_data_parse_escapes (bad[i].text, "data.text", NULL, &error);

      g_assert_null (text);
      g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
      if (!g_str_has_prefix (error->message, bad[i].message))
        g_error ("“%s”: got “%s”, expected it to start “%s”",
                 bad[i].text, error->message, bad[i].message);
    }
}

/* Escapes then encoding, as a composer does: "\xff" in latin-1 is one byte. */
static void
test_escapes_then_encode (void)
{
  g_autoptr(GError) error = NULL;
  gsize length;
  g_autofree char *text = sp_data_parse_escapes ("a\\0\\xff", "data.text", &length, &error);
  g_autoptr(GBytes) latin1 = NULL;
  g_autoptr(GBytes) utf8 = NULL;
  gsize len;

  g_assert_no_error (error);
  latin1 = sp_data_encode (text, (gssize) length, "latin-1", "data.text", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (latin1, &len), len, "a\0\xff", 3);

  utf8 = sp_data_encode (text, (gssize) length, "utf-8", "data.text", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (utf8, &len), len, "a\0\xc3\xbf", 4);
}

static void
test_format_hex (void)
{
  g_autofree char *hello = sp_data_format_hex ((const guint8 *) "Hello", 5);
  g_autofree char *one = sp_data_format_hex ((const guint8 *) "\xff", 1);
  g_autofree char *empty = sp_data_format_hex (NULL, 0);
  g_autofree char *mixed = sp_data_format_hex ((const guint8 *) "\x00\x0a\xAB", 3);
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;
  gsize len;

  g_assert_cmpstr (hello, ==, "48 65 6c 6c 6f");
  g_assert_cmpstr (one, ==, "ff");
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (mixed, ==, "00 0a ab");

  /* What format_hex writes, parse_hex reads. */
  back = sp_data_parse_hex (mixed, "data.hex", &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (back, &len), len, "\x00\x0a\xab", 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Data/python-bytes-repr", test_python_bytes_repr);
  g_test_add_func ("/Sp/Data/python-bytes-limit", test_python_bytes_limit);
  g_test_add_func ("/Sp/Data/python-string-repr", test_python_string_repr);
  g_test_add_func ("/Sp/Data/encode-matches-python", test_encode_matches_python);
  g_test_add_func ("/Sp/Data/encode-strings", test_encode_strings);
  g_test_add_func ("/Sp/Data/encode-errors", test_encode_errors);
  g_test_add_func ("/Sp/Data/parse-hex", test_parse_hex);
  g_test_add_func ("/Sp/Data/parse-escapes", test_parse_escapes);
  g_test_add_func ("/Sp/Data/escapes-then-encode", test_escapes_then_encode);
  g_test_add_func ("/Sp/Data/format-hex", test_format_hex);

  return g_test_run ();
}
