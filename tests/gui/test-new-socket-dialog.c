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
choose (SpNewSocketDialog *dialog,
        const char        *title,
        guint              position)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, title);

  g_assert_nonnull (row);
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), position);
}

/* The kinds, as family and type (the dialog lists them in enum order). */
enum { TCP4, UDP4, TCP6, UNIX_STREAM };

static void
choose_kind (SpNewSocketDialog *dialog,
             guint              kind)
{
  static const struct { SpFamily family; SpSocketType type; } kinds[] = {
    [TCP4] = { SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM },
    [UDP4] = { SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM },
    [TCP6] = { SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM },
    [UNIX_STREAM] = { SP_FAMILY_UNIX, SP_SOCKET_TYPE_STREAM },
  };

  choose (dialog, "Family", kinds[kind].family);
  choose (dialog, "Type", kinds[kind].type);
}

static GtkEditable *
port_row (SpNewSocketDialog *dialog)
{
  GtkWidget *row = find_row (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW,
                             "Port (0: the kernel picks one)");

  g_assert_nonnull (row);
  return GTK_EDITABLE (row);
}

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

  /* A UNIX socket has a name of its own, not an IP address, and no port;
   * the name follows the socket's while the user has not typed another. */
  choose_kind (dialog, UNIX_STREAM);
  g_assert_cmpstr (address (dialog), ==, "@socket-playground-server");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (port_row (dialog))));
  sp_new_socket_dialog_set_name (dialog, "echo");
  g_assert_cmpstr (address (dialog), ==, "@socket-playground-echo");
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpint (config->family, ==, SP_FAMILY_UNIX);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_STREAM);
  g_assert_cmpstr (config->address, ==, "@socket-playground-echo");
  g_assert_cmpint (config->port, ==, -1);
  g_clear_object (&config);
  gtk_editable_set_text (address_row (dialog), "/tmp/echo.sock");
  sp_new_socket_dialog_set_name (dialog, "other");
  g_assert_cmpstr (address (dialog), ==, "/tmp/echo.sock");

  destroy_dialog (dialog);
}

/* The port starts at 0, which lets the kernel pick; a bad one says why. */
static void
test_port (void)
{
  g_autoptr(SpSession) session = sp_session_new ();
  g_autoptr(SpSocketConfig) config = NULL;
  SpNewSocketDialog *dialog = new_dialog (session);

  g_assert_cmpstr (gtk_editable_get_text (port_row (dialog)), ==, "0");
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpint (config->port, ==, 0);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_STREAM);
  g_clear_object (&config);

  gtk_editable_set_text (port_row (dialog), "70000");
  g_assert_null (sp_new_socket_dialog_get_config (dialog));
  g_assert_nonnull (find_row (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW,
                              "Port: 70000 is out of range; use 0–65535 (0 asks for an "
                              "ephemeral port)"));

  choose_kind (dialog, UDP4);
  gtk_editable_set_text (port_row (dialog), "5005");
  config = sp_new_socket_dialog_get_config (dialog);
  g_assert_cmpint (config->type, ==, SP_SOCKET_TYPE_DGRAM);
  g_assert_cmpint (config->port, ==, 5005);

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
  g_test_add_func ("/Sp/NewSocketDialog/port", test_port);

  return g_test_run ();
}
