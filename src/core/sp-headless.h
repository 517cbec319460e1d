/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The command-line modes that need no display: --headless,
 * --export-python, --list-presets, --version. Returns TRUE and sets
 * `exit_status` when argv asked for one of them. */
gboolean sp_headless_handle_command_line (int    argc,
                                          char **argv,
                                          int   *exit_status);

G_END_DECLS
