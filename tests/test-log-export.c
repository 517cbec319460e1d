/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "sp-log-export.h"
#include "sp-test-util.h"

#define AWKWARD_PATH "/tmp/we,\"ird\"\n.sock"

static SpTrafficLog *
make_log (void)
{
  SpTrafficLog *log = sp_traffic_log_new ();
  static const guint8 payload[] = { 'H', 'i', 0, 0xff, '"' };
  SpEventInfo sent = {
    .kind = SP_EVENT_SENT, .call = SP_CALL_SENDALL, .ok = TRUE,
    .state = SP_STATE_CONNECTED, .step = 4, .socket_id = "client",
    .local = "127.0.0.1:40000", .remote = "127.0.0.1:5000",
    .bytes = sizeof payload, .payload = payload, .payload_len = sizeof payload,
    .args = "b'Hi\\x00\\xff\"'", .detail = "5 bytes, \"all\"\nsent",
  };
  SpEventInfo refused = {
    .kind = SP_EVENT_CALL, .call = SP_CALL_CONNECT, .ok = FALSE, .error_code = 111,
    .state = SP_STATE_CREATED, .step = 5, .socket_id = "client",
    .remote = "127.0.0.1:9", .args = "('127.0.0.1', 9)",
  };
  SpEventInfo unix_bind = {
    .kind = SP_EVENT_CALL, .call = SP_CALL_BIND, .ok = TRUE,
    .state = SP_STATE_BOUND, .step = -1, .socket_id = "u", .local = AWKWARD_PATH,
  };

  sp_traffic_log_append (log, &sent);
  sp_traffic_log_append (log, &refused);
  sp_traffic_log_append (log, &unix_bind);
  return log;
}

static char *
export_text (SpTrafficLog *log,
             SpLogFormat   format)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = sp_log_export_to_bytes (log, format, &error);
  gsize size;
  const char *data;

  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &size);
  g_assert_true (g_utf8_validate (data, size, NULL));
  return g_strndup (data, size);
}

static void
test_jsonl_parses_back (void)
{
  g_autoptr(SpTrafficLog) log = make_log ();
  g_autofree char *text = export_text (log, SP_LOG_FORMAT_JSONL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[3], ==, "");

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, i);

      if (i == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (object, "kind"), ==, "sent");
          g_assert_cmpstr (json_object_get_string_member (object, "data_hex"), ==,
                           "486900ff22");
          g_assert_cmpint (json_object_get_int_member (object, "bytes"), ==, 5);
          g_assert_true (json_object_get_null_member (object, "error"));
        }
      else if (i == 1)
        {
          JsonObject *failure = json_object_get_object_member (object, "error");

          g_assert_false (json_object_get_boolean_member (object, "ok"));
          g_assert_cmpstr (json_object_get_string_member (failure, "name"), ==, "ECONNREFUSED");
          g_assert_cmpint (json_object_get_int_member (failure, "code"), ==, 111);
          g_assert_cmpstr (json_object_get_string_member (object, "args"), ==,
                           "('127.0.0.1', 9)");
        }
      else
        {
          g_assert_cmpstr (json_object_get_string_member (object, "local"), ==, AWKWARD_PATH);
          g_assert_true (json_object_get_null_member (object, "step"));
        }
    }
}

/* The CSV is read back by Python's csv module, the reader people use. */
static void
test_csv_quoting (void)
{
  static const char reader[] =
    "import csv, io, json, sys\n"
    "rows = list(csv.DictReader(io.StringIO(sys.stdin.read(), newline='')))\n"
    "print(json.dumps(rows))\n";
  g_autoptr(SpTrafficLog) log = make_log ();
  g_autofree char *text = export_text (log, SP_LOG_FORMAT_CSV);
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSubprocess) process = NULL;
  JsonArray *rows;

  g_assert_true (g_str_has_prefix (text, sp_log_export_csv_header ()));
  g_assert_nonnull (strstr (text, "\"/tmp/we,\"\"ird\"\"\n.sock\""));
  if (python == NULL)
    return;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, python, "-c", reader, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, text, NULL, &out, NULL, &error);
  g_assert_no_error (error);

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                  "data_hex"), ==, "48 69 00 ff 22");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 1),
                                                  "error"), ==, "ECONNREFUSED");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 2),
                                                  "local"), ==, AWKWARD_PATH);
}

