/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "sp-data.h"

/* The hex and escape parsers (what a user types in a send field), and the
 * encoder behind them. The first byte picks the parser and an encoding;
 * the rest is the text. */

static const char * const encodings[] = {
  "utf-8", "ascii", "latin-1", "utf-16-le", "utf-16-be", "utf-16", "cp1252",
};

static void
check_hex_round_trip (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *repr = NULL;
  gsize length;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  hex = sp_data_format_hex (data, length);
  repr = sp_data_format_python_bytes (data, length, 0);
  g_free (sp_data_format_python_bytes (data, length, 16));

  again = sp_data_parse_hex (hex, "data", &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, again));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  SpFuzzInput input = { data, size, 0 };
  guint8 selector = sp_fuzz_input_byte (&input);
  const char *encoding = encodings[(selector >> 1) % G_N_ELEMENTS (encodings)];
  g_autoptr(GError) error = NULL;
  g_autofree char *text = sp_fuzz_input_string (&input, G_MAXSIZE, NULL);

  if ((selector & 1) == 0)
    {
      g_autoptr(GBytes) bytes = sp_data_parse_hex (text, "data", &error);

      if (bytes == NULL)
        {
          g_assert (error != NULL);
          g_assert_true (g_str_has_prefix (error->message, "data"));
          return 0;
        }
      check_hex_round_trip (bytes);
    }
  else
    {
      g_autofree char *unescaped = NULL;
      g_autofree char *literal = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gsize length = 0;

      unescaped = sp_data_parse_escapes (text, "text", &length, &error);
      if (unescaped == NULL)
        {
          g_assert (error != NULL);
          g_assert_true (g_str_has_prefix (error->message, "text"));
          return 0;
        }
      /* \0 escapes put NULs in the result: a Python string shows them. */
      if (g_utf8_validate (unescaped, length, NULL) && memchr (unescaped, 0, length) == NULL)
        literal = sp_data_format_python_string (unescaped);

      bytes = sp_data_encode (unescaped, length, encoding, "text", &error);
      if (bytes == NULL)
        {
          g_assert (error != NULL);
          return 0;
        }
      check_hex_round_trip (bytes);
    }
  return 0;
}
