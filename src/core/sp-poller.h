/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SpPollerWatch SpPollerWatch;

/* Called from the main context the watch was made on. */
typedef void (*SpPollerFunc) (gpointer user_data);

SpPollerWatch *sp_poller_watch   (GMainContext *context,
                                  int           fd,
                                  GIOCondition  condition,
                                  guint         timeout_ms,
                                  SpPollerFunc  ready,
                                  SpPollerFunc  timed_out,
                                  gpointer      user_data);
SpPollerWatch *sp_poller_keep    (GMainContext *context,
                                  int           fd,
                                  GIOCondition  condition,
                                  guint         timeout_ms,
                                  SpPollerFunc  ready,
                                  SpPollerFunc  timed_out,
                                  gpointer      user_data);
void           sp_poller_pause   (SpPollerWatch *watch);
gboolean       sp_poller_resume  (SpPollerWatch *watch,
                                  GIOCondition   condition,
                                  guint          timeout_ms,
                                  SpPollerFunc   ready,
                                  SpPollerFunc   timed_out,
                                  gpointer       user_data);
gboolean       sp_poller_is_paused   (SpPollerWatch *watch);
GMainContext  *sp_poller_get_context (SpPollerWatch *watch);
void           sp_poller_unwatch (SpPollerWatch *watch);

G_END_DECLS
