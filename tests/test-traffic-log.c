/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <string.h>

#include "sp-traffic-log.h"

#define KiB ((gsize) 1024)
#define MiB (1024 * KiB)

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

typedef struct
{
  GArray *changes;     /* Change */
  GArray *appended;    /* guint */
  guint   n_dropped_notifies;
} Recorder;

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Recorder   *recorder)
{
  Change change = { position, removed, added };

  g_array_append_val (recorder->changes, change);
}

static void
appended_cb (SpTrafficLog *log,
             guint         position,
             Recorder     *recorder)
{
  /* The event must be readable while the signal runs. */
  g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, position);

  g_assert_nonnull (event);
  g_assert_cmpuint (sp_event_get_seq (event), ==, position);
  g_array_append_val (recorder->appended, position);
}

static void
dropped_bytes_cb (SpTrafficLog *log,
                  GParamSpec   *pspec,
                  Recorder     *recorder)
{
  recorder->n_dropped_notifies++;
}

static void
recorder_init (Recorder     *recorder,
               SpTrafficLog *log)
{
  recorder->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  recorder->appended = g_array_new (FALSE, FALSE, sizeof (guint));
  recorder->n_dropped_notifies = 0;
  g_signal_connect (log, "items-changed", G_CALLBACK (items_changed_cb), recorder);
  g_signal_connect (log, "appended", G_CALLBACK (appended_cb), recorder);
  g_signal_connect (log, "notify::dropped-bytes", G_CALLBACK (dropped_bytes_cb), recorder);
}

static void
recorder_clear (Recorder     *recorder,
                SpTrafficLog *log)
{
  g_signal_handlers_disconnect_by_data (log, recorder);
  g_clear_pointer (&recorder->changes, g_array_unref);
  g_clear_pointer (&recorder->appended, g_array_unref);
}

