/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-data.h"
#include "sp-session.h"
#include "sp-step.h"
#include "sp-test-util.h"

static SpStep *
parse_step (const char  *json,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &local_error);

  g_assert_no_error (local_error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));

  return sp_step_new_from_json (json_node_get_object (node), "steps[3]", error);
}

static char *
step_to_string (SpStep *step)
{
  g_autoptr(JsonNode) node = sp_step_to_json (step);

  return json_to_string (node, FALSE);
}

static void
assert_bytes (GBytes     *bytes,
              const char *expected,
              gsize       length)
{
  gsize size;
  const guint8 *data;

  g_assert_nonnull (bytes);
  data = g_bytes_get_data (bytes, &size);
  g_assert_cmpmem (data, size, expected, length);
}

static void
test_defaults (void)
{
  g_autoptr(SpStep) step = sp_step_new ("server", SP_CALL_RECV);
  g_autofree char *text = NULL;

  g_assert_cmpstr (step->socket, ==, "server");
  g_assert_cmpint (step->call, ==, SP_CALL_RECV);
  g_assert_cmpint (step->port, ==, -1);
  g_assert_cmpint (step->backlog, ==, -1);
  g_assert_cmpint (step->bufsize, ==, -1);
  g_assert_cmpint (step->count, ==, -1);
  g_assert_cmpint (step->timeout_ms, ==, -1);
  g_assert_cmpint (step->connections, ==, -1);
  g_assert_cmpint (step->ms, ==, -1);
  g_assert_cmpint (step->expect.bytes, ==, -1);
  g_assert_false (step->has_expect);
  g_assert_null (step->data);

  g_assert_cmpuint (sp_step_get_bufsize (step), ==, SP_STEP_DEFAULT_BUFSIZE);
  g_assert_cmpuint (sp_step_get_count (step), ==, 1);
  g_assert_cmpuint (sp_step_get_timeout_ms (step), ==, SP_STEP_DEFAULT_TIMEOUT_MS);

  step->bufsize = 10;
  step->count = 3;
  step->timeout_ms = 250;
  g_assert_cmpuint (sp_step_get_bufsize (step), ==, 10);
  g_assert_cmpuint (sp_step_get_count (step), ==, 3);
  g_assert_cmpuint (sp_step_get_timeout_ms (step), ==, 250);

  text = step_to_string (step);
  g_assert_cmpstr (text, ==,
                   "{\"socket\":\"server\",\"call\":\"recv\",\"bufsize\":10,\"count\":3,"
                   "\"timeout-ms\":250}");

  g_assert_finalize_object (g_steal_pointer (&step));
}

