/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "sp-report-parser.h"

/* The report parser reads what json-glib reads, member for member: every
 * case that json-glib takes as an object is compared with it. */

static const char *int_names[SP_REPORT_N_INTS] = {
  "pid", "fd", "errno", "bytes", "new_fd", "time_us", "start_us",
};
static const char *string_names[SP_REPORT_N_STRINGS] = {
  "call", "program", "family", "type", "args", "result", "local", "remote", "data",
};

/* Parses `text` with both; returns whether ours took it. */
static gboolean
parse_both (const char *text,
            SpReport   *report)
{
  g_autoptr(SpReportParser) parser = sp_report_parser_new ();
  g_autoptr(JsonParser) reference = json_parser_new ();
  gboolean ours = sp_report_parser_parse (parser, text, strlen (text), report);
  JsonObject *object;
  JsonNode *root;

  if (!json_parser_load_from_data (reference, text, -1, NULL) ||
      (root = json_parser_get_root (reference)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_assert_false (ours);
      return FALSE;
    }
  g_assert_true (ours);
  object = json_node_get_object (root);

  for (guint i = 0; i < SP_REPORT_N_INTS; i++)
    {
      JsonNode *node = json_object_get_member (object, int_names[i]);
      gboolean is_int = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                        json_node_get_value_type (node) == G_TYPE_INT64;
      gint64 value = 0;

      g_assert_cmpint (sp_report_get_int (report, i, &value), ==, is_int);
      if (is_int)
        g_assert_cmpint (value, ==, json_node_get_int (node));
    }
  for (guint i = 0; i < SP_REPORT_N_STRINGS; i++)
    {
      JsonNode *node = json_object_get_member (object, string_names[i]);
      gboolean is_string = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                           json_node_get_value_type (node) == G_TYPE_STRING;

      if (is_string)
        g_assert_cmpstr (report->strings[i], ==, json_node_get_string (node));
      else
        g_assert_null (report->strings[i]);
    }
  {
    JsonNode *node = json_object_get_member (object, "ok");
    gboolean is_bool = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                       json_node_get_value_type (node) == G_TYPE_BOOLEAN;

    g_assert_cmpint (report->has_ok, ==, is_bool);
    if (is_bool)
      g_assert_cmpint (report->ok, ==, json_node_get_boolean (node));
  }
  return TRUE;
}

/* As the two tracers write them. */
static void
test_reports (void)
{
  static const char *reports[] = {
    "{\"pid\":4242,\"program\":\"server.py\",\"fd\":3,\"call\":\"bind\",\"ok\":true,\"errno\":0,"
    "\"time_us\":1796690426966592,\"args\":\"('127.0.0.1', 65432)\",\"result\":\"None\","
    "\"local\":\"127.0.0.1:65432\",\"start_us\":1796690426966500}",
    "{\"pid\": 7, \"program\": \"c-client\", \"fd\": 3, \"call\": \"send\", \"ok\": true, "
    "\"errno\": 0, \"family\": \"inet\", \"type\": \"stream\", \"args\": \"b'hello'\", "
    "\"result\": \"5\", \"bytes\": 5, \"data\": \"aGVsbG8=\"}",
    "{\"pid\":1,\"fd\":-1,\"call\":\"getaddrinfo\",\"ok\":false,\"errno\":-2,"
    "\"args\":\"'no.such.host', 80\"}",
    /* escapes, and a character outside the BMP as a surrogate pair */
    "{\"pid\":1,\"fd\":3,\"call\":\"recv\",\"ok\":true,\"args\":\"\\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t"
    " \\u00e9 \\ud83d\\ude00 caf\xc3\xa9\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (reports); i++)
    {
      SpReport report;

      g_assert_true (parse_both (reports[i], &report));
    }
}

/* A member of another type is absent; one the format does not name is
 * skipped whatever it holds; given twice, the last counts. */
static void
test_members (void)
{
  static const char *cases[] = {
    "{\"fd\":\"3\",\"pid\":1.5,\"ok\":1,\"call\":null,\"bytes\":1e3,\"errno\":[]}",
    "{\"future\":{\"a\":[1,2,{\"b\":\"c\"}],\"d\":null},\"fd\":3,\"more\":[true,false]}",
    "{\"fd\":3,\"fd\":4,\"call\":\"send\",\"call\":\"recv\",\"ok\":true,\"ok\":false}",
    "{\"fd\":3,\"fd\":\"x\"}",
    "{\"bytes\":9223372036854775807,\"errno\":-9223372036854775808}",
    "{\"fd\":-0,\"pid\":0}",
    "{}",
    "  { \"fd\" : 3 }  ",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SpReport report;

      parse_both (cases[i], &report);
    }
}

/* Where json-glib 1.6 is lenient it is not followed: a number past 64
 * bits is no integer (json-glib wraps it round), and a number with a
 * leading zero is not JSON. */
static void
test_stricter (void)
{
  g_autoptr(SpReportParser) parser = sp_report_parser_new ();
  static const char too_big[] = "{\"pid\":9223372036854775808,\"fd\":-9223372036854775809}";
  static const char leading_zero[] = "{\"pid\":00}";
  SpReport report;
  gint64 value;

  g_assert_true (sp_report_parser_parse (parser, too_big, strlen (too_big), &report));
  g_assert_false (sp_report_get_int (&report, SP_REPORT_PID, &value));
  g_assert_false (sp_report_get_int (&report, SP_REPORT_FD, &value));
  g_assert_false (sp_report_parser_parse (parser, leading_zero, strlen (leading_zero),
                                          &report));
}

/* What is not one JSON object is refused. */
static void
test_malformed (void)
{
  static const char *cases[] = {
    "", "{", "}", "[1]", "\"x\"", "3", "{\"fd\":}", "{\"fd\":3,}", "{\"fd\" 3}", "{fd:3}",
    "{\"fd\":3} x", "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":tru}",
    "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}", "{\"a\":[1,]}", "{\"a\":\"open}", "{'a':1}",
  };
  g_autoptr(SpReportParser) parser = sp_report_parser_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SpReport report;

      g_assert_false (sp_report_parser_parse (parser, cases[i], strlen (cases[i]), &report));
    }
}

