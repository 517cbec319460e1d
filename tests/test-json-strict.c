/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-json-strict.h"
#include "sp-session.h"
#include "sp-test-util.h"

static void
assert_refused (const char *text,
                gssize      length,
                const char *expected)
{
  g_autoptr(GError) error = NULL;
  SpJsonStrictEnd end;

  if (length < 0)
    length = strlen (text);

  g_assert_false (sp_json_strict_check (text, length, "t.json", &end, &error));
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  sp_test_assert_message (error->message, expected);
}

static void
assert_passes (const char *text)
{
  g_autoptr(GError) error = NULL;
  SpJsonStrictEnd end;

  g_assert_true (sp_json_strict_check (text, strlen (text), "t.json", &end, &error));
  g_assert_no_error (error);
  g_assert_false (end.truncated);
}

static void
test_duplicate_member (void)
{
  assert_refused ("{\n  \"bufsize\": 1024,\n  \"bufsize\": 3\n}", -1,
                  "t.json:3:3: “bufsize” appears twice in one object (the first at 2:3)");
  /* The same name however it is spelt: json-glib compares decoded names. */
  assert_refused ("{\"bufsize\": 1, \"b\\u0075fsize\": 2}", -1,
                  "t.json:1:16: “bufsize” appears twice in one object (the first at 1:2)");
  assert_refused ("{\"a\\n\": 1, \"a\\u000a\": 2}", -1,
                  "t.json:1:12: “a\\x0a” appears twice in one object (the first at 1:2)");
  /* Columns count characters, not bytes. */
  assert_refused ("{\"é\": 1, \"é\": 2}", -1,
                  "t.json:1:10: “é” appears twice in one object (the first at 1:2)");
  /* Deeper down, after a nested object closed, and past other members. */
  assert_refused ("{\"steps\": [{\"a\": {\"b\": 1, \"c\": 2}, \"d\": [1, \"a\"], \"a\": 3}]}", -1,
                  "t.json:1:51: “a” appears twice in one object (the first at 1:13)");
}

static void
test_same_name_elsewhere (void)
{
  /* Sibling objects, nested objects and values may repeat a name. */
  assert_passes ("{\"a\": {\"a\": {\"a\": \"a\"}}, \"b\": [{\"a\": 1}, {\"a\": 2}]}");
  assert_passes ("[{\"id\": \"x\"}, {\"id\": \"x\"}]");
  assert_passes ("{\"a\": \"b\", \"b\": \"a\", \"ab\": \"\\\"b\"}");
}

static void
test_long_name_is_cut (void)
{
  g_autoptr(GString) text = g_string_new ("{\"");
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strnfill (100 * 1024, 'x');
  SpJsonStrictEnd end;

  g_string_append_printf (text, "%s\": 1, \"%s\": 2}", name, name);
  g_assert_false (sp_json_strict_check (text->str, text->len, "t.json", &end, &error));
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_assert_nonnull (strstr (error->message, "xxxx…” appears twice"));
}

static void
test_many_members (void)
{
  g_autoptr(GString) text = g_string_new ("{");
  g_autoptr(GString) more = NULL;

  for (guint i = 0; i < SP_JSON_STRICT_MAX_MEMBERS; i++)
    g_string_append_printf (text, "\"m%03u\": %u, ", i, i);
  more = g_string_new (text->str);

  /* The last of as many members as an object may have is still compared. */
  g_string_append (text, "\"m000\": 0}");
  assert_refused (text->str, text->len,
                  "t.json:1:3220: “m000” appears twice in one object (the first at 1:2)");

  g_string_append (more, "\"n\": 0}");
  assert_refused (more->str, more->len,
                  "t.json:1:3220: more than 256 members in one object; …");
}

/* Names whose g_str_hash() is the same ("Ez" and "FY" hash alike, and so
 * does any string of them) are refused after the bound, at once. */
static void
test_colliding_names (void)
{
  g_autoptr(GString) text = g_string_new ("{");
  g_autoptr(GError) error = NULL;
  SpJsonStrictEnd end;
  gint64 start;

  for (guint i = 0; i < 1 << 15; i++)
    {
      g_string_append_c (text, '"');
      for (guint bit = 0; bit < 15; bit++)
        g_string_append (text, (i & (1 << bit)) != 0 ? "FY" : "Ez");
      g_string_append (text, "\": 1, ");
    }
  g_string_append (text, "\"end\": 1}");

  start = g_get_monotonic_time ();
  g_assert_false (sp_json_strict_check (text->str, text->len, "t.json", &end, &error));
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
  g_assert_nonnull (strstr (error->message, "more than 256 members"));
}

