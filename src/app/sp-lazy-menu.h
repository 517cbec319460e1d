/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Gives `button` its menu when it first opens, not now. */
void sp_lazy_menu_attach (GtkMenuButton *button,
                          GMenuModel    *model);

G_END_DECLS
