/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <glib/gstdio.h>

#include "sp-session.h"
#include "sp-test-util.h"

static char *
fixture_path (const char *dir,
              const char *name)
{
  if (dir == NULL)
    return g_test_build_filename (G_TEST_DIST, "fixtures", "sessions", name, NULL);

  return g_test_build_filename (G_TEST_DIST, "fixtures", "sessions", dir, name, NULL);
}

static char *
read_fixture (const char *dir,
              const char *name,
              gsize      *length)
{
  g_autofree char *path = fixture_path (dir, name);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, length, &error);
  g_assert_no_error (error);

  return contents;
}

typedef struct
{
  const char     *file;
  SpSessionError  code;
  const char     *message;
} Malformed;

static const Malformed malformed[] = {
  { "syntax.json", SP_SESSION_ERROR_SYNTAX, "syntax.json:10:58: …" },
  { "bad-address.json", SP_SESSION_ERROR_INVALID,
    "bad-address.json: sockets[0].address: “127.0.0.256” is not an IPv4 address; …" },
  { "single-quotes.json", SP_SESSION_ERROR_SYNTAX,
    "single-quotes.json:4:12: JSON strings are written in double quotes (\"), not single ones" },
  { "bad-escape.json", SP_SESSION_ERROR_SYNTAX,
    "bad-escape.json:4:19: not a JSON escape; …" },
  { "control-character.json", SP_SESSION_ERROR_SYNTAX,
    "control-character.json:4:16: a control character in a string; …" },
  { "truncated.json", SP_SESSION_ERROR_SYNTAX,
    "truncated.json:12:43: the file ends too early (a closing “}” is missing)" },
  { "top-level-array.json", SP_SESSION_ERROR_INVALID,
    "top-level-array.json: the top level is an array; a session file holds one JSON object" },
  { "wrong-format.json", SP_SESSION_ERROR_INVALID,
    "wrong-format.json: format: must be “socket-playground-session”" },
  { "newer-version.json", SP_SESSION_ERROR_VERSION,
    "newer-version.json: version 2 is newer than this build reads (version 1); "
    "update Socket Playground" },
  { "unknown-top-key.json", SP_SESSION_ERROR_INVALID,
    "unknown-top-key.json: titel: unknown member (did you mean “title”?)" },
  { "unknown-step-key.json", SP_SESSION_ERROR_INVALID,
    "unknown-step-key.json: steps[5].bufsiz: unknown member (did you mean “bufsize”?)" },
  { "wrong-type.json", SP_SESSION_ERROR_INVALID,
    "wrong-type.json: sockets[0].port: must be a whole number from 0 to 65535" },
  { "port-range.json", SP_SESSION_ERROR_INVALID,
    "port-range.json: steps[0].port: must be a whole number from 0 to 65535" },
  { "bad-bufsize.json", SP_SESSION_ERROR_INVALID,
    "bad-bufsize.json: steps[5].bufsize: must be a whole number from 1 to 67108864" },
  { "bad-hex.json", SP_SESSION_ERROR_INVALID, "bad-hex.json: steps[4].data.hex: …" },
  { "unencodable-text.json", SP_SESSION_ERROR_INVALID,
    "unencodable-text.json: steps[4].data.text: …" },
  { "unknown-encoding.json", SP_SESSION_ERROR_INVALID,
    "unknown-encoding.json: steps[4].data.encoding: unknown encoding “utf-9” …" },
  { "unknown-call.json", SP_SESSION_ERROR_INVALID,
    "unknown-call.json: steps[1].call: unknown call “listne” (did you mean “listen”?)" },
  { "unknown-socket.json", SP_SESSION_ERROR_INVALID,
    "unknown-socket.json: steps[5].socket: no socket “conn2”; "
    "the sockets are server, client, conn" },
  { "duplicate-id.json", SP_SESSION_ERROR_INVALID,
    "duplicate-id.json: sockets[2].id: “server” is already the id of sockets[0]" },
  { "bad-errno.json", SP_SESSION_ERROR_INVALID,
    "bad-errno.json: steps[2].expect.error: unknown errno name “ECONREFUSED” "
    "(did you mean “ECONNREFUSED”?)" },
  { "empty.json", SP_SESSION_ERROR_INVALID,
    "empty.json: the file is empty; a session file holds one JSON object" },
  /* json-glib would wrap this to 1, a valid bufsize. */
  { "huge-number.json", SP_SESSION_ERROR_SYNTAX,
    "huge-number.json:14:52: the number 18446744073709551617 is too large to read" },
  { "huge-in-range.json", SP_SESSION_ERROR_INVALID,
    "huge-in-range.json: steps[5].bufsize: must be a whole number from 1 to 67108864" },
  { "deep-nesting.json", SP_SESSION_ERROR_SYNTAX,
    "deep-nesting.json:2:75: nested too deeply (more than 64 levels)" },
  { "nul-escape.json", SP_SESSION_ERROR_SYNTAX, "nul-escape.json:13:66: “\\u0000” …" },
  { "invalid-utf8.json", SP_SESSION_ERROR_SYNTAX,
    "invalid-utf8.json:13:68: not UTF-8 text (a session file is UTF-8 JSON)" },
  { "trailing-text.json", SP_SESSION_ERROR_SYNTAX,
    "trailing-text.json:17:1: unexpected text after the end of the session object" },
  { "as-clash.json", SP_SESSION_ERROR_INVALID,
    "as-clash.json: steps[3].as: “client” is already the id of sockets[1]" },
  { "missing-call.json", SP_SESSION_ERROR_INVALID,
    "missing-call.json: steps[0]: missing member “call”" },
  { "missing-socket.json", SP_SESSION_ERROR_INVALID,
    "missing-socket.json: steps[0]: missing member “socket” (“bind” needs it)" },
  { "member-not-for-call.json", SP_SESSION_ERROR_INVALID,
    "member-not-for-call.json: steps[0].bufsize: not used by “bind” "
    "(only by recv, recvfrom, recv_into, recvfrom_into, serve)" },
  { "replies-not-reply.json", SP_SESSION_ERROR_INVALID,
    "replies-not-reply.json: steps[2].replies: only used with “mode”: “reply”" },
  { "data-text-and-hex.json", SP_SESSION_ERROR_INVALID,
    "data-text-and-hex.json: steps[4].data: give either “text” or “hex”, not both" },
  { "empty-expect.json", SP_SESSION_ERROR_INVALID,
    "empty-expect.json: steps[2].expect: give at least one of …" },
  { "sockets-not-array.json", SP_SESSION_ERROR_INVALID,
    "sockets-not-array.json: sockets: must be an array of sockets" },
  { "impair-unknown-key.json", SP_SESSION_ERROR_INVALID,
    "impair-unknown-key.json: sockets[1].impair.dorp: unknown member (did you mean “drop”?)" },
  { "impair-out-of-range.json", SP_SESSION_ERROR_INVALID,
    "impair-out-of-range.json: sockets[1].impair.drop: must be a whole number from 0 to 100" },
  { "impair-on-stream.json", SP_SESSION_ERROR_INVALID,
    "impair-on-stream.json: sockets[0].impair: only datagram sockets (type “dgram”) of family "
    "“inet” or “inet6” can be impaired" },
  { "unix-port.json", SP_SESSION_ERROR_INVALID,
    "unix-port.json: sockets[1].port: a UNIX socket has no port: it is addressed by its path "
    "(“address”, a file path or an @abstract name)" },
  { "unix-step-port.json", SP_SESSION_ERROR_INVALID,
    "unix-step-port.json: steps[2].port: a UNIX socket has no port: …" },
  /* json-glib keeps the last of the two, so bufsize would be 3. */
  { "duplicate-key.json", SP_SESSION_ERROR_SYNTAX,
    "duplicate-key.json:15:7: “bufsize” appears twice in one object (the first at 14:41)" },
  /* json-glib skips comments as if they were spaces. */
  { "comment.json", SP_SESSION_ERROR_SYNTAX, "comment.json:4:3: comments are not JSON" },
  /* json-glib's own message here holds invalid UTF-8. */
  { "lone-surrogate.json", SP_SESSION_ERROR_SYNTAX,
    "lone-surrogate.json:13:66: a lone surrogate “\\ud800” is not a character; …" },
  { "nul-byte.json", SP_SESSION_ERROR_SYNTAX, "nul-byte.json:9:40: a NUL byte; …" },
};

