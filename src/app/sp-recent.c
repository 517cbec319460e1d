/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-recent.h"

/* Stores the list without `uri`, with `first` (may be NULL) in front, cut
 * to the most the setting keeps. */
static void
store (GSettings  *settings,
       const char *first,
       const char *uri)
{
  g_auto(GStrv) uris = g_settings_get_strv (settings, "recent-sessions");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) kept = NULL;
  guint n = 0;

  if (first != NULL)
    {
      g_strv_builder_add (builder, first);
      n++;
    }

  for (guint i = 0; uris[i] != NULL && n < SP_RECENT_MAX; i++)
    {
      if (g_str_equal (uris[i], uri))
        continue;
      g_strv_builder_add (builder, uris[i]);
      n++;
    }

  kept = g_strv_builder_end (builder);
  g_settings_set_strv (settings, "recent-sessions", (const char * const *) kept);
}

void
sp_recent_add (GSettings *settings,
               GFile     *file)
{
  g_autofree char *uri = NULL;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (G_IS_FILE (file));

  uri = g_file_get_uri (file);
  store (settings, uri, uri);
}

void
sp_recent_remove (GSettings  *settings,
                  const char *uri)
{
  g_return_if_fail (G_IS_SETTINGS (settings));
  g_return_if_fail (uri != NULL);

  store (settings, NULL, uri);
}

/* The file's name as a menu shows it: in UTF-8, its underscores not taken
 * for mnemonics. */
static char *
menu_label (const char *uri)
{
  g_autoptr(GFile) file = g_file_new_for_uri (uri);
  g_autofree char *parse_name = g_file_get_parse_name (file);
  g_autofree char *name = g_path_get_basename (parse_name);
  g_auto(GStrv) parts = g_strsplit (name, "_", -1);

  return g_strjoinv ("__", parts);
}

GMenuModel *
sp_recent_menu_new (GSettings *settings)
{
  g_auto(GStrv) uris = NULL;
  GMenu *menu;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  uris = g_settings_get_strv (settings, "recent-sessions");
  if (uris[0] == NULL)
    return NULL;

  menu = g_menu_new ();
  for (guint i = 0; uris[i] != NULL && i < SP_RECENT_MAX; i++)
    {
      g_autofree char *label = menu_label (uris[i]);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uris[i]);
      g_menu_append_item (menu, item);
    }

  return G_MENU_MODEL (menu);
}
