/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SP_TYPE_APPLICATION (sp_application_get_type ())

G_DECLARE_FINAL_TYPE (SpApplication, sp_application, SP, APPLICATION, AdwApplication)

SpApplication *sp_application_new (void);
/* Opens the window, with the session `file` (a path or URI) if not NULL,
 * and returns the exit status. */
int            sp_application_run (const char *file);

G_END_DECLS