static void
assert_change (Recorder *recorder,
               guint     index,
               guint     position,
               guint     removed,
               guint     added)
{
  const Change *change;

  g_assert_cmpuint (index, <, recorder->changes->len);
  change = &g_array_index (recorder->changes, Change, index);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

/* Runs the main loop until `changes` reaches `n` or two seconds pass. */
static void
wait_for_changes (Recorder *recorder,
                  guint     n)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add (2000, timeout_cb, &timed_out);

  while (recorder->changes->len < n && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

/* Runs the main loop for `ms` milliseconds. */
static void
spin (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, timeout_cb, &timed_out);

  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static void
append_simple (SpTrafficLog *log,
               const char   *socket_id,
               const guint8 *payload,
               gsize         payload_len)
{
  SpEventInfo info = {
    .kind = SP_EVENT_SENT,
    .call = SP_CALL_SEND,
    .ok = TRUE,
    .state = SP_STATE_CONNECTED,
    .step = -1,
    .socket_id = socket_id,
    .bytes = payload_len,
    .payload = payload,
    .payload_len = payload_len,
  };

  sp_traffic_log_append (log, &info);
}

static void
test_append (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) call = NULL;
  g_autoptr(SpEvent) received = NULL;
  g_autoptr(SpEvent) eof = NULL;
  g_autoptr(GBytes) payload = NULL;
  static const guint8 hello[] = "Hello World";
  gint64 wall_before = g_get_real_time ();
  gint64 wall_after;
  Recorder recorder;
  SpEventInfo info = {
    .kind = SP_EVENT_CALL,
    .call = SP_CALL_CONNECT,
    .ok = FALSE,
    .error_code = 111,
    .state = SP_STATE_CREATED,
    .step = 3,
    .socket_id = "client",
    .local = "127.0.0.1:40000",
    .remote = "127.0.0.1:9",
    .bytes = 0,
    .detail = "ConnectionRefusedError",
    .args = "('127.0.0.1', 9)",
  };

  recorder_init (&recorder, log);

  g_assert_cmpuint (sp_traffic_log_append (log, &info), ==, 0);

  info = (SpEventInfo) {
    .kind = SP_EVENT_RECEIVED,
    .call = SP_CALL_RECV,
    .ok = TRUE,
    .state = SP_STATE_CONNECTED,
    .step = 5,
    .socket_id = "conn",
    .local = "[::1]:65432",
    .remote = "[::1]:50000",
    .bytes = 11,
    .payload = hello,
    .payload_len = 11,
    .detail = "b'Hello World'",
    .args = "1024",
  };
  g_usleep (1000);
  g_assert_cmpuint (sp_traffic_log_append (log, &info), ==, 1);

  /* EOF: a payload of no bytes is an empty payload, not a missing one. */
  info = (SpEventInfo) {
    .kind = SP_EVENT_RECEIVED,
    .call = SP_CALL_RECV,
    .ok = TRUE,
    .state = SP_STATE_CONNECTED,
    .step = 6,
    .payload = hello,
    .payload_len = 0,
  };
  g_assert_cmpuint (sp_traffic_log_append (log, &info), ==, 2);
  wall_after = g_get_real_time ();

  /* "appended" fired once per event, synchronously. */
  g_assert_cmpuint (recorder.appended->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (g_array_index (recorder.appended, guint, i), ==, i);
  g_assert_cmpuint (sp_traffic_log_get_n_appended (log), ==, 3);

  call = sp_traffic_log_get_event (log, 0);
  g_assert_cmpuint (sp_event_get_seq (call), ==, 0);
  g_assert_cmpint (sp_event_get_kind (call), ==, SP_EVENT_CALL);
  g_assert_cmpint (sp_event_get_call (call), ==, SP_CALL_CONNECT);
  g_assert_false (sp_event_get_ok (call));
  g_assert_cmpint (sp_event_get_error_code (call), ==, 111);
  g_assert_cmpint (sp_event_get_state (call), ==, SP_STATE_CREATED);
  g_assert_cmpint (sp_event_get_step (call), ==, 3);
  g_assert_cmpstr (sp_event_get_socket_id (call), ==, "client");
  g_assert_cmpstr (sp_event_get_local (call), ==, "127.0.0.1:40000");
  g_assert_cmpstr (sp_event_get_remote (call), ==, "127.0.0.1:9");
  g_assert_cmpuint (sp_event_get_bytes (call), ==, 0);
  g_assert_null (sp_event_get_payload (call));
  g_assert_false (sp_event_get_payload_dropped (call));
  g_assert_cmpstr (sp_event_get_detail (call), ==, "ConnectionRefusedError");
  g_assert_cmpstr (sp_event_get_args (call), ==, "('127.0.0.1', 9)");

  received = sp_traffic_log_get_event (log, 1);
  g_assert_cmpuint (sp_event_get_seq (received), ==, 1);
  g_assert_cmpint (sp_event_get_kind (received), ==, SP_EVENT_RECEIVED);
  g_assert_cmpint (sp_event_get_call (received), ==, SP_CALL_RECV);
  g_assert_true (sp_event_get_ok (received));
  g_assert_cmpint (sp_event_get_error_code (received), ==, 0);
  g_assert_cmpint (sp_event_get_state (received), ==, SP_STATE_CONNECTED);
  g_assert_cmpint (sp_event_get_step (received), ==, 5);
  g_assert_cmpstr (sp_event_get_socket_id (received), ==, "conn");
  g_assert_cmpstr (sp_event_get_local (received), ==, "[::1]:65432");
  g_assert_cmpstr (sp_event_get_remote (received), ==, "[::1]:50000");
  g_assert_cmpuint (sp_event_get_bytes (received), ==, 11);
  payload = sp_event_get_payload (received);
  g_assert_nonnull (payload);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), hello, 11);
  g_assert_false (sp_event_get_payload_dropped (received));
  g_assert_cmpstr (sp_event_get_detail (received), ==, "b'Hello World'");
  g_assert_cmpstr (sp_event_get_args (received), ==, "1024");
  g_clear_pointer (&payload, g_bytes_unref);

  eof = sp_traffic_log_get_event (log, 2);
  g_assert_null (sp_event_get_socket_id (eof));
  g_assert_null (sp_event_get_local (eof));
  g_assert_null (sp_event_get_remote (eof));
  g_assert_null (sp_event_get_detail (eof));
  g_assert_null (sp_event_get_args (eof));
  payload = sp_event_get_payload (eof);
  g_assert_nonnull (payload);
  g_assert_cmpuint (g_bytes_get_size (payload), ==, 0);

  /* Times are monotonic offsets from the start; wall time adds the start. */
  g_assert_cmpint (sp_event_get_time_us (call), >=, 0);
  g_assert_cmpint (sp_event_get_time_us (received), >=, sp_event_get_time_us (call) + 1000);
  g_assert_cmpint (sp_event_get_time_us (eof), >=, sp_event_get_time_us (received));
  g_assert_cmpint (sp_event_get_wall_time_us (call), >=, wall_before - 1000);
  g_assert_cmpint (sp_event_get_wall_time_us (eof), <=, wall_after + 1000);
  g_assert_cmpint (sp_event_get_wall_time_us (received) - sp_event_get_wall_time_us (call), ==,
                   sp_event_get_time_us (received) - sp_event_get_time_us (call));

  /* Row properties read the same record. */
  {
    g_autofree char *socket_id = NULL;
    guint64 bytes = 0;
    gboolean ok = FALSE;

    g_object_get (received, "socket-id", &socket_id, "bytes", &bytes, "ok", &ok, NULL);
    g_assert_cmpstr (socket_id, ==, "conn");
    g_assert_cmpuint (bytes, ==, 11);
    g_assert_true (ok);
  }

  /* Nothing was announced: no main loop ran and nobody flushed. */
  g_assert_cmpuint (recorder.changes->len, ==, 0);
  recorder_clear (&recorder, log);
}

