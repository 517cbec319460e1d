/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-recording.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

#define SP_TYPE_PROGRAM_VIEW (sp_program_view_get_type ())

G_DECLARE_FINAL_TYPE (SpProgramView, sp_program_view, SP, PROGRAM_VIEW, GtkBox)

/* A program run with its socket calls traced (SpTrace) into `log`, in a
 * terminal of its own, so that it reads what the user types (input()) and
 * shows what it prints. Above the terminal: what runs, whether it still
 * does or how it ended, and a button that stops it.
 *
 * Its calls go to `recording` too, when it is given.
 *
 * Properties: "title" (the program's name), "running". */
SpProgramView *sp_program_view_new         (SpTrafficLog        *log,
                                            SpRecording         *recording);

/* Starts argv[0] (a ".py" with python3). FALSE with a message that names
 * the program when it cannot be started. */
gboolean       sp_program_view_start       (SpProgramView       *self,
                                            const char * const  *argv,
                                            GError             **error);
/* Asks the program to end, and ends it if it has not within a second. */
void           sp_program_view_stop        (SpProgramView       *self);

const char    *sp_program_view_get_title   (SpProgramView       *self);
gboolean       sp_program_view_get_running (SpProgramView       *self);
/* The program's exit status (128 + N after signal N), -1 while it runs. */
int            sp_program_view_get_exit_status (SpProgramView   *self);

G_END_DECLS
