/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-test-util.h"
#include "sp-traffic-filter.h"

static void
append (SpTrafficLog *log,
        SpEventKind   kind,
        gboolean      ok,
        const char   *socket_id,
        const char   *payload)
{
  SpEventInfo info = {
    .kind = kind,
    .call = kind == SP_EVENT_SENT ? SP_CALL_SEND : kind == SP_EVENT_RECEIVED ? SP_CALL_RECV
                                                                              : SP_CALL_CONNECT,
    .ok = ok,
    .error_code = ok ? 0 : 111,
    .step = -1,
    .socket_id = socket_id,
    .payload = (const guint8 *) payload,
    .payload_len = payload != NULL ? strlen (payload) : 0,
    .bytes = payload != NULL ? strlen (payload) : 0,
  };

  sp_traffic_log_append (log, &info);
}

/* The log positions the model shows, as "0 2 5". */
static char *
shown (SpTrafficFilter *filter)
{
  GString *out = g_string_new (NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (filter));

  for (guint row = 0; row < n; row++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (filter), row);

      g_assert_cmpuint (sp_traffic_filter_get_position (filter, row), ==, sp_event_get_seq (event));
      g_string_append_printf (out, "%s%u", row > 0 ? " " : "", sp_event_get_seq (event));
    }

  return g_string_free (out, FALSE);
}

#define assert_shown(filter, expected) \
  G_STMT_START { \
    g_autofree char *text_ = shown (filter); \
    g_assert_cmpstr (text_, ==, expected); \
  } G_STMT_END

static void
fill (SpTrafficLog *log)
{
  append (log, SP_EVENT_CALL, TRUE, "client", NULL);           /* 0 */
  append (log, SP_EVENT_SENT, TRUE, "client", "Hello");        /* 1 */
  append (log, SP_EVENT_RECEIVED, TRUE, "conn", "Hello");      /* 2 */
  append (log, SP_EVENT_CALL, FALSE, "other", NULL);           /* 3 */
  append (log, SP_EVENT_SENT, TRUE, "conn", "bye\r\n");        /* 4 */
  append (log, SP_EVENT_NOTE, TRUE, NULL, NULL);               /* 5 */
  sp_traffic_log_flush (log);
}

static void
test_criteria (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpTrafficFilter) filter = sp_traffic_filter_new ();
  g_autoptr(GBytes) crlf = g_bytes_new_static ("\r\n", 2);
  g_autoptr(GBytes) hello = g_bytes_new_static ("Hello", 5);

  fill (log);
  sp_traffic_filter_set_log (filter, log);
  assert_shown (filter, "0 1 2 3 4 5");

  sp_traffic_filter_set_socket_id (filter, "conn");
  assert_shown (filter, "2 4");
  sp_traffic_filter_set_socket_id (filter, "nobody");
  assert_shown (filter, "");
  sp_traffic_filter_set_socket_id (filter, NULL);

  sp_traffic_filter_set_show (filter, SP_TRAFFIC_SHOW_DATA);
  assert_shown (filter, "1 2 4");
  sp_traffic_filter_set_show (filter, SP_TRAFFIC_SHOW_LIFECYCLE);
  assert_shown (filter, "0 3 5");
  sp_traffic_filter_set_show (filter, SP_TRAFFIC_SHOW_ERRORS);
  assert_shown (filter, "3");
  sp_traffic_filter_set_show (filter, SP_TRAFFIC_SHOW_DATA);

  sp_traffic_filter_set_needle (filter, crlf);
  assert_shown (filter, "4");
  sp_traffic_filter_set_needle (filter, hello);
  sp_traffic_filter_set_socket_id (filter, "client");
  assert_shown (filter, "1");

  /* Every criterion off again: the log itself. */
  sp_traffic_filter_set_needle (filter, NULL);
  sp_traffic_filter_set_socket_id (filter, NULL);
  sp_traffic_filter_set_show (filter, SP_TRAFFIC_SHOW_ALL);
  assert_shown (filter, "0 1 2 3 4 5");

  g_clear_object (&filter);
  g_assert_finalize_object (g_steal_pointer (&log));
}

/* A NUL byte in the needle is searched for in payloads, which may hold it. */
static void
test_needle_with_nul (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpTrafficFilter) filter = sp_traffic_filter_new ();
  g_autoptr(GBytes) needle = g_bytes_new_static ("\x00\x01", 2);
  const guint8 binary[] = { 0x10, 0x00, 0x01, 0x02 };
  SpEventInfo info = {
    .kind = SP_EVENT_RECEIVED, .call = SP_CALL_RECV, .ok = TRUE, .step = -1,
    .socket_id = "conn", .payload = binary, .payload_len = sizeof binary, .bytes = sizeof binary,
  };

  append (log, SP_EVENT_SENT, TRUE, "client", "\x01");
  sp_traffic_log_append (log, &info);
  sp_traffic_log_flush (log);

  sp_traffic_filter_set_log (filter, log);
  sp_traffic_filter_set_needle (filter, needle);
  assert_shown (filter, "1");
}

