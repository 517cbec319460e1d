/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-bytes-format.h"
#include "sp-data.h"
#include "sp-test-util.h"

static void
test_hex_dump_layout (void)
{
  static const guint8 data[] = "Hello World\r\n\x00\x7f\x80 0123456789abcdefghij";
  g_autoptr(SpHexDump) dump = sp_hex_dump_new (data, sizeof data - 1);
  g_autoptr(SpHexDump) empty = sp_hex_dump_new (NULL, 0);

  g_assert_cmpstr (sp_hex_dump_get_text (dump), ==,
                   "0000  48 65 6c 6c 6f 20 57 6f  72 6c 64 0d 0a 00 7f 80  Hello World.....\n"
                   "0010  20 30 31 32 33 34 35 36  37 38 39 61 62 63 64 65   0123456789abcde\n"
                   "0020  66 67 68 69 6a                                    fghij\n");
  g_assert_cmpuint (sp_hex_dump_get_line_length (dump), ==, 73);
  g_assert_cmpuint (sp_hex_dump_get_n_bytes (dump), ==, 37);
  g_assert_cmpstr (sp_hex_dump_get_text (empty), ==, "");
}

/* A narrow pane's dump: 8 bytes a line, then 4. */
static void
test_hex_dump_narrow (void)
{
  static const guint8 data[] = "Hello World\r\n";
  g_autoptr(SpHexDump) eight = sp_hex_dump_new_with_width (data, sizeof data - 1, 8);
  g_autoptr(SpHexDump) four = sp_hex_dump_new_with_width (data, 6, 4);

  g_assert_cmpstr (sp_hex_dump_get_text (eight), ==,
                   "0000  48 65 6c 6c 6f 20 57 6f  Hello Wo\n"
                   "0008  72 6c 64 0d 0a           rld..\n");
  g_assert_cmpuint (sp_hex_dump_get_line_length (eight), ==, 40);
  g_assert_cmpuint (sp_hex_dump_get_bytes_per_line (eight), ==, 8);
  g_assert_cmpstr (sp_hex_dump_get_text (four), ==,
                   "0000  48 65 6c 6c  Hell\n"
                   "0004  6f 20        o \n");
}

/* The most bytes a line that fit: a full 16-byte line is 72 characters,
 * an 8-byte one 39, a 4-byte one 23; wider offsets take more. */
static void
test_hex_dump_fit (void)
{
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (100, 200), ==, 16);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (100, 72), ==, 16);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (100, 71), ==, 8);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (100, 39), ==, 8);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (100, 38), ==, 4);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (100, 0), ==, 4);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (0x20000, 72), ==, 8);
  g_assert_cmpuint (sp_hex_dump_fit_bytes_per_line (0x20000, 73), ==, 16);
}

/* Offsets grow a digit past 0xffff, as in Wireshark. */
static void
test_hex_dump_wide_offsets (void)
{
  gsize length = 0x10011;
  g_autofree guint8 *data = g_malloc0 (length);
  g_autoptr(SpHexDump) dump = sp_hex_dump_new (data, length);
  const char *text = sp_hex_dump_get_text (dump);
  const char *last = g_strrstr (text, "\n10010  ");
  g_autofree char *expected_last = g_strdup_printf ("10010  00%*s.\n", 46 + 2, "");

  g_assert_true (g_str_has_prefix (text, "00000  00 00"));
  g_assert_nonnull (last);
  /* The rest of the hex column (46) and the gap (2) before the text. */
  g_assert_cmpstr (last + 1, ==, expected_last);
  g_assert_cmpuint (strlen (text), ==,
                    0x1001 * sp_hex_dump_get_line_length (dump) + strlen (last + 1));
}

/* Every byte maps to its two digits and its character and back; every
 * other character maps to no byte; at each width. */
