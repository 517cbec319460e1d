/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-presets.h"

#define PRESETS_PATH RESOURCE_PATH "/presets/presets/"

static void
test_list (void)
{
  g_auto(GStrv) ids = sp_presets_list_ids ();
  guint n = g_strv_length (ids);

  g_assert_cmpuint (n, >, 0);
  g_assert_true (g_strv_contains ((const char * const *) ids, "tcp-echo"));

  for (guint i = 0; i < n; i++)
    {
      g_assert_false (g_str_has_suffix (ids[i], ".json"));
      g_assert_cmpstr (ids[i], !=, "");
      if (i > 0)
        g_assert_cmpint (strcmp (ids[i - 1], ids[i]), <, 0);
    }
}

/* The static library's constructor registers the resource globally too,
 * so resource:// URIs and g_resources_* work in every program. */
static void
test_registered (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = sp_presets_list_ids ();
  g_auto(GStrv) children = NULL;
  g_autoptr(GBytes) bytes = NULL;

  children = g_resources_enumerate_children (PRESETS_PATH, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (children), ==, g_strv_length (ids));
  g_assert_true (g_strv_contains ((const char * const *) children, "tcp-echo.json"));

  bytes = g_resources_lookup_data (PRESETS_PATH "tcp-echo.json", G_RESOURCE_LOOKUP_FLAGS_NONE,
                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
}

/* Every JSON file in data/presets is compiled in (listed in presets.gresource.xml),
 * byte for byte, and nothing else is. */
static void
test_matches_files (void)
{
  g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "..", "data", "presets", NULL);
  g_auto(GStrv) ids = sp_presets_list_ids ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &error);
  const char *name;
  guint n_files = 0;

  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *id = NULL;
      g_autofree char *file = NULL;
      g_autofree char *resource = NULL;
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) bytes = NULL;
      gsize length;

      if (!g_str_has_suffix (name, ".json"))
        continue;

      id = g_strndup (name, strlen (name) - strlen (".json"));
      if (!g_strv_contains ((const char * const *) ids, id))
        g_error ("data/presets/%s is not in data/presets.gresource.xml", name);

      file = g_build_filename (dir_path, name, NULL);
      g_file_get_contents (file, &contents, &length, &error);
      g_assert_no_error (error);

      resource = g_strconcat (PRESETS_PATH, name, NULL);
      bytes = g_resources_lookup_data (resource, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                       contents, length);
      n_files++;
    }

  g_assert_cmpuint (n_files, ==, g_strv_length (ids));
}

/* Every preset is a valid session (running them is test-player's job). */
static void
test_load_every (void)
{
  g_auto(GStrv) ids = sp_presets_list_ids ();

  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;

      g_test_message ("%s", ids[i]);
      session = sp_presets_load (ids[i], &error);
      g_assert_no_error (error);
      g_assert_true (SP_IS_SESSION (session));
      g_assert_nonnull (sp_session_get_title (session));
      g_assert_cmpuint (sp_session_get_n_steps (session), >, 0);
      g_assert_finalize_object (g_steal_pointer (&session));
    }
}

static void
test_load_tcp_echo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load ("tcp-echo", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (sp_session_get_title (session), ==, "TCP echo, one connection");
  g_assert_nonnull (sp_session_find_socket (session, "server"));
  g_assert_nonnull (sp_session_find_socket (session, "client"));
  g_assert_true (sp_session_has_socket_id (session, "conn"));
}

static void
test_unknown (void)
{
  const char *bad_ids[] = { "no-such-preset", "", "../presets/tcp-echo", "tcp-echo.json",
                            "TCP-ECHO", "tcp-echo/" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;
      g_autofree char *prefix = g_strdup_printf ("preset:%s: no such preset; the presets are ",
                                                 bad_ids[i]);

      session = sp_presets_load (bad_ids[i], &error);
      g_assert_null (session);
      g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, "tcp-echo"));
    }
}

static void
test_load_any (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", "presets",
                                                 "tcp-echo.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) from_preset = NULL;
  g_autoptr(SpSession) from_file = NULL;
  g_autoptr(SpSession) missing = NULL;
  g_autofree char *preset_data = NULL;
  g_autofree char *file_data = NULL;

  from_preset = sp_presets_load_any ("preset:tcp-echo", &error);
  g_assert_no_error (error);
  from_file = sp_presets_load_any (path, &error);
  g_assert_no_error (error);

  preset_data = sp_session_to_data (from_preset, NULL);
  file_data = sp_session_to_data (from_file, NULL);
  g_assert_cmpstr (preset_data, ==, file_data);

  missing = sp_presets_load_any ("preset:nope", &error);
  g_assert_null (missing);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "preset:nope: "));
  g_clear_error (&error);

  missing = sp_presets_load_any ("no-such-dir/session.json", &error);
  g_assert_null (missing);
  g_assert_error (error, SP_SESSION_ERROR, SP_SESSION_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, "no-such-dir/session.json: "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Presets/list", test_list);
  g_test_add_func ("/Sp/Presets/registered", test_registered);
  g_test_add_func ("/Sp/Presets/matches-files", test_matches_files);
  g_test_add_func ("/Sp/Presets/load-every", test_load_every);
  g_test_add_func ("/Sp/Presets/load-tcp-echo", test_load_tcp_echo);
  g_test_add_func ("/Sp/Presets/unknown", test_unknown);
  g_test_add_func ("/Sp/Presets/load-any", test_load_any);

  return g_test_run ();
}