/* Nesting deeper than the parser follows is refused, not followed: no
 * stack grows with what a program writes. */
static void
test_deep (void)
{
  g_autoptr(SpReportParser) parser = sp_report_parser_new ();
  g_autoptr(GString) text = g_string_new ("{\"a\":");
  SpReport report;

  for (guint i = 0; i < 100000; i++)
    g_string_append_c (text, '[');
  g_assert_false (sp_report_parser_parse (parser, text->str, text->len, &report));
}

/* A lone surrogate is U+FFFD, so that the text stays UTF-8 (json-glib 1.6
 * writes it as bytes that are not UTF-8, and drops what follows). */
static void
test_lone_surrogates (void)
{
  g_autoptr(SpReportParser) parser = sp_report_parser_new ();
  static const char text[] = "{\"args\":\"\\ud800 \\udc00x\\ud83d\"}";
  SpReport report;

  g_assert_true (sp_report_parser_parse (parser, text, strlen (text), &report));
  g_assert_cmpstr (report.strings[SP_REPORT_ARGS], ==, "\xef\xbf\xbd \xef\xbf\xbdx\xef\xbf\xbd");
}

/* A string with a NUL in it cannot be given as C text: absent. */
static void
test_nul (void)
{
  g_autoptr(SpReportParser) parser = sp_report_parser_new ();
  static const char text[] = "{\"call\":\"se\\u0000nd\",\"args\":\"x\"}";
  SpReport report;

  g_assert_true (sp_report_parser_parse (parser, text, strlen (text), &report));
  g_assert_null (report.strings[SP_REPORT_CALL]);
  g_assert_cmpstr (report.strings[SP_REPORT_ARGS], ==, "x");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/ReportParser/reports", test_reports);
  g_test_add_func ("/Sp/ReportParser/members", test_members);
  g_test_add_func ("/Sp/ReportParser/stricter", test_stricter);
  g_test_add_func ("/Sp/ReportParser/malformed", test_malformed);
  g_test_add_func ("/Sp/ReportParser/deep", test_deep);
  g_test_add_func ("/Sp/ReportParser/lone-surrogates", test_lone_surrogates);
  g_test_add_func ("/Sp/ReportParser/nul", test_nul);

  return g_test_run ();
}