static void
test_malformed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;
      g_autofree char *contents = NULL;
      gsize length;

      g_test_message ("%s", malformed[i].file);
      contents = read_fixture ("malformed", malformed[i].file, &length);
      session = sp_session_new_from_data (contents, length, malformed[i].file, &error);
      g_assert_null (session);
      g_assert_error (error, SP_SESSION_ERROR, (gint) malformed[i].code);
      sp_test_assert_message (error->message, malformed[i].message);
    }
}

/* Every malformed fixture is in the table above: none sits untested. */
static void
test_malformed_all_listed (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fixtures", "sessions",
                                                     "malformed", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;
  guint n_files = 0;

  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gboolean listed = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
        listed |= g_str_equal (name, malformed[i].file);

      if (!listed)
        g_error ("malformed/%s has no expected message in test-session.c", name);
      n_files++;
    }

  g_assert_cmpuint (n_files, ==, G_N_ELEMENTS (malformed));
}

/* The name given is the prefix, exactly, also for a path. */
static void
test_file_name_prefix (void)
{
  g_autofree char *path = fixture_path ("malformed", "syntax.json");
  g_autofree char *prefix = g_strconcat (path, ":10:58: ", NULL);
  g_autofree char *schema_path = fixture_path ("malformed", "bad-bufsize.json");
  g_autofree char *schema_prefix = g_strconcat (schema_path, ": steps[5].bufsize: ", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;

  session = sp_session_new_from_file (path, &error);
  g_assert_null (session);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_clear_error (&error);

  session = sp_session_new_from_file (schema_path, &error);
  g_assert_null (session);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, schema_prefix));
  g_clear_error (&error);

  session = sp_session_new_from_data ("{ \"format\": 1 }", -1, "bad.json", &error);
  g_assert_null (session);
  g_assert_cmpstr (error->message, ==, "bad.json: format: must be “socket-playground-session”");
}

static void
test_missing_file (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "no-such-session.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;

  session = sp_session_new_from_file (path, &error);
  g_assert_null (session);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));
}

static void
test_small_problems (void)
{
  static const struct
  {
    const char *json;
    const char *message;
  } cases[] = {
    { "", "x: the file is empty; a session file holds one JSON object" },
    { "  \n\t ", "x: the file is empty; a session file holds one JSON object" },
    { "42", "x: the top level is a single value; a session file holds one JSON object" },
    { "null", "x: the top level is null; a session file holds one JSON object" },
    { "{}", "x: format: missing; a session file has \"format\": \"socket-playground-session\"" },
    { "{ \"format\": \"socket-playground-session\" }",
      "x: version: missing; this build reads version 1" },
    { "{ \"format\": \"socket-playground-session\", \"version\": \"1\" }",
      "x: version: must be a whole number, at least 1" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 0 }",
      "x: version: must be a whole number, at least 1" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": 5 }",
      "x: title: must be a string" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1, \"steps\": [ 1 ] }",
      "x: steps[0]: must be an object" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1, \"sockets\": [ [] ] }",
      "x: sockets[0]: must be an object" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1, \"sockets\": [ {} ] }",
      "x: sockets[0]: missing member “id”" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"a b\" } ] }",
      "x: sockets[0].id: “a b” is not a valid id: …" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"famly\": \"inet\" } ] }",
      "x: sockets[0].famly: unknown member (did you mean “family”?)" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"family\": \"inet4\" } ] }",
      "x: sockets[0].family: must be “inet”, “inet6” or “unix”" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"type\": \"tcp\" } ] }",
      "x: sockets[0].type: must be “stream”, “dgram”, “raw” or “seqpacket”" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"protocol\": 256 } ] }",
      "x: sockets[0].protocol: must be a number from 0 to 255 or one of tcp, udp, icmp, icmpv6" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"protocol\": \"sctp\" } ] }",
      "x: sockets[0].protocol: must be a number from 0 to 255 or one of tcp, udp, icmp, icmpv6" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"options\": { \"SO_REUSEADR\": true } } ] }",
      "x: sockets[0].options.SO_REUSEADR: unknown socket option “SO_REUSEADR” "
      "(did you mean “SO_REUSEADDR”?)" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"options\": { \"SO_RCVBUF\": \"big\" } } ] }",
      "x: sockets[0].options.SO_RCVBUF: must be true, false or a whole number from "
      "-2147483648 to 2147483647" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\", \"options\": [] } ] }",
      "x: sockets[0].options: must be an object" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"steps\": [ { \"socket\": \"s\", \"call\": \"bind\" } ] }",
      "x: steps[0].socket: no socket “s”; the session has no sockets" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\" } ],"
      "  \"steps\": [ { \"socket\": \"s\", \"call\": \"connect\", \"to\": \"t\" } ] }",
      "x: steps[0].to: no socket “t”; the sockets are s" },
    /* "as" names a socket only from its step on. */
    { "{ \"format\": \"socket-playground-session\", \"version\": 1,"
      "  \"sockets\": [ { \"id\": \"s\" } ],"
      "  \"steps\": [ { \"socket\": \"c\", \"call\": \"close\" },"
      "               { \"socket\": \"s\", \"call\": \"accept\", \"as\": \"c\" } ] }",
      "x: steps[0].socket: no socket “c”; the sockets are s" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1 } {}",
      "x:1:57: unexpected text after the end of the session object" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"ab",
      "x:1:68: the file ends inside a string (a closing “\"” is missing)" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 1, \"steps\": [",
      "x:1:66: the file ends too early (a closing “]” is missing)" },
    { "{ \"format\": \"socket-playground-session\", \"version\": 01 }",
      "x:1:53: a number cannot start with 0 (JSON has no octal numbers)" },
    { "{ \"format\": \"socket-playground-session\", \"version\": -99999999999999999999 }",
      "x:1:53: the number -99999999999999999999 is too large to read" },
    /* The version is checked before unknown members: a newer file may have new ones. */
    { "{ \"format\": \"socket-playground-session\", \"version\": 9223372036854775807,"
      "  \"x\": 1 }",
      "x: version 9223372036854775807 is newer than this build reads (version 1); "
      "update Socket Playground" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;

      g_test_message ("%s", cases[i].json);
      session = sp_session_new_from_data (cases[i].json, -1, "x", &error);
      g_assert_null (session);
      g_assert_nonnull (error);
      g_assert_true (error->domain == SP_SESSION_ERROR);
      sp_test_assert_message (error->message, cases[i].message);
    }
}