static void
test_hex_dump_offsets (void)
{
  static const guint widths[] = { 16, 8, 4 };
  guint8 data[45];

  for (guint i = 0; i < sizeof data; i++)
    data[i] = i * 7 + 0x20;

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      g_autoptr(SpHexDump) dump = sp_hex_dump_new_with_width (data, sizeof data, widths[w]);
      const char *text = sp_hex_dump_get_text (dump);
      gsize text_length = strlen (text);
      gsize line_length = sp_hex_dump_get_line_length (dump);
      guint mapped = 0;

      for (gsize offset = 0; offset < sizeof data; offset++)
        {
          char hex[3];
          gsize start, end, back;
          SpHexDumpColumn column;
          char shown = data[offset] >= 0x20 && data[offset] < 0x7f ? (char) data[offset] : '.';

          g_snprintf (hex, sizeof hex, "%02x", data[offset]);
          sp_hex_dump_byte_to_chars (dump, offset, SP_HEX_DUMP_HEX, &start, &end);
          g_assert_cmpuint (end - start, ==, 2);
          g_assert_cmpmem (text + start, 2, hex, 2);
          for (gsize p = start; p < end; p++)
            {
              g_assert_true (sp_hex_dump_char_to_byte (dump, p, &back, &column));
              g_assert_cmpuint (back, ==, offset);
              g_assert_cmpint (column, ==, SP_HEX_DUMP_HEX);
            }

          sp_hex_dump_byte_to_chars (dump, offset, SP_HEX_DUMP_TEXT, &start, &end);
          g_assert_cmpuint (end - start, ==, 1);
          g_assert_cmpint (text[start], ==, shown);
          g_assert_true (sp_hex_dump_char_to_byte (dump, start, &back, &column));
          g_assert_cmpuint (back, ==, offset);
          g_assert_cmpint (column, ==, SP_HEX_DUMP_TEXT);
        }

      for (gsize p = 0; p < text_length + 100; p++)
        {
          gsize offset;
          SpHexDumpColumn column;

          if (sp_hex_dump_char_to_byte (dump, p, &offset, &column))
            {
              g_assert_cmpuint (offset, <, sizeof data);
              g_assert_true (g_ascii_isxdigit (text[p]) || column == SP_HEX_DUMP_TEXT);
              mapped++;
            }
          else if (p < text_length)
            g_assert_true (text[p] == ' ' || text[p] == '\n' || p % line_length < 4);
        }
      /* Two digits and a character per byte, nothing else. */
      g_assert_cmpuint (mapped, ==, 3 * sizeof data);
    }
}

static const char python_repr[] =
  "import sys\n"
  "for arg in sys.argv[1:]:\n"
  "    print(repr(bytes.fromhex(arg)))\n";

static void
test_python_repr_against_python (void)
{
  static const char *cases[] = {
    "48656c6c6f0d0a",  /* Hello\r\n */
    "6974277320",      /* it's: double quotes */
    "22",              /* a double quote alone: single quotes */
    "2722",            /* both: single quotes, the single one escaped */
    "5c", "5c27", "7f", "80", "ff", "00", "09", "0b", "0c", "1b", "20", "7e",
    "",
  };
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) all = g_string_new (NULL);
  g_autofree char *output = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_ptr_array_add (args, g_strdup (cases[i]));
  for (guint b = 0; b < 256; b++)
    g_string_append_printf (all, "%02x", b);
  g_ptr_array_add (args, g_string_free (g_steal_pointer (&all), FALSE));

  output = sp_test_run_python (python_repr, args);
  if (output == NULL)
    return;

  lines = g_strsplit (output, "\n", -1);
  for (guint i = 0; i < args->len; i++)
    {
      g_autoptr(GBytes) bytes = sp_data_parse_hex (args->pdata[i], "case", NULL);
      gsize length;
      const guint8 *data = g_bytes_get_data (bytes, &length);
      g_autofree char *ours = sp_bytes_format_as_python (data, length);

      g_assert_cmpstr (ours, ==, lines[i]);
    }
}

static void
test_copy_as (void)
{
  static const guint8 hello[] = "Hello World\r\n";
  static const guint8 latin1[] = "caf\xe9";
  g_autofree char *hex = sp_bytes_format_as_hex (hello, 3);
  g_autofree char *short_array = sp_bytes_format_as_c_array (hello, 3, NULL);
  g_autofree char *array = sp_bytes_format_as_c_array (hello, sizeof hello - 1, "hello");
  g_autofree char *twelve = sp_bytes_format_as_c_array (hello, 12, NULL);
  g_autofree char *no_bytes = sp_bytes_format_as_c_array (NULL, 0, NULL);
  g_autofree char *text = sp_bytes_format_as_text (latin1, 4, SP_ENCODING_LATIN1,
                                                   SP_DECODE_STRICT, NULL);
  g_autofree char *replaced = sp_bytes_format_as_text (latin1, 4, SP_ENCODING_UTF8,
                                                       SP_DECODE_REPLACE, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *refused = sp_bytes_format_as_text (latin1, 4, SP_ENCODING_UTF8,
                                                      SP_DECODE_STRICT, &error);

  g_assert_cmpstr (hex, ==, "48 65 6c");
  g_assert_cmpstr (short_array, ==, "const unsigned char data[] = { 0x48, 0x65, 0x6c };");
  g_assert_cmpstr (array, ==,
                   "const unsigned char hello[] = {\n"
                   "  0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x57, 0x6f, 0x72, 0x6c, 0x64, 0x0d,\n"
                   "  0x0a\n"
                   "};");
  g_assert_cmpstr (twelve, ==,
                   "const unsigned char data[] = { 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x57, "
                   "0x6f, 0x72, 0x6c, 0x64, 0x0d };");
  g_assert_cmpstr (no_bytes, ==, "const unsigned char data[] = { };");
  g_assert_cmpstr (text, ==, "café");
  g_assert_cmpstr (replaced, ==, "caf\xef\xbf\xbd");
  g_assert_null (refused);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "'utf-8' codec can't decode byte 0xe9 in position 3: unexpected end of data");
}

