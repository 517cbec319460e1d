/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* The detail of a stream's empty read, which headless output tells apart
 * from a sender; pass it through _() to show it. */
#define SP_EVENT_DETAIL_END_OF_FILE N_("end of file: the peer closed its side")

typedef enum
{
  SP_EVENT_CALL,      /* a lifecycle call and its result */
  SP_EVENT_SENT,      /* bytes handed to the kernel */
  SP_EVENT_RECEIVED,  /* bytes taken from the kernel (0 bytes = EOF) */
  SP_EVENT_NOTE,      /* a note step, or a message from the player */
  SP_EVENT_DROPPED,   /* marker: the log cap dropped older payloads */
} SpEventKind;

/* What an event records. The traffic log copies it into compact storage;
 * strings are interned, the payload is copied into the arena. */
typedef struct
{
  SpEventKind   kind;
  SpCall        call;
  gboolean      ok;
  int           error_code;  /* errno, 0 when ok */
  SpState       state;       /* the socket's state after the call */
  int           step;        /* index into the session's steps, -1 if none */
  const char   *socket_id;   /* NULL for calls on no socket */
  const char   *local;       /* as sp_endpoint_format writes it, or NULL */
  const char   *remote;      /* likewise; for a failed bind or connect, the
                              * address the call was for */
  gsize         bytes;       /* bytes sent or received, or a call's number result */
  const guint8 *payload;     /* the bytes themselves, may be NULL */
  gsize         payload_len;
  const char   *detail;      /* short result text: "('127.0.0.1', 5000)", a note… */
  const char   *args;        /* the call's arguments as Python writes them:
                              * "('127.0.0.1', 9)", "1024", or NULL */
  SpImpaired    impaired;    /* what a datagram impairment did (SpImpaired) */
  gint64        monotonic_us; /* when it happened (g_get_monotonic_time), 0: now */
} SpEventInfo;

#define SP_TYPE_EVENT (sp_event_get_type ())

G_DECLARE_FINAL_TYPE (SpEvent, sp_event, SP, EVENT, GObject)

/* A row object made on demand by SpTrafficLog's get_item. */
guint         sp_event_get_seq          (SpEvent *self);
gint64        sp_event_get_time_us      (SpEvent *self); /* since the log started */
gint64        sp_event_get_wall_time_us (SpEvent *self); /* g_get_real_time() clock */
SpEventKind   sp_event_get_kind         (SpEvent *self);
SpCall        sp_event_get_call         (SpEvent *self);
gboolean      sp_event_get_ok           (SpEvent *self);
int           sp_event_get_error_code   (SpEvent *self);
SpState       sp_event_get_state        (SpEvent *self);
int           sp_event_get_step         (SpEvent *self);
const char   *sp_event_get_socket_id    (SpEvent *self);
const char   *sp_event_get_local        (SpEvent *self);
const char   *sp_event_get_remote       (SpEvent *self);
gsize         sp_event_get_bytes        (SpEvent *self);
/* The stored payload, NULL if none or dropped by the cap. */
GBytes       *sp_event_get_payload      (SpEvent *self);
gboolean      sp_event_get_payload_dropped (SpEvent *self);
const char   *sp_event_get_detail       (SpEvent *self);
const char   *sp_event_get_args         (SpEvent *self);
SpImpaired    sp_event_get_impaired     (SpEvent *self);

G_END_DECLS
