/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>
#include <fontconfig/fontconfig.h>

/* Preloaded into gtk4-builder-tool by the 'data' tests so that it can
 * validate our templates. The tool finds an object's class lazily through
 * its get_type symbol, which this module exports for libadwaita and for
 * every Sp widget (it links the whole app library), but a template's parent
 * class must already be registered: register those the templates use. */
static void ensure_template_parents (void) __attribute__((constructor));

static void
ensure_template_parents (void)
{
  /* Pango loads the fontconfig configuration in a thread of its own, and
   * the first widget the tool makes can race that thread: under a loaded
   * test run the tool died with SIGSEGV in widget init while the other
   * thread was still parsing fonts.conf. Loading it here, before GTK
   * starts, leaves that thread nothing to do. */
  FcInit ();

  g_type_ensure (ADW_TYPE_APPLICATION_WINDOW);
  g_type_ensure (ADW_TYPE_BIN);
  g_type_ensure (ADW_TYPE_PREFERENCES_WINDOW);
  g_type_ensure (ADW_TYPE_PREFERENCES_PAGE);
  g_type_ensure (ADW_TYPE_PREFERENCES_GROUP);
  g_type_ensure (ADW_TYPE_ACTION_ROW);
  g_type_ensure (ADW_TYPE_MESSAGE_DIALOG);
}