static void
test_intern (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  const char *first_a = NULL;
  const char *first_b = NULL;

  for (guint i = 0; i < 100; i++)
    {
      /* A fresh buffer each time, scribbled on after the append. */
      g_autofree char *id = g_strdup (i % 2 == 0 ? "sock-a" : "sock-b");
      g_autofree char *detail = g_strdup_printf ("detail %u", i % 3);
      SpEventInfo info = {
        .kind = SP_EVENT_NOTE,
        .call = SP_CALL_NOTE,
        .ok = TRUE,
        .step = -1,
        .socket_id = id,
        .local = id,
        .detail = detail,
      };

      sp_traffic_log_append (log, &info);
      memset (id, 'X', strlen (id));
    }

  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      g_autofree char *detail = g_strdup_printf ("detail %u", i % 3);
      const char *id = sp_event_get_socket_id (event);

      g_assert_cmpstr (id, ==, i % 2 == 0 ? "sock-a" : "sock-b");
      g_assert_cmpstr (sp_event_get_local (event), ==, id);
      g_assert_cmpstr (sp_event_get_detail (event), ==, detail);

      /* Equal strings share one copy, whatever the field. */
      if (i == 0)
        first_a = id;
      else if (i == 1)
        first_b = id;
      else
        g_assert_true (id == (i % 2 == 0 ? first_a : first_b));
      g_assert_true (sp_event_get_local (event) == id);
    }

  g_assert_true (first_a != first_b);
}

