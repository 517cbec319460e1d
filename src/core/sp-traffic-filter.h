/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-traffic-log.h"

G_BEGIN_DECLS

#define SP_TYPE_TRAFFIC_FILTER (sp_traffic_filter_get_type ())

G_DECLARE_FINAL_TYPE (SpTrafficFilter, sp_traffic_filter, SP, TRAFFIC_FILTER, GObject)

/* A GListModel of the SpEvents of a traffic log that a query keeps: by
 * socket, by kind, by bytes. It keeps the log positions that match, found
 * by sp_traffic_log_query() without making row objects, and follows the
 * log's appends incrementally. A query over a large log is scanned in
 * slices on idle, so the main loop stays free; until the scan is done the
 * model keeps showing the previous result ("scanning" is TRUE). With no
 * criteria the model is the log itself, and costs nothing per event. */

SpTrafficFilter *sp_traffic_filter_new            (void);

void             sp_traffic_filter_set_log        (SpTrafficFilter *self,
                                                   SpTrafficLog    *log);
SpTrafficLog    *sp_traffic_filter_get_log        (SpTrafficFilter *self);
/* NULL: every socket. */
void             sp_traffic_filter_set_socket_id  (SpTrafficFilter *self,
                                                   const char      *socket_id);
const char      *sp_traffic_filter_get_socket_id  (SpTrafficFilter *self);
void             sp_traffic_filter_set_show       (SpTrafficFilter *self,
                                                   SpTrafficShow    show);
SpTrafficShow    sp_traffic_filter_get_show       (SpTrafficFilter *self);
/* NULL or empty: any bytes. */
void             sp_traffic_filter_set_needle     (SpTrafficFilter *self,
                                                   GBytes          *needle);
gboolean         sp_traffic_filter_get_scanning   (SpTrafficFilter *self);

/* The log position of the event in `row`. */
guint            sp_traffic_filter_get_position   (SpTrafficFilter *self,
                                                   guint            row);
/* The row that shows log position `position`, if the filter keeps it. */
gboolean         sp_traffic_filter_find_row       (SpTrafficFilter *self,
                                                   guint            position,
                                                   guint           *row);

G_END_DECLS
