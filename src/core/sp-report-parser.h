/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Reading one report of a traced program (sp-trace-report.h): a flat JSON
 * object. A flood of them is read on the window's main thread, where a
 * general JSON parser (a tree of nodes, a signal for every member) cost
 * more than everything else done with a report; this one reads the
 * members the format names straight into a struct.
 *
 * Any member may be missing or of another type than the format says (the
 * tracer is the program's guest): such a member reads as absent. Members
 * the format does not name are skipped whatever their value, nested
 * objects and arrays included. A member given twice counts as its last.
 * Text that is not one JSON object is refused. */

typedef enum
{
  SP_REPORT_PID,
  SP_REPORT_FD,
  SP_REPORT_ERRNO,
  SP_REPORT_BYTES,
  SP_REPORT_NEW_FD,
  SP_REPORT_TIME_US,
  SP_REPORT_START_US,
  SP_REPORT_N_INTS
} SpReportInt;

typedef enum
{
  SP_REPORT_CALL,
  SP_REPORT_PROGRAM,
  SP_REPORT_FAMILY,
  SP_REPORT_TYPE,
  SP_REPORT_ARGS,
  SP_REPORT_RESULT,
  SP_REPORT_LOCAL,
  SP_REPORT_REMOTE,
  SP_REPORT_DATA,
  SP_REPORT_N_STRINGS
} SpReportString;

typedef struct
{
  gint64       ints[SP_REPORT_N_INTS];
  guint        has_int;        /* bit (1 << SpReportInt) when given as an integer */
  /* NUL-terminated, in the parser's storage; NULL when absent. A string
   * with a NUL in it (\u0000) reads as absent. */
  const char  *strings[SP_REPORT_N_STRINGS];
  gboolean     ok;
  gboolean     has_ok;
} SpReport;

typedef struct _SpReportParser SpReportParser;

SpReportParser *sp_report_parser_new   (void);
void            sp_report_parser_free  (SpReportParser *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpReportParser, sp_report_parser_free)

/* Reads `length` bytes of UTF-8 text. The strings of `report` stay valid
 * until the next call. */
gboolean        sp_report_parser_parse (SpReportParser *self,
                                        const char     *text,
                                        gsize           length,
                                        SpReport       *report);

static inline gboolean
sp_report_get_int (const SpReport *report,
                   SpReportInt     which,
                   gint64         *value)
{
  if ((report->has_int & (1u << which)) == 0)
    return FALSE;
  *value = report->ints[which];
  return TRUE;
}

G_END_DECLS
