/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-destinations.h"
#include "sp-test-util.h"

#define SESSION_HEAD \
  "{ \"format\": \"socket-playground-session\", \"version\": 1, \"title\": \"test\",\n"

static SpPlayer *
player_for (SpTestFixture *fixture,
            const char    *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_session_new_from_data (json, -1, "test", &error);

  g_assert_no_error (error);
  return sp_player_new (session, fixture->log);
}

/* The ids found, joined with spaces; ready ones marked with '*'. */
static char *
found_ids (SpPlayer     *player,
           const char   *id,
           SpFamily      family,
           SpSocketType  type,
           SpCall        call)
{
  g_autoptr(GPtrArray) found = sp_destinations_find (player, id, family, type, call);
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < found->len; i++)
    {
      SpDestination *destination = g_ptr_array_index (found, i);

      g_string_append_printf (text, "%s%s%s", i > 0 ? " " : "", destination->id,
                              destination->ready ? "*" : "");
      /* Where a ready socket is bound is known; a socket not ready yet has no address. */
      g_assert_true ((destination->where != NULL) == destination->ready);
    }

  return g_string_free (text, FALSE);
}

static gboolean
player_idle (gpointer data)
{
  return sp_player_get_state (SP_PLAYER (data)) != SP_PLAYER_RUNNING;
}

static gboolean
player_finished (gpointer data)
{
  return sp_player_get_state (SP_PLAYER (data)) == SP_PLAYER_FINISHED;
}

/* A stream connect goes to listeners only, of the same family and type:
 * the datagram "tx" that comes first in the session is never offered, and
 * a UNIX client is offered only the UNIX listener. */
static void
test_stream_family_and_type (SpTestFixture *fixture,
                             gconstpointer  data)
{
  g_autoptr(SpPlayer) player = player_for (fixture, SESSION_HEAD
    "\"sockets\": ["
    " { \"id\": \"tx\", \"family\": \"inet\", \"type\": \"dgram\" },"
    " { \"id\": \"plain\", \"family\": \"inet\", \"type\": \"stream\" },"
    " { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\" },"
    " { \"id\": \"userver\", \"family\": \"unix\", \"type\": \"stream\", \"address\": \"@sp-dest\" },"
    " { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" },"
    " { \"id\": \"uclient\", \"family\": \"unix\", \"type\": \"stream\" } ],"
    "\"steps\": ["
    " { \"socket\": \"server\", \"call\": \"listen\" },"
    " { \"socket\": \"userver\", \"call\": \"listen\" } ] }");
  g_autofree char *inet = found_ids (player, "client", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM,
                                     SP_CALL_CONNECT);
  g_autofree char *unix_ids = found_ids (player, "uclient", SP_FAMILY_UNIX,
                                         SP_SOCKET_TYPE_STREAM, SP_CALL_CONNECT);

  g_assert_cmpstr (inet, ==, "server");
  g_assert_cmpstr (unix_ids, ==, "userver");
}

/* A socket listening now comes before one the steps will make listen, and
 * a listener made by hand (no listen step in the file) is offered once it
 * listens. */
static void
test_ready_first (SpTestFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(SpPlayer) player = player_for (fixture, SESSION_HEAD
    "\"sockets\": ["
    " { \"id\": \"later\", \"family\": \"inet\", \"type\": \"stream\" },"
    " { \"id\": \"byhand\", \"family\": \"inet\", \"type\": \"stream\","
    "   \"address\": \"127.0.0.1\", \"port\": 0 },"
    " { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" } ],"
    "\"steps\": [ { \"socket\": \"later\", \"call\": \"serve\", \"mode\": \"echo\" } ] }");
  g_autofree char *before = found_ids (player, "client", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM,
                                       SP_CALL_CONNECT);
  g_autofree char *after = NULL;

  g_assert_cmpstr (before, ==, "later");

  /* By hand: a socket that is bound and listens becomes the likeliest. */
  {
    g_autoptr(SpStep) bind = sp_step_new ("byhand", SP_CALL_BIND);
    g_autoptr(SpStep) listen = sp_step_new ("byhand", SP_CALL_LISTEN);

    sp_player_perform (player, bind);
    sp_player_perform (player, listen);
    g_assert_true (sp_test_iterate_until (player_idle, player, SP_TEST_GUARD_MS));
  }

  after = found_ids (player, "client", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SP_CALL_CONNECT);
  g_assert_cmpstr (after, ==, "byhand* later");
}

