/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sp-recording.h"
#include "sp-step.h"

/* SpRecording turns calls as traced programs reported them into a
 * session; here the calls are written out as SpTrace would add them. */

typedef struct
{
  const char *socket_id;
  SpCall      call;
  int         error_code;  /* 0: ok */
  const char *args;
  const char *local;
  const char *remote;
  const char *data;        /* sent, as text */
  gsize       bytes;       /* 0: the length of data */
  const char *new_id;
  gint64      start_us;
  gint64      end_us;
} Call;

static void
add (SpRecording *recording,
     const Call  *call)
{
  SpEventInfo info = { 0 };

  info.call = call->call;
  info.kind = call->call == SP_CALL_SEND || call->call == SP_CALL_SENDALL ||
              call->call == SP_CALL_SENDTO ? SP_EVENT_SENT : SP_EVENT_CALL;
  info.ok = call->error_code == 0;
  info.error_code = call->error_code;
  info.socket_id = call->socket_id;
  info.args = call->args;
  info.local = call->local;
  info.remote = call->remote;
  info.payload = (const guint8 *) call->data;
  info.payload_len = call->data != NULL ? strlen (call->data) : 0;
  info.bytes = call->bytes != 0 ? call->bytes : info.payload_len;
  sp_recording_add (recording, &info, "inet", "stream", call->new_id,
                    call->start_us, call->end_us);
}

/* The session as its file says it, one line a step, for comparing. */
static char *
describe_steps (SpSession *session)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      g_autoptr(JsonNode) node = sp_step_to_json (sp_session_get_step (session, i));
      g_autofree char *json = json_to_string (node, FALSE);

      g_string_append_printf (text, "%s\n", json);
    }
  return g_string_free (text, FALSE);
}

