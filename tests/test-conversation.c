/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-conversation.h"
#include "sp-test-util.h"

/* The chunks as "A>send:40 A>recv:10 B>recv:0", from their events. */
static char *
describe (SpTrafficLog   *log,
          SpConversation *conversation)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < conversation->chunks->len; i++)
    {
      const SpConversationChunk *chunk =
        &g_array_index (conversation->chunks, SpConversationChunk, i);
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, chunk->position);

      g_assert_cmpint (chunk->sent, ==, sp_event_get_kind (event) == SP_EVENT_SENT);
      g_string_append_printf (out, "%s%s>%s:%" G_GSIZE_FORMAT,
                              i > 0 ? " " : "", chunk->from_a ? "A" : "B",
                              chunk->sent ? "send" : "recv", sp_event_get_bytes (event));
    }

  return g_string_free (out, FALSE);
}

static guint
position_of (SpTrafficLog *log,
             const char   *socket_id,
             SpEventKind   kind,
             SpCall        call)
{
  g_autoptr(SpEvent) event = sp_test_find_event (log, socket_id, kind, call);

  g_assert_nonnull (event);
  return sp_event_get_seq (event);
}

/* One sendall of 40 bytes, read by recv(10), recv(10), recv(1024): the
 * conversation shows both sides' calls, whichever event it starts from. */
static void
test_stream_partial_reads (SpTestFixture *fixture,
                           gconstpointer  data)
{
  g_autoptr(SpPlayer) player = sp_test_run_preset (fixture, "partial-reads");
  g_autoptr(SpConversation) from_send = NULL;
  g_autoptr(SpConversation) from_recv = NULL;
  g_autoptr(SpEvent) sent = sp_test_find_event (fixture->log, "client", SP_EVENT_SENT,
                                                SP_CALL_SENDALL);
  g_autofree char *text = NULL;

  from_send = sp_conversation_find (fixture->log, sp_event_get_seq (sent), 0);
  g_assert_nonnull (from_send);
  text = describe (fixture->log, from_send);
  g_assert_cmpstr (text, ==, "A>send:40 A>recv:10 A>recv:10 A>recv:20");
  g_assert_cmpstr (from_send->endpoint_a, ==, sp_event_get_local (sent));
  g_assert_cmpstr (from_send->endpoint_b, ==, sp_event_get_remote (sent));
  g_assert_cmpuint (from_send->bytes_a_to_b, ==, 40);
  g_assert_cmpuint (from_send->bytes_b_to_a, ==, 0);
  g_assert_false (from_send->truncated);

  from_recv = sp_conversation_find (fixture->log,
                                    position_of (fixture->log, "conn", SP_EVENT_RECEIVED,
                                                 SP_CALL_RECV), 2);
  g_assert_nonnull (from_recv);
  g_assert_cmpstr (from_recv->endpoint_a, ==, from_send->endpoint_a);
  g_assert_cmpuint (from_recv->chunks->len, ==, 2);
  g_assert_true (from_recv->truncated);
}

static void
on_finished (SpPlayer *player,
             gboolean  all_passed,
             gboolean *done)
{
  *done = TRUE;
}

static gboolean
is_done (gpointer data)
{
  return *(gboolean *) data;
}

/* A sendall that timed out part way, to a peer that reads only later: the
 * bytes that went are the conversation's, as the bytes the peer reads. */
static void
test_stream_partial_sendall (SpTestFixture *fixture,
                             gconstpointer  data)
{
  g_autofree char *text = g_strnfill (262144, 'x');
  g_autofree char *json = g_strdup_printf (
    "{ \"format\": \"socket-playground-session\", \"version\": 1,"
    "  \"sockets\": ["
    "    { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\","
    "      \"address\": \"127.0.0.1\", \"port\": 0, \"options\": { \"SO_RCVBUF\": 4096 } },"
    "    { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\","
    "      \"options\": { \"SO_SNDBUF\": 4096 } } ],"
    "  \"steps\": ["
    "    { \"socket\": \"server\", \"call\": \"bind\" },"
    "    { \"socket\": \"server\", \"call\": \"listen\" },"
    "    { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },"
    "    { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" },"
    "    { \"socket\": \"client\", \"call\": \"sendall\", \"data\": { \"text\": \"%s\" },"
    "      \"timeout-ms\": 300, \"expect\": { \"error\": \"ETIMEDOUT\" } },"
    "    { \"socket\": \"conn\", \"call\": \"recv\", \"bufsize\": 16 } ] }", text);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "partial.json", &error);
  g_autoptr(SpPlayer) player = NULL;
  g_autoptr(SpEvent) sent = NULL;
  g_autoptr(SpConversation) conversation = NULL;
  g_autofree char *described = NULL;
  g_autofree char *expected = NULL;
  gboolean done = FALSE;

  g_assert_no_error (error);
  player = sp_player_new (session, fixture->log);
  g_signal_connect (player, "finished", G_CALLBACK (on_finished), &done);
  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (is_done, &done, SP_TEST_GUARD_MS));
  g_assert_cmpuint (sp_player_get_n_failed (player), ==, 0);

  sent = sp_test_find_event (fixture->log, "client", SP_EVENT_SENT, SP_CALL_SENDALL);
  g_assert_nonnull (sent);
  g_assert_false (sp_event_get_ok (sent));
  conversation = sp_conversation_find (fixture->log, sp_event_get_seq (sent), 0);
  g_assert_nonnull (conversation);
  described = describe (fixture->log, conversation);
  expected = g_strdup_printf ("A>send:%" G_GSIZE_FORMAT " A>recv:16", sp_event_get_bytes (sent));
  g_assert_cmpstr (described, ==, expected);
  g_assert_cmpuint (conversation->bytes_a_to_b, ==, sp_event_get_bytes (sent));

  g_signal_handlers_disconnect_by_data (player, &done);
}