static void
test_batching (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) pending = NULL;
  Recorder recorder;
  gint64 start;

  recorder_init (&recorder, log);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (log)) == SP_TYPE_EVENT);

  for (guint i = 0; i < 1000; i++)
    append_simple (log, "client", (const guint8 *) "abc", 3);

  g_assert_cmpuint (recorder.appended->len, ==, 1000);
  g_assert_cmpuint (recorder.changes->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 0));
  g_assert_cmpuint (sp_traffic_log_get_n_appended (log), ==, 1000);

  /* Not announced yet, but readable. */
  pending = sp_traffic_log_get_event (log, 999);
  g_assert_nonnull (pending);
  g_assert_cmpstr (sp_event_get_socket_id (pending), ==, "client");

  wait_for_changes (&recorder, 1);
  g_assert_cmpuint (recorder.changes->len, ==, 1);
  assert_change (&recorder, 0, 0, 0, 1000);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1000);

  /* One emission, not one per event or per interval with nothing new. */
  spin (60);
  g_assert_cmpuint (recorder.changes->len, ==, 1);

  for (guint i = 0; i < 5; i++)
    append_simple (log, "server", NULL, 0);

  wait_for_changes (&recorder, 2);
  assert_change (&recorder, 1, 1000, 0, 5);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1005);

  /* The interval is a throttle: a busy main loop does not emit early. */
  sp_traffic_log_set_batch_interval (log, 200);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 10; i++)
    append_simple (log, "server", NULL, 0);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (g_get_monotonic_time () - start < 150 * 1000)
    g_assert_cmpuint (recorder.changes->len, ==, 2);
  wait_for_changes (&recorder, 3);
  assert_change (&recorder, 2, 1005, 0, 10);
  spin (100);
  g_assert_cmpuint (recorder.changes->len, ==, 3);

  recorder_clear (&recorder, log);
}

static void
test_flush (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  Recorder recorder;

  recorder_init (&recorder, log);

  for (guint i = 0; i < 10; i++)
    append_simple (log, "client", NULL, 0);

  sp_traffic_log_flush (log);
  g_assert_cmpuint (recorder.changes->len, ==, 1);
  assert_change (&recorder, 0, 0, 0, 10);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 10);

  /* Nothing pending: neither a second flush nor the old timeout emits. */
  sp_traffic_log_flush (log);
  spin (60);
  g_assert_cmpuint (recorder.changes->len, ==, 1);

  recorder_clear (&recorder, log);
}

static void
fill_payload (guint8 *data,
              gsize   len,
              guint   seed)
{
  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (seed * 31 + i * 7);
}

static guint
count_markers (SpTrafficLog *log,
               SpEvent     **last_marker)
{
  guint n_markers = 0;

  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (sp_event_get_kind (event) == SP_EVENT_DROPPED)
        {
          n_markers++;
          if (last_marker != NULL)
            g_set_object (last_marker, event);
        }
    }

  return n_markers;
}