static void
test_comments (void)
{
  assert_refused ("/* a session */ {}", -1, "t.json:1:1: comments are not JSON");
  assert_refused ("{\n  \"a\": 1, // the answer\n  \"b\": 2\n}", -1,
                  "t.json:2:11: comments are not JSON");
  assert_refused ("{\n# a session\n}", -1, "t.json:2:1: comments are not JSON");
  assert_refused ("{\"a\": [1 /**/]}", -1, "t.json:1:10: comments are not JSON");
  /* Inside a string they are text. */
  assert_passes ("{\"text\": \"/* not a comment */ // # either\"}");
}

static void
test_surrogates (void)
{
  assert_refused ("{\"text\": \"a\\ud800b\"}", -1,
                  "t.json:1:12: a lone surrogate “\\ud800” is not a character; …");
  assert_refused ("{\"text\": \"\\uDC00\"}", -1,
                  "t.json:1:11: a lone surrogate “\\uDC00” is not a character; …");
  /* A high half followed by anything but a low half. */
  assert_refused ("{\"text\": \"\\ud83d\\u0041\"}", -1,
                  "t.json:1:11: a lone surrogate “\\ud83d” is not a character; …");
  assert_refused ("{\"text\": \"\\ud83d\\ud83d\\ude00\"}", -1,
                  "t.json:1:11: a lone surrogate “\\ud83d” is not a character; …");
  assert_refused ("{\"text\": \"\\ud83d", -1,
                  "t.json:1:11: a lone surrogate “\\ud83d” is not a character; …");
  /* In a member name, and the pair it makes compared decoded. */
  assert_refused ("{\"\\ud83d\\ude00\": 1, \"😀\": 2}", -1,
                  "t.json:1:21: “😀” appears twice in one object (the first at 1:2)");
  assert_passes ("{\"text\": \"\\ud83d\\ude00 \\uD83D\\uDE00\", \"after\": \"\\u00e9\"}");
}

static void
test_nul_byte (void)
{
  assert_refused ("{\"a\":\n \"b\0\"}", 10,
                  "t.json:2:4: a NUL byte; a session file is UTF-8 JSON text, which has none");
  assert_refused ("{\"a\": 1}\0", 9, "t.json:1:9: a NUL byte; …");
  assert_refused ("{\"a\": \"\xff\"}", -1,
                  "t.json:1:8: not UTF-8 text (a session file is UTF-8 JSON)");
}

/* A character json-glib would name by its first byte, in octal. */
static void
test_stray_character (void)
{
  assert_refused ("{\"format\": é}", -1,
                  "t.json:1:12: “é” outside a string; text in JSON is written in double quotes");
  assert_refused ("{\n  \"a\": 1,\n  €: 2}", -1, "t.json:3:3: “€” outside a string; …");
  assert_refused ("{\"a\": [1, 2] 😀}", -1, "t.json:1:14: “😀” outside a string; …");
}

/* The check never recurses: a nesting far past its limit is one message,
 * not a stack overflow. */
static void
test_deep_nesting (void)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 100000; i++)
    g_string_append (text, "{\"a\": [");
  assert_refused (text->str, text->len, "t.json:1:225: nested too deeply (more than 64 levels)");
}

static void
test_truncated (void)
{
  g_autoptr(GError) error = NULL;
  SpJsonStrictEnd end;

  g_assert_true (sp_json_strict_check ("{\"a\": [1,\n 2", 12, "t.json", &end, &error));
  g_assert_true (end.truncated);
  g_assert_false (end.in_string);
  g_assert_cmpint (end.closer, ==, ']');
  g_assert_cmpuint (end.line, ==, 2);
  g_assert_cmpuint (end.column, ==, 3);

  g_assert_true (sp_json_strict_check ("{\"a", 3, "t.json", &end, &error));
  g_assert_true (end.truncated);
  g_assert_true (end.in_string);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/JsonStrict/duplicate-member", test_duplicate_member);
  g_test_add_func ("/Sp/JsonStrict/same-name-elsewhere", test_same_name_elsewhere);
  g_test_add_func ("/Sp/JsonStrict/long-name-is-cut", test_long_name_is_cut);
  g_test_add_func ("/Sp/JsonStrict/many-members", test_many_members);
  g_test_add_func ("/Sp/JsonStrict/colliding-names", test_colliding_names);
  g_test_add_func ("/Sp/JsonStrict/comments", test_comments);
  g_test_add_func ("/Sp/JsonStrict/surrogates", test_surrogates);
  g_test_add_func ("/Sp/JsonStrict/nul-byte", test_nul_byte);
  g_test_add_func ("/Sp/JsonStrict/stray-character", test_stray_character);
  g_test_add_func ("/Sp/JsonStrict/deep-nesting", test_deep_nesting);
  g_test_add_func ("/Sp/JsonStrict/truncated", test_truncated);

  return g_test_run ();
}