typedef struct
{
  guint position;
  guint removed;
  guint added;
  guint n_changes;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Change     *change)
{
  change->position = position;
  change->removed = removed;
  change->added = added;
  change->n_changes++;
}

/* New events reach a filtered model as appends of only the matches. */
static void
test_follows_appends (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpTrafficFilter) filter = sp_traffic_filter_new ();
  Change change = { 0 };
  guint row;

  fill (log);
  sp_traffic_filter_set_log (filter, log);
  sp_traffic_filter_set_socket_id (filter, "conn");
  g_signal_connect (filter, "items-changed", G_CALLBACK (on_items_changed), &change);

  append (log, SP_EVENT_SENT, TRUE, "client", "more");
  append (log, SP_EVENT_RECEIVED, TRUE, "conn", "more");
  sp_traffic_log_flush (log);

  g_assert_cmpuint (change.n_changes, ==, 1);
  g_assert_cmpuint (change.position, ==, 2);
  g_assert_cmpuint (change.removed, ==, 0);
  g_assert_cmpuint (change.added, ==, 1);
  assert_shown (filter, "2 4 7");

  g_assert_true (sp_traffic_filter_find_row (filter, 7, &row));
  g_assert_cmpuint (row, ==, 2);
  g_assert_false (sp_traffic_filter_find_row (filter, 6, &row));

  /* A restart clears the log, and the model with it. */
  sp_traffic_log_clear (log);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, 0);
  g_assert_cmpuint (change.removed, ==, 3);

  g_signal_handlers_disconnect_by_data (filter, &change);
}

static gboolean
scan_done (gpointer data)
{
  return !sp_traffic_filter_get_scanning (data);
}

/* A large log is scanned in slices: the old result stays until the new
 * one is whole, and appends during the scan are not lost. */
static void
test_scan_in_slices (SpTestFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpTrafficFilter) filter = sp_traffic_filter_new ();
  const guint n = 600000;

  for (guint i = 0; i < n; i++)
    append (fixture->log, SP_EVENT_SENT, TRUE, i % 3 == 0 ? "a" : "b", "x");
  sp_traffic_log_flush (fixture->log);

  sp_traffic_filter_set_log (filter, fixture->log);
  sp_traffic_filter_set_socket_id (filter, "a");
  g_assert_true (sp_traffic_filter_get_scanning (filter));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, n);

  append (fixture->log, SP_EVENT_SENT, TRUE, "a", "y");
  sp_traffic_log_flush (fixture->log);

  g_assert_true (sp_test_iterate_until (scan_done, filter, SP_TEST_GUARD_MS));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (filter)), ==, n / 3 + 1);
  g_assert_cmpuint (sp_traffic_filter_get_position (filter, n / 3), ==, n);
}

/* The cap's marker shows whatever the kind filter. */
static void
test_dropped_marker_always_shown (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpTrafficFilter) filter = sp_traffic_filter_new ();
  g_autofree char *big = g_strnfill (4096, 'z');
  g_autoptr(SpEvent) last = NULL;
  guint n;

  sp_traffic_log_set_payload_cap (log, 8192);
  for (guint i = 0; i < 8; i++)
    append (log, SP_EVENT_SENT, TRUE, "client", big);
  sp_traffic_log_flush (log);
  g_assert_cmpuint (sp_traffic_log_get_dropped_events (log), >, 0);

  sp_traffic_filter_set_log (filter, log);
  sp_traffic_filter_set_show (filter, SP_TRAFFIC_SHOW_LIFECYCLE);
  n = g_list_model_get_n_items (G_LIST_MODEL (filter));
  g_assert_cmpuint (n, >=, 1);
  last = g_list_model_get_item (G_LIST_MODEL (filter), n - 1);
  g_assert_cmpint (sp_event_get_kind (last), ==, SP_EVENT_DROPPED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/TrafficFilter/criteria", test_criteria);
  g_test_add_func ("/Sp/TrafficFilter/needle-with-nul", test_needle_with_nul);
  g_test_add_func ("/Sp/TrafficFilter/follows-appends", test_follows_appends);
  g_test_add ("/Sp/TrafficFilter/scan-in-slices", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_scan_in_slices, sp_test_fixture_tear_down);
  g_test_add_func ("/Sp/TrafficFilter/dropped-marker", test_dropped_marker_always_shown);

  return g_test_run ();
}
