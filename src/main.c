/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <sys/resource.h>

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

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  raise_file_limit ();
  /* A peer that vanishes is an event to show, not a reason to die. */
  signal (SIGPIPE, SIG_IGN);

  if (sp_headless_handle_command_line (argc, argv, &status))
    return status;

#ifdef SP_WITH_GUI
  return sp_application_run (argc, argv);
#else
  g_printerr ("%s\n", _("This build has no window; use --headless FILE."));
  return 2;
#endif
}