/* Every member of a JSON Lines record is a CSV column of the same name
 * holding the same text; args and result come after data_hex, so that the
 * columns older readers count by position stay where they were. */
static void
test_csv_has_the_jsonl_members (void)
{
  static const char reader[] =
    "import csv, io, json, sys\n"
    "rows = list(csv.reader(io.StringIO(sys.stdin.read(), newline='')))\n"
    "print(json.dumps(rows))\n";
  static const char * const appended[] = { "args", "result" };
  g_autoptr(SpTrafficLog) log = make_log ();
  g_autofree char *csv = export_text (log, SP_LOG_FORMAT_CSV);
  g_autofree char *jsonl = export_text (log, SP_LOG_FORMAT_JSONL);
  g_auto(GStrv) lines = g_strsplit (jsonl, "\n", -1);
  g_autofree char *python = sp_test_find_python ();
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_auto(GStrv) header = NULL;
  g_autofree char *first_line = NULL;
  JsonArray *rows;
  guint n_columns;

  first_line = g_strndup (sp_log_export_csv_header (),
                          strcspn (sp_log_export_csv_header (), "\r"));
  header = g_strsplit (first_line, ",", -1);
  n_columns = g_strv_length (header);
  g_assert_cmpuint (n_columns, ==, 15);
  g_assert_cmpstr (header[n_columns - 3], ==, "data_hex");
  for (guint i = 0; i < G_N_ELEMENTS (appended); i++)
    g_assert_cmpstr (header[n_columns - 2 + i], ==, appended[i]);

  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr(JsonParser) line_parser = json_parser_new ();
      g_autoptr(GList) members = NULL;

      json_parser_load_from_data (line_parser, lines[i], -1, &error);
      g_assert_no_error (error);
      members = json_object_get_members (json_node_get_object (json_parser_get_root (line_parser)));
      for (GList *m = members; m != NULL; m = m->next)
        if (!g_strv_contains ((const char * const *) header, m->data))
          g_error ("JSON Lines member %s is no CSV column", (const char *) m->data);
    }

  if (python == NULL)
    return;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                              &error, python, "-c", reader, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, csv, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(JsonParser) line_parser = json_parser_new ();
      JsonArray *row = json_array_get_array_element (rows, i + 1);
      JsonObject *record;

      g_assert_cmpuint (json_array_get_length (row), ==, n_columns);
      json_parser_load_from_data (line_parser, lines[i], -1, &error);
      g_assert_no_error (error);
      record = json_node_get_object (json_parser_get_root (line_parser));
      for (guint a = 0; a < G_N_ELEMENTS (appended); a++)
        {
          const char *expected = json_object_get_string_member (record, appended[a]);

          g_assert_cmpstr (json_array_get_string_element (row, n_columns - 2 + a), ==,
                           expected != NULL ? expected : "");
        }
    }
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (rows, 1),
                                                  n_columns - 1), ==, "5 bytes, \"all\"\nsent");
}

static void
test_formats (void)
{
  SpLogFormat format;

  g_assert_true (sp_log_format_from_string ("pcapng", &format));
  g_assert_cmpint (format, ==, SP_LOG_FORMAT_PCAPNG);
  g_assert_cmpstr (sp_log_format_to_string (SP_LOG_FORMAT_CSV), ==, "csv");
  g_assert_false (sp_log_format_from_string ("JSONL", &format));
  g_assert_false (sp_log_format_from_string ("", &format));
  g_assert_false (sp_log_format_from_string (NULL, &format));
}

