/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-describe.h"

static void
test_short_text_is_kept (void)
{
  g_autofree char *plain = sp_describe_text ("127.0.0.1");
  g_autofree char *accents = sp_describe_text ("héllo wörld");
  g_autofree char *none = sp_describe_text (NULL);

  g_assert_cmpstr (plain, ==, "127.0.0.1");
  g_assert_cmpstr (accents, ==, "héllo wörld");
  g_assert_cmpstr (none, ==, "");
}

/* A 100 KB address in a file comes back as 48 characters and an ellipsis,
 * counted in characters, not bytes. */
static void
test_long_text_is_cut (void)
{
  g_autofree char *address = g_strnfill (100 * 1024, 'a');
  g_autofree char *shown = sp_describe_text (address);
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autofree char *wide_shown = NULL;
  g_autofree char *exact = g_strnfill (SP_DESCRIBE_MAX_CHARS, 'b');
  g_autofree char *exact_shown = sp_describe_text (exact);

  g_assert_cmpuint (g_utf8_strlen (shown, -1), ==, SP_DESCRIBE_MAX_CHARS + 1);
  g_assert_true (g_str_has_suffix (shown, "a…"));

  for (guint i = 0; i < 1000; i++)
    g_string_append (wide, "é");
  wide_shown = sp_describe_text (wide->str);
  g_assert_cmpuint (g_utf8_strlen (wide_shown, -1), ==, SP_DESCRIBE_MAX_CHARS + 1);

  g_assert_cmpstr (exact_shown, ==, exact);
}

static void
test_unsafe_text (void)
{
  g_autofree char *controls = sp_describe_text ("a\nb\x1b[31m\x7f");
  g_autofree char *invalid = sp_describe_text ("/tmp/\xff\xfe.sock");

  g_assert_cmpstr (controls, ==, "a\\x0ab\\x1b[31m\\x7f");
  g_assert_cmpstr (invalid, ==, "/tmp/\xef\xbf\xbd\xef\xbf\xbd.sock");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Describe/short-text-is-kept", test_short_text_is_kept);
  g_test_add_func ("/Sp/Describe/long-text-is-cut", test_long_text_is_cut);
  g_test_add_func ("/Sp/Describe/unsafe-text", test_unsafe_text);

  return g_test_run ();
}