static void
append_data (SpTrafficLog *log,
             const char   *socket_id,
             const char   *payload,
             gsize         length)
{
  SpEventInfo info = {
    .kind = SP_EVENT_SENT,
    .call = SP_CALL_SEND,
    .ok = TRUE,
    .state = SP_STATE_CONNECTED,
    .step = -1,
    .socket_id = socket_id,
    .bytes = length,
    .payload = (const guint8 *) payload,
    .payload_len = length,
  };

  sp_traffic_log_append (log, &info);
}

static GArray *
find (SpTrafficLog *log,
      const char   *socket_id,
      const char   *search,
      SpSearchKind  kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) needle = sp_bytes_format_parse_search (search, kind, &error);

  g_assert_no_error (error);
  return sp_bytes_format_find (log, 0, G_MAXUINT, socket_id, needle);
}

static void
assert_found (GArray *found,
              guint   n,
              ...)
{
  va_list args;

  g_assert_cmpuint (found->len, ==, n);
  va_start (args, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (g_array_index (found, guint, i), ==, va_arg (args, guint));
  va_end (args);
  g_array_unref (found);
}

static void
test_search (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bad = NULL;
  g_autoptr(GBytes) empty = NULL;

  append_data (log, "a", "Hello\0World", 11);
  append_data (log, "b", "Hello there", 11);
  append_data (log, "a", "\0\0\x01", 3);
  append_data (log, "b", "\x00W", 2);

  assert_found (find (log, NULL, "Hello", SP_SEARCH_TEXT), 2, 0, 1);
  assert_found (find (log, NULL, "48 65 6c", SP_SEARCH_HEX), 2, 0, 1);
  assert_found (find (log, "b", "48656c", SP_SEARCH_HEX), 1, 1);
  assert_found (find (log, NULL, "00 57", SP_SEARCH_HEX), 2, 0, 3);
  assert_found (find (log, "a", "00 57", SP_SEARCH_HEX), 1, 0);
  assert_found (find (log, NULL, "00 00 01", SP_SEARCH_HEX), 1, 2);
  assert_found (find (log, NULL, "00 00 02", SP_SEARCH_HEX), 0);
  assert_found (find (log, NULL, "World", SP_SEARCH_TEXT), 1, 0);

  bad = sp_bytes_format_parse_search ("48 6", SP_SEARCH_HEX, &error);
  g_assert_null (bad);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "search"));
  g_clear_error (&error);

  empty = sp_bytes_format_parse_search ("", SP_SEARCH_TEXT, &error);
  g_assert_null (empty);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/BytesFormat/hex-dump-layout", test_hex_dump_layout);
  g_test_add_func ("/Sp/BytesFormat/hex-dump-wide-offsets", test_hex_dump_wide_offsets);
  g_test_add_func ("/Sp/BytesFormat/hex-dump-narrow", test_hex_dump_narrow);
  g_test_add_func ("/Sp/BytesFormat/hex-dump-fit", test_hex_dump_fit);
  g_test_add_func ("/Sp/BytesFormat/hex-dump-offsets", test_hex_dump_offsets);
  g_test_add_func ("/Sp/BytesFormat/python-repr-against-python", test_python_repr_against_python);
  g_test_add_func ("/Sp/BytesFormat/copy-as", test_copy_as);
  g_test_add_func ("/Sp/BytesFormat/search", test_search);

  return g_test_run ();
}
