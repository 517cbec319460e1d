/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-files-replace.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef struct
{
  const char *directory;
  GPtrArray  *made;        /* directories this call created, parents first */
  GPtrArray  *temporary;   /* temporary paths written so far */
} Replace;

static void
replace_clear (Replace *replace)
{
  g_clear_pointer (&replace->made, g_ptr_array_unref);
  g_clear_pointer (&replace->temporary, g_ptr_array_unref);
}

/* The messages name the file or directory by its own name, never the
 * temporary one, which is gone by the time anyone reads them. */
static gboolean
set_write_error (GError     **error,
                 int          saved_errno,
                 const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not write %s: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
set_directory_error (GError     **error,
                     int          saved_errno,
                     const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
               _("Could not create the directory %s: %s"), path, g_strerror (saved_errno));
  return FALSE;
}

/* The directory and every missing parent, remembered so that a failed
 * export can take away what it made and nothing else. */
static gboolean
make_directory (Replace  *replace,
                GError  **error)
{
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *path = g_strdup (replace->directory);

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (path);

      g_ptr_array_insert (missing, 0, g_steal_pointer (&path));
      path = parent;
      if (g_strcmp0 (path, ((char *) missing->pdata[0])) == 0)
        break;
    }

  for (guint i = 0; i < missing->len; i++)
    {
      const char *dir = missing->pdata[i];

      if (g_mkdir (dir, 0755) == 0)
        g_ptr_array_add (replace->made, g_strdup (dir));
      else if (errno != EEXIST)
        return set_directory_error (error, errno, dir);
    }

  if (!g_file_test (replace->directory, G_FILE_TEST_IS_DIR))
    return set_directory_error (error, ENOTDIR, replace->directory);
  return TRUE;
}

gboolean
sp_write_all (int         fd,
              const void *data,
              gsize       length)
{
  const char *next = data;

  while (length > 0)
    {
      gssize n = write (fd, next, MIN (length, G_MAXSSIZE));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      next += n;
      length -= n;
    }
  return TRUE;
}

/* A hidden temporary beside the file's own name, written and synced: on a
 * full disk it is the write, the sync or the close that says so. */
static gboolean
write_temporary (Replace              *replace,
                 const SpFileContents *file,
                 GError              **error)
{
  g_autofree char *final = g_build_filename (replace->directory, file->name, NULL);
  g_autofree char *base = g_strdup_printf (".%s.XXXXXX", file->name);
  char *temporary = g_build_filename (replace->directory, base, NULL);
  int fd;
  int saved_errno;

  fd = g_mkstemp_full (temporary, O_WRONLY | O_CLOEXEC, file->mode);
  if (fd < 0)
    {
      saved_errno = errno;
      g_free (temporary);
      return set_write_error (error, saved_errno, final);
    }
  g_ptr_array_add (replace->temporary, temporary);

  if (sp_write_all (fd, file->contents, file->length) && fsync (fd) == 0)
    {
      if (close (fd) == 0)
        return TRUE;
      return set_write_error (error, errno, final);
    }

  saved_errno = errno;
  close (fd);
  return set_write_error (error, saved_errno, final);
}

static void
sync_directory (const char *directory)
{
  int fd = open (directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  /* The renames are done: a failed sync of the directory leaves every file
   * whole, and there is nothing to undo. */
  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

static void
undo (Replace *replace)
{
  /* A temporary already renamed into place is NULL here. */
  for (guint i = 0; i < replace->temporary->len; i++)
    if (replace->temporary->pdata[i] != NULL)
      g_unlink (replace->temporary->pdata[i]);

  /* Deepest first; rmdir only takes an empty directory, so anything
   * someone else put there meanwhile stays. */
  for (guint i = replace->made->len; i > 0; i--)
    g_rmdir (replace->made->pdata[i - 1]);
}

gboolean
sp_files_replace (const char           *directory,
                  const SpFileContents *files,
                  guint                 n_files,
                  GError              **error)
{
  Replace replace = {
    .directory = directory,
    .made = g_ptr_array_new_with_free_func (g_free),
    .temporary = g_ptr_array_new_with_free_func (g_free),
  };
  gboolean ok = TRUE;

  g_return_val_if_fail (directory != NULL, FALSE);
  g_return_val_if_fail (files != NULL || n_files == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = make_directory (&replace, error);
  for (guint i = 0; ok && i < n_files; i++)
    ok = write_temporary (&replace, &files[i], error);

  /* Renames within one directory do not need space; they fail only when
   * something else changes the directory under us. */
  for (guint i = 0; ok && i < n_files; i++)
    {
      g_autofree char *final = g_build_filename (directory, files[i].name, NULL);

      if (g_rename (replace.temporary->pdata[i], final) != 0)
        ok = set_write_error (error, errno, final);
      else
        {
          g_free (replace.temporary->pdata[i]);
          replace.temporary->pdata[i] = NULL;
        }
    }

  if (ok)
    sync_directory (directory);
  else
    undo (&replace);

  replace_clear (&replace);
  return ok;
}

/* Async */

typedef struct
{
  char           *directory;
  GArray         *files;      /* SpFileContents, each string owned */
} ReplaceData;

static void
replace_data_free (ReplaceData *data)
{
  for (guint i = 0; i < data->files->len; i++)
    {
      SpFileContents *file = &g_array_index (data->files, SpFileContents, i);

      g_free ((char *) file->name);
      g_free ((char *) file->contents);
    }
  g_array_unref (data->files);
  g_free (data->directory);
  g_free (data);
}

static void
replace_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ReplaceData *data = task_data;
  GError *error = NULL;

  if (sp_files_replace (data->directory, (SpFileContents *) (void *) data->files->data,
                        data->files->len, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
sp_files_replace_async (const char           *directory,
                        const SpFileContents *files,
                        guint                 n_files,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  ReplaceData *data;

  g_return_if_fail (directory != NULL);

  data = g_new0 (ReplaceData, 1);
  data->directory = g_strdup (directory);
  data->files = g_array_sized_new (FALSE, FALSE, sizeof (SpFileContents), n_files);
  for (guint i = 0; i < n_files; i++)
    {
      SpFileContents copy = {
        .name = g_strdup (files[i].name),
        .contents = g_memdup2 (files[i].contents, files[i].length),
        .length = files[i].length,
        .mode = files[i].mode,
      };

      g_array_append_val (data->files, copy);
    }

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_files_replace_async);
  g_task_set_task_data (task, data, (GDestroyNotify) replace_data_free);
  g_task_run_in_thread (task, replace_thread);
}

gboolean
sp_files_replace_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == sp_files_replace_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
