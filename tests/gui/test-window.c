/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "sp-application.h"
#include "sp-window.h"

static gboolean
fail_on_timeout (gpointer user_data)
{
  g_error ("%s: timed out", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until `widget` is mapped, failing after 10 s. */
static void
wait_until_mapped (GtkWidget *widget)
{
  guint timeout_id = g_timeout_add_seconds (10, fail_on_timeout, (gpointer) "map");

  while (!gtk_widget_get_mapped (widget))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuModel) section = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name)
          && g_strcmp0 (name, action) == 0)
        return TRUE;

      section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      if (section != NULL && menu_has_action (section, action))
        return TRUE;
    }

  return FALSE;
}

static void
test_window_shell (void)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  SpWindow *window;
  GtkWidget *status_page;
  GtkWidget *window_title;
  GtkWidget *menu_button;

  application = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  window = g_object_ref (sp_window_new (application));
  gtk_window_present (GTK_WINDOW (window));
  wait_until_mapped (GTK_WIDGET (window));

  g_assert_true (gtk_window_get_application (GTK_WINDOW (window)) == application);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Socket Playground");

  window_title = find_descendant (GTK_WIDGET (window), ADW_TYPE_WINDOW_TITLE);
  g_assert_nonnull (window_title);
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (window_title)),
                   ==, "Socket Playground");

  status_page = find_descendant (GTK_WIDGET (window), ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status_page);
  g_assert_true (gtk_widget_get_mapped (status_page));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status_page)),
                   ==, "Open a session or choose a preset");

  menu_button = find_descendant (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON);
  g_assert_nonnull (menu_button);
  g_assert_true (gtk_menu_button_get_primary (GTK_MENU_BUTTON (menu_button)));
  g_assert_true (menu_has_action (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)),
                                  "app.about"));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
test_application_actions (void)
{
  g_autoptr(SpApplication) application = sp_application_new ();
  g_auto(GStrv) accels = NULL;
  g_autoptr(GError) error = NULL;
  AdwAboutWindow *about = NULL;
  g_autoptr(GListModel) toplevels = NULL;

  g_assert_cmpstr (g_application_get_application_id (G_APPLICATION (application)), ==, APP_ID);
  g_assert_true (g_application_get_flags (G_APPLICATION (application)) & G_APPLICATION_HANDLES_OPEN);

  /* Non-unique, so that a running Socket Playground does not take the call. */
  g_application_set_flags (G_APPLICATION (application),
                           G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (application), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (application), "about"));

  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (application), "app.quit");
  g_assert_cmpuint (g_strv_length (accels), ==, 1);
  g_assert_cmpstr (accels[0], ==, "<Control>q");

  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (toplevels, i);

      if (ADW_IS_ABOUT_WINDOW (item))
        about = ADW_ABOUT_WINDOW (item);
    }

  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);

  g_object_ref (about);
  gtk_window_destroy (GTK_WINDOW (about));
  g_assert_finalize_object (about);
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/Sp/Window/shell", test_window_shell);
  g_test_add_func ("/Sp/Application/actions", test_application_actions);

  return g_test_run ();
}
