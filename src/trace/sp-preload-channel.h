/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>

#include "sp-preload-buf.h"

/* The report channel as sp-trace-report.h describes it, seen from the
 * traced program: read from the environment when the library is loaded,
 * and given up for good (in this process) as soon as a report cannot be
 * sent or the program closes or replaces its descriptor. */

/* Whether reports are being sent; one atomic load. */
int          sp_channel_active     (void);
int          sp_channel_fd         (void);
void         sp_channel_stop       (void);
/* Bytes of data to report per call; -1: all (within SP_TRACE_REPORT_MAX). */
long long    sp_channel_data_limit (void);
/* The largest report the channel takes: SP_TRACE_REPORT_MAX, or less if
 * the channel's send buffer is smaller. */
size_t       sp_channel_report_max (void);
/* The program's name, already quoted and escaped for JSON. */
const char  *sp_channel_program    (size_t   *len);
/* Sends one report. `data_start` is where its "data" member begins (0 if
 * it has none): a report too large for the channel goes without it. */
void         sp_channel_send       (SpBuf    *report,
                                    size_t    data_start);

/* Exported: the Python tracer calls it by name (sp-preload-channel.c). */
void         sp_trace_preload_stand_down (void);