/* Numbers at the edges of 64 bits are read, not wrapped. */
static void
test_number_edges (void)
{
  static const char *numbers[] = {
    "9223372036854775807", "-9223372036854775808", "65536", "-1", "1e400", "-1e400", "1.5",
    "1024.0", "1e3",
  };

  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;
      g_autofree char *json = NULL;

      json = g_strdup_printf ("{ \"format\": \"socket-playground-session\", \"version\": 1,"
                              "  \"sockets\": [ { \"id\": \"s\", \"port\": %s } ] }",
                              numbers[i]);
      session = sp_session_new_from_data (json, -1, "x", &error);
      g_assert_null (session);
      g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==,
                       "x: sockets[0].port: must be a whole number from 0 to 65535");
    }
}

/* A million levels of nesting would overflow json-glib's stack. */
static void
test_deep_nesting (void)
{
  const gsize depth = 1000000;
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"socket-playground-session\", "
                                          "\"version\": 1, \"steps\": ");
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;

  for (gsize i = 0; i < depth; i++)
    g_string_append_c (json, i % 2 ? '{' : '[');

  session = sp_session_new_from_data (json->str, json->len, "deep.json", &error);
  g_assert_null (session);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, "deep.json:1:"));
  g_assert_nonnull (strstr (error->message, "nested too deeply"));
}

/* Bytes mangled at random: whatever comes out, no crash, and an error that
 * starts with the name. */
static void
test_mangled (void)
{
  g_autofree char *original = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  gsize length;

  original = read_fixture ("valid", "every-call.json", &length);

  for (guint round = 0; round < 3000; round++)
    {
      g_autoptr(GByteArray) bytes = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;
      guint n_changes = g_rand_int_range (rand, 1, 8);

      g_byte_array_append (bytes, (const guint8 *) original, length);

      for (guint i = 0; i < n_changes && bytes->len > 0; i++)
        {
          guint at = g_rand_int_range (rand, 0, bytes->len);
          static const char interesting[] = "{}[]\",:0123456789-e.\\ \xff\x80tfn";

          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0:
              g_byte_array_remove_index (bytes, at);
              break;
            case 1:
              bytes->data[at] = interesting[g_rand_int_range (rand, 0, sizeof interesting - 1)];
              break;
            case 2:
              g_byte_array_set_size (bytes, at);
              break;
            default:
              bytes->data[at] = g_rand_int_range (rand, 1, 256);
              break;
            }
        }

      session = sp_session_new_from_data ((const char *) bytes->data, bytes->len, "m.json",
                                          &error);
      if (session == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == SP_SESSION_ERROR);
          g_assert_true (g_str_has_prefix (error->message, "m.json:") ||
                         g_str_has_prefix (error->message, "m.json: "));
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
        }
      else
        g_assert_no_error (error);
    }
}

static SpSession *
load_fixture (const char *dir,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = fixture_path (dir, name);
  SpSession *session;

  session = sp_session_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (session);

  return session;
}

static SpStep *
get_step (SpSession *session,
          guint      index)
{
  SpStep *step = sp_session_get_step (session, index);

  g_assert_nonnull (step);
  return step;
}

static void
test_design_example (void)
{
  g_autoptr(SpSession) session = load_fixture (NULL, "design-example.json");
  GListModel *sockets = sp_session_get_sockets (session);
  SpSocketConfig *server;
  SpSocketConfig *client;
  SpSocketOption *option;
  SpStep *step;

  g_assert_cmpstr (sp_session_get_title (session), ==, "TCP echo, one connection");
  g_assert_cmpstr (sp_session_get_description (session), ==, "plain text");

  g_assert_cmpuint (g_list_model_get_n_items (sockets), ==, 2);
  g_assert_true (g_list_model_get_item_type (sockets) == SP_TYPE_SOCKET_CONFIG);
  server = sp_session_find_socket (session, "server");
  g_assert_nonnull (server);
  g_assert_cmpstr (server->id, ==, "server");
  g_assert_cmpint (server->family, ==, SP_FAMILY_INET);
  g_assert_cmpint (server->type, ==, SP_SOCKET_TYPE_STREAM);
  g_assert_cmpint (server->protocol, ==, 0);
  g_assert_null (server->protocol_name);
  g_assert_cmpstr (server->address, ==, "127.0.0.1");
  g_assert_cmpint (server->port, ==, 65432);
  g_assert_cmpuint (server->options->len, ==, 1);
  option = &g_array_index (server->options, SpSocketOption, 0);
  g_assert_cmpstr (option->name, ==, "SO_REUSEADDR");
  g_assert_true (option->is_bool);
  g_assert_cmpint (option->value, ==, 1);

  client = sp_session_find_socket (session, "client");
  g_assert_nonnull (client);
  g_assert_null (client->address);
  g_assert_cmpint (client->port, ==, -1);
  g_assert_cmpuint (client->options->len, ==, 0);
  g_assert_null (sp_session_find_socket (session, "conn"));

  g_assert_cmpuint (sp_session_get_n_steps (session), ==, 10);
  g_assert_true (g_list_model_get_item_type (sp_session_get_steps (session)) == SP_TYPE_STEP);

  step = get_step (session, 1);
  g_assert_cmpint (step->call, ==, SP_CALL_LISTEN);
  g_assert_cmpint (step->backlog, ==, 1);

  step = get_step (session, 2);
  g_assert_cmpint (step->call, ==, SP_CALL_CONNECT);
  g_assert_cmpstr (step->to, ==, "server");

  step = get_step (session, 3);
  g_assert_cmpstr (step->as, ==, "conn");

  step = get_step (session, 5);
  g_assert_cmpstr (step->socket, ==, "conn");
  g_assert_cmpint (step->bufsize, ==, 1024);
  g_assert_true (step->has_expect);
  g_assert_cmpstr (step->expect.data->text, ==, "Hello World");

  step = get_step (session, 7);
  g_assert_true (step->until_eof);

  g_assert_null (sp_session_get_step (session, 10));

  g_assert_true (sp_session_has_socket_id (session, "server"));
  g_assert_true (sp_session_has_socket_id (session, "conn"));
  g_assert_false (sp_session_has_socket_id (session, "conn2"));
  g_assert_false (sp_session_has_socket_id (session, NULL));

  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
assert_round_trip (SpSession *session)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) again = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  gsize length;

  first = sp_session_to_data (session, &length);
  g_assert_cmpuint (length, ==, strlen (first));
  g_assert_true (g_str_has_suffix (first, "}\n"));
  g_assert_false (g_str_has_suffix (first, "\n\n"));

  again = sp_session_new_from_data (first, length, "saved", &error);
  g_assert_no_error (error);

  second = sp_session_to_data (again, NULL);
  g_assert_cmpstr (first, ==, second);
}

