/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Shows `message` in the toast overlay that holds `widget`; in a window
 * without one (a test's), nothing. */
void sp_toast_show (GtkWidget  *widget,
                    const char *message);

G_END_DECLS
