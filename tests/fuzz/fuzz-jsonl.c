/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "fuzz-common.h"
#include "sp-json-strict.h"
#include "sp-log-export.h"
#include "sp-traffic-log.h"

/* The JSON Lines writer escapes strings by hand, and its strings are not
 * all the player's own: a peer's UNIX path, a traced program's arguments
 * and a session's notes reach it too. One event from the input:
 *
 *   kind call flags errno state data_limit
 *   len socket[len] len local[len] len remote[len] len args[len] len detail[len]
 *   payload (the rest)
 *
 * one byte each but the strings and the payload; a string's length byte
 * 0xff means no string (NULL). Its line must be one JSON object on one
 * line that json-glib reads, every UTF-8 string in it must come back as it
 * was given, and data_hex must be the payload's bytes. */

static const int error_codes[] = { 0, ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT, EINVAL };

static char *
take_string (SpFuzzInput *input,
             GPtrArray   *strings)
{
  guint8 length = sp_fuzz_input_byte (input);
  char *text;

  if (length == 0xff)
    return NULL;

  text = sp_fuzz_input_string (input, length, NULL);
  g_ptr_array_add (strings, text);
  return text;
}

/* A string member as the writer must have written it: null for no string,
 * the same text for UTF-8 (cut at a NUL, as a C string is), and some valid
 * string for anything else. */
static void
assert_string_member (JsonObject *object,
                      const char *member,
                      const char *given)
{
  JsonNode *node = json_object_get_member (object, member);

  g_assert_nonnull (node);
  if (given == NULL)
    {
      g_assert_true (JSON_NODE_HOLDS_NULL (node));
      return;
    }

  g_assert_cmpint (json_node_get_value_type (node), ==, G_TYPE_STRING);
  if (g_utf8_validate (given, -1, NULL))
    g_assert_cmpstr (json_node_get_string (node), ==, given);
  else
    g_assert_true (g_utf8_validate (json_node_get_string (node), -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  SpFuzzInput input = { data, size, 0 };
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  g_autoptr(GString) hex = g_string_new (NULL);
  g_autofree char *line = NULL;
  SpEventInfo info = { 0 };
  SpJsonStrictEnd end;
  JsonObject *object;
  JsonNode *root;
  gint64 data_limit;
  guint8 flags;
  gsize shown;

  info.kind = sp_fuzz_input_byte (&input) % (SP_EVENT_DROPPED + 1);
  info.call = sp_fuzz_input_byte (&input) % SP_N_CALLS;
  flags = sp_fuzz_input_byte (&input);
  info.ok = (flags & 1) != 0;
  info.step = (flags & 2) != 0 ? (int) (flags >> 2) : -1;
  info.error_code = error_codes[sp_fuzz_input_byte (&input) % G_N_ELEMENTS (error_codes)];
  info.state = sp_fuzz_input_byte (&input) % SP_N_STATES;
  data_limit = sp_fuzz_input_byte (&input);
  if (data_limit == 0xff)
    data_limit = G_MAXINT64;
  info.socket_id = take_string (&input, strings);
  info.local = take_string (&input, strings);
  info.remote = take_string (&input, strings);
  info.args = take_string (&input, strings);
  info.detail = take_string (&input, strings);
  info.payload_len = size - MIN (input.pos, size);
  info.payload = info.payload_len > 0 ? data + input.pos : NULL;
  info.bytes = info.payload_len;

  sp_traffic_log_append (log, &info);
  event = sp_traffic_log_get_event (log, 0);
  line = sp_log_export_event_to_json (event, data_limit);

  /* JSON Lines: a newline inside the object would split it in two. */
  g_assert_null (strchr (line, '\n'));
  /* Nor may it hold what json-glib lets pass: a member twice, a lone
   * surrogate. */
  if (!sp_json_strict_check (line, strlen (line), "line", &end, &error))
    g_error ("The writer's line is not strict JSON: %s\n%s", error->message, line);
  if (!json_parser_load_from_data (parser, line, -1, &error))
    g_error ("The writer's line does not parse: %s\n%s", error->message, line);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);

  assert_string_member (object, "socket", info.socket_id);
  assert_string_member (object, "local", info.local);
  assert_string_member (object, "remote", info.remote);
  assert_string_member (object, "args", info.args);
  assert_string_member (object, "result", info.detail);

  shown = MIN ((guint64) info.payload_len, (guint64) data_limit);
  for (gsize i = 0; i < shown; i++)
    g_string_append_printf (hex, "%02x", info.payload[i]);
  if (info.payload == NULL)
    g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (object, "data_hex")));
  else
    g_assert_cmpstr (json_object_get_string_member (object, "data_hex"), ==, hex->str);
  g_assert_true (json_object_get_boolean_member_with_default (object, "truncated", FALSE) ==
                 (shown < info.payload_len));
  return 0;
}