/* A datagram socket can send to any other of its kind; bound ones first. */
static void
test_datagram (SpTestFixture *fixture,
               gconstpointer  data)
{
  g_autoptr(SpPlayer) player = player_for (fixture, SESSION_HEAD
    "\"sockets\": ["
    " { \"id\": \"other\", \"family\": \"inet\", \"type\": \"dgram\" },"
    " { \"id\": \"six\", \"family\": \"inet6\", \"type\": \"dgram\" },"
    " { \"id\": \"rx\", \"family\": \"inet\", \"type\": \"dgram\","
    "   \"address\": \"127.0.0.1\", \"port\": 0 },"
    " { \"id\": \"tx\", \"family\": \"inet\", \"type\": \"dgram\" } ],"
    "\"steps\": [ ] }");
  g_autofree char *before = found_ids (player, "tx", SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM,
                                       SP_CALL_SENDTO);
  g_autofree char *after = NULL;
  g_autoptr(SpStep) bind = sp_step_new ("rx", SP_CALL_BIND);

  g_assert_cmpstr (before, ==, "other rx");

  sp_player_perform (player, bind);
  g_assert_true (sp_test_iterate_until (player_idle, player, SP_TEST_GUARD_MS));

  after = found_ids (player, "tx", SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM, SP_CALL_SENDTO);
  g_assert_cmpstr (after, ==, "rx* other");
}

/* What accept returned is connected: never a destination. */
static void
test_accepted_excluded (SpTestFixture *fixture,
                        gconstpointer  data)
{
  g_autoptr(SpPlayer) player = player_for (fixture, SESSION_HEAD
    "\"sockets\": ["
    " { \"id\": \"server\", \"family\": \"inet\", \"type\": \"stream\","
    "   \"address\": \"127.0.0.1\", \"port\": 0 },"
    " { \"id\": \"client\", \"family\": \"inet\", \"type\": \"stream\" },"
    " { \"id\": \"second\", \"family\": \"inet\", \"type\": \"stream\" } ],"
    "\"steps\": ["
    " { \"socket\": \"server\", \"call\": \"bind\" },"
    " { \"socket\": \"server\", \"call\": \"listen\" },"
    " { \"socket\": \"client\", \"call\": \"connect\", \"to\": \"server\" },"
    " { \"socket\": \"server\", \"call\": \"accept\", \"as\": \"conn\" } ] }");
  g_autofree char *ids = NULL;

  sp_player_run (player);
  g_assert_true (sp_test_iterate_until (player_finished, player, SP_TEST_GUARD_MS));
  g_assert_true (sp_player_get_all_passed (player));
  g_assert_nonnull (sp_player_lookup_socket (player, "conn"));

  ids = found_ids (player, "second", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SP_CALL_CONNECT);
  g_assert_cmpstr (ids, ==, "server*");
  sp_player_restart (player);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, SpTestFixture, NULL, sp_test_fixture_set_up, func, sp_test_fixture_tear_down)

  ADD ("/Sp/Destinations/stream-family-and-type", test_stream_family_and_type);
  ADD ("/Sp/Destinations/ready-first", test_ready_first);
  ADD ("/Sp/Destinations/datagram", test_datagram);
  ADD ("/Sp/Destinations/accepted-excluded", test_accepted_excluded);

  return g_test_run ();
}
