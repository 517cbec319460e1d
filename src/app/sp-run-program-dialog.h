/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SP_TYPE_RUN_PROGRAM_DIALOG (sp_run_program_dialog_get_type ())

G_DECLARE_FINAL_TYPE (SpRunProgramDialog, sp_run_program_dialog, SP, RUN_PROGRAM_DIALOG,
                      AdwMessageDialog)

/* Asks for a program to run with its socket calls watched, and its
 * arguments, as a shell would split them. "Run" is enabled only for a
 * program that exists and arguments that parse; what is wrong is said
 * under the field it is about. */
SpRunProgramDialog *sp_run_program_dialog_new      (GtkWindow          *parent);
/* The program and its arguments, or NULL while they are not valid. */
GStrv               sp_run_program_dialog_get_argv (SpRunProgramDialog *self);
void                sp_run_program_dialog_set_program (SpRunProgramDialog *self,
                                                       const char         *path);

G_END_DECLS