static void
test_round_trip (void)
{
  g_autoptr(SpSession) session = load_fixture (NULL, "design-example.json");
  g_autofree char *data = sp_session_to_data (session, NULL);

  assert_round_trip (session);

  /* Pretty, two spaces, members in a stable order. */
  g_assert_true (g_str_has_prefix (data,
                                   "{\n"
                                   "  \"format\" : \"socket-playground-session\",\n"
                                   "  \"version\" : 1,\n"
                                   "  \"title\" : \"TCP echo, one connection\",\n"
                                   "  \"description\" : \"plain text\",\n"
                                   "  \"sockets\" : [\n"
                                   "    {\n"
                                   "      \"id\" : \"server\",\n"
                                   "      \"family\" : \"inet\",\n"
                                   "      \"type\" : \"stream\",\n"
                                   "      \"address\" : \"127.0.0.1\",\n"
                                   "      \"port\" : 65432,\n"
                                   "      \"options\" : {\n"
                                   "        \"SO_REUSEADDR\" : true\n"));
}

static void
test_valid_fixtures (void)
{
  const char *names[] = {
    "every-call.json", "minimal.json", "accept-again.json", "impaired.json",
    "lookup-error.json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(SpSession) session = NULL;

      g_test_message ("%s", names[i]);
      session = load_fixture ("valid", names[i]);
      assert_round_trip (session);
    }
}

/* What was written is what is saved: hex as hex, text with its encoding,
 * protocol by name or number. */
static void
test_written_forms_kept (void)
{
  g_autoptr(SpSession) session = load_fixture ("valid", "every-call.json");
  g_autofree char *data = sp_session_to_data (session, NULL);
  SpSocketConfig *config;

  g_assert_nonnull (strstr (data, "\"hex\" : \"48 65 6c 6c 6f\""));
  g_assert_nonnull (strstr (data, "\"text\" : \"Grüße\\r\\n\",\n"
                                  "        \"encoding\" : \"latin-1\""));
  g_assert_nonnull (strstr (data, "\"protocol\" : \"tcp\""));
  g_assert_nonnull (strstr (data, "\"protocol\" : 6"));
  g_assert_nonnull (strstr (data, "\"address\" : \"\""));

  config = sp_session_find_socket (session, "server");
  g_assert_cmpstr (config->protocol_name, ==, "tcp");
  g_assert_cmpint (config->protocol, ==, 6);
  config = sp_session_find_socket (session, "udp");
  g_assert_cmpint (config->family, ==, SP_FAMILY_INET6);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_DGRAM);
  g_assert_cmpint (config->protocol, ==, 17);
  config = sp_session_find_socket (session, "local");
  g_assert_cmpint (config->family, ==, SP_FAMILY_UNIX);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_SEQPACKET);
}

static void
test_impair (void)
{
  static const struct
  {
    const char *impair;
    const char *message;
  } problems[] = {
    { "5", "x: sockets[0].impair: must be an object" },
    { "{ \"drop\": -1 }", "x: sockets[0].impair.drop: must be a whole number from 0 to 100" },
    { "{ \"duplicate\": 101 }",
      "x: sockets[0].impair.duplicate: must be a whole number from 0 to 100" },
    { "{ \"reorder\": 12.5 }",
      "x: sockets[0].impair.reorder: must be a whole number from 0 to 100" },
    { "{ \"delay-ms\": 60001 }",
      "x: sockets[0].impair.delay-ms: must be a whole number from 0 to 60000" },
    { "{ \"seed\": 4294967296 }",
      "x: sockets[0].impair.seed: must be a whole number from 0 to 4294967295" },
    { "{ \"jitter\": 5 }",
      "x: sockets[0].impair.jitter: unknown member; the members here are "
      "drop, duplicate, reorder, delay-ms, seed" },
  };
  g_autoptr(SpSession) session = load_fixture ("valid", "impaired.json");
  g_autoptr(SpSocketConfig) stream = NULL;
  g_autoptr(SpSocketConfig) copy = NULL;
  g_autofree char *data = sp_session_to_data (session, NULL);
  SpSocketConfig *config;

  for (guint i = 0; i < G_N_ELEMENTS (problems); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) bad = NULL;
      g_autofree char *json = NULL;

      json = g_strdup_printf ("{ \"format\": \"socket-playground-session\", \"version\": 1, "
                              "\"sockets\": [ { \"id\": \"s\", \"type\": \"dgram\", "
                              "\"impair\": %s } ] }", problems[i].impair);
      bad = sp_session_new_from_data (json, -1, "x", &error);
      g_assert_null (bad);
      g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID);
      sp_test_assert_message (error->message, problems[i].message);
    }

  /* What was not given is 0; the seed reaches 2³² − 1. */
  config = sp_session_find_socket (session, "client");
  g_assert_true (config->has_impair);
  g_assert_true (sp_socket_config_can_impair (config));
  g_assert_cmpuint (config->impair.drop, ==, 0);
  g_assert_cmpuint (config->impair.duplicate, ==, 0);
  g_assert_cmpuint (config->impair.reorder, ==, 50);
  g_assert_cmpuint (config->impair.delay_ms, ==, 100);
  g_assert_cmpuint (config->impair.seed, ==, G_MAXUINT32);
  g_assert_false (sp_session_find_socket (session, "server")->has_impair);

  /* Saved whole, even where it does nothing. */
  g_assert_nonnull (strstr (data, "\"impair\" : {\n"
                                  "        \"drop\" : 0,\n"
                                  "        \"duplicate\" : 0,\n"
                                  "        \"reorder\" : 50,\n"
                                  "        \"delay-ms\" : 100,\n"
                                  "        \"seed\" : 4294967295\n"
                                  "      }"));
  g_assert_nonnull (strstr (data, "\"seed\" : 3\n"));

  copy = sp_socket_config_copy (config);
  g_assert_true (copy->has_impair);
  g_assert_true (sp_impairment_settings_equal (&copy->impair, &config->impair));

  /* A socket that became a stream cannot keep it: never saved where it
   * could not be read back. */
  copy->type = SP_SOCKET_TYPE_STREAM;
  g_assert_false (sp_socket_config_can_impair (copy));
  sp_session_add_socket (session, copy);
  g_clear_pointer (&data, g_free);
  data = sp_session_to_data (session, NULL);
  g_assert_null (strstr (data, "\"reorder\" : 50"));
  assert_round_trip (session);

  stream = sp_socket_config_new ("unix", SP_FAMILY_UNIX, SP_SOCKET_TYPE_DGRAM);
  g_assert_false (sp_socket_config_can_impair (stream));
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("sp-session-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

static void
test_save (void)
{
  g_autoptr(SpSession) session = load_fixture (NULL, "design-example.json");
  g_autoptr(SpSession) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "saved.json", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;

  sp_session_set_title (session, "Saved");
  expected = sp_session_to_data (session, NULL);

  g_assert_true (sp_session_save_to_file (session, path, &error));
  g_assert_no_error (error);
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, expected);

  /* Saving over an existing file. */
  g_assert_true (sp_session_save_to_file (session, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_entries (dir), ==, 1);

  loaded = sp_session_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sp_session_get_title (loaded), ==, "Saved");

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_save_error (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "missing", "saved.json", NULL);

  g_assert_false (sp_session_save_to_file (session, path, &error));
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));

  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A save that fails halfway (the file-size limit stops the write) leaves
 * the old file whole and no temporary file behind. */
