/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-traffic-log.h"

G_BEGIN_DECLS

#define SP_TYPE_STREAM_VIEW (sp_stream_view_get_type ())

G_DECLARE_FINAL_TYPE (SpStreamView, sp_stream_view, SP, STREAM_VIEW, AdwBin)

/* "Follow stream": the whole conversation of one connection or datagram
 * peer (SpConversation), one paragraph per call, the two directions in two
 * colours, so a reader sees a send of 40 bytes come out as recv calls of
 * 10, 10 and 20. As text or as hex. */

GtkWidget *sp_stream_view_new       (void);
/* Shows the conversation of the event at `position` in `log`; a NULL log
 * clears the view. */
void       sp_stream_view_set_event (SpStreamView *self,
                                     SpTrafficLog *log,
                                     guint         position);
/* What the view shows, as plain text: for tests and for copying. */
char      *sp_stream_view_get_text  (SpStreamView *self);

G_END_DECLS
