/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-decode.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

#define SP_TYPE_LOG_DETAIL (sp_log_detail_get_type ())

G_DECLARE_FINAL_TYPE (SpLogDetail, sp_log_detail, SP, LOG_DETAIL, AdwBin)

/* The traffic log's detail pane for one event: its bytes as a Wireshark
 * hex dump (a selection in the hex marks the same bytes in the ASCII and
 * the other way round), as text in a chosen encoding and errors mode
 * (Python's bytes.decode: strict shows where it would raise), and the
 * conversation it belongs to. "Copy As" copies the selected bytes, or all
 * of them, as hex, text, a Python bytes literal or a C array. */

GtkWidget  *sp_log_detail_new           (void);
/* Shows the event at `position`; a NULL log shows nothing. */
void        sp_log_detail_set_event     (SpLogDetail    *self,
                                         SpTrafficLog   *log,
                                         guint           position);
void        sp_log_detail_set_encoding  (SpLogDetail    *self,
                                         SpEncoding      encoding);
void        sp_log_detail_set_errors    (SpLogDetail    *self,
                                         SpDecodeErrors  errors);
/* "bytes", "text" or "stream". */
void        sp_log_detail_show_page     (SpLogDetail    *self,
                                         const char     *name);
/* Selects payload bytes [start, end) in the hex dump. */
void        sp_log_detail_select_bytes  (SpLogDetail    *self,
                                         gsize           start,
                                         gsize           end);
/* The bytes "Copy As" copies: the selection's, or the whole payload's.
 * NULL when the event has none. */
GBytes     *sp_log_detail_get_bytes     (SpLogDetail    *self);

G_END_DECLS