static void
test_payload_cap (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) marker = NULL;
  g_autofree guint8 *data = g_malloc (64 * KiB);
  g_autofree guint8 *expected = g_malloc (64 * KiB);
  g_autofree char *dropped_text = NULL;
  g_autofree char *cap_text = NULL;
  const guint64 cap = 3 * MiB;
  const guint n_events = 160;   /* 10 MiB of 64 KiB payloads */
  guint n_dropped = 0;
  guint64 dropped_bytes = 0;
  Recorder recorder;

  recorder_init (&recorder, log);
  sp_traffic_log_set_payload_cap (log, cap);
  g_assert_cmpuint (sp_traffic_log_get_payload_cap (log), ==, cap);

  for (guint i = 0; i < n_events; i++)
    {
      fill_payload (data, 64 * KiB, i);
      append_simple (log, "client", data, 64 * KiB);
      g_assert_cmpuint (sp_traffic_log_get_payload_bytes (log), <=, cap);
    }

  /* The marker comes with the batch, not with each dropped chunk. */
  g_assert_cmpuint (count_markers (log, NULL), ==, 0);
  g_assert_cmpuint (recorder.n_dropped_notifies, ==, 0);
  sp_traffic_log_flush (log);
  g_assert_cmpuint (count_markers (log, &marker), ==, 1);
  g_assert_cmpuint (recorder.n_dropped_notifies, ==, 1);
  g_assert_cmpuint (sp_traffic_log_get_n_appended (log), ==, n_events + 1);
  g_assert_cmpuint (sp_event_get_seq (marker), ==, n_events);
  assert_change (&recorder, 0, 0, 0, n_events + 1);

  for (guint i = 0; i < n_events; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      g_autoptr(GBytes) payload = sp_event_get_payload (event);

      g_assert_cmpuint (sp_event_get_bytes (event), ==, 64 * KiB);

      if (sp_event_get_payload_dropped (event))
        {
          g_assert_null (payload);
          /* Oldest first: nothing after a kept payload is dropped. */
          g_assert_cmpuint (n_dropped, ==, i);
          n_dropped++;
          dropped_bytes += 64 * KiB;
        }
      else
        {
          g_assert_nonnull (payload);
          fill_payload (expected, 64 * KiB, i);
          g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                           expected, 64 * KiB);
        }
    }

  /* Most went; what is kept is about the cap's worth. */
  g_assert_cmpuint (n_dropped, >=, n_events - cap / (64 * KiB));
  g_assert_cmpuint (n_dropped, <, n_events - cap / (64 * KiB) / 2);
  g_assert_cmpuint (sp_traffic_log_get_dropped_events (log), ==, n_dropped);
  g_assert_cmpuint (sp_traffic_log_get_dropped_bytes (log), ==, dropped_bytes);
  g_assert_cmpuint (sp_traffic_log_get_payload_bytes (log), ==,
                    (n_events - n_dropped) * 64 * KiB);

  g_assert_cmpuint (sp_event_get_bytes (marker), ==, dropped_bytes);
  g_assert_false (sp_event_get_payload_dropped (marker));
  g_assert_null (sp_event_get_payload (marker));
  dropped_text = g_format_size_full (dropped_bytes, G_FORMAT_SIZE_IEC_UNITS);
  g_assert_nonnull (strstr (sp_event_get_detail (marker), dropped_text));
  cap_text = g_format_size_full (cap, G_FORMAT_SIZE_IEC_UNITS);
  g_assert_nonnull (strstr (sp_event_get_detail (marker), cap_text));

  {
    guint64 prop_bytes = 0;
    guint prop_events = 0;

    g_object_get (log, "dropped-bytes", &prop_bytes, "dropped-events", &prop_events, NULL);
    g_assert_cmpuint (prop_bytes, ==, dropped_bytes);
    g_assert_cmpuint (prop_events, ==, n_dropped);
  }

  /* Under the main loop: one marker per batch, however many chunks go. */
  g_clear_object (&marker);
  for (guint i = 0; i < n_events; i++)
    {
      fill_payload (data, 64 * KiB, i);
      append_simple (log, "client", data, 64 * KiB);
    }
  wait_for_changes (&recorder, 2);
  g_assert_cmpuint (count_markers (log, &marker), ==, 2);
  g_assert_cmpuint (sp_event_get_seq (marker), ==, 2 * n_events + 1);
  g_assert_cmpuint (sp_event_get_bytes (marker), ==, sp_traffic_log_get_dropped_bytes (log));
  g_assert_cmpuint (recorder.n_dropped_notifies, ==, 2);

  /* A lower cap drops at once, and says so at the next batch. */
  sp_traffic_log_set_payload_cap (log, 1 * MiB);
  g_assert_cmpuint (sp_traffic_log_get_payload_bytes (log), <=, 1 * MiB);
  wait_for_changes (&recorder, 3);
  g_assert_cmpuint (count_markers (log, NULL), ==, 3);

  recorder_clear (&recorder, log);
}

/* Past the cap, the chunk dropped last is where the next payloads go (and
 * full-size chunks ask for huge pages): what is kept must read back intact,
 * also after a cap change makes the chunks a different size. */
static void
assert_kept_payloads (SpTrafficLog *log,
                      guint         n_events,
                      guint64       cap)
{
  g_autofree guint8 *expected = g_malloc (64 * KiB);
  guint n_dropped = 0;

  for (guint i = 0; i < n_events; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      g_autoptr(GBytes) payload = sp_event_get_payload (event);

      if (sp_event_get_payload_dropped (event))
        {
          g_assert_cmpuint (n_dropped++, ==, i);
          continue;
        }
      fill_payload (expected, 64 * KiB, i);
      g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload),
                       expected, 64 * KiB);
    }

  g_assert_cmpuint (n_dropped, >, 0);
  g_assert_cmpuint ((n_events - n_dropped) * 64 * KiB, <=, cap);
  g_assert_cmpuint ((n_events - n_dropped) * 64 * KiB, >, cap / 2);
}