/* Both ways over UDP: A is the client, who sent first. */
static void
test_datagram_both_ways (SpTestFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(SpPlayer) player = sp_test_run_preset (fixture, "udp");
  g_autoptr(SpConversation) conversation = NULL;
  g_autofree char *text = NULL;

  conversation = sp_conversation_find (fixture->log,
                                       position_of (fixture->log, "client", SP_EVENT_RECEIVED,
                                                    SP_CALL_RECVFROM), 0);
  g_assert_nonnull (conversation);
  text = describe (fixture->log, conversation);
  g_assert_cmpstr (text, ==, "A>send:14 A>recv:14 B>send:6 B>recv:6");
  g_assert_cmpuint (conversation->bytes_a_to_b, ==, 14);
  g_assert_cmpuint (conversation->bytes_b_to_a, ==, 6);
}

static void
append_data (SpTrafficLog *log,
             SpEventKind   kind,
             const char   *socket_id,
             const char   *local,
             const char   *remote,
             gsize         bytes)
{
  SpEventInfo info = {
    .kind = kind, .call = kind == SP_EVENT_SENT ? SP_CALL_SENDTO : SP_CALL_RECVFROM,
    .ok = TRUE, .step = -1, .socket_id = socket_id, .local = local, .remote = remote,
    .bytes = bytes,
  };

  sp_traffic_log_append (log, &info);
}

/* A server on the wildcard address hears each peer as its own
 * conversation; its own events name 0.0.0.0, the peers' name 127.0.0.1. */
static void
test_wildcard_datagram_peer (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpConversation) conversation = NULL;
  g_autofree char *text = NULL;
  SpEventInfo note = { .kind = SP_EVENT_NOTE, .ok = TRUE, .step = -1, .detail = "hi" };

  append_data (log, SP_EVENT_SENT, "one", "127.0.0.1:5555", "127.0.0.1:9000", 3);    /* 0 */
  append_data (log, SP_EVENT_SENT, "two", "127.0.0.1:6666", "127.0.0.1:9000", 4);    /* 1 */
  append_data (log, SP_EVENT_RECEIVED, "server", "0.0.0.0:9000", "127.0.0.1:5555", 3);
  append_data (log, SP_EVENT_RECEIVED, "server", "0.0.0.0:9000", "127.0.0.1:6666", 4);
  append_data (log, SP_EVENT_SENT, "server", "0.0.0.0:9000", "127.0.0.1:5555", 2);   /* 4 */
  append_data (log, SP_EVENT_RECEIVED, "one", "127.0.0.1:5555", "127.0.0.1:9001", 9);
  append_data (log, SP_EVENT_RECEIVED, "v6", "[::]:9000", "[::1]:5555", 1);
  sp_traffic_log_append (log, &note);

  conversation = sp_conversation_find (log, 4, 0);
  g_assert_nonnull (conversation);
  text = describe (log, conversation);
  g_assert_cmpstr (text, ==, "A>send:3 A>recv:3 B>send:2");
  g_assert_cmpstr (conversation->endpoint_a, ==, "127.0.0.1:5555");
  g_assert_cmpstr (conversation->endpoint_b, ==, "127.0.0.1:9000");

  /* A note has no endpoints. */
  g_assert_null (sp_conversation_find (log, 7, 0));
  g_assert_null (sp_conversation_find (log, 99, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Sp/Conversation/stream-partial-reads", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_stream_partial_reads, sp_test_fixture_tear_down);
  g_test_add ("/Sp/Conversation/stream-partial-sendall", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_stream_partial_sendall, sp_test_fixture_tear_down);
  g_test_add ("/Sp/Conversation/datagram-both-ways", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_datagram_both_ways, sp_test_fixture_tear_down);
  g_test_add_func ("/Sp/Conversation/wildcard-datagram-peer", test_wildcard_datagram_peer);

  return g_test_run ();
}
