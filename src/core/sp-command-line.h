/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the command line asks for. One bit each, so that an option can say
 * which of them it goes with. */
typedef enum
{
  SP_COMMAND_WINDOW        = 1 << 0,
  SP_COMMAND_HEADLESS      = 1 << 1,
  SP_COMMAND_EXPORT_PYTHON = 1 << 2,
  SP_COMMAND_LIST_PRESETS  = 1 << 3,
  SP_COMMAND_VERSION       = 1 << 4,
  SP_COMMAND_HELP          = 1 << 5,
  SP_COMMAND_TRACE         = 1 << 6,
} SpCommand;

typedef struct
{
  SpCommand  command;
  /* The session: FILE or preset:ID, the one positional argument. */
  char      *file;
  gboolean   json;
  gboolean   allow_remote;
  guint      step_delay;
  /* --time-limit: the longest a headless replay may run, 0 for no limit. */
  guint      time_limit_s;
  gint64     data_limit;
  char      *export_log;
  char      *output;
  /* --trace --record: where the calls are written as a session. */
  char      *record;
  /* --trace: the program to run and its arguments, NULL-terminated. */
  char     **program_argv;
  /* What --help prints. */
  char      *help;
} SpCommandLine;

/* Every option of the program, in any order, before or after FILE;
 * arguments after "--" are positional whatever they look like. Returns
 * NULL and sets `error` (a message naming the option or argument, for
 * exit status 2) when the command line cannot be run as it is: an unknown
 * option, a bad value, an option that does not go with the command, a
 * FILE too many or missing. `with_window` says whether this build has
 * the window, which --help describes. */
SpCommandLine *sp_command_line_parse (int        argc,
                                      char     **argv,
                                      gboolean   with_window,
                                      GError   **error);
void           sp_command_line_free  (SpCommandLine *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpCommandLine, sp_command_line_free)

G_END_DECLS
