/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "sp-report-parser.h"

/* A traced program's report (sp-trace-report.h) is read by a parser
 * written by hand, from a descriptor the program could write anything on.
 * Any input: no crash, no read past it; what it reads from valid UTF-8 is
 * valid UTF-8; reading it again reads the same. */

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static SpReportParser *parser;
  const char *text = (const char *) data;
  SpReport first, second;
  gboolean read;
  char *kept[SP_REPORT_N_STRINGS] = { NULL };

  if (parser == NULL)
    parser = sp_report_parser_new ();

  read = sp_report_parser_parse (parser, text, size, &first);
  if (!read)
    return 0;

  for (guint i = 0; i < SP_REPORT_N_STRINGS; i++)
    {
      if (first.strings[i] == NULL)
        continue;
      if (g_utf8_validate (text, size, NULL) && !g_utf8_validate (first.strings[i], -1, NULL))
        g_error ("string %u is not UTF-8", i);
      kept[i] = g_strdup (first.strings[i]);
    }

  g_assert_true (sp_report_parser_parse (parser, text, size, &second));
  g_assert_cmpuint (first.has_int, ==, second.has_int);
  g_assert_cmpint (first.has_ok, ==, second.has_ok);
  for (guint i = 0; i < SP_REPORT_N_STRINGS; i++)
    g_assert_cmpstr (kept[i], ==, second.strings[i]);
  for (guint i = 0; i < SP_REPORT_N_INTS; i++)
    if (first.has_int & (1u << i))
      g_assert_cmpint (first.ints[i], ==, second.ints[i]);
  for (guint i = 0; i < SP_REPORT_N_STRINGS; i++)
    g_free (kept[i]);
  return 0;
}
