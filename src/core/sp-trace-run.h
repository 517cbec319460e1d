/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-command-line.h"

G_BEGIN_DECLS

/* --trace: runs the program, prints each of its socket calls as it
 * happens, as --headless prints the playground's own, and returns the
 * program's exit status (2 when it cannot be started). */
int sp_trace_run (const SpCommandLine *command_line);

G_END_DECLS