static void
test_save_atomic (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SpSession) session = load_fixture (NULL, "design-example.json");
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = make_temp_dir ();
      g_autofree char *path = g_build_filename (dir, "session.json", NULL);
      g_autofree char *contents = NULL;
      const char *old = "{ \"old\": true }\n";
      struct rlimit limit = { 256, 256 };

      g_file_set_contents (path, old, -1, &error);
      g_assert_no_error (error);

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

      g_assert_false (sp_session_save_to_file (session, path, &error));
      g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
      g_assert_true (g_str_has_prefix (error->message, path));

      g_file_get_contents (path, &contents, NULL, NULL);
      g_assert_cmpstr (contents, ==, old);
      g_assert_cmpuint (count_entries (dir), ==, 1);

      g_remove (path);
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_properties (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autofree char *title = NULL;
  g_autoptr(GListModel) steps = NULL;
  guint n_title = 0;
  guint n_description = 0;

  g_signal_connect (session, "notify::title", G_CALLBACK (count_notify), &n_title);
  g_signal_connect (session, "notify::description", G_CALLBACK (count_notify), &n_description);

  g_assert_null (sp_session_get_title (session));
  sp_session_set_title (session, "A");
  sp_session_set_title (session, "A");
  g_assert_cmpuint (n_title, ==, 1);
  sp_session_set_title (session, NULL);
  g_assert_cmpuint (n_title, ==, 2);
  g_object_set (session, "title", "B", NULL);
  g_assert_cmpuint (n_title, ==, 3);
  g_object_get (session, "title", &title, "steps", &steps, NULL);
  g_assert_cmpstr (title, ==, "B");
  g_assert_true (steps == sp_session_get_steps (session));

  sp_session_set_description (session, "d");
  sp_session_set_description (session, "d");
  g_assert_cmpuint (n_description, ==, 1);
  g_assert_cmpstr (sp_session_get_description (session), ==, "d");
  g_assert_cmpuint (n_title, ==, 3);

  g_clear_object (&steps);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
items_changed (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               guint      *count)
{
  (*count)++;
}

static void
test_model (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpSocketConfig) server = sp_socket_config_new ("server", SP_FAMILY_INET,
                                                            SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocketConfig) replacement = sp_socket_config_new ("server", SP_FAMILY_INET6,
                                                                 SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpSocketConfig) client = sp_socket_config_new ("client", SP_FAMILY_UNIX,
                                                            SP_SOCKET_TYPE_SEQPACKET);
  g_autoptr(SpSocketConfig) copy = NULL;
  guint n_changes = 0;
  SpSocketOption *option;

  g_signal_connect (sp_session_get_steps (session), "items-changed",
                    G_CALLBACK (items_changed), &n_changes);

  sp_socket_config_set_option (server, "SO_RCVBUF", 1024, FALSE);
  sp_socket_config_set_option (server, "TCP_NODELAY", 1, TRUE);
  sp_socket_config_set_option (server, "SO_RCVBUF", 2048, FALSE);
  g_assert_cmpuint (server->options->len, ==, 2);
  option = &g_array_index (server->options, SpSocketOption, 0);
  g_assert_cmpstr (option->name, ==, "SO_RCVBUF");
  g_assert_cmpint (option->value, ==, 2048);

  copy = sp_socket_config_copy (server);
  g_assert_cmpstr (copy->id, ==, "server");
  g_assert_cmpuint (copy->options->len, ==, 2);
  g_assert_true (copy->options != server->options);

  sp_session_add_socket (session, server);
  sp_session_add_socket (session, client);
  g_assert_true (sp_session_find_socket (session, "server") == server);
  sp_session_add_socket (session, replacement);
  g_assert_cmpuint (g_list_model_get_n_items (sp_session_get_sockets (session)), ==, 2);
  g_assert_true (sp_session_find_socket (session, "server") == replacement);
  sp_session_remove_socket (session, "client");
  sp_session_remove_socket (session, "nothing");
  g_assert_cmpuint (g_list_model_get_n_items (sp_session_get_sockets (session)), ==, 1);

  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(SpStep) step = sp_step_new ("server", SP_CALL_SLEEP);

      step->ms = i;
      sp_session_append_step (session, step);
    }
  g_assert_cmpuint (n_changes, ==, 4);

  {
    g_autoptr(SpStep) step = sp_step_new ("server", SP_CALL_SLEEP);

    step->ms = 100;
    sp_session_insert_step (session, 1, step);
    g_assert_true (sp_session_get_step (session, 1) == step);
  }
  {
    g_autoptr(SpStep) step = sp_step_new ("server", SP_CALL_SLEEP);

    step->ms = 200;
    sp_session_insert_step (session, 99, step);
    g_assert_true (sp_session_get_step (session, 5) == step);
  }
  /* 0 100 1 2 3 200 */
  sp_session_move_step (session, 5, 0);
  /* 200 0 100 1 2 3 */
  g_assert_cmpint (get_step (session, 0)->ms, ==, 200);
  g_assert_cmpint (get_step (session, 2)->ms, ==, 100);
  sp_session_move_step (session, 0, 5);
  /* 0 100 1 2 3 200 */
  g_assert_cmpint (get_step (session, 5)->ms, ==, 200);
  g_assert_cmpint (get_step (session, 0)->ms, ==, 0);
  sp_session_remove_step (session, 1);
  g_assert_cmpuint (sp_session_get_n_steps (session), ==, 5);
  g_assert_cmpint (get_step (session, 1)->ms, ==, 1);

  {
    g_autoptr(SpStep) accept_step = sp_step_new ("server", SP_CALL_ACCEPT);

    accept_step->as = g_strdup ("conn");
    g_assert_false (sp_session_has_socket_id (session, "conn"));
    sp_session_append_step (session, accept_step);
    g_assert_true (sp_session_has_socket_id (session, "conn"));
  }

  g_signal_handlers_disconnect_by_func (sp_session_get_steps (session), items_changed, &n_changes);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static void
test_id_syntax (void)
{
  g_autofree char *longest = g_strnfill (64, 'a');
  g_autofree char *too_long = g_strnfill (65, 'a');

  g_assert_true (sp_socket_config_id_is_valid ("server"));
  g_assert_true (sp_socket_config_id_is_valid ("_a-1_b"));
  g_assert_true (sp_socket_config_id_is_valid ("A"));
  g_assert_true (sp_socket_config_id_is_valid (longest));
  g_assert_false (sp_socket_config_id_is_valid (too_long));
  g_assert_false (sp_socket_config_id_is_valid (""));
  g_assert_false (sp_socket_config_id_is_valid (NULL));
  g_assert_false (sp_socket_config_id_is_valid ("1a"));
  g_assert_false (sp_socket_config_id_is_valid ("-a"));
  g_assert_false (sp_socket_config_id_is_valid ("a b"));
  g_assert_false (sp_socket_config_id_is_valid ("café"));
}

static void
test_option_names (void)
{
  const char * const *names = sp_socket_option_names ();

  g_assert_true (g_strv_contains (names, "SO_REUSEADDR"));
  g_assert_true (g_strv_contains (names, "SO_REUSEPORT"));
  g_assert_true (g_strv_contains (names, "SO_BROADCAST"));
  g_assert_true (g_strv_contains (names, "SO_KEEPALIVE"));
  g_assert_true (g_strv_contains (names, "SO_RCVBUF"));
  g_assert_true (g_strv_contains (names, "SO_SNDBUF"));
  g_assert_true (g_strv_contains (names, "TCP_NODELAY"));
  g_assert_true (g_strv_contains (names, "IPV6_V6ONLY"));
  g_assert_cmpuint (g_strv_length ((char **) names), ==, 8);
}

