/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-lazy-menu.h"

/* A menu button builds its popover, a widget per item, as soon as it is
 * given a model; most menus are never opened in a run, and the window's
 * first frame would wait for all of them. */

static void
on_popup (GtkMenuButton *button,
          gpointer       user_data)
{
  if (gtk_menu_button_get_popover (button) == NULL)
    gtk_menu_button_set_menu_model (button, G_MENU_MODEL (user_data));
}

void
sp_lazy_menu_attach (GtkMenuButton *button,
                     GMenuModel    *model)
{
  g_return_if_fail (GTK_IS_MENU_BUTTON (button));
  g_return_if_fail (G_IS_MENU_MODEL (model));

  gtk_menu_button_set_create_popup_func (button, on_popup, g_object_ref (model), g_object_unref);
}
