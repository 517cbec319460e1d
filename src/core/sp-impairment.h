/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A bad network for the datagrams one socket sends: some are dropped, some
 * duplicated, some held back to leave after the next one, and every one
 * may leave later. Loopback never does any of that, so the playground does
 * it on purpose, and the same settings and seed always give the same
 * datagrams the same fate: a lecture replays the same way every time. */

#define SP_IMPAIRMENT_MAX_DELAY_MS 60000
/* How long a held-back datagram waits for one to go after. */
#define SP_IMPAIRMENT_HOLD_MS      1000

typedef struct
{
  guint   drop;       /* percent of datagrams never sent, 0–100 */
  guint   duplicate;  /* percent sent twice */
  guint   reorder;    /* percent held back and sent after the next one */
  guint   delay_ms;   /* every datagram leaves this much later */
  guint32 seed;       /* the fates follow from it */
} SpImpairmentSettings;

/* The fate of one datagram. Each datagram draws three 32-bit numbers from
 * a Mersenne Twister seeded with the array { seed } (GRand, and Python's
 * random.Random(seed)), in the order drop, duplicate, reorder, whatever it
 * was given; a number r means yes when (r × 100) >> 32 < percent. */
typedef struct
{
  guint dropped : 1;
  guint duplicated : 1;
  guint held : 1;
} SpImpairmentFate;

/* Why a datagram that waited leaves now. */
typedef enum
{
  SP_IMPAIRMENT_LEAVE_DELAYED,    /* its delay is over */
  SP_IMPAIRMENT_LEAVE_AFTER,      /* held back, it goes after another */
  SP_IMPAIRMENT_LEAVE_HOLD_OVER,  /* held back, and none came after it in time */
  SP_IMPAIRMENT_LEAVE_FLUSH,      /* the socket is closing: it leaves early */
} SpImpairmentLeave;

/* Sends a datagram that waited. `after` is the datagram it was held back
 * behind (SP_IMPAIRMENT_LEAVE_AFTER), otherwise NULL. */
typedef void (*SpImpairmentSendFunc) (gpointer          datagram,
                                      SpImpairmentLeave why,
                                      gpointer          after,
                                      gpointer          user_data);

gboolean      sp_impairment_settings_equal     (const SpImpairmentSettings *a,
                                                const SpImpairmentSettings *b);
/* Whether the settings do anything at all. */
gboolean      sp_impairment_settings_is_active (const SpImpairmentSettings *settings);

#define SP_TYPE_IMPAIRMENT (sp_impairment_get_type ())

G_DECLARE_FINAL_TYPE (SpImpairment, sp_impairment, SP, IMPAIRMENT, GObject)

/* Datagrams that wait are opaque to the impairment: it hands them to
 * `send` when they leave and frees them with `datagram_free` after, or
 * when it is disposed with datagrams still waiting. Its timers are sources
 * on the thread-default main context. */
SpImpairment *sp_impairment_new                (const SpImpairmentSettings *settings,
                                                SpImpairmentSendFunc        send,
                                                gpointer                    user_data,
                                                GDestroyNotify              datagram_free);
const SpImpairmentSettings *
              sp_impairment_get_settings       (SpImpairment               *self);
/* The fate of the next datagram. */
void          sp_impairment_decide             (SpImpairment               *self,
                                                SpImpairmentFate           *fate);
/* Whether a datagram with this fate leaves now: the caller sends it (and
 * its copy) itself and then calls sp_impairment_sent(). Otherwise it is
 * dropped, or the caller hands it to sp_impairment_submit(). */
gboolean      sp_impairment_leaves_now         (SpImpairment               *self,
                                                const SpImpairmentFate     *fate);
/* A datagram left now; one held back goes right after it. `datagram` is
 * only passed on as `after`, and stays the caller's. */
void          sp_impairment_sent               (SpImpairment               *self,
                                                gpointer                    datagram);
/* Takes a datagram that does not leave now (delayed, or held back). */
void          sp_impairment_submit             (SpImpairment               *self,
                                                const SpImpairmentFate     *fate,
                                                gpointer                    datagram);
/* Sends every waiting datagram now, in the order they would have left in
 * (one held back still goes after the next), the last held-back one at
 * the end. */
void          sp_impairment_flush              (SpImpairment               *self);
guint         sp_impairment_get_n_waiting      (SpImpairment               *self);

G_END_DECLS