static void
test_parse_members (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) recv_step = NULL;
  g_autoptr(SpStep) send_step = NULL;
  g_autoptr(SpStep) opt_step = NULL;
  g_autoptr(SpStep) serve_step = NULL;
  g_autoptr(SpStep) shut_step = NULL;
  g_autoptr(SpStep) note_step = NULL;
  g_autoptr(SpStep) sleep_step = NULL;
  g_autoptr(SpStep) host_step = NULL;
  g_autoptr(SpStep) accept_step = NULL;
  g_autoptr(SpStep) connect_step = NULL;

  recv_step = parse_step ("{ \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 10,"
                          "  \"until\": \"eof\", \"timeout-ms\": 500, \"note\": \"Partial\","
                          "  \"expect\": { \"data\": { \"hex\": \"48:65\" },"
                          "              \"contains\": { \"text\": \"é\","
                          "                            \"encoding\": \"latin-1\" },"
                          "              \"bytes\": 2, \"any\": true } }", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recv_step->socket, ==, "conn");
  g_assert_cmpint (recv_step->call, ==, SP_CALL_RECV);
  g_assert_cmpint (recv_step->bufsize, ==, 10);
  g_assert_true (recv_step->until_eof);
  g_assert_cmpint (recv_step->timeout_ms, ==, 500);
  g_assert_cmpstr (recv_step->note, ==, "Partial");
  g_assert_true (recv_step->has_expect);
  g_assert_cmpstr (recv_step->expect.data->hex, ==, "48:65");
  assert_bytes (recv_step->expect.data->bytes, "He", 2);
  g_assert_cmpstr (recv_step->expect.contains->text, ==, "é");
  g_assert_cmpstr (recv_step->expect.contains->encoding, ==, "latin-1");
  assert_bytes (recv_step->expect.contains->bytes, "\xe9", 1);
  g_assert_cmpint (recv_step->expect.bytes, ==, 2);
  g_assert_true (recv_step->expect.any);
  g_assert_false (recv_step->expect.ok);
  g_assert_null (recv_step->expect.error);

  send_step = parse_step ("{ \"socket\": \"client\", \"call\": \"sendto\", \"to\": \"server\","
                          "  \"count\": 3, \"data\": { \"text\": \"Hello\\r\\n\" } }", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (send_step->to, ==, "server");
  g_assert_cmpint (send_step->count, ==, 3);
  g_assert_cmpstr (send_step->data->text, ==, "Hello\r\n");
  g_assert_null (send_step->data->encoding);
  g_assert_null (send_step->data->hex);
  assert_bytes (send_step->data->bytes, "Hello\r\n", 7);

  opt_step = parse_step ("{ \"socket\": \"s\", \"call\": \"setsockopt\", \"option\": \"SO_RCVBUF\","
                         "  \"value\": 4096 }", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (opt_step->option, ==, "SO_RCVBUF");
  g_assert_cmpint (opt_step->value, ==, 4096);
  g_assert_false (opt_step->value_is_bool);

  serve_step = parse_step ("{ \"socket\": \"server\", \"call\": \"serve\", \"mode\": \"reply\","
                           "  \"connections\": 2, \"backlog\": 0, \"address\": \"\", \"port\": 80,"
                           "  \"data\": { \"text\": \"Thank you\" } }", &error);
  g_assert_no_error (error);
  g_assert_true (serve_step->has_mode);
  g_assert_cmpint (serve_step->mode, ==, SP_SERVE_REPLY);
  g_assert_cmpint (serve_step->connections, ==, 2);
  g_assert_cmpint (serve_step->backlog, ==, 0);
  g_assert_cmpstr (serve_step->address, ==, "");
  g_assert_cmpint (serve_step->port, ==, 80);

  shut_step = parse_step ("{ \"socket\": \"c\", \"call\": \"shutdown\", \"how\": \"both\" }",
                          &error);
  g_assert_no_error (error);
  g_assert_true (shut_step->has_how);
  g_assert_cmpint (shut_step->how, ==, SP_SHUTDOWN_BOTH);

  note_step = parse_step ("{ \"call\": \"note\", \"text\": \"Now the server listens.\" }", &error);
  g_assert_no_error (error);
  g_assert_null (note_step->socket);
  g_assert_cmpstr (note_step->text, ==, "Now the server listens.");

  sleep_step = parse_step ("{ \"call\": \"sleep\", \"ms\": 0 }", &error);
  g_assert_no_error (error);
  g_assert_cmpint (sleep_step->ms, ==, 0);

  host_step = parse_step ("{ \"call\": \"getaddrinfo\", \"host\": \"localhost\", \"port\": 80 }",
                          &error);
  g_assert_no_error (error);
  g_assert_cmpstr (host_step->host, ==, "localhost");

  accept_step = parse_step ("{ \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn_2-b\","
                            "  \"expect\": { \"ok\": true } }", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (accept_step->as, ==, "conn_2-b");
  g_assert_true (accept_step->expect.ok);

  connect_step = parse_step ("{ \"socket\": \"client\", \"call\": \"connect_ex\","
                             "  \"address\": \"127.0.0.1\", \"port\": 9,"
                             "  \"expect\": { \"error\": \"ECONNREFUSED\" } }", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (connect_step->expect.error, ==, "ECONNREFUSED");
  g_assert_cmpint (connect_step->port, ==, 9);
}

/* Every member set, written back in the documented order. */
static void
test_to_json_order (void)
{
  const char *canonical[] = {
    "{\"socket\":\"conn\",\"call\":\"recv\",\"bufsize\":10,\"until\":\"eof\",\"timeout-ms\":500,"
      "\"note\":\"n\",\"expect\":{\"data\":{\"hex\":\"48 65\"},"
      "\"contains\":{\"text\":\"e\",\"encoding\":\"ascii\"},\"bytes\":2,\"any\":true}}",
    "{\"socket\":\"c\",\"call\":\"connect\",\"to\":\"s\",\"timeout-ms\":1,"
      "\"expect\":{\"error\":\"ECONNREFUSED\"}}",
    "{\"socket\":\"c\",\"call\":\"bind\",\"address\":\"::1\",\"port\":0}",
    "{\"socket\":\"s\",\"call\":\"accept\",\"as\":\"conn\",\"expect\":{\"ok\":true}}",
    "{\"socket\":\"s\",\"call\":\"listen\",\"backlog\":5}",
    "{\"socket\":\"c\",\"call\":\"sendall\",\"count\":2,\"interval-ms\":100,"
      "\"data\":{\"text\":\"Hi\"}}",
    "{\"socket\":\"c\",\"call\":\"shutdown\",\"how\":\"write\"}",
    "{\"socket\":\"s\",\"call\":\"serve\",\"port\":5000,\"backlog\":1,\"bufsize\":4096,"
      "\"data\":{\"text\":\"Hi\",\"encoding\":\"utf-16-le\"},\"mode\":\"reply\",\"connections\":3}",
    "{\"socket\":\"s\",\"call\":\"serve\",\"mode\":\"echo\"}",
    "{\"socket\":\"s\",\"call\":\"serve\",\"data\":{\"text\":\"Hello\"},"
      "\"replies\":[{\"contains\":{\"text\":\"Ian\"},\"data\":{\"text\":\"Hello Ian\"}},"
      "{\"contains\":{\"hex\":\"00 ff\"},\"data\":{\"text\":\"Hi\",\"encoding\":\"ascii\"}}],"
      "\"mode\":\"reply\",\"connections\":2}",
    "{\"call\":\"sleep\",\"ms\":100}",
    "{\"call\":\"note\",\"text\":\"Hello\"}",
    "{\"socket\":\"s\",\"call\":\"setsockopt\",\"option\":\"SO_REUSEADDR\",\"value\":true}",
    "{\"socket\":\"s\",\"call\":\"setsockopt\",\"option\":\"SO_SNDBUF\",\"value\":0}",
    "{\"call\":\"gethostbyname\",\"host\":\"localhost\",\"timeout-ms\":3000}",
    "{\"call\":\"gethostname\"}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (canonical); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpStep) step = parse_step (canonical[i], &error);
      g_autoptr(SpStep) copy = NULL;
      g_autofree char *text = NULL;
      g_autofree char *copy_text = NULL;

      g_assert_no_error (error);
      text = step_to_string (step);
      g_assert_cmpstr (text, ==, canonical[i]);

      copy = sp_step_copy (step);
      copy_text = step_to_string (copy);
      g_assert_cmpstr (copy_text, ==, canonical[i]);
    }
}

static void
test_to_json_reorders (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  g_autofree char *text = NULL;

  step = parse_step ("{ \"expect\": { \"bytes\": 0 }, \"bufsize\": 1, \"call\": \"recv\","
                     "  \"note\": \"x\", \"socket\": \"a\" }", &error);
  g_assert_no_error (error);
  text = step_to_string (step);
  g_assert_cmpstr (text, ==,
                   "{\"socket\":\"a\",\"call\":\"recv\",\"bufsize\":1,\"note\":\"x\","
                   "\"expect\":{\"bytes\":0}}");
}

static void
test_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  g_autoptr(SpStep) copy = NULL;

  step = parse_step ("{ \"socket\": \"c\", \"call\": \"send\", \"data\": { \"hex\": \"00 ff\" },"
                     "  \"expect\": { \"contains\": { \"text\": \"x\" }, \"error\": \"EPIPE\" } }",
                     &error);
  g_assert_no_error (error);

  copy = sp_step_copy (step);
  g_assert_true (copy != step);
  g_assert_true (copy->data != step->data);
  g_assert_true (copy->socket != step->socket);
  g_assert_true (copy->expect.contains != step->expect.contains);
  g_assert_true (copy->expect.error != step->expect.error);
  assert_bytes (copy->data->bytes, "\x00\xff", 2);
  g_assert_cmpstr (copy->expect.error, ==, "EPIPE");

  /* The original may go first. */
  g_assert_finalize_object (g_steal_pointer (&step));
  g_assert_cmpstr (copy->expect.contains->text, ==, "x");
  g_assert_finalize_object (g_steal_pointer (&copy));
}

/* A replies table keeps its entries in order, each with its bytes, and a
 * copy owns its own. */
static void
test_replies (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  g_autoptr(SpStep) copy = NULL;
  const SpStepReply *first;
  const SpStepReply *second;

  step = parse_step ("{ \"socket\": \"web\", \"call\": \"serve\", \"mode\": \"reply\","
                     "  \"data\": { \"text\": \"Hello\" },"
                     "  \"replies\": ["
                     "    { \"contains\": { \"text\": \"lecturer=Ian\" },"
                     "      \"data\": { \"text\": \"Hello Ian\" } },"
                     "    { \"contains\": { \"hex\": \"00 ff\" },"
                     "      \"data\": { \"hex\": \"01\" } } ] }",
                     &error);
  g_assert_no_error (error);
  g_assert_nonnull (step->replies);
  g_assert_cmpuint (step->replies->len, ==, 2);
  first = g_ptr_array_index (step->replies, 0);
  second = g_ptr_array_index (step->replies, 1);
  assert_bytes (first->contains->bytes, "lecturer=Ian", 12);
  assert_bytes (first->data->bytes, "Hello Ian", 9);
  assert_bytes (second->contains->bytes, "\x00\xff", 2);
  assert_bytes (second->data->bytes, "\x01", 1);
  assert_bytes (step->data->bytes, "Hello", 5);

  copy = sp_step_copy (step);
  g_assert_true (copy->replies != step->replies);
  g_assert_finalize_object (g_steal_pointer (&step));
  g_assert_cmpuint (copy->replies->len, ==, 2);
  first = g_ptr_array_index (copy->replies, 0);
  g_assert_cmpstr (first->contains->text, ==, "lecturer=Ian");
  g_assert_cmpstr (first->data->text, ==, "Hello Ian");
}

static void
test_data (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStepData) text = NULL;
  g_autoptr(SpStepData) utf16 = NULL;
  g_autoptr(SpStepData) hex = NULL;
  g_autoptr(SpStepData) copy = NULL;
  SpStepData *bad;

  text = sp_step_data_new_text ("Hi", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (text->text, ==, "Hi");
  g_assert_null (text->encoding);
  assert_bytes (text->bytes, "Hi", 2);

  utf16 = sp_step_data_new_text ("Hi", "utf-16-le", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (utf16->encoding, ==, "utf-16-le");
  assert_bytes (utf16->bytes, "H\0i\0", 4);

  hex = sp_step_data_new_hex ("48 69", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hex->hex, ==, "48 69");
  assert_bytes (hex->bytes, "Hi", 2);

  copy = sp_step_data_copy (hex);
  g_assert_cmpstr (copy->hex, ==, "48 69");
  g_assert_true (g_bytes_equal (copy->bytes, hex->bytes));
  g_assert_null (sp_step_data_copy (NULL));

  bad = sp_step_data_new_hex ("4", &error);
  g_assert_null (bad);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "hex: "));
  g_clear_error (&error);

  bad = sp_step_data_new_text ("ü", "ascii", &error);
  g_assert_null (bad);
  g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "text: "));
  g_clear_error (&error);

  sp_step_data_free (NULL);
}

