/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SP_TYPE_PREFERENCES_WINDOW (sp_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (SpPreferencesWindow, sp_preferences_window, SP, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

/* The preferences, bound to the application's GSettings: a change is saved
 * as it is made, except a default bind address that is not valid, which is
 * explained under its field and not saved. */
SpPreferencesWindow *sp_preferences_window_new (GtkWindow *parent);

G_END_DECLS