static void
test_recycled_chunks (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autofree guint8 *data = g_malloc (64 * KiB);
  const guint n_events = 1024;   /* 64 MiB of 64 KiB payloads */

  sp_traffic_log_set_payload_cap (log, 16 * MiB);
  for (guint i = 0; i < n_events; i++)
    {
      fill_payload (data, 64 * KiB, i);
      append_simple (log, "client", data, 64 * KiB);
    }
  assert_kept_payloads (log, n_events, 16 * MiB);

  sp_traffic_log_set_payload_cap (log, 3 * MiB);
  for (guint i = n_events; i < 2 * n_events; i++)
    {
      fill_payload (data, 64 * KiB, i);
      append_simple (log, "client", data, 64 * KiB);
    }
  assert_kept_payloads (log, 2 * n_events, 3 * MiB);
}

static void
test_large_payload (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) large = NULL;
  g_autoptr(SpEvent) small = NULL;
  g_autoptr(SpEvent) refused = NULL;
  g_autoptr(SpEvent) marker = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree guint8 *data = g_malloc (3 * MiB);

  /* Bigger than a chunk: stored whole in a chunk of its own. */
  append_simple (log, "client", (const guint8 *) "before", 6);
  fill_payload (data, 3 * MiB, 7);
  append_simple (log, "client", data, 3 * MiB);
  append_simple (log, "client", (const guint8 *) "after", 5);
  g_assert_cmpuint (sp_traffic_log_get_payload_bytes (log), ==, 3 * MiB + 11);

  large = sp_traffic_log_get_event (log, 1);
  payload = sp_event_get_payload (large);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), data, 3 * MiB);
  g_clear_pointer (&payload, g_bytes_unref);

  small = sp_traffic_log_get_event (log, 2);
  payload = sp_event_get_payload (small);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), "after", 5);
  g_clear_pointer (&payload, g_bytes_unref);

  /* A second large payload pushes the older chunks out whole. */
  sp_traffic_log_set_payload_cap (log, 4 * MiB);
  append_simple (log, "client", data, 3 * MiB);
  g_assert_cmpuint (sp_traffic_log_get_dropped_events (log), ==, 2);
  g_assert_cmpuint (sp_traffic_log_get_payload_bytes (log), <=, 4 * MiB);
  g_assert_true (sp_event_get_payload_dropped (large));

  /* Bigger than the cap: never stored, counted as dropped. */
  sp_traffic_log_set_payload_cap (log, 1 * MiB);
  append_simple (log, "client", data, 2 * MiB);
  refused = sp_traffic_log_get_event (log, 4);
  g_assert_true (sp_event_get_payload_dropped (refused));
  g_assert_null (sp_event_get_payload (refused));
  g_assert_cmpuint (sp_event_get_bytes (refused), ==, 2 * MiB);

  sp_traffic_log_flush (log);
  g_assert_cmpuint (count_markers (log, &marker), ==, 1);
  g_assert_cmpuint (sp_event_get_bytes (marker), ==, sp_traffic_log_get_dropped_bytes (log));
  g_assert_cmpuint (sp_traffic_log_get_dropped_bytes (log), >=, 3 * MiB + 2 * MiB);
}

/* What an "appended" handler is lent: the bytes as they came, for every
 * event, also one the cap refuses; NULL for any other position. */
typedef struct
{
  GByteArray *seen;
  guint       n_other;
} Lent;

static void
on_appended_lend (SpTrafficLog *log,
                  guint         position,
                  Lent         *lent)
{
  const guint8 *data;
  gsize size;

  data = sp_traffic_log_peek_appending_payload (log, position, &size);
  if (data != NULL)
    g_byte_array_append (lent->seen, data, size);
  if (position > 0 && sp_traffic_log_peek_appending_payload (log, position - 1, &size) != NULL)
    lent->n_other++;
}

