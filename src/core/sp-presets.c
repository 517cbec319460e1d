/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-presets.h"

#include "sp-describe.h"

#define PRESETS_PATH RESOURCE_PATH "/presets/presets/"
#define PRESET_PREFIX "preset:"
#define PRESET_SUFFIX ".json"

/* Made by glib-compile-resources (data/presets.gresource.xml). Calling it
 * also keeps its object file, and the constructor that registers the
 * resource, in every program that links the static core library. */
GResource *sp_presets_get_resource (void);

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char **
sp_presets_list_ids (void)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) children = NULL;

  children = g_resource_enumerate_children (sp_presets_get_resource (), PRESETS_PATH,
                                            G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  for (guint i = 0; children != NULL && children[i] != NULL; i++)
    {
      if (g_str_has_suffix (children[i], PRESET_SUFFIX))
        g_ptr_array_add (ids, g_strndup (children[i],
                                         strlen (children[i]) - strlen (PRESET_SUFFIX)));
    }

  g_ptr_array_sort (ids, compare_ids);
  g_ptr_array_add (ids, NULL);

  return (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

static gboolean
id_is_plain (const char *id)
{
  if (*id == '\0')
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      if (!(g_ascii_isalnum (*p) || *p == '-' || *p == '_'))
        return FALSE;
    }

  return TRUE;
}

SpSession *
sp_presets_load (const char  *id,
                 GError     **error)
{
  g_autofree char *name = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  name = g_strconcat (PRESET_PREFIX, id, NULL);

  /* Only plain ids: "../" must not reach other resources. */
  if (id_is_plain (id))
    {
      g_autofree char *path = g_strconcat (PRESETS_PATH, id, PRESET_SUFFIX, NULL);

      bytes = g_resource_lookup_data (sp_presets_get_resource (), path,
                                      G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    }

  if (bytes == NULL)
    {
      g_auto(GStrv) ids = sp_presets_list_ids ();
      g_autofree char *list = g_strjoinv (", ", ids);
      g_autofree char *shown = sp_describe_text (name);

      g_set_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO,
                   _("%s: no such preset; the presets are %s"), shown, list);
      return NULL;
    }

  return sp_session_new_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   name, error);
}

SpSession *
sp_presets_load_any (const char  *file_or_preset,
                     GError     **error)
{
  g_return_val_if_fail (file_or_preset != NULL, NULL);

  if (g_str_has_prefix (file_or_preset, PRESET_PREFIX))
    return sp_presets_load (file_or_preset + strlen (PRESET_PREFIX), error);

  return sp_session_new_from_file (file_or_preset, error);
}
