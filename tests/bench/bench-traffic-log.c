/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <stdio.h>
#include <string.h>

#include "sp-traffic-log.h"
#include "sp-traffic-log-private.h"

#define N_EVENTS   10000000
#define N_SOCKETS  50
#define N_FILTERED 1000000
#define TEXT       "12345"

/* Resident memory in bytes, from /proc/self/status. */
static guint64
get_rss (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;

  line = strstr (status, "VmRSS:");
  if (line == NULL)
    return 0;

  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) * 1024;
}

/* "msg 0000000000\r\n": counts up in place, without printf in the loop. */
static void
next_payload (char *payload)
{
  for (int i = 13; i >= 4; i--)
    {
      if (payload[i] != '9')
        {
          payload[i]++;
          return;
        }
      payload[i] = '0';
    }
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpTrafficLog) log = NULL;
  g_autoptr(GArray) found = NULL;
  char *socket_ids[N_SOCKETS];
  char *remotes[N_SOCKETS];
  char payload[] = "msg 0000000000\r\n";
  guint64 rss_before;
  guint64 rss_after;
  guint64 payload_bytes;
  gint64 start;
  double elapsed;
  guint matches;

  G_STATIC_ASSERT (sizeof payload - 1 == 16);

  for (guint i = 0; i < N_SOCKETS; i++)
    {
      socket_ids[i] = g_strdup_printf ("sock-%02u", i);
      remotes[i] = g_strdup_printf ("127.0.0.1:%u", 40000 + i);
    }

  log = sp_traffic_log_new ();
  rss_before = get_rss ();
  start = g_get_monotonic_time ();

  for (guint i = 0; i < N_EVENTS; i++)
    {
      guint s = i % N_SOCKETS;
      SpEventInfo info = {
        .kind = i % 2 == 0 ? SP_EVENT_SENT : SP_EVENT_RECEIVED,
        .call = i % 2 == 0 ? SP_CALL_SEND : SP_CALL_RECV,
        .ok = TRUE,
        .state = SP_STATE_CONNECTED,
        .step = -1,
        .socket_id = socket_ids[s],
        .local = "127.0.0.1:65432",
        .remote = remotes[s],
        .bytes = 16,
        .payload = (const guint8 *) payload,
        .payload_len = 16,
      };

      sp_traffic_log_append (log, &info);
      next_payload (payload);
    }

  elapsed = seconds_since (start);
  rss_after = get_rss ();
  payload_bytes = sp_traffic_log_get_payload_bytes (log);

  printf ("append: %u events in %.2f s, %.2f M appends/s\n",
          N_EVENTS, elapsed, N_EVENTS / elapsed / 1e6);
  printf ("memory: record %zu bytes + arena %.1f bytes = %.1f bytes/event (payload %.1f MiB)\n",
          sizeof (SpTrafficRecord),
          payload_bytes / (double) N_EVENTS,
          sizeof (SpTrafficRecord) + payload_bytes / (double) N_EVENTS,
          payload_bytes / (1024.0 * 1024.0));
  printf ("memory: RSS grew %.1f MiB = %.1f bytes/event\n",
          (rss_after - rss_before) / (1024.0 * 1024.0),
          (rss_after - rss_before) / (double) N_EVENTS);

  sp_traffic_log_flush (log);

  /* What a GtkCustomFilter over the model costs: a row object per row. */
  start = g_get_monotonic_time ();
  matches = 0;
  for (guint i = 0; i < N_FILTERED; i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (log), i);

      if (g_strcmp0 (sp_event_get_socket_id (event), "sock-07") == 0)
        matches++;
    }
  printf ("filter %u rows by socket id, row objects: %.1f ms (%u matches)\n",
          N_FILTERED, seconds_since (start) * 1000, matches);

  start = g_get_monotonic_time ();
  matches = 0;
  for (guint i = 0; i < N_FILTERED; i++)
    {
      g_autoptr(SpEvent) event = g_list_model_get_item (G_LIST_MODEL (log), i);
      g_autoptr(GBytes) bytes = sp_event_get_payload (event);
      gsize size;
      const void *data = g_bytes_get_data (bytes, &size);

      if (memmem (data, size, TEXT, strlen (TEXT)) != NULL)
        matches++;
    }
  printf ("filter %u rows by payload text, row objects: %.1f ms (%u matches)\n",
          N_FILTERED, seconds_since (start) * 1000, matches);

  /* The same on the compact records, without row objects. */
  start = g_get_monotonic_time ();
  found = sp_traffic_log_find (log, 0, N_FILTERED, "sock-07", NULL);
  printf ("filter %u rows by socket id, sp_traffic_log_find: %.1f ms (%u matches)\n",
          N_FILTERED, seconds_since (start) * 1000, found->len);
  g_clear_pointer (&found, g_array_unref);

  start = g_get_monotonic_time ();
  found = sp_traffic_log_find (log, 0, N_FILTERED, NULL, TEXT);
  printf ("filter %u rows by payload text, sp_traffic_log_find: %.1f ms (%u matches)\n",
          N_FILTERED, seconds_since (start) * 1000, found->len);
  g_clear_pointer (&found, g_array_unref);

  start = g_get_monotonic_time ();
  found = sp_traffic_log_find (log, 0, N_EVENTS, "sock-07", TEXT);
  printf ("filter all %u rows by socket id and text, sp_traffic_log_find: %.1f ms (%u matches)\n",
          N_EVENTS, seconds_since (start) * 1000, found->len);

  for (guint i = 0; i < N_SOCKETS; i++)
    {
      g_free (socket_ids[i]);
      g_free (remotes[i]);
    }

  return 0;
}
