/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-event.h"

G_BEGIN_DECLS

#define SP_TYPE_TRAFFIC_LOG (sp_traffic_log_get_type ())

G_DECLARE_FINAL_TYPE (SpTrafficLog, sp_traffic_log, SP, TRAFFIC_LOG, GObject)

#define SP_TRAFFIC_LOG_DEFAULT_CAP ((guint64) 256 * 1024 * 1024)

/* An append-only GListModel of SpEvent.
 *
 * Records are compact structs; payload bytes live in a chunked arena; row
 * objects exist only while someone holds what get_item returned. Appends
 * are visible to get_item/get_n_items after the next batched
 * items-changed (at most one per batch interval, default 16 ms, or at
 * sp_traffic_log_flush). The "appended" signal fires at once for each
 * event, for readers that print as things happen.
 *
 * Past the payload cap the oldest payload chunks are dropped: their events
 * stay, with sp_event_get_payload_dropped() TRUE, and a SP_EVENT_DROPPED
 * marker event says how many bytes have gone. */

SpTrafficLog *sp_traffic_log_new                (void);

/* Appends and returns the event's position. */
guint         sp_traffic_log_append             (SpTrafficLog      *self,
                                                 const SpEventInfo *info);
/* In a handler of "appended": the bytes of the event at `position` as
 * they were appended, also when the payload cap refuses or drops them,
 * for a reader that keeps every byte elsewhere (an export written as the
 * log grows). NULL (and 0) for any other position, outside the handler,
 * or for an event without a payload. Valid until the handler returns. */
const guint8 *sp_traffic_log_peek_appending_payload
                                                (SpTrafficLog      *self,
                                                 guint              position,
                                                 gsize             *length);
/* Emits the pending items-changed now. */
void          sp_traffic_log_flush              (SpTrafficLog      *self);
/* Removes every event (a restart). */
void          sp_traffic_log_clear              (SpTrafficLog      *self);

/* Any position below the appended count, flushed or not. Returns a new
 * row object (transfer full), like g_list_model_get_item(). */
SpEvent      *sp_traffic_log_get_event          (SpTrafficLog      *self,
                                                 guint              position);
guint         sp_traffic_log_get_n_appended     (SpTrafficLog      *self);

void          sp_traffic_log_set_payload_cap    (SpTrafficLog      *self,
                                                 guint64            cap_bytes);
guint64       sp_traffic_log_get_payload_cap    (SpTrafficLog      *self);
guint64       sp_traffic_log_get_payload_bytes  (SpTrafficLog      *self);
guint64       sp_traffic_log_get_dropped_bytes  (SpTrafficLog      *self);
guint         sp_traffic_log_get_dropped_events (SpTrafficLog      *self);
void          sp_traffic_log_set_batch_interval (SpTrafficLog      *self,
                                                 guint              interval_ms);

/* Which events a query keeps, as the log view's kind filter offers. */
typedef enum
{
  SP_TRAFFIC_SHOW_ALL,
  SP_TRAFFIC_SHOW_DATA,       /* bytes sent and received */
  SP_TRAFFIC_SHOW_LIFECYCLE,  /* calls and notes */
  SP_TRAFFIC_SHOW_ERRORS,     /* anything that failed */
} SpTrafficShow;

typedef struct
{
  const char   *socket_id;   /* NULL: any socket */
  SpTrafficShow show;
  /* Bytes the payload holds; without NUL bytes the result text may hold
   * them instead. NULL or empty: any. */
  const guint8 *needle;
  gsize         needle_len;
} SpTrafficQuery;

/* Positions in [begin, end) (end is clamped to the appended count) of the
 * events the query keeps, found without making row objects. The cap's
 * SP_EVENT_DROPPED markers pass every kind filter, so a filtered view
 * still says where bytes went missing. Returns a GArray of guint, in
 * order. */
GArray       *sp_traffic_log_query              (SpTrafficLog         *self,
                                                 guint                 begin,
                                                 guint                 end,
                                                 const SpTrafficQuery *query);
/* A query of socket_id (NULL: any socket) and text (NULL or "": any). */
GArray       *sp_traffic_log_find               (SpTrafficLog      *self,
                                                 guint              begin,
                                                 guint              end,
                                                 const char        *socket_id,
                                                 const char        *text);

G_END_DECLS
