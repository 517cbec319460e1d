/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-headless.h"

gboolean
sp_headless_handle_command_line (int    argc,
                                 char **argv,
                                 int   *exit_status)
{
  return FALSE;
}
