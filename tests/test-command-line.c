/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "sp-command-line.h"

/* Parses a NULL-terminated list of arguments after the program's name. */
static SpCommandLine *
parse (GError **error,
       ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  const char *arg;
  va_list args;

  g_strv_builder_add (builder, "socket-playground");
  va_start (args, error);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_strv_builder_add (builder, arg);
  va_end (args);
  argv = g_strv_builder_end (builder);

  return sp_command_line_parse (g_strv_length (argv), argv, TRUE, error);
}

static void
test_window (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCommandLine) none = parse (&error, NULL);
  g_autoptr(SpCommandLine) file = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (none->command, ==, SP_COMMAND_WINDOW);
  g_assert_null (none->file);
  g_assert_cmpint (none->data_limit, ==, 4096);

  file = parse (&error, "lecture.sockplay", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (file->command, ==, SP_COMMAND_WINDOW);
  g_assert_cmpstr (file->file, ==, "lecture.sockplay");
}

/* Every order, and --headless=FILE, come to the same. */
static void
test_any_order (void)
{
  const char *orders[][5] = {
    { "--headless", "--json", "s.json", "--step-delay", "7" },
    { "--headless", "s.json", "--json", "--step-delay", "7" },
    { "--step-delay", "7", "s.json", "--json", "--headless" },
    { "--json", "--headless=s.json", "--step-delay=7", NULL },
    { "--json", "--step-delay", "7", "--headless", "s.json" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpCommandLine) command_line = NULL;

      command_line = parse (&error, orders[i][0], orders[i][1], orders[i][2], orders[i][3],
                            orders[i][4], NULL);
      g_assert_no_error (error);
      g_assert_cmpint (command_line->command, ==, SP_COMMAND_HEADLESS);
      g_assert_cmpstr (command_line->file, ==, "s.json");
      g_assert_true (command_line->json);
      g_assert_cmpuint (command_line->step_delay, ==, 7);
      g_assert_false (command_line->allow_remote);
    }
}

static void
test_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCommandLine) command_line = NULL;

  command_line = parse (&error, "--output", "log.csv", "--data-limit", "12", "--allow-remote",
                        "--export-log", "csv", "preset:udp", "--headless", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (command_line->command, ==, SP_COMMAND_HEADLESS);
  g_assert_cmpstr (command_line->file, ==, "preset:udp");
  g_assert_cmpstr (command_line->export_log, ==, "csv");
  g_assert_cmpstr (command_line->output, ==, "log.csv");
  g_assert_cmpint (command_line->data_limit, ==, 12);
  g_assert_true (command_line->allow_remote);
}

/* After "--" an argument is a file, whatever it looks like. */
static void
test_dashes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCommandLine) command_line = NULL;

  command_line = parse (&error, "--headless", "--", "--json", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (command_line->command, ==, SP_COMMAND_HEADLESS);
  g_assert_cmpstr (command_line->file, ==, "--json");
  g_assert_false (command_line->json);
}

static void
test_help (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpCommandLine) command_line = NULL;

  /* --help goes with anything, even what would be refused without it. */
  command_line = parse (&error, "--headless", "--json", "--help", "--list-presets", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (command_line->command, ==, SP_COMMAND_HELP);
  g_assert_nonnull (strstr (command_line->help, "--export-python"));
  g_assert_nonnull (strstr (command_line->help, "--allow-remote"));
}

/* Each refusal names what it refuses. */
static void
test_refused (void)
{
  const struct
  {
    const char *args[5];
    const char *named;
  } cases[] = {
    { { "--headless", "s.json", "--no-such-option" }, "--no-such-option" },
    { { "--headless", "s.json", "--output", "log" }, "--output" },
    { { "--export-python", "s.json", "--output", "dir", "--json" }, "--json" },
    { { "--list-presets", "--step-delay", "5" }, "--step-delay" },
    { { "--data-limit", "5" }, "--data-limit" },
    { { "--headless", "s.json", "t.json" }, "t.json" },
    { { "--headless", "s.json", "--", "t.json" }, "t.json" },
    { { "--headless" }, "--headless" },
    { { "a.sockplay", "b.sockplay" }, "b.sockplay" },
    { { "--version", "s.json" }, "s.json" },
    { { "--headless", "s.json", "--export-log", "csv" }, "--output" },
    { { "--export-python", "s.json" }, "--output" },
    { { "--headless", "s.json", "--step-delay", "soon" }, "--step-delay" },
    { { "--headless", "s.json", "--data-limit", "-4" }, "--data-limit" },
    { { "--headless", "s.json", "--list-presets" }, "--list-presets" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SpCommandLine) command_line = NULL;

      command_line = parse (&error, cases[i].args[0], cases[i].args[1], cases[i].args[2],
                            cases[i].args[3], cases[i].args[4], NULL);
      g_assert_null (command_line);
      g_assert_error (error, G_OPTION_ERROR, error->code);
      if (strstr (error->message, cases[i].named) == NULL)
        g_error ("case %u: “%s” does not name %s", i, error->message, cases[i].named);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/CommandLine/window", test_window);
  g_test_add_func ("/Sp/CommandLine/any-order", test_any_order);
  g_test_add_func ("/Sp/CommandLine/values", test_values);
  g_test_add_func ("/Sp/CommandLine/dashes", test_dashes);
  g_test_add_func ("/Sp/CommandLine/help", test_help);
  g_test_add_func ("/Sp/CommandLine/refused", test_refused);

  return g_test_run ();
}
