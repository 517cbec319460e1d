/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "sp-data.h"
#include "sp-decode.h"
#include "sp-test-util.h"

/* Every byte string here is decoded by us and by python3 with every
 * encoding and errors mode; python3 is the specification. */
static const char *const cases[] = {
  "",
  "48656c6c6f",
  "48c3a96c6c6f",          /* Hélo in UTF-8 */
  "48656c6c6fe9",          /* Helloé in Latin-1: a truncated UTF-8 sequence */
  "48656c6c6fe920",        /* the message of the issue: 0xe9 in position 5 */
  "68c3a9e96c6c6f",
  "e282ac", "e282", "e2", "e28220",
  "f09f9880", "f09f98", "f09f", "f0", "f09f9841",
  "c0af", "c1bf", "e080af", "e0a0", "e0a041", "eda080", "ed9fbf",
  "f4908080", "f48fbfbf", "f5", "ff", "fe", "80", "bf80", "c3", "c328",
  "61f1808080e180ff62",
  "4100", "41", "410042",
  "00d8", "00d84100", "00dc4100", "3dd800de", "3dd800", "3dd8",
  "d83dde00", "dc00", "d800", "d8000041", "d800dc00", "d800d800dc00", "dc00d800",
  "0d0a09007f1b",
  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f207f",
  "80818283feff",
};

#define N_RANDOM 150

static const char *const encodings[] = {
  "utf-8", "ascii", "latin-1", "utf-16-le", "utf-16-be",
};

static const char *const modes[] = { "strict", "replace", "ignore" };

/* For each argument (hex) × encoding × mode: the text as UTF-8 hex, or
 * the exception and the text before it (which Python decodes cleanly). */
static const char python_decode[] =
  "import json, sys\n"
  "out = []\n"
  "encodings = sys.argv[1].split(',')\n"
  "for arg in sys.argv[2:]:\n"
  "    data = bytes.fromhex(arg)\n"
  "    for enc in encodings:\n"
  "        for mode in ('strict', 'replace', 'ignore'):\n"
  "            try:\n"
  "                text = data.decode(enc, mode)\n"
  "                out.append({'text': text.encode('utf-8').hex()})\n"
  "            except UnicodeDecodeError as e:\n"
  "                prefix = data[:e.start].decode(enc)\n"
  "                out.append({'text': prefix.encode('utf-8').hex(), 'start': e.start,\n"
  "                            'end': e.end, 'reason': e.reason, 'message': str(e)})\n"
  "print(json.dumps(out))\n";

/* Short byte strings made mostly of the bytes decoders care about. */
static char *
random_case (GRand *rand)
{
  static const guint8 interesting[] = {
    0x00, 0x0a, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0,
    0xe1, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xd8, 0xdb, 0xdc, 0xdf,
  };
  guint length = g_rand_int_range (rand, 1, 10);
  GString *hex = g_string_new (NULL);

  for (guint i = 0; i < length; i++)
    {
      guint8 byte = g_rand_boolean (rand)
                    ? interesting[g_rand_int_range (rand, 0, G_N_ELEMENTS (interesting))]
                    : g_rand_int_range (rand, 0, 256);

      g_string_append_printf (hex, "%02x", byte);
    }

  return g_string_free (hex, FALSE);
}

static char *
utf8_hex (const char *text,
          gsize       length)
{
  return sp_data_format_hex ((const guint8 *) text, length);
}

/* The expected hex has no spaces; ours has them: compare without. */
static void
assert_text (const char *expected_hex,
             const char *text,
             gsize       length,
             const char *what)
{
  g_autofree char *ours = utf8_hex (text, length);
  g_auto(GStrv) parts = g_strsplit (ours, " ", -1);
  g_autofree char *joined = g_strjoinv ("", parts);

  if (!g_str_equal (joined, expected_hex))
    g_error ("%s: decoded to %s, python3 says %s", what, joined, expected_hex);
}

static void
check_one (JsonObject     *expected,
           const char     *hex,
           SpEncoding      encoding,
           SpDecodeErrors  errors)
{
  g_autoptr(GBytes) bytes = sp_data_parse_hex (hex, "case", NULL);
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);
  g_autoptr(SpDecoded) decoded = sp_decode (data, length, encoding, errors);
  g_autofree char *what = g_strdup_printf ("b'%s'.decode('%s', '%s')", hex,
                                           sp_encoding_to_name (encoding),
                                           sp_decode_errors_to_name (errors));
  gboolean raises = json_object_has_member (expected, "message");

  assert_text (json_object_get_string_member (expected, "text"), decoded->text,
               decoded->length, what);
  g_assert_cmpint (strlen (decoded->text), <=, decoded->length);

  if (decoded->failed != raises)
    g_error ("%s: %s, python3 %s", what, decoded->failed ? decoded->message : "decoded",
             raises ? json_object_get_string_member (expected, "message") : "decoded it");
  if (!raises)
    return;

  g_assert_cmpuint (decoded->error_start, ==, json_object_get_int_member (expected, "start"));
  g_assert_cmpuint (decoded->error_end, ==, json_object_get_int_member (expected, "end"));
  g_assert_cmpstr (decoded->reason, ==, json_object_get_string_member (expected, "reason"));
  g_assert_cmpstr (decoded->message, ==, json_object_get_string_member (expected, "message"));
}