static void
test_appending_payload (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(GByteArray) seen = g_byte_array_new ();
  g_autofree guint8 *data = g_malloc (2 * MiB);
  Lent lent = { .seen = seen };
  gsize size = 1;

  fill_payload (data, 2 * MiB, 3);
  sp_traffic_log_set_payload_cap (log, 1 * MiB);
  g_signal_connect (log, "appended", G_CALLBACK (on_appended_lend), &lent);

  append_simple (log, "client", (const guint8 *) "small", 5);
  /* Twice the cap: the log keeps none of it, the handler sees it all. */
  append_simple (log, "client", data, 2 * MiB);
  g_assert_cmpuint (sp_traffic_log_get_dropped_bytes (log), ==, 2 * MiB);

  g_assert_cmpuint (seen->len, ==, 5 + 2 * MiB);
  g_assert_cmpmem (seen->data, 5, "small", 5);
  g_assert_cmpmem (seen->data + 5, 2 * MiB, data, 2 * MiB);
  g_assert_cmpuint (lent.n_other, ==, 0);

  /* Outside the handler nothing is lent. */
  g_assert_null (sp_traffic_log_peek_appending_payload (log, 1, &size));
  g_assert_cmpuint (size, ==, 0);

  g_signal_handlers_disconnect_by_data (log, &lent);
}

static void
test_clear (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) old = NULL;
  g_autoptr(SpEvent) fresh = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree guint8 *data = g_malloc0 (64 * KiB);
  Recorder recorder;

  recorder_init (&recorder, log);
  sp_traffic_log_set_payload_cap (log, 256 * KiB);

  for (guint i = 0; i < 20; i++)
    append_simple (log, "old-socket", data, 64 * KiB);
  append_simple (log, "old-socket", (const guint8 *) "last", 4);
  sp_traffic_log_flush (log);
  g_assert_cmpuint (sp_traffic_log_get_dropped_events (log), >, 0);
  g_assert_cmpuint (recorder.changes->len, ==, 1);
  old = g_list_model_get_item (G_LIST_MODEL (log), 20);
  g_assert_nonnull (old);

  /* Pending (unannounced) events go too. */
  append_simple (log, "old-socket", NULL, 0);
  sp_traffic_log_clear (log);

  /* 20 + "last" + the marker were announced. */
  g_assert_cmpuint (recorder.changes->len, ==, 2);
  assert_change (&recorder, 1, 0, 22, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 0);
  g_assert_cmpuint (sp_traffic_log_get_n_appended (log), ==, 0);
  g_assert_cmpuint (sp_traffic_log_get_payload_bytes (log), ==, 0);
  g_assert_cmpuint (sp_traffic_log_get_dropped_bytes (log), ==, 0);
  g_assert_cmpuint (sp_traffic_log_get_dropped_events (log), ==, 0);
  g_assert_null (sp_traffic_log_get_event (log, 0));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 0));
  /* The cap is a setting, not content. */
  g_assert_cmpuint (sp_traffic_log_get_payload_cap (log), ==, 256 * KiB);

  /* A row made before the clear still reads what it was. */
  g_assert_cmpstr (sp_event_get_socket_id (old), ==, "old-socket");
  payload = sp_event_get_payload (old);
  g_assert_cmpmem (g_bytes_get_data (payload, NULL), g_bytes_get_size (payload), "last", 4);

  /* Nothing left over fires later, and new events start from zero. */
  spin (60);
  g_assert_cmpuint (recorder.changes->len, ==, 2);

  append_simple (log, "new-socket", (const guint8 *) "new", 3);
  fresh = sp_traffic_log_get_event (log, 0);
  g_assert_cmpstr (sp_event_get_socket_id (fresh), ==, "new-socket");
  g_assert_cmpint (sp_event_get_time_us (fresh), <, 1000 * 1000);
  sp_traffic_log_flush (log);
  assert_change (&recorder, 2, 0, 0, 1);
  g_assert_cmpuint (count_markers (log, NULL), ==, 0);

  recorder_clear (&recorder, log);
}