static SpSession *
record (const Call *calls,
        guint       n_calls,
        guint      *n_left_out)
{
  g_autoptr(SpRecording) recording = sp_recording_new ();
  g_autoptr(SpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  SpSession *reread;

  for (guint i = 0; i < n_calls; i++)
    add (recording, &calls[i]);
  g_assert_cmpuint (sp_recording_get_n_calls (recording), ==, n_calls);
  session = sp_recording_to_session (recording, "recorded", n_left_out);

  /* What is written is a session that loads. */
  data = sp_session_to_data (session, NULL);
  reread = sp_session_new_from_data (data, -1, "recorded", &error);
  g_assert_no_error (error);
  return reread;
}

/* The notes' echo server and client, reported in the order two processes'
 * reports can arrive: the client's connect before the server's listen,
 * the server's recv before the client's sendall it woke. */
static void
test_echo (void)
{
  static const Call calls[] = {
    { "server.py:3", SP_CALL_SOCKET, 0, "socket.AF_INET, socket.SOCK_STREAM", .start_us = 10, .end_us = 11 },
    { "server.py:3", SP_CALL_BIND, 0, "('127.0.0.1', 0)", "127.0.0.1:40000", .start_us = 12, .end_us = 13 },
    { "client.py:3", SP_CALL_SOCKET, 0, "socket.AF_INET, socket.SOCK_STREAM", .start_us = 30, .end_us = 31 },
    { "client.py:3", SP_CALL_CONNECT, 0, "('127.0.0.1', 40000)", "127.0.0.1:50000", "127.0.0.1:40000", .start_us = 32, .end_us = 33 },
    { "server.py:3", SP_CALL_LISTEN, 0, "", "127.0.0.1:40000", .start_us = 14, .end_us = 15 },
    { "server.py:3", SP_CALL_ACCEPT, 0, NULL, "127.0.0.1:40000", "127.0.0.1:50000", .new_id = "server.py:4", .end_us = 34 },
    { "server.py:4", SP_CALL_RECV, 0, "1024", .data = "Hello", .end_us = 36 },
    { "client.py:3", SP_CALL_SENDALL, 0, NULL, .data = "Hello", .start_us = 35, .end_us = 37 },
    { "server.py:4", SP_CALL_CLOSE, 0, .start_us = 40, .end_us = 41 },
    { "server.py:3", SP_CALL_CLOSE, 0, .start_us = 42, .end_us = 43 },
    { "client.py:3", SP_CALL_CLOSE, 0, .start_us = 44, .end_us = 45 },
  };
  g_autoptr(SpSession) session = NULL;
  g_autofree char *steps = NULL;
  GListModel *sockets;
  guint n_left_out = 99;

  session = record (calls, G_N_ELEMENTS (calls), &n_left_out);
  g_assert_cmpuint (n_left_out, ==, 0);

  /* The accepted socket is no socket of the file: accept names it. */
  sockets = sp_session_get_sockets (session);
  g_assert_cmpuint (g_list_model_get_n_items (sockets), ==, 2);
  g_assert_nonnull (sp_session_find_socket (session, "server_3"));
  g_assert_nonnull (sp_session_find_socket (session, "client_3"));

  steps = describe_steps (session);
  g_assert_cmpstr (steps, ==,
    "{\"socket\":\"server_3\",\"call\":\"socket\"}\n"
    "{\"socket\":\"server_3\",\"call\":\"bind\",\"address\":\"127.0.0.1\",\"port\":0}\n"
    "{\"socket\":\"server_3\",\"call\":\"listen\"}\n"
    "{\"socket\":\"client_3\",\"call\":\"socket\"}\n"
    "{\"socket\":\"client_3\",\"call\":\"connect\",\"to\":\"server_3\"}\n"
    "{\"socket\":\"server_3\",\"call\":\"accept\",\"as\":\"server_4\"}\n"
    "{\"socket\":\"client_3\",\"call\":\"sendall\",\"data\":{\"text\":\"Hello\"}}\n"
    "{\"socket\":\"server_4\",\"call\":\"recv\",\"bufsize\":1024}\n"
    "{\"socket\":\"server_4\",\"call\":\"close\"}\n"
    "{\"socket\":\"server_3\",\"call\":\"close\"}\n"
    "{\"socket\":\"client_3\",\"call\":\"close\"}\n");
}

/* A listener on the wildcard is where a connect to loopback on its port
 * went; one on another port is not. */
static void
test_wildcard_listener (void)
{
  static const Call calls[] = {
    { "srv:3", SP_CALL_BIND, 0, "('', 5000)", "0.0.0.0:5000", .end_us = 1 },
    { "srv:3", SP_CALL_LISTEN, 0, "5", .end_us = 2 },
    { "cli:3", SP_CALL_CONNECT, 0, "('localhost', 5000)", NULL, "127.0.0.1:5000", .end_us = 3 },
    { "cli:4", SP_CALL_CONNECT, ECONNREFUSED, "('127.0.0.1', 5001)", NULL, "127.0.0.1:5001", .end_us = 4 },
  };
  g_autoptr(SpSession) session = record (calls, G_N_ELEMENTS (calls), NULL);
  g_autofree char *steps = describe_steps (session);

  g_assert_cmpstr (steps, ==,
    "{\"socket\":\"srv_3\",\"call\":\"bind\",\"address\":\"\",\"port\":5000}\n"
    "{\"socket\":\"srv_3\",\"call\":\"listen\",\"backlog\":5}\n"
    "{\"socket\":\"cli_3\",\"call\":\"connect\",\"to\":\"srv_3\"}\n"
    "{\"socket\":\"cli_4\",\"call\":\"connect\",\"address\":\"127.0.0.1\",\"port\":5001,"
    "\"expect\":{\"error\":\"ECONNREFUSED\"}}\n");
}

/* What a replay's blocking calls cannot do is left out and counted; a
 * non-blocking connect under way is the connect it became. */
static void
test_non_blocking (void)
{
  static const Call calls[] = {
    { "c:3", SP_CALL_CONNECT, EINPROGRESS, "('127.0.0.1', 7)", NULL, "127.0.0.1:7", .end_us = 1 },
    { "c:3", SP_CALL_RECV, EAGAIN, "1024", .end_us = 2 },
    { "c:3", SP_CALL_SEND, EINTR, NULL, .end_us = 3 },
    { "c:3", SP_CALL_SETSOCKOPT, 0, "socket.SOL_SOCKET, socket.SO_PRIORITY, 6", .end_us = 4 },
    { "c:3", SP_CALL_SETSOCKOPT, 0, "socket.SOL_SOCKET, socket.SO_REUSEADDR, 1", .end_us = 5 },
    { "c:3", SP_CALL_SHUTDOWN, 0, "socket.SHUT_WR", .end_us = 6 },
  };
  guint n_left_out = 0;
  g_autoptr(SpSession) session = record (calls, G_N_ELEMENTS (calls), &n_left_out);
  g_autofree char *steps = describe_steps (session);

  g_assert_cmpuint (n_left_out, ==, 3);
  g_assert_cmpstr (steps, ==,
    "{\"socket\":\"c_3\",\"call\":\"connect\",\"address\":\"127.0.0.1\",\"port\":7}\n"
    "{\"socket\":\"c_3\",\"call\":\"setsockopt\",\"option\":\"SO_REUSEADDR\",\"value\":1}\n"
    "{\"socket\":\"c_3\",\"call\":\"shutdown\",\"how\":\"write\"}\n");
}

/* Ids a Python program can take as names; a descriptor closed and made
 * again is another socket; two processes' descriptors are apart. */
static void
test_ids (void)
{
  static const Call calls[] = {
    { "1st-try.py:3", SP_CALL_SOCKET, 0, .end_us = 1 },
    { "1st-try.py:3", SP_CALL_CLOSE, 0, .end_us = 2 },
    { "1st-try.py:3", SP_CALL_SOCKET, 0, .end_us = 3 },
    { "1st-try.py[77]:3", SP_CALL_SOCKET, 0, .end_us = 4 },
  };
  g_autoptr(SpSession) session = record (calls, G_N_ELEMENTS (calls), NULL);
  GListModel *sockets = sp_session_get_sockets (session);
  const char *expected[] = { "s_1st_try_3", "s_1st_try_3_2", "s_1st_try_3_3" };

  g_assert_cmpuint (g_list_model_get_n_items (sockets), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (sockets, i);

      g_assert_cmpstr (config->id, ==, expected[i]);
    }
}

/* Bytes that are not text are written in hex; a send larger than the
 * tracer reported says so in its note. */
static void
test_data (void)
{
  static const Call calls[] = {
    { "c:3", SP_CALL_SEND, 0, .data = "\xff\x01", .end_us = 1 },
    { "c:3", SP_CALL_SENDALL, 0, .data = "abc", .bytes = 10, .end_us = 2 },
  };
  g_autoptr(SpSession) session = record (calls, G_N_ELEMENTS (calls), NULL);
  SpStep *binary = sp_session_get_step (session, 0);
  SpStep *cut = sp_session_get_step (session, 1);

  g_assert_cmpstr (binary->data->hex, ==, "ff 01");
  g_assert_cmpstr (cut->data->text, ==, "abc");
  g_assert_nonnull (strstr (cut->note, "10 bytes"));
}

/* Past its cap a recording keeps a send without its bytes, and says so. */
static void
test_data_cap (void)
{
  static const Call calls[] = {
    { "c:3", SP_CALL_SEND, 0, .data = "abc", .end_us = 1 },
    { "c:3", SP_CALL_SEND, 0, .data = "defg", .end_us = 2 },
  };
  g_autoptr(SpRecording) recording = sp_recording_new ();
  g_autoptr(SpSession) session = NULL;
  SpStep *kept, *over;

  sp_recording_set_data_cap (recording, 5);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    add (recording, &calls[i]);
  session = sp_recording_to_session (recording, "capped", NULL);
  kept = sp_session_get_step (session, 0);
  over = sp_session_get_step (session, 1);

  g_assert_cmpstr (kept->data->text, ==, "abc");
  g_assert_null (kept->note);
  g_assert_cmpuint (g_bytes_get_size (over->data->bytes), ==, 0);
  g_assert_nonnull (strstr (over->note, "sent 4 bytes; the first 0"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Recording/echo", test_echo);
  g_test_add_func ("/Sp/Recording/wildcard-listener", test_wildcard_listener);
  g_test_add_func ("/Sp/Recording/non-blocking", test_non_blocking);
  g_test_add_func ("/Sp/Recording/ids", test_ids);
  g_test_add_func ("/Sp/Recording/data", test_data);
  g_test_add_func ("/Sp/Recording/data-cap", test_data_cap);

  return g_test_run ();
}