static void
test_against_python (void)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240505);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *names = g_strjoinv (",", (char **) encodings);
  g_autofree char *output = NULL;
  JsonArray *results;
  guint index = 0;

  g_ptr_array_add (args, g_strdup (names));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_ptr_array_add (args, g_strdup (cases[i]));
  for (guint i = 0; i < N_RANDOM; i++)
    g_ptr_array_add (args, random_case (rand));

  output = sp_test_run_python (python_decode, args);
  if (output == NULL)
    return;

  json_parser_load_from_data (parser, output, -1, &error);
  g_assert_no_error (error);
  results = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (results), ==,
                    (args->len - 1) * G_N_ELEMENTS (encodings) * G_N_ELEMENTS (modes));

  for (guint i = 1; i < args->len; i++)
    for (guint e = 0; e < G_N_ELEMENTS (encodings); e++)
      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          SpEncoding encoding;
          SpDecodeErrors errors;

          g_assert_true (sp_encoding_from_name (encodings[e], &encoding));
          g_assert_true (sp_decode_errors_from_name (modes[m], &errors));
          check_one (json_array_get_object_element (results, index++), args->pdata[i],
                     encoding, errors);
        }
}

/* The example of the issue, written out, so a reader sees what "exactly
 * like Python" means without running python3. */
static void
test_issue_example (void)
{
  static const guint8 data[] = "Hello\xe9 world";
  g_autoptr(SpDecoded) decoded = sp_decode (data, sizeof data - 1, SP_ENCODING_UTF8,
                                            SP_DECODE_STRICT);
  g_autoptr(SpDecoded) replaced = sp_decode (data, sizeof data - 1, SP_ENCODING_UTF8,
                                             SP_DECODE_REPLACE);

  g_assert_true (decoded->failed);
  g_assert_cmpstr (decoded->text, ==, "Hello");
  g_assert_cmpuint (decoded->error_start, ==, 5);
  g_assert_cmpuint (decoded->error_end, ==, 6);
  g_assert_cmpstr (decoded->message, ==,
                   "'utf-8' codec can't decode byte 0xe9 in position 5: "
                   "invalid continuation byte");
  g_assert_false (replaced->failed);
  g_assert_cmpstr (replaced->text, ==, "Hello\xef\xbf\xbd world");
}

static const char python_lookup[] =
  "import codecs, sys\n"
  "for name in sys.argv[1:]:\n"
  "    try:\n"
  "        print(codecs.lookup(name).name)\n"
  "    except LookupError:\n"
  "        print('-')\n";

/* Python's canonical names (codecs.lookup(...).name) of our encodings. */
static const char *
python_codec_name (SpEncoding encoding)
{
  return encoding == SP_ENCODING_LATIN1 ? "iso8859-1" : sp_encoding_to_name (encoding);
}

static void
test_names_against_python (void)
{
  static const char *names[] = {
    "utf-8", "UTF-8", "utf8", "Utf_8", "u8", "utf", "utf8_ucs4", " utf--8 ", "utf-8-sig",
    "ascii", "US-ASCII", "us", "646", "ANSI_X3.4-1968", "ansi_x3.4_1986", "iso646-us",
    "iso_646.irv:1991", "latin-1", "Latin1", "latin", "l1", "iso-8859-1", "ISO_8859-1:1987",
    "iso8859", "cp819", "8859", "utf-16-le", "UTF-16LE", "utf_16le", "UnicodeLittleUnmarked",
    "utf-16-be", "utf_16_be", "UTF-16BE", "UnicodeBigUnmarked", "utf-16", "utf16le",
    "latin-2", "cp1252", "", "-",
  };
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_ptr_array_add (args, (char *) names[i]);
  output = sp_test_run_python (python_lookup, args);
  if (output == NULL)
    return;

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      SpEncoding encoding;
      gboolean ours = sp_encoding_from_name (names[i], &encoding);
      gboolean supported = g_strv_contains ((const char * const[]) {
        "utf-8", "ascii", "iso8859-1", "utf-16-le", "utf-16-be", NULL }, lines[i]);

      if (ours != supported)
        g_error ("“%s”: we %s it, python3 says %s", names[i], ours ? "accept" : "refuse",
                 lines[i]);
      if (ours)
        g_assert_cmpstr (python_codec_name (encoding), ==, lines[i]);
    }
}

static void
test_visible (void)
{
  static const char text[] = "GET / HTTP/1.0\r\n\tx\0\x1b\x7f é";
  g_autofree char *one_line = sp_decode_make_visible (text, sizeof text - 1, SP_VISIBLE_NONE);
  g_autofree char *lines = sp_decode_make_visible (text, sizeof text - 1,
                                                   SP_VISIBLE_KEEP_NEWLINES);
  g_autofree char *plain = sp_decode_make_visible ("abc", -1, SP_VISIBLE_NONE);

  g_assert_cmpstr (one_line, ==, "GET / HTTP/1.0␍␊␉x␀␛␡ é");
  g_assert_cmpstr (lines, ==, "GET / HTTP/1.0␍␊\n␉x␀␛␡ é");
  g_assert_cmpstr (plain, ==, "abc");
}

/* Decoded text keeps U+0000: its length, not strlen, is the truth. */
static void
test_nul_kept (void)
{
  static const guint8 data[] = { 'a', 0, 'b' };
  g_autoptr(SpDecoded) decoded = sp_decode (data, sizeof data, SP_ENCODING_ASCII,
                                            SP_DECODE_STRICT);
  g_autofree char *visible = sp_decode_make_visible (decoded->text, decoded->length,
                                                     SP_VISIBLE_NONE);

  g_assert_cmpuint (decoded->length, ==, 3);
  g_assert_cmpstr (visible, ==, "a␀b");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Decode/against-python", test_against_python);
  g_test_add_func ("/Sp/Decode/issue-example", test_issue_example);
  g_test_add_func ("/Sp/Decode/names-against-python", test_names_against_python);
  g_test_add_func ("/Sp/Decode/visible", test_visible);
  g_test_add_func ("/Sp/Decode/nul-kept", test_nul_kept);

  return g_test_run ();
}