/* A step made in code, with data that only has bytes, saves as hex. */
static void
test_data_bytes_only (void)
{
  g_autoptr(SpStep) step = sp_step_new ("c", SP_CALL_SEND);
  g_autofree char *text = NULL;

  step->data = g_new0 (SpStepData, 1);
  step->data->bytes = g_bytes_new ("Hi\n", 3);

  text = step_to_string (step);
  g_assert_cmpstr (text, ==,
                   "{\"socket\":\"c\",\"call\":\"send\",\"data\":{\"hex\":\"48 69 0a\"}}");
}

typedef struct
{
  const char *json;
  const char *message;  /* whole message, or a prefix when it ends in "…" */
} ErrorCase;

static const ErrorCase error_cases[] = {
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"bufsize\": 0 }",
    "steps[3].bufsize: must be a whole number from 1 to 67108864" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"bufsize\": 67108865 }",
    "steps[3].bufsize: must be a whole number from 1 to 67108864" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"bufsize\": 1024.0 }",
    "steps[3].bufsize: must be a whole number from 1 to 67108864" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"bufsize\": \"1024\" }",
    "steps[3].bufsize: must be a whole number from 1 to 67108864" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"bufsiz\": 10 }",
    "steps[3].bufsiz: unknown member (did you mean “bufsize”?)" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"timeout\": 10 }",
    "steps[3].timeout: unknown member (did you mean “timeout-ms”?)" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"zzzzzz\": 10 }",
    "steps[3].zzzzzz: unknown member of a step" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"a\\nb\": 10 }",
    "steps[3].a\\x0ab: unknown member of a step" },
  { "{ \"socket\": \"c\" }",
    "steps[3]: missing member “call”" },
  { "{ \"socket\": \"c\", \"call\": 3 }",
    "steps[3].call: must be a string" },
  { "{ \"socket\": \"c\", \"call\": \"lisen\" }",
    "steps[3].call: unknown call “lisen” (did you mean “listen”?)" },
  { "{ \"socket\": \"c\", \"call\": \"frobnicate\" }",
    "steps[3].call: unknown call “frobnicate”; the calls are socket, setsockopt, bind, …" },
  { "{ \"call\": \"bind\" }",
    "steps[3]: missing member “socket” (“bind” needs it)" },
  { "{ \"socket\": \"\", \"call\": \"bind\" }",
    "steps[3].socket: must name a socket" },
  { "{ \"socket\": \"c\", \"call\": \"sleep\", \"ms\": 1 }",
    "steps[3].socket: “sleep” acts on no socket" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"as\": \"x\" }",
    "steps[3].as: not used by “connect” (only by accept)" },
  { "{ \"socket\": \"c\", \"call\": \"accept\", \"as\": \"9x\" }",
    "steps[3].as: “9x” is not a valid id: …" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"until\": \"eof\", \"data\": {\"hex\": \"\"} }",
    "steps[3].until: not used by “send” (only by recv, recvfrom, recv_into, recvfrom_into)" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"until\": \"close\" }",
    "steps[3].until: must be “eof” (repeat until the peer closes)" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"until\": \"eof\", \"count\": 2 }",
    "steps[3].count: give either “until” or “count”, not both" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"interval-ms\": 5 }",
    "steps[3].interval-ms: not used by “recv” (only by send, sendall, sendto)" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"count\": 1000001 }",
    "steps[3].count: must be a whole number from 1 to 1000000" },
  { "{ \"socket\": \"c\", \"call\": \"send\" }",
    "steps[3]: missing member “data” (“send” needs it)" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": \"Hello\" }",
    "steps[3].data: must be an object" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": {} }",
    "steps[3].data: give the bytes as “text” or as “hex”" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": { \"text\": \"a\", \"hex\": \"61\" } }",
    "steps[3].data: give either “text” or “hex”, not both" },
  { "{ \"socket\": \"c\", \"call\": \"send\","
      "\"data\": { \"hex\": \"61\", \"encoding\": \"ascii\" } }",
    "steps[3].data.encoding: only used with “text”, not with “hex”" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": { \"txt\": \"a\" } }",
    "steps[3].data.txt: unknown member (did you mean “text”?)" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": { \"text\": 1 } }",
    "steps[3].data.text: must be a string" },
  { "{ \"socket\": \"c\", \"call\": \"send\","
      "\"data\": { \"text\": \"a\", \"encoding\": \"klingon\" } }",
    "steps[3].data.encoding: unknown encoding “klingon” …" },
  { "{ \"socket\": \"c\", \"call\": \"send\","
      "\"data\": { \"text\": \"ü\", \"encoding\": \"ascii\" } }",
    "steps[3].data.text: …" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": { \"hex\": \"4\" } }",
    "steps[3].data.hex: …" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\" }",
    "steps[3]: missing member “data” (“mode”: “reply” needs it)" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"data\": { \"text\": \"a\" } }",
    "steps[3].data: only used with “mode”: “reply”" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"echo\", \"replies\": "
      "[ { \"contains\": { \"text\": \"a\" }, \"data\": { \"text\": \"b\" } } ] }",
    "steps[3].replies: only used with “mode”: “reply”" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"replies\": "
      "[ { \"contains\": { \"text\": \"a\" }, \"data\": { \"text\": \"b\" } } ] }",
    "steps[3]: missing member “data” (“mode”: “reply” needs it)" },
  { "{ \"socket\": \"c\", \"call\": \"send\", \"data\": { \"text\": \"a\" }, \"replies\": [] }",
    "steps[3].replies: not used by “send” (only by serve)" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": { \"contains\": { \"text\": \"a\" } } }",
    "steps[3].replies: must be a list of { “contains”: …, “data”: … } objects" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [] }",
    "steps[3].replies: must not be empty: …" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [ { \"contains\": { \"text\": \"x\" }, \"data\": { \"text\": \"y\" } }, 5 ] }",
    "steps[3].replies[1]: must be an object" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [ { \"contains\": { \"text\": \"x\" }, \"data\": { \"text\": \"y\" } },"
      "{ \"contains\": { \"text\": \"\" }, \"data\": { \"text\": \"y\" } } ] }",
    "steps[3].replies[1].contains: must not be empty …" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [ { \"contains\": { \"hex\": \"4\" }, \"data\": { \"text\": \"y\" } } ] }",
    "steps[3].replies[0].contains.hex: …" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [ { \"contains\": { \"text\": \"x\" } } ] }",
    "steps[3].replies[0]: missing member “data” …" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [ { \"data\": { \"text\": \"x\" } } ] }",
    "steps[3].replies[0]: missing member “contains” …" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"reply\", \"data\": { \"text\": \"a\" },"
      "\"replies\": [ { \"contains\": { \"text\": \"x\" }, \"dat\": { \"text\": \"x\" } } ] }",
    "steps[3].replies[0].dat: unknown member (did you mean “data”?)" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"mode\": \"mirror\" }",
    "steps[3].mode: must be “echo”, “discard” or “reply”" },
  { "{ \"socket\": \"c\", \"call\": \"serve\", \"connections\": 0 }",
    "steps[3].connections: must be a whole number from 1 to 2147483647" },
  { "{ \"socket\": \"c\", \"call\": \"shutdown\", \"how\": \"WR\" }",
    "steps[3].how: must be “read”, “write” or “both”" },
  { "{ \"socket\": \"c\", \"call\": \"listen\", \"backlog\": -1 }",
    "steps[3].backlog: must be a whole number from 0 to 2147483647" },
  { "{ \"socket\": \"c\", \"call\": \"bind\", \"port\": 65536 }",
    "steps[3].port: must be a whole number from 0 to 65535" },
  { "{ \"socket\": \"c\", \"call\": \"bind\", \"port\": true }",
    "steps[3].port: must be a whole number from 0 to 65535" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"to\": \"s\", \"port\": 1 }",
    "steps[3].to: give either “to” or “address” and “port”, not both" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"timeout-ms\": 0 }",
    "steps[3].timeout-ms: must be a whole number from 1 to 3600000" },
  { "{ \"call\": \"sleep\" }",
    "steps[3]: missing member “ms” (“sleep” needs it)" },
  { "{ \"call\": \"sleep\", \"ms\": 3600001 }",
    "steps[3].ms: must be a whole number from 0 to 3600000" },
  { "{ \"call\": \"note\" }",
    "steps[3]: missing member “text” (“note” needs it)" },
  { "{ \"call\": \"gethostbyname\" }",
    "steps[3]: missing member “host” (“gethostbyname” needs it)" },
  { "{ \"socket\": \"c\", \"call\": \"setsockopt\", \"option\": \"SO_REUSEADDR\" }",
    "steps[3]: missing member “value” (“setsockopt” needs it)" },
  { "{ \"socket\": \"c\", \"call\": \"setsockopt\", \"value\": 1 }",
    "steps[3]: missing member “option” (“setsockopt” needs it)" },
  { "{ \"socket\": \"c\", \"call\": \"setsockopt\", \"option\": \"SO_REUSEADR\", \"value\": 1 }",
    "steps[3].option: unknown socket option “SO_REUSEADR” (did you mean “SO_REUSEADDR”?)" },
  { "{ \"socket\": \"c\", \"call\": \"setsockopt\", \"option\": \"SO_LINGER\", \"value\": 1 }",
    "steps[3].option: unknown socket option “SO_LINGER”; the options are SO_REUSEADDR, …" },
  { "{ \"socket\": \"c\", \"call\": \"setsockopt\","
      "\"option\": \"TCP_NODELAY\", \"value\": \"yes\" }",
    "steps[3].value: must be true, false or a whole number from -2147483648 to 2147483647" },
  { "{ \"socket\": \"c\", \"call\": \"setsockopt\","
      "\"option\": \"SO_RCVBUF\", \"value\": 2147483648 }",
    "steps[3].value: must be true, false or a whole number from -2147483648 to 2147483647" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"expect\": {} }",
    "steps[3].expect: give at least one of “error”, “data”, “contains”, “bytes”, “ok” or “any”" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"expect\": [] }",
    "steps[3].expect: must be an object" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"expect\": { \"eror\": \"EPIPE\" } }",
    "steps[3].expect.eror: unknown member (did you mean “error”?)" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"expect\": { \"error\": \"ECONREFUSED\" } }",
    "steps[3].expect.error: unknown errno name “ECONREFUSED” (did you mean “ECONNREFUSED”?)" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"expect\": { \"error\": \"refused\" } }",
    "steps[3].expect.error: unknown errno name “refused”; give a name such as ECONNREFUSED "
    "or EADDRINUSE" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"expect\": { \"error\": 111 } }",
    "steps[3].expect.error: must be a string" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"expect\": { \"ok\": false } }",
    "steps[3].expect.ok: must be true (to expect a failure, give “error”)" },
  { "{ \"socket\": \"c\", \"call\": \"connect\", \"expect\": { \"any\": 1 } }",
    "steps[3].expect.any: must be true" },
  { "{ \"socket\": \"c\", \"call\": \"connect\","
      "\"expect\": { \"ok\": true, \"error\": \"EPIPE\" } }",
    "steps[3].expect: “error” and “ok” contradict each other" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"expect\": { \"bytes\": -1 } }",
    "steps[3].expect.bytes: must be a whole number, at least 0" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"expect\": { \"data\": { \"hex\": \"zz\" } } }",
    "steps[3].expect.data.hex: …" },
  { "{ \"socket\": \"c\", \"call\": \"recv\", \"expect\": { \"contains\": { \"text\": null } } }",
    "steps[3].expect.contains.text: must be a string" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpStep) step = NULL;

      g_test_message ("%s", error_cases[i].json);
      step = parse_step (error_cases[i].json, &error);
      g_assert_null (step);
      g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID);
      sp_test_assert_message (error->message, error_cases[i].message);
    }
}

/* A key of a thousand letters is cut in the message, not copied whole. */
static void
test_long_member_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  g_autofree char *name = g_strnfill (1000, 'q');
  g_autofree char *json = g_strdup_printf ("{ \"call\": \"sleep\", \"ms\": 1, \"%s\": 1 }", name);

  step = parse_step (json, &error);
  g_assert_null (step);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_INVALID);
  g_assert_cmpuint (strlen (error->message), <, 200);
  g_assert_true (strstr (error->message, "…") != NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Step/defaults", test_defaults);
  g_test_add_func ("/Sp/Step/parse-members", test_parse_members);
  g_test_add_func ("/Sp/Step/to-json-order", test_to_json_order);
  g_test_add_func ("/Sp/Step/to-json-reorders", test_to_json_reorders);
  g_test_add_func ("/Sp/Step/copy", test_copy);
  g_test_add_func ("/Sp/Step/replies", test_replies);
  g_test_add_func ("/Sp/Step/data", test_data);
  g_test_add_func ("/Sp/Step/data-bytes-only", test_data_bytes_only);
  g_test_add_func ("/Sp/Step/errors", test_errors);
  g_test_add_func ("/Sp/Step/long-member-name", test_long_member_name);

  return g_test_run ();
}