static void
test_get_item_range (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpEvent) event = NULL;

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 0));
  g_assert_null (sp_traffic_log_get_event (log, 0));

  append_simple (log, "client", NULL, 0);
  append_simple (log, "client", NULL, 0);
  sp_traffic_log_flush (log);

  event = g_list_model_get_item (G_LIST_MODEL (log), 1);
  g_assert_nonnull (event);
  g_assert_cmpuint (sp_event_get_seq (event), ==, 1);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), 2));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (log), G_MAXUINT));
  g_assert_null (sp_traffic_log_get_event (log, 2));
}

static void
test_finalize (void)
{
  SpTrafficLog *log = sp_traffic_log_new ();
  SpEvent *first;
  SpEvent *second;

  append_simple (log, "client", (const guint8 *) "data", 4);
  sp_traffic_log_flush (log);
  append_simple (log, "client", NULL, 0);

  first = g_list_model_get_item (G_LIST_MODEL (log), 0);
  second = sp_traffic_log_get_event (log, 1);

  /* Rows never keep the log alive, and outlive it readably. */
  g_assert_finalize_object (first);
  g_assert_finalize_object (log);
  g_assert_cmpstr (sp_event_get_socket_id (second), ==, "client");
  g_assert_finalize_object (second);

  /* A log with a batch pending finalizes and leaves no source behind. */
  log = sp_traffic_log_new ();
  append_simple (log, "client", NULL, 0);
  g_assert_finalize_object (log);
  spin (60);
}

static void
test_find (void)
{
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(GArray) found = NULL;
  static const char *ids[] = { "a", "b", "c" };

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *text = g_strdup_printf ("message %u", i);

      append_simple (log, ids[i % 3], (const guint8 *) text, strlen (text));
    }

  found = sp_traffic_log_find (log, 0, G_MAXUINT, "b", NULL);
  g_assert_cmpuint (found->len, ==, 100);
  for (guint i = 0; i < found->len; i++)
    g_assert_cmpuint (g_array_index (found, guint, i), ==, i * 3 + 1);
  g_clear_pointer (&found, g_array_unref);

  /* "message 1", "message 1x" and "message 1xx": 1 + 10 + 100. */
  found = sp_traffic_log_find (log, 0, G_MAXUINT, NULL, "message 1");
  g_assert_cmpuint (found->len, ==, 111);
  g_clear_pointer (&found, g_array_unref);

  found = sp_traffic_log_find (log, 0, G_MAXUINT, "c", "message 1");
  g_assert_cmpuint (found->len, ==, 36);
  g_clear_pointer (&found, g_array_unref);

  found = sp_traffic_log_find (log, 100, 200, "a", "");
  g_assert_cmpuint (found->len, ==, 33);
  g_assert_cmpuint (g_array_index (found, guint, 0), ==, 102);
  g_clear_pointer (&found, g_array_unref);

  found = sp_traffic_log_find (log, 0, G_MAXUINT, "nobody", NULL);
  g_assert_cmpuint (found->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/TrafficLog/append", test_append);
  g_test_add_func ("/Sp/TrafficLog/intern", test_intern);
  g_test_add_func ("/Sp/TrafficLog/batching", test_batching);
  g_test_add_func ("/Sp/TrafficLog/flush", test_flush);
  g_test_add_func ("/Sp/TrafficLog/payload-cap", test_payload_cap);
  g_test_add_func ("/Sp/TrafficLog/large-payload", test_large_payload);
  g_test_add_func ("/Sp/TrafficLog/recycled-chunks", test_recycled_chunks);
  g_test_add_func ("/Sp/TrafficLog/appending-payload", test_appending_payload);
  g_test_add_func ("/Sp/TrafficLog/clear", test_clear);
  g_test_add_func ("/Sp/TrafficLog/get-item-range", test_get_item_range);
  g_test_add_func ("/Sp/TrafficLog/finalize", test_finalize);
  g_test_add_func ("/Sp/TrafficLog/find", test_find);

  return g_test_run ();
}
