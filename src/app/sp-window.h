/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_WINDOW (sp_window_get_type ())

G_DECLARE_FINAL_TYPE (SpWindow, sp_window, SP, WINDOW, AdwApplicationWindow)

SpWindow   *sp_window_new                (GtkApplication  *application);
/* Loads a session file asynchronously; a failure is shown in a toast. */
void        sp_window_open               (SpWindow        *self,
                                          GFile           *file);
/* Writes the session to `file` asynchronously and makes it the session's
 * file; `callback` may be NULL. */
void        sp_window_save_async         (SpWindow        *self,
                                          GFile           *file,
                                          GCancellable    *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer         user_data);
gboolean    sp_window_save_finish        (SpWindow        *self,
                                          GAsyncResult    *result,
                                          GError         **error);

SpPlayer   *sp_window_get_player         (SpWindow        *self);
/* Runs a program in a terminal of the Programs panel, its socket calls
 * in the log (DESIGN.md, "Watching a program you wrote"). FALSE with a
 * message that names it when it cannot be started. */
gboolean    sp_window_run_program        (SpWindow        *self,
                                          const char * const *argv,
                                          GError         **error);
GFile      *sp_window_get_file           (SpWindow        *self);
gboolean    sp_window_get_dirty          (SpWindow        *self);
const char *sp_window_get_selected_socket (SpWindow       *self);

G_END_DECLS
