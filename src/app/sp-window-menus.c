/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-lazy-menu.h"
#include "sp-presets.h"
#include "sp-zoom.h"
#include "sp-window-private.h"

/* The window's menus: the presets, and the main menu with its keys. */

static GMenuModel *
make_presets_menu (void)
{
  g_auto(GStrv) ids = sp_presets_list_ids ();
  GMenu *menu = g_menu_new ();

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(SpSession) session = sp_presets_load (ids[i], NULL);
      g_autoptr(GMenuItem) item = NULL;
      const char *title = session != NULL ? sp_session_get_title (session) : ids[i];

      /* A GMenu label takes "_" as a mnemonic: "connect_ex" would read
       * "connectex". Doubled, it is shown as itself. */
      g_autoptr(GString) label = g_string_new (title);

      g_string_replace (label, "_", "__", 0);
      item = g_menu_item_new (label->str, NULL);
      g_menu_item_set_action_and_target (item, "win.open-preset", "s", ids[i]);
      g_menu_append_item (menu, item);
    }

  return G_MENU_MODEL (menu);
}

/* Reading every preset for its title waits until the menu is first opened. */
static void
on_presets_popup (GtkMenuButton *button,
                  gpointer       user_data)
{
  g_autoptr(GMenuModel) presets = NULL;

  if (gtk_menu_button_get_menu_model (button) != NULL)
    return;

  presets = make_presets_menu ();
  gtk_menu_button_set_menu_model (button, presets);
}

/* The main menu and the keyboard
 *
 * F10 runs the next step here, as the README, the tooltips and the shortcuts
 * window say; so the main menu is not GTK's "primary" menu, which takes F10,
 * and opens with Ctrl+F10 instead. While the menu shows, its popover has the
 * keyboard and the window's shortcuts never see a key: the popover gets the
 * application's accelerators itself, and a key closes the menu before its
 * action runs, as choosing one of the menu's items would. */

static gboolean
open_main_menu (GtkWidget *widget,
                GVariant  *args,
                gpointer   user_data)
{
  gtk_menu_button_popup (SP_WINDOW (widget)->primary_menu_button);
  return TRUE;
}

static gboolean
on_main_menu_accel (GtkWidget *popover,
                    GVariant  *args,
                    gpointer   user_data)
{
  SpWindow *self = user_data;
  const char *detailed = g_variant_get_string (args, NULL);
  g_autofree char *name = NULL;
  g_autoptr(GVariant) target = NULL;

  if (!g_action_parse_detailed_name (detailed, &name, &target, NULL))
    return FALSE;

  gtk_popover_popdown (GTK_POPOVER (popover));
  return gtk_widget_activate_action_variant (GTK_WIDGET (self), name, target);
}

/* The application sets its accelerators after the window is made: they are
 * read when the menu first shows. */
static void
on_main_menu_show (GtkWidget *popover,
                   SpWindow  *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));
  GtkEventController *controller;
  g_auto(GStrv) actions = NULL;

  g_signal_handlers_disconnect_by_func (popover, on_main_menu_show, self);
  if (application == NULL)
    return;

  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  actions = gtk_application_list_action_descriptions (application);
  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (application, actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        {
          GtkShortcutTrigger *trigger = gtk_shortcut_trigger_parse_string (accels[j]);
          GtkShortcutAction *action;

          if (trigger == NULL)
            continue;
          action = gtk_callback_action_new (on_main_menu_accel, self, NULL);
          gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                                gtk_shortcut_new_with_arguments (trigger, action,
                                                                                 "s", actions[i]));
        }
    }
  gtk_widget_add_controller (popover, controller);
}

/* The main menu, its zoom row and its keys are made when it first opens. */
static void
on_main_menu_popup (GtkMenuButton *button,
                    gpointer       user_data)
{
  SpWindow *self = user_data;
  GtkWidget *popover;

  if (gtk_menu_button_get_popover (button) != NULL)
    return;

  gtk_menu_button_set_menu_model (button, self->primary_menu);
  popover = GTK_WIDGET (gtk_menu_button_get_popover (button));
  g_signal_connect_object (popover, "show", G_CALLBACK (on_main_menu_show), self, 0);

  /* The − 100% + row, as GNOME Text Editor has it. */
  self->zoom_control = sp_zoom_control_new ();
  sp_zoom_control_set_zoom (self->zoom_control, self->zoom);
  gtk_popover_menu_add_child (GTK_POPOVER_MENU (popover), self->zoom_control, "zoom");
}

void
_sp_window_class_init_menus (GtkWidgetClass *widget_class)
{
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_CONTROL_MASK, open_main_menu, NULL);
}

void
_sp_window_init_menus (SpWindow *self)
{
  gtk_menu_button_set_create_popup_func (self->presets_button, on_presets_popup, NULL, NULL);
  sp_lazy_menu_attach (self->speed_button, self->speed_menu);
  sp_lazy_menu_attach (self->socket_menu_button, self->socket_menu);
  gtk_menu_button_set_create_popup_func (self->primary_menu_button, on_main_menu_popup, self, NULL);
}
