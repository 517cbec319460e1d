/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "sp-new-socket-dialog.h"

#define EVERY_INTERFACE "Every interface: reachable from other machines on your network"

/* Widgets, found as a user finds them: by what they say. */

static GtkWidget *
find_row (GtkWidget  *widget,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkEditable *
address_row (SpNewSocketDialog *dialog)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW, "Address");

  g_assert_nonnull (row);
  return GTK_EDITABLE (row);
}

static const char *
address (SpNewSocketDialog *dialog)
{
  return gtk_editable_get_text (address_row (dialog));
}

static gboolean
hint_shown (SpNewSocketDialog *dialog)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW, EVERY_INTERFACE);

  return row != NULL && gtk_widget_get_visible (row);
}

static void
choose_kind (SpNewSocketDialog *dialog,
             guint              kind)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Kind");

  g_assert_nonnull (row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), kind);
}

/* The kinds, in the order the dialog lists them. */
enum { TCP4, UDP4, TCP6, UDP6, UNIX_STREAM };

static SpNewSocketDialog *
new_dialog (SpSession *session)
{
  return g_object_ref_sink (sp_new_socket_dialog_new (NULL, session));
}

static void
destroy_dialog (SpNewSocketDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

/* With the preferences untouched a new socket binds loopback, of its
 * family; binding every interface is possible, and said. */
static void
test_loopback_by_default (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpSocketConfig) config = NULL;
  SpNewSocketDialog *dialog;

  g_settings_reset (settings, "default-bind-address");
  dialog = new_dialog (session);

  g_assert_cmpstr (address (dialog), ==, "127.0.0.1");
  g_assert_false (hint_shown (dialog));
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpint (config->family, ==, SP_FAMILY_INET);
  g_assert_cmpstr (config->address, ==, "127.0.0.1");
  g_clear_object (&config);

  choose_kind (dialog, TCP6);
  g_assert_cmpstr (address (dialog), ==, "::1");

  gtk_editable_set_text (address_row (dialog), "::");
  g_assert_true (hint_shown (dialog));
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpint (config->family, ==, SP_FAMILY_INET6);
  g_assert_cmpstr (config->address, ==, "::");
  g_clear_object (&config);

  gtk_editable_set_text (address_row (dialog), "::1");
  g_assert_false (hint_shown (dialog));

  /* An address typed by the user stays when the kind changes. */
  choose_kind (dialog, TCP4);
  gtk_editable_set_text (address_row (dialog), "0.0.0.0");
  g_assert_true (hint_shown (dialog));
  choose_kind (dialog, UDP4);
  g_assert_cmpstr (address (dialog), ==, "0.0.0.0");
  g_assert_true (hint_shown (dialog));

  /* Not an address: no socket to add. */
  gtk_editable_set_text (address_row (dialog), "300.1.2.3");
  g_assert_false (hint_shown (dialog));
  g_assert_null (sp_new_socket_dialog_get_config (dialog));

  /* A UNIX socket has a name of its own, not an IP address. */
  choose_kind (dialog, UNIX_STREAM);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (address_row (dialog))));
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpstr (config->address, ==, "@socket-playground-server");

  destroy_dialog (dialog);
}

/* The preferences choose the default; one that does not fit the family
 * gives way to that family's loopback. */
static void
test_default_from_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpSocketConfig) config = NULL;
  SpNewSocketDialog *dialog;

  g_settings_set_string (settings, "default-bind-address", "");
  dialog = new_dialog (session);
  g_assert_cmpstr (address (dialog), ==, "");
  g_assert_true (hint_shown (dialog));
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpstr (config->address, ==, "");
  choose_kind (dialog, TCP6);
  g_assert_cmpstr (address (dialog), ==, "");
  g_assert_true (hint_shown (dialog));
  destroy_dialog (dialog);

  g_settings_set_string (settings, "default-bind-address", "::");
  dialog = new_dialog (session);
  g_assert_cmpstr (address (dialog), ==, "127.0.0.1");
  choose_kind (dialog, TCP6);
  g_assert_cmpstr (address (dialog), ==, "::");
  destroy_dialog (dialog);

  g_settings_reset (settings, "default-bind-address");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/Sp/NewSocketDialog/loopback-by-default", test_loopback_by_default);
  g_test_add_func ("/Sp/NewSocketDialog/default-from-settings", test_default_from_settings);

  return g_test_run ();
}
