/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-command-line.h"

G_BEGIN_DECLS

/* Runs a command that needs no display: --headless, --export-python, --trace,
 * --list-presets, --version, --help. Returns the exit status. */
int sp_headless_run (const SpCommandLine *command_line);

G_END_DECLS
