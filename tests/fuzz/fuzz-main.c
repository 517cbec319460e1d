/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>

#include "fuzz-common.h"

/* A target built without libFuzzer (any compiler): runs every file named,
 * or every file in every directory named, through the target once, so the
 * seed corpus and the crashes found earlier are a regression test. */

static gboolean
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *program = g_path_get_basename (argv[0]);
  guint n_inputs = 0;

  LLVMFuzzerInitialize (&argc, &argv);

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          for (guint j = 0; j < names->len; j++)
            {
              if (!run_file (g_ptr_array_index (names, j)))
                return 1;
              n_inputs++;
            }
        }
      else
        {
          if (!run_file (argv[i]))
            return 1;
          n_inputs++;
        }
    }

  if (n_inputs == 0)
    {
      g_printerr ("%s: no inputs\n", argv[0]);
      return 1;
    }
  printf ("%s: %u inputs ran\n", program, n_inputs);
  return 0;
}