/* Notifications by property name, in the order they came. */
typedef struct
{
  GPtrArray      *names;
  SpSocketConfig *config;
  /* What the config held when "family" was notified. */
  gint            port_at_family;
} Notes;

static void
note_notify (GObject    *object,
             GParamSpec *pspec,
             Notes      *notes)
{
  g_ptr_array_add (notes->names, g_strdup (pspec->name));
  if (g_str_equal (pspec->name, "family"))
    notes->port_at_family = SP_SOCKET_CONFIG (object)->port;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Sorted: notifications held back by a freeze come in no set order. */
static char *
notes_take (Notes *notes)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_ptr_array_sort (notes->names, compare_names);
  for (guint i = 0; i < notes->names->len; i++)
    g_string_append_printf (text, "%s%s", i > 0 ? " " : "",
                            (const char *) notes->names->pdata[i]);
  g_ptr_array_set_size (notes->names, 0);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define assert_notes(notes, expected) \
  G_STMT_START { \
    g_autofree char *taken = notes_take (notes); \
    g_assert_cmpstr (taken, ==, expected); \
  } G_STMT_END

static void
notes_init (Notes          *notes,
            SpSocketConfig *config)
{
  notes->names = g_ptr_array_new_with_free_func (g_free);
  notes->config = config;
  notes->port_at_family = G_MININT;
  g_signal_connect (config, "notify", G_CALLBACK (note_notify), notes);
}

static void
notes_clear (Notes *notes)
{
  g_signal_handlers_disconnect_by_func (notes->config, note_notify, notes);
  g_clear_pointer (&notes->names, g_ptr_array_unref);
}

/* Each setter notifies its property once when the value changes, and
 * never when it does not. */
static void
test_config_notify (void)
{
  g_autoptr(SpSocketConfig) config = sp_socket_config_new ("web", SP_FAMILY_INET,
                                                            SP_SOCKET_TYPE_STREAM);
  g_autofree char *id = NULL;
  g_autofree char *address = NULL;
  g_autofree char *protocol_name = NULL;
  guint family;
  guint type;
  int protocol;
  int port;
  Notes notes;

  notes_init (&notes, config);

  sp_socket_config_set_port (config, 8080);
  sp_socket_config_set_port (config, 8080);
  assert_notes (&notes, "port");
  g_assert_cmpint (config->port, ==, 8080);
  sp_socket_config_set_port (config, -1);
  assert_notes (&notes, "port");

  sp_socket_config_set_address (config, "127.0.0.1");
  sp_socket_config_set_address (config, "127.0.0.1");
  assert_notes (&notes, "address");
  /* "" (INADDR_ANY) and NULL (unset) are different values. */
  sp_socket_config_set_address (config, "");
  assert_notes (&notes, "address");
  sp_socket_config_set_address (config, NULL);
  assert_notes (&notes, "address");
  g_assert_null (config->address);

  sp_socket_config_set_protocol (config, 6, "tcp");
  assert_notes (&notes, "protocol protocol-name");
  sp_socket_config_set_protocol (config, 6, "tcp");
  assert_notes (&notes, "");
  sp_socket_config_set_protocol (config, 6, NULL);
  assert_notes (&notes, "protocol-name");
  g_assert_cmpint (config->protocol, ==, 6);
  g_assert_null (config->protocol_name);

  sp_socket_config_set_socket_type (config, SP_SOCKET_TYPE_STREAM);
  sp_socket_config_set_family (config, SP_FAMILY_INET);
  assert_notes (&notes, "");
  sp_socket_config_set_socket_type (config, SP_SOCKET_TYPE_DGRAM);
  assert_notes (&notes, "socket-type");
  sp_socket_config_set_family (config, SP_FAMILY_INET6);
  assert_notes (&notes, "family");

  /* The same through GObject, as a binding sets them. */
  g_object_set (config, "port", 53, "address", "::1", NULL);
  assert_notes (&notes, "address port");
  g_object_set (config, "port", 53, "address", "::1", NULL);
  assert_notes (&notes, "");
  g_object_set (config, "protocol-name", "udp", NULL);
  assert_notes (&notes, "protocol protocol-name");
  g_assert_cmpint (config->protocol, ==, 17);
  /* A number the name still names keeps it; another number drops it. */
  g_object_set (config, "protocol", 17, NULL);
  assert_notes (&notes, "");
  g_object_set (config, "protocol", 0, NULL);
  assert_notes (&notes, "protocol protocol-name");
  g_assert_null (config->protocol_name);

  g_object_get (config,
                "id", &id, "family", &family, "socket-type", &type, "protocol", &protocol,
                "protocol-name", &protocol_name, "address", &address, "port", &port,
                NULL);
  g_assert_cmpstr (id, ==, "web");
  g_assert_cmpuint (family, ==, SP_FAMILY_INET6);
  g_assert_cmpuint (type, ==, SP_SOCKET_TYPE_DGRAM);
  g_assert_cmpint (protocol, ==, 0);
  g_assert_null (protocol_name);
  g_assert_cmpstr (address, ==, "::1");
  g_assert_cmpint (port, ==, 53);

  notes_clear (&notes);
  g_assert_finalize_object (g_steal_pointer (&config));
}

/* A configuration made with g_object_new() is the same as one made with
 * sp_socket_config_new(). */
static void
test_config_construct (void)
{
  g_autoptr(SpSocketConfig) config = NULL;

  config = g_object_new (SP_TYPE_SOCKET_CONFIG,
                         "id", "local", "family", SP_FAMILY_UNIX,
                         "socket-type", SP_SOCKET_TYPE_SEQPACKET, "address", "@name",
                         NULL);
  g_assert_cmpstr (config->id, ==, "local");
  g_assert_cmpint (config->family, ==, SP_FAMILY_UNIX);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_SEQPACKET);
  g_assert_cmpstr (config->address, ==, "@name");
  g_assert_cmpint (config->port, ==, -1);
  g_assert_cmpuint (config->options->len, ==, 0);
  g_assert_finalize_object (g_steal_pointer (&config));
}

/* A UNIX socket has no port, and only IP datagram sockets are impaired:
 * whoever hears of the new family or type sees the rest follow it. */
