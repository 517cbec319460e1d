/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The "recent-sessions" setting: the URIs of the session files opened or
 * saved most recently, newest first, at most SP_RECENT_MAX. */
#define SP_RECENT_MAX 10

void        sp_recent_add      (GSettings  *settings,
                                GFile      *file);
void        sp_recent_remove   (GSettings  *settings,
                                const char *uri);
/* A menu of the setting's files, each on win.open-recent with its URI;
 * NULL when there are none. */
GMenuModel *sp_recent_menu_new (GSettings  *settings);

G_END_DECLS
