/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-application.h"
#include "sp-preferences-window.h"
#include "sp-window.h"

struct _SpApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (SpApplication, sp_application, ADW_TYPE_APPLICATION)

/* SP_REPORT_FIRST_FRAME set: the monotonic clock when the window has painted
 * its first frame goes to stderr, so that tests/bench/bench-first-frame.py
 * can time the start from outside the process. */
static void
on_first_frame_painted (GdkFrameClock *clock,
                        gpointer       user_data)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame_painted, user_data);
  g_printerr ("first-frame monotonic-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
}

static void
on_window_realized (GtkWidget *window,
                    gpointer   user_data)
{
  g_signal_handlers_disconnect_by_func (window, on_window_realized, user_data);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_first_frame_painted), NULL);
}

static SpWindow *
sp_application_ensure_window (SpApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));
  SpWindow *created;

  if (SP_IS_WINDOW (window))
    return SP_WINDOW (window);

  created = sp_window_new (GTK_APPLICATION (self));
  if (g_getenv ("SP_REPORT_FIRST_FRAME") != NULL)
    g_signal_connect (created, "realize", G_CALLBACK (on_window_realized), NULL);
  return created;
}

static void
sp_application_activate (GApplication *application)
{
  SpApplication *self = SP_APPLICATION (application);

  gtk_window_present (GTK_WINDOW (sp_application_ensure_window (self)));
}

static void
sp_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  SpApplication *self = SP_APPLICATION (application);
  SpWindow *window = sp_application_ensure_window (self);

  for (int i = 0; i < n_files; i++)
    sp_window_open (window, files[i]);

  gtk_window_present (GTK_WINDOW (window));
}

static void
sp_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
sp_application_preferences_action (GSimpleAction *action,
                                   GVariant      *parameter,
                                   gpointer       user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  SpPreferencesWindow *preferences;

  preferences = sp_preferences_window_new (gtk_application_get_active_window (application));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
sp_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  static const char *developers[] = { "The Socket Playground authors", NULL };
  static const char *artists[] = { "The Socket Playground authors", NULL };
  GtkApplication *application = GTK_APPLICATION (user_data);
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (application),
                        "application", application,
                        "application-name", _("Socket Playground"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Make real sockets one call at a time and watch "
                                      "every byte they send and receive"),
                        "developer-name", "The Socket Playground authors",
                        "copyright", "© 2026 The Socket Playground authors",
                        "website", "https://github.com/socketplayground/socket-playground",
                        "issue-url", "https://github.com/socketplayground/socket-playground/issues",
                        "developers", developers,
                        "artists", artists,
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { .name = "quit", .activate = sp_application_quit_action },
  { .name = "preferences", .activate = sp_application_preferences_action },
  { .name = "about", .activate = sp_application_about_action },
};

static void
sp_application_startup (GApplication *application)
{
  static const struct
  {
    const char *action;
    const char *accels[4];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    /* GtkWindow's own action: it asks about unsaved changes as the close
     * button does (close-request). */
    { "window.close", { "<Control>w", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.save", { "<Control>s", NULL } },
    { "win.save-as", { "<Control><Shift>s", NULL } },
    { "win.new-session", { "<Control><Shift>n", NULL } },
    { "win.add-socket", { "<Control>n", NULL } },
    { "win.step", { "F10", NULL } },
    { "win.run", { "<Control>Return", NULL } },
    { "win.restart", { "<Control>r", NULL } },
    { "win.show-panel::steps", { "<Alt>1", NULL } },
    { "win.show-panel::code", { "<Alt>2", NULL } },
    { "win.show-panel::sequence", { "<Alt>3", NULL } },
    { "win.search-log", { "<Control>f", NULL } },
    { "win.presentation", { "F5", NULL } },
    { "win.fullscreen", { "F11", NULL } },
    { "win.show-sidebar", { "F9", NULL } },
    { "win.show-panels", { "<Shift>F9", NULL } },
    /* Plus is Shift+= on many keyboards: Ctrl+= is taken as Ctrl+Plus. */
    { "win.zoom-in", { "<Control>plus", "<Control>equal", "<Control>KP_Add", NULL } },
    { "win.zoom-out", { "<Control>minus", "<Control>KP_Subtract", NULL } },
    { "win.zoom-reset", { "<Control>0", "<Control>KP_0", NULL } },
  };

  G_APPLICATION_CLASS (sp_application_parent_class)->startup (application);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (application), accels[i].action,
                                           accels[i].accels);
}

static void
sp_application_class_init (SpApplicationClass *klass)
{
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);

  application_class->activate = sp_application_activate;
  application_class->open = sp_application_open;
  application_class->startup = sp_application_startup;
}

static void
sp_application_init (SpApplication *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);
}

SpApplication *
sp_application_new (void)
{
  return g_object_new (SP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}

/* The command line is parsed already (sp-command-line.c): the application
 * gets no options, only the session to open, as a URI so that a name
 * starting with "-" is not taken for one. */
int
sp_application_run (const char *file)
{
  g_autoptr(SpApplication) application = sp_application_new ();
  g_autoptr(GFile) session = file != NULL ? g_file_new_for_commandline_arg (file) : NULL;
  g_autofree char *uri = session != NULL ? g_file_get_uri (session) : NULL;
  char *argv[] = { (char *) g_get_prgname (), uri, NULL };

  g_set_application_name (_("Socket Playground"));

  return g_application_run (G_APPLICATION (application), uri != NULL ? 2 : 1, argv);
}