static void
test_config_family_and_type (void)
{
  g_autoptr(SpSocketConfig) config = sp_socket_config_new ("s", SP_FAMILY_INET,
                                                            SP_SOCKET_TYPE_DGRAM);
  SpImpairmentSettings settings = { .drop = 10, .delay_ms = 5, .seed = 7 };
  SpImpairmentSettings other = settings;
  Notes notes;

  notes_init (&notes, config);

  sp_socket_config_set_port (config, 9000);
  sp_socket_config_set_impair (config, TRUE, &settings);
  assert_notes (&notes, "impair port");
  sp_socket_config_set_impair (config, TRUE, &settings);
  sp_socket_config_set_impair (config, TRUE, NULL);
  assert_notes (&notes, "");
  other.reorder = 30;
  sp_socket_config_set_impair (config, TRUE, &other);
  assert_notes (&notes, "impair");
  g_assert_cmpuint (config->impair.reorder, ==, 30);
  /* Off keeps the settings for when it is turned on again. */
  sp_socket_config_set_impair (config, FALSE, NULL);
  assert_notes (&notes, "impair");
  g_assert_false (config->has_impair);
  g_assert_cmpuint (config->impair.reorder, ==, 30);
  sp_socket_config_set_impair (config, TRUE, NULL);
  assert_notes (&notes, "impair");

  sp_socket_config_set_family (config, SP_FAMILY_INET6);
  assert_notes (&notes, "family");
  g_assert_true (config->has_impair);
  g_assert_cmpint (config->port, ==, 9000);

  sp_socket_config_set_family (config, SP_FAMILY_UNIX);
  g_assert_cmpint (config->port, ==, -1);
  g_assert_false (config->has_impair);
  g_assert_cmpint (notes.port_at_family, ==, -1);
  assert_notes (&notes, "family impair port");

  /* Nothing comes back with the family. */
  sp_socket_config_set_family (config, SP_FAMILY_INET);
  assert_notes (&notes, "family");
  g_assert_cmpint (config->port, ==, -1);
  g_assert_false (config->has_impair);

  /* A port set again survives a change of type; the impairment does not. */
  sp_socket_config_set_port (config, 9001);
  sp_socket_config_set_impair (config, TRUE, NULL);
  assert_notes (&notes, "impair port");
  sp_socket_config_set_socket_type (config, SP_SOCKET_TYPE_STREAM);
  assert_notes (&notes, "impair socket-type");
  g_assert_cmpint (config->port, ==, 9001);
  g_assert_false (config->has_impair);
  g_object_set (config, "socket-type", SP_SOCKET_TYPE_DGRAM, NULL);
  assert_notes (&notes, "socket-type");

  notes_clear (&notes);
  g_assert_finalize_object (g_steal_pointer (&config));
}

static void
test_config_options (void)
{
  g_autoptr(SpSocketConfig) config = sp_socket_config_new ("s", SP_FAMILY_INET,
                                                            SP_SOCKET_TYPE_STREAM);
  gint64 value = -5;
  guint count;
  Notes notes;

  notes_init (&notes, config);

  g_assert_false (sp_socket_config_get_option (config, "SO_RCVBUF", &value));
  g_assert_cmpint (value, ==, -5);

  sp_socket_config_set_option (config, "SO_RCVBUF", 4096, FALSE);
  sp_socket_config_set_option (config, "SO_REUSEADDR", 1, TRUE);
  assert_notes (&notes, "options options");
  sp_socket_config_set_option (config, "SO_RCVBUF", 4096, FALSE);
  assert_notes (&notes, "");
  sp_socket_config_set_option (config, "SO_RCVBUF", 8192, FALSE);
  assert_notes (&notes, "options");

  g_assert_true (sp_socket_config_get_option (config, "SO_RCVBUF", &value));
  g_assert_cmpint (value, ==, 8192);
  g_assert_true (sp_socket_config_get_option (config, "SO_REUSEADDR", NULL));
  g_object_get (config, "options", &count, NULL);
  g_assert_cmpuint (count, ==, 2);

  sp_socket_config_unset_option (config, "SO_KEEPALIVE");
  assert_notes (&notes, "");
  sp_socket_config_unset_option (config, "SO_RCVBUF");
  assert_notes (&notes, "options");
  g_assert_false (sp_socket_config_get_option (config, "SO_RCVBUF", NULL));
  g_assert_cmpuint (config->options->len, ==, 1);

  /* Set again, it goes last: the file's order is the order of setting. */
  sp_socket_config_set_option (config, "SO_RCVBUF", 1024, FALSE);
  g_assert_cmpstr (g_array_index (config->options, SpSocketOption, 0).name, ==, "SO_REUSEADDR");
  g_assert_cmpstr (g_array_index (config->options, SpSocketOption, 1).name, ==, "SO_RCVBUF");
  assert_notes (&notes, "options");

  notes_clear (&notes);
  g_assert_finalize_object (g_steal_pointer (&config));
}

typedef struct
{
  GPtrArray *changes;  /* "id property" */
} Changes;

static void
on_socket_changed (SpSession      *session,
                   SpSocketConfig *config,
                   const char     *property,
                   GPtrArray      *changes)
{
  g_ptr_array_add (changes, g_strdup_printf ("%s %s", config->id, property));
}

/* Sorted, as notes_take() is. */
static char *
changes_take (GPtrArray *changes)
{
  g_autofree char *joined = NULL;

  g_ptr_array_sort (changes, compare_names);
  g_ptr_array_add (changes, NULL);
  joined = g_strjoinv (", ", (char **) changes->pdata);
  g_ptr_array_set_size (changes, 0);

  return g_steal_pointer (&joined);
}

#define assert_changes(changes, expected) \
  G_STMT_START { \
    g_autofree char *taken = changes_take (changes); \
    g_assert_cmpstr (taken, ==, expected); \
  } G_STMT_END

/* The session says which of its sockets changed, for as long as it holds
 * them, however they came and went. */
static void
test_socket_changed (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(GPtrArray) changes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) ports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(SpSocketConfig) server = sp_socket_config_new ("server", SP_FAMILY_INET,
                                                            SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocketConfig) client = sp_socket_config_new ("client", SP_FAMILY_INET,
                                                            SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocketConfig) replacement = sp_socket_config_new ("server", SP_FAMILY_INET6,
                                                                 SP_SOCKET_TYPE_STREAM);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) loaded = NULL;
  g_autoptr(GListModel) kept = NULL;
  SpSocketConfig *config;

  g_signal_connect (session, "socket-changed", G_CALLBACK (on_socket_changed), changes);
  g_signal_connect (session, "socket-changed::port", G_CALLBACK (on_socket_changed), ports);

  /* Not in the session yet. */
  sp_socket_config_set_port (server, 1);
  assert_changes (changes, "");

  sp_session_add_socket (session, server);
  sp_session_add_socket (session, client);
  sp_socket_config_set_port (server, 2);
  sp_socket_config_set_address (client, "127.0.0.1");
  sp_socket_config_set_family (client, SP_FAMILY_UNIX);
  sp_socket_config_set_option (server, "SO_REUSEADDR", 1, TRUE);
  assert_changes (changes, "client address, client family, server options, server port");
  assert_changes (ports, "server port");

  /* A socket with a port loses it as a UNIX socket: two changes. */
  sp_socket_config_set_family (server, SP_FAMILY_UNIX);
  assert_changes (changes, "server family, server port");

  /* The replaced socket is no longer the session's; its successor is. */
  sp_session_add_socket (session, replacement);
  sp_socket_config_set_port (server, 3);
  sp_socket_config_set_port (replacement, 4);
  assert_changes (changes, "server port");
  g_assert_true (sp_session_find_socket (session, "server") == replacement);

  sp_session_remove_socket (session, "client");
  sp_socket_config_set_address (client, "@gone");
  sp_socket_config_set_address (replacement, "::1");
  assert_changes (changes, "server address");

  /* Adding the same object again replaces it with itself: still heard
   * once, not twice. */
  sp_session_add_socket (session, replacement);
  sp_socket_config_set_port (replacement, 5);
  assert_changes (changes, "server port");

  /* Sockets read from a file are followed as well. */
  loaded = sp_session_new_from_data ("{ \"format\": \"socket-playground-session\", "
                                     "\"version\": 1, \"sockets\": [ { \"id\": \"a\" }, "
                                     "{ \"id\": \"b\", \"type\": \"dgram\" } ] }",
                                     -1, "x", &error);
  g_assert_no_error (error);
  g_signal_connect (loaded, "socket-changed", G_CALLBACK (on_socket_changed), changes);
  sp_socket_config_set_port (sp_session_find_socket (loaded, "b"), 7);
  sp_socket_config_set_address (sp_session_find_socket (loaded, "a"), "");
  assert_changes (changes, "a address, b port");

  /* A session gone leaves its sockets, and its store, unwatched. */
  config = g_object_ref (sp_session_find_socket (loaded, "a"));
  kept = g_object_ref (sp_session_get_sockets (loaded));
  g_assert_finalize_object (g_steal_pointer (&loaded));
  sp_socket_config_set_port (config, 8);
  assert_changes (changes, "");
  g_clear_object (&kept);
  g_assert_finalize_object (config);

  /* The port a UNIX family took away, then the replacement's two. */
  assert_changes (ports, "server port, server port, server port");
  g_signal_handlers_disconnect_by_func (session, on_socket_changed, changes);
  g_signal_handlers_disconnect_by_func (session, on_socket_changed, ports);
  g_assert_finalize_object (g_steal_pointer (&session));
  g_assert_finalize_object (g_steal_pointer (&server));
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&replacement));
}

