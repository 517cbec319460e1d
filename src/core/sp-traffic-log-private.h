/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-traffic-log.h"

G_BEGIN_DECLS

/* One generation of a log's data: records, interned strings and the
 * payload arena. Row objects hold the store rather than the log, so a row
 * stays readable after sp_traffic_log_clear() (which starts a new store)
 * and never keeps the log itself alive. Not thread-safe: like the log, it
 * belongs to the thread that made it. */
typedef struct _SpTrafficLogStore SpTrafficLogStore;

/* String fields hold an index into the store's string table; 0 is NULL.
 * 56 bytes: the time shares its word with the small enums and flags. */
typedef struct
{
  guint64 time_us : 48;     /* since the store started: about 8.9 years */
  guint64 kind : 3;
  guint64 call : 6;
  guint64 state : 4;
  guint64 ok : 1;
  guint64 has_payload : 1;
  guint64 payload_refused : 1;  /* larger than the cap: never stored */
  guint64 bytes : 61;       /* 2 EiB: more than any socket moves */
  guint64 impaired : 3;     /* an SpImpaired */
  guint64 payload_offset;   /* logical offset in the arena; offsets only grow */
  guint32 payload_len;
  gint32  error_code;
  gint32  step;
  guint32 socket_id;
  guint32 local;
  guint32 remote;
  guint32 detail;
  guint32 args;
} SpTrafficRecord;

SpTrafficLogStore     *_sp_traffic_log_store_ref          (SpTrafficLogStore     *store);
void                   _sp_traffic_log_store_unref        (SpTrafficLogStore     *store);
/* NULL past the store's last record. */
const SpTrafficRecord *_sp_traffic_log_store_get_record   (SpTrafficLogStore     *store,
                                                           guint                  position);
const char            *_sp_traffic_log_store_get_string   (SpTrafficLogStore     *store,
                                                           guint32                index);
gint64                 _sp_traffic_log_store_get_start_wall_time_us
                                                          (SpTrafficLogStore     *store);
/* TRUE and the bytes (NULL when the payload is empty) if the record's
 * payload is still in the arena. The pointer is valid until the next
 * append or clear. */
gboolean               _sp_traffic_log_store_peek_payload (SpTrafficLogStore     *store,
                                                           const SpTrafficRecord *record,
                                                           const guint8         **data);
gboolean               _sp_traffic_log_store_payload_dropped
                                                          (SpTrafficLogStore     *store,
                                                           const SpTrafficRecord *record);

/* The log's current store (transfer none). */
SpTrafficLogStore     *_sp_traffic_log_get_store          (SpTrafficLog          *self);

/* Renumbers the steps of the events from `begin` on as moving step `last`
 * to `first` renumbers the session's steps: `last` becomes `first` and the
 * steps from `first` to `last - 1` move up one. */
void                   _sp_traffic_log_rotate_steps       (SpTrafficLog          *self,
                                                           guint                  begin,
                                                           guint                  first,
                                                           guint                  last);

SpEvent               *_sp_event_new                      (SpTrafficLogStore     *store,
                                                           guint                  position);

G_END_DECLS