static void
on_exported (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static void
test_to_file_async (void)
{
  g_autoptr(SpTrafficLog) log = make_log ();
  g_autofree char *expected = export_text (log, SP_LOG_FORMAT_JSONL);
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "sp-test-export.jsonl", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;

  sp_log_export_to_file_async (log, SP_LOG_FORMAT_JSONL, file, NULL, on_exported, &result);
  g_assert_true (sp_test_iterate_until (sp_test_pointer_is_set, &result, SP_TEST_GUARD_MS));
  g_assert_true (sp_log_export_to_file_finish (log, result, &error));
  g_assert_no_error (error);

  g_file_get_contents (path, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (written, ==, expected);
  g_unlink (path);
}

/* A bind to [::]:P beside an IPv4 socket on P fails with EADDRINUSE; the
 * export's explanation, the one the window shows too, names IPV6_V6ONLY. */
static void
test_explain_ipv6_wildcard (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  SpEventInfo info = {
    .kind = SP_EVENT_CALL, .call = SP_CALL_BIND, .ok = FALSE, .error_code = EADDRINUSE,
    .state = SP_STATE_CREATED, .step = 2, .socket_id = "v6", .local = "[::]:5000",
    .args = "('::', 5000, 0, 0)",
  };
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *explanation = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *failure;

  sp_traffic_log_append (log, &info);
  event = sp_traffic_log_get_event (log, 0);
  explanation = sp_log_export_explain_event (event);
  g_assert_nonnull (strstr (explanation, "IPV6_V6ONLY"));
  g_assert_null (strstr (explanation, "SO_REUSEADDR"));

  line = sp_log_export_event_to_json (event, G_MAXINT64);
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  failure = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                           "error");
  g_assert_cmpstr (json_object_get_string_member (failure, "name"), ==, "EADDRINUSE");
  g_assert_cmpstr (json_object_get_string_member (failure, "explanation"), ==, explanation);
}

/* "impaired" appears only where an impairment did something, so every
 * other line stays as it always was. */
static void
test_jsonl_impaired (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  static const guint8 payload[] = { 'x' };
  SpEventInfo info = {
    .kind = SP_EVENT_SENT, .call = SP_CALL_SENDTO, .ok = TRUE,
    .state = SP_STATE_BOUND, .step = 1, .socket_id = "client",
    .local = "0.0.0.0:40000", .remote = "127.0.0.1:5000", .args = "('127.0.0.1', 5000)",
    .bytes = 1, .payload = payload, .payload_len = 1,
  };
  static const char * const names[] = { NULL, "dropped", "copy" };
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  sp_traffic_log_append (log, &info);
  info.impaired = SP_IMPAIRED_DROPPED;
  info.detail = "dropped by impairment: never sent";
  sp_traffic_log_append (log, &info);
  info.impaired = SP_IMPAIRED_COPY;
  info.detail = "copy of #0";
  sp_traffic_log_append (log, &info);

  text = export_text (log, SP_LOG_FORMAT_JSONL);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      if (names[i] == NULL)
        g_assert_false (json_object_has_member (object, "impaired"));
      else
        g_assert_cmpstr (json_object_get_string_member (object, "impaired"), ==, names[i]);
    }
}

/* A string that is not all UTF-8 (a peer's path) keeps the line readable:
 * each stray byte stands as U+FFFD, the characters around it stay. */
static void
test_jsonl_invalid_utf8 (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) event = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  SpEventInfo accepted = {
    .kind = SP_EVENT_CALL, .call = SP_CALL_ACCEPT, .ok = TRUE, .state = SP_STATE_CONNECTED,
    .step = 3, .socket_id = "é", .local = "/tmp/sp.sock", .remote = "/tmp/\xff\xfeé.sock",
    .args = "\xed\xa0\x80", .detail = "ok \xe2\x82",
  };
  JsonObject *object;

  sp_traffic_log_append (log, &accepted);
  event = sp_traffic_log_get_event (log, 0);
  line = sp_log_export_event_to_json (event, 4096);
  g_assert_true (g_utf8_validate (line, -1, NULL));
  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (object, "socket"), ==, "é");
  g_assert_cmpstr (json_object_get_string_member (object, "remote"), ==,
                   "/tmp/\uFFFD\uFFFDé.sock");
  g_assert_cmpstr (json_object_get_string_member (object, "args"), ==, "\uFFFD\uFFFD\uFFFD");
  g_assert_cmpstr (json_object_get_string_member (object, "result"), ==, "ok \uFFFD\uFFFD");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/LogExport/jsonl-parses-back", test_jsonl_parses_back);
  g_test_add_func ("/Sp/LogExport/jsonl-impaired", test_jsonl_impaired);
  g_test_add_func ("/Sp/LogExport/jsonl-invalid-utf8", test_jsonl_invalid_utf8);
  g_test_add_func ("/Sp/LogExport/csv-quoting", test_csv_quoting);
  g_test_add_func ("/Sp/LogExport/csv-has-the-jsonl-members", test_csv_has_the_jsonl_members);
  g_test_add_func ("/Sp/LogExport/explain-ipv6-wildcard", test_explain_ipv6_wildcard);
  g_test_add_func ("/Sp/LogExport/formats", test_formats);
  g_test_add_func ("/Sp/LogExport/to-file-async", test_to_file_async);

  return g_test_run ();
}