/* A session edited through the setters saves what was set and reads back
 * the same. */
static void
test_setters_round_trip (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpSession) again = NULL;
  g_autoptr(SpSocketConfig) udp = sp_socket_config_new ("udp", SP_FAMILY_INET,
                                                         SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocketConfig) local = sp_socket_config_new ("local", SP_FAMILY_INET,
                                                           SP_SOCKET_TYPE_STREAM);
  SpImpairmentSettings settings = { .drop = 20, .duplicate = 5, .reorder = 1,
                                    .delay_ms = 250, .seed = 99 };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *data_again = NULL;
  SpSocketConfig *config;
  gint64 value;

  sp_session_add_socket (session, udp);
  sp_session_add_socket (session, local);

  sp_socket_config_set_family (udp, SP_FAMILY_INET6);
  sp_socket_config_set_socket_type (udp, SP_SOCKET_TYPE_DGRAM);
  sp_socket_config_set_protocol (udp, 17, "udp");
  sp_socket_config_set_address (udp, "::1");
  sp_socket_config_set_port (udp, 9999);
  sp_socket_config_set_option (udp, "SO_BROADCAST", 1, TRUE);
  sp_socket_config_set_option (udp, "SO_RCVBUF", 65536, FALSE);
  sp_socket_config_set_option (udp, "IPV6_V6ONLY", 1, TRUE);
  sp_socket_config_unset_option (udp, "SO_BROADCAST");
  sp_socket_config_set_impair (udp, TRUE, &settings);

  sp_socket_config_set_port (local, 80);
  sp_socket_config_set_family (local, SP_FAMILY_UNIX);
  sp_socket_config_set_socket_type (local, SP_SOCKET_TYPE_SEQPACKET);
  sp_socket_config_set_address (local, "@playground");
  sp_socket_config_set_protocol (local, 0, NULL);

  data = sp_session_to_data (session, NULL);
  again = sp_session_new_from_data (data, -1, "saved", &error);
  g_assert_no_error (error);
  data_again = sp_session_to_data (again, NULL);
  g_assert_cmpstr (data, ==, data_again);

  config = sp_session_find_socket (again, "udp");
  g_assert_cmpint (config->family, ==, SP_FAMILY_INET6);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_DGRAM);
  g_assert_cmpint (config->protocol, ==, 17);
  g_assert_cmpstr (config->protocol_name, ==, "udp");
  g_assert_cmpstr (config->address, ==, "::1");
  g_assert_cmpint (config->port, ==, 9999);
  g_assert_cmpuint (config->options->len, ==, 2);
  g_assert_false (sp_socket_config_get_option (config, "SO_BROADCAST", NULL));
  g_assert_true (sp_socket_config_get_option (config, "SO_RCVBUF", &value));
  g_assert_cmpint (value, ==, 65536);
  g_assert_true (sp_socket_config_get_option (config, "IPV6_V6ONLY", &value));
  g_assert_cmpint (value, ==, 1);
  g_assert_true (g_array_index (config->options, SpSocketOption, 1).is_bool);
  g_assert_true (config->has_impair);
  g_assert_true (sp_impairment_settings_equal (&config->impair, &settings));

  config = sp_session_find_socket (again, "local");
  g_assert_cmpint (config->family, ==, SP_FAMILY_UNIX);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_SEQPACKET);
  g_assert_cmpint (config->port, ==, -1);
  g_assert_cmpstr (config->address, ==, "@playground");
  g_assert_null (config->protocol_name);
  g_assert_null (strstr (data, "\"port\" : 80"));
}

/* A device that never ends is refused after the size limit, not read
 * until memory runs out. */
static void
test_endless_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;

  session = sp_session_new_from_file ("/dev/zero", &error);
  g_assert_null (session);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "/dev/zero: larger than a session file can be"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Session/malformed", test_malformed);
  g_test_add_func ("/Sp/Session/malformed-all-listed", test_malformed_all_listed);
  g_test_add_func ("/Sp/Session/file-name-prefix", test_file_name_prefix);
  g_test_add_func ("/Sp/Session/missing-file", test_missing_file);
  g_test_add_func ("/Sp/Session/endless-file", test_endless_file);
  g_test_add_func ("/Sp/Session/small-problems", test_small_problems);
  g_test_add_func ("/Sp/Session/number-edges", test_number_edges);
  g_test_add_func ("/Sp/Session/deep-nesting", test_deep_nesting);
  g_test_add_func ("/Sp/Session/mangled", test_mangled);
  g_test_add_func ("/Sp/Session/design-example", test_design_example);
  g_test_add_func ("/Sp/Session/round-trip", test_round_trip);
  g_test_add_func ("/Sp/Session/valid-fixtures", test_valid_fixtures);
  g_test_add_func ("/Sp/Session/written-forms-kept", test_written_forms_kept);
  g_test_add_func ("/Sp/Session/impair", test_impair);
  g_test_add_func ("/Sp/Session/save", test_save);
  g_test_add_func ("/Sp/Session/save-error", test_save_error);
  g_test_add_func ("/Sp/Session/save-atomic", test_save_atomic);
  g_test_add_func ("/Sp/Session/properties", test_properties);
  g_test_add_func ("/Sp/Session/model", test_model);
  g_test_add_func ("/Sp/Session/id-syntax", test_id_syntax);
  g_test_add_func ("/Sp/Session/option-names", test_option_names);
  g_test_add_func ("/Sp/Session/config-notify", test_config_notify);
  g_test_add_func ("/Sp/Session/config-construct", test_config_construct);
  g_test_add_func ("/Sp/Session/config-family-and-type", test_config_family_and_type);
  g_test_add_func ("/Sp/Session/config-options", test_config_options);
  g_test_add_func ("/Sp/Session/socket-changed", test_socket_changed);
  g_test_add_func ("/Sp/Session/setters-round-trip", test_setters_round_trip);

  return g_test_run ();
}
