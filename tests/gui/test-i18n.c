/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include <adwaita.h>

#include "sp-window.h"

/* What the window shows in the language under test (LANGUAGE), as
 * po/LANG.po translates it: strings from C code and from templates, a
 * mnemonic and a plural. */
typedef struct
{
  const char *language;
  const char *new_session;   /* sp-window.c */
  const char *empty_title;   /* sp-window.ui: the status page */
  const char *open_tooltip;  /* sp-window.ui: a header bar button */
  const char *presets_label; /* sp-window.ui: a button with a mnemonic */
  const char *steps_title;   /* sp-window.ui: the Steps panel */
  const char *one_event;     /* sp-sequence-view.c: a plural */
  const char *two_events;
} Expected;

static const Expected expectations[] = {
  {
    "de",
    "Neue Sitzung",
    "Noch kein Socket",
    "Eine Sitzung öffnen (Strg+O)",
    "_Vorlagen",
    "Schritte",
    "%u Ereignis",
    "%u Ereignisse",
  },
  {
    "es",
    "Nueva sesión",
    "Aún no hay ningún socket",
    "Abrir una sesión (Ctrl+O)",
    "_Plantillas",
    "Pasos",
    "%u evento",
    "%u eventos",
  },
};

static const Expected *expected;

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

typedef gboolean (*Match) (GtkWidget  *widget,
                           const char *data);

static GtkWidget *
find_widget (GtkWidget  *widget,
             Match       match,
             const char *data)
{
  if (match (widget, data))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
is_type (GtkWidget  *widget,
         const char *type_name)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, g_type_from_name (type_name));
}

static gboolean
has_action (GtkWidget  *widget,
            const char *action)
{
  return GTK_IS_BUTTON (widget) &&
         g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0;
}

static gboolean
is_menu_button_with_label (GtkWidget  *widget,
                           const char *unused)
{
  return GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)) != NULL;
}

static gboolean
is_stack_with_page (GtkWidget  *widget,
                    const char *name)
{
  return ADW_IS_VIEW_STACK (widget) &&
         adw_view_stack_get_child_by_name (ADW_VIEW_STACK (widget), name) != NULL;
}

/* The catalog of the build tree is found, for the language asked for. */
static void
test_catalog (void)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  /* gettext ignores LANGUAGE in the C locale. */
  g_assert_cmpstr (messages, !=, "C");
  g_assert_cmpstr (messages, !=, "POSIX");

  g_assert_cmpstr (_("No Socket Yet"), ==, expected->empty_title);
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events", 1), ==,
                   expected->one_event);
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events", 2), ==,
                   expected->two_events);
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE, "%u event", "%u events", 0), ==,
                   expected->two_events);
}

/* The real window shows its texts translated. */
static void
test_window (void)
{
  g_autoptr(GtkApplication) application = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *window_title = NULL;
  SpWindow *window;
  GtkWidget *root;
  GtkWidget *widget;
  AdwViewStack *stack;

  application = gtk_application_new (NULL, G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);

  window = g_object_ref (sp_window_new (application));
  root = GTK_WIDGET (window);
  gtk_window_present (GTK_WINDOW (window));
  wait_until_mapped (root);

  window_title = g_strdup_printf ("%s — Socket Playground", expected->new_session);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, window_title);
  widget = find_widget (root, is_type, "AdwWindowTitle");
  g_assert_nonnull (widget);
  g_assert_cmpstr (adw_window_title_get_title (ADW_WINDOW_TITLE (widget)), ==,
                   expected->new_session);

  widget = find_widget (root, is_type, "AdwStatusPage");
  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_get_mapped (widget));
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), ==,
                   expected->empty_title);

  widget = find_widget (root, has_action, "win.open");
  g_assert_nonnull (widget);
  g_assert_cmpstr (gtk_widget_get_tooltip_text (widget), ==, expected->open_tooltip);

  widget = find_widget (root, is_menu_button_with_label, NULL);
  g_assert_nonnull (widget);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (widget)), ==,
                   expected->presets_label);
  g_assert_true (gtk_menu_button_get_use_underline (GTK_MENU_BUTTON (widget)));

  stack = ADW_VIEW_STACK (find_widget (root, is_stack_with_page, "steps"));
  g_assert_nonnull (stack);
  g_assert_cmpstr (adw_view_stack_page_get_title (
                     adw_view_stack_get_page (stack,
                                              adw_view_stack_get_child_by_name (stack, "steps"))),
                   ==, expected->steps_title);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int   argc,
      char *argv[])
{
  const char *language = g_getenv ("LANGUAGE");
  const char *localedir = g_getenv ("SP_TEST_LOCALEDIR");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* gtk_test_init sets en_US.UTF-8 (or leaves C when that is missing): run
   * in the environment's locale, as main.c does, with the catalogs that
   * the build tree compiled from po/. */
  if (setlocale (LC_ALL, "") == NULL)
    g_error ("The locale of LC_ALL=%s does not exist", g_getenv ("LC_ALL"));
  if (localedir == NULL)
    g_error ("SP_TEST_LOCALEDIR must name the build's po directory");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  for (guint i = 0; i < G_N_ELEMENTS (expectations); i++)
    if (g_strcmp0 (expectations[i].language, language) == 0)
      expected = &expectations[i];
  if (expected == NULL)
    g_error ("LANGUAGE=%s: no expectations for this language", language);

  g_test_add_func ("/Sp/I18n/catalog", test_catalog);
  g_test_add_func ("/Sp/I18n/window", test_window);

  return g_test_run ();
}
