/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <sys/resource.h>

#include "sp-descriptors.h"
#include "sp-headless.h"

#ifdef SP_WITH_GUI
#include "sp-application.h"
#endif

/* A server playground must be able to hold a thousand connections; the
 * usual soft limit of 1024 descriptors would stop it well short. */
static void
raise_file_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}

static int
run_window (const SpCommandLine *command_line)
{
#ifdef SP_WITH_GUI
  return sp_application_run (command_line->file);
#else
  g_printerr ("%s\n", _("This build has no window; use --headless FILE."));
  return 2;
#endif
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SpCommandLine) command_line = NULL;
  g_autoptr(GError) error = NULL;
  const char *localedir = g_getenv ("SP_TEST_LOCALEDIR");
#ifdef SP_WITH_GUI
  gboolean with_window = TRUE;
#else
  gboolean with_window = FALSE;
#endif

  setlocale (LC_ALL, "");
  /* The tests run the program from the build tree, whose compiled catalogs
   * are not in LOCALEDIR: they name the build's po directory here. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  raise_file_limit ();
  /* Before any session can use the descriptors up: the window and the
   * headless run share this, as they share the sockets. */
  sp_descriptors_prepare ();
  /* A peer that vanishes is an event to show, not a reason to die; and a
   * reader of our output that goes away is a failed write (sp-stdout.c). */
  signal (SIGPIPE, SIG_IGN);

  command_line = sp_command_line_parse (argc, argv, with_window, &error);
  if (command_line == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (command_line->command == SP_COMMAND_WINDOW)
    return run_window (command_line);

  return sp_headless_run (command_line);
}
