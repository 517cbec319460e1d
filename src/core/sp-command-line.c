/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-command-line.h"

/* Not a command: --export-log was given, which --output goes with. */
#define WITH_EXPORT_LOG (1 << 16)

#define DEFAULT_DATA_LIMIT 4096

typedef struct _Option Option;

typedef struct
{
  SpCommandLine *command_line;
  /* The commands asked for, and bit i for options[i] given. */
  guint          commands;
  guint64        given;
  GPtrArray     *files;
} Parser;

typedef gboolean (*SetFunc) (Parser        *parser,
                             const Option  *option,
                             const char    *value,
                             GError       **error);

/* One row per option: how it is parsed, what it goes with, how --help
 * describes it. A command option's `goes_with` is the command it picks. */
struct _Option
{
  const char   *name;
  char          short_name;
  GOptionFlags  flags;
  SetFunc       set;
  gsize         offset;
  guint         goes_with;
  const char   *description;
  const char   *arg_description;
};

static gboolean
set_command (Parser        *parser,
             const Option  *option,
             const char    *value,
             GError       **error)
{
  parser->commands |= option->goes_with;
  /* --headless=FILE and --headless FILE name the positional FILE. */
  if (value != NULL)
    g_ptr_array_add (parser->files, g_strdup (value));
  return TRUE;
}

static gboolean
set_flag (Parser        *parser,
          const Option  *option,
          const char    *value,
          GError       **error)
{
  G_STRUCT_MEMBER (gboolean, parser->command_line, option->offset) = TRUE;
  return TRUE;
}

static gboolean
set_string (Parser        *parser,
            const Option  *option,
            const char    *value,
            GError       **error)
{
  char **field = &G_STRUCT_MEMBER (char *, parser->command_line, option->offset);

  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static gboolean
set_step_delay (Parser        *parser,
                const Option  *option,
                const char    *value,
                GError       **error)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT, &number, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s",
                   _("--step-delay: give a number of milliseconds, 0 or more"));
      return FALSE;
    }
  parser->command_line->step_delay = number;
  return TRUE;
}

static gboolean
set_data_limit (Parser        *parser,
                const Option  *option,
                const char    *value,
                GError       **error)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &number, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s",
                   _("--data-limit: give a number of bytes, 0 or more"));
      return FALSE;
    }
  parser->command_line->data_limit = number;
  return TRUE;
}

/* A day: beyond it a run is surely a mistake, and seconds stay far from
 * overflowing the milliseconds of a timeout source. */
#define MAX_TIME_LIMIT_S (24 * 60 * 60)

static gboolean
set_time_limit (Parser        *parser,
                const Option  *option,
                const char    *value,
                GError       **error)
{
  guint64 number;

  if (!g_ascii_string_to_unsigned (value, 10, 1, MAX_TIME_LIMIT_S, &number, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--time-limit: give a number of seconds from 1 to %u"), MAX_TIME_LIMIT_S);
      return FALSE;
    }
  parser->command_line->time_limit_s = number;
  return TRUE;
}

#define FIELD(name) G_STRUCT_OFFSET (SpCommandLine, name)

static const Option options[] = {
  { "headless", 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_FILENAME, set_command, 0,
    SP_COMMAND_HEADLESS,
    N_("Replay a session without a window and print each event"), NULL },
  { "export-python", 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_FILENAME, set_command, 0,
    SP_COMMAND_EXPORT_PYTHON,
    N_("Write the session as Python scripts"), NULL },
  { "trace", 0, G_OPTION_FLAG_NO_ARG, set_command, 0,
    SP_COMMAND_TRACE,
    N_("Run a program and show every socket call it makes: --trace -- PROGRAM [ARG…]"), NULL },
  { "record", 0, G_OPTION_FLAG_FILENAME, set_string, FIELD (record),
    SP_COMMAND_TRACE,
    N_("Write the traced program's calls as a session that replays without it"), N_("FILE") },
  { "list-presets", 0, G_OPTION_FLAG_NO_ARG, set_command, 0,
    SP_COMMAND_LIST_PRESETS,
    N_("List the built-in sessions"), NULL },
  { "version", 0, G_OPTION_FLAG_NO_ARG, set_command, 0,
    SP_COMMAND_VERSION,
    N_("Print the version"), NULL },
  { "help", 'h', G_OPTION_FLAG_NO_ARG, set_command, 0,
    SP_COMMAND_HELP,
    N_("Show the options"), NULL },
  { "json", 0, G_OPTION_FLAG_NO_ARG, set_flag, FIELD (json),
    SP_COMMAND_HEADLESS | SP_COMMAND_TRACE,
    N_("Print events as JSON Lines"), NULL },
  { "step-delay", 0, G_OPTION_FLAG_NONE, set_step_delay, 0,
    SP_COMMAND_HEADLESS,
    N_("Wait between steps"), N_("MS") },
  { "data-limit", 0, G_OPTION_FLAG_NONE, set_data_limit, 0,
    SP_COMMAND_HEADLESS | SP_COMMAND_TRACE,
    N_("Show at most this many payload bytes per event in JSON (default 4096)"), N_("BYTES") },
  { "export-log", 0, G_OPTION_FLAG_NONE, set_string, FIELD (export_log),
    SP_COMMAND_HEADLESS,
    N_("Write the traffic log as the replay runs, every byte (jsonl, csv or pcapng)"), N_("FORMAT") },
  { "output", 0, G_OPTION_FLAG_FILENAME, set_string, FIELD (output),
    SP_COMMAND_EXPORT_PYTHON | WITH_EXPORT_LOG,
    N_("Where --export-python or --export-log writes"), N_("PATH") },
  { "allow-remote", 0, G_OPTION_FLAG_NO_ARG, set_flag, FIELD (allow_remote),
    SP_COMMAND_HEADLESS,
    N_("Let the replay reach other machines and ask a DNS server about names"), NULL },
  { "time-limit", 0, G_OPTION_FLAG_NONE, set_time_limit, 0,
    SP_COMMAND_HEADLESS,
    N_("Stop the replay after this many seconds, naming the steps still running, "
       "with exit status 1"), N_("SECONDS") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (options) <= 64);

/* GOption calls this for every option; the table says what to do. */
static gboolean
on_option (const char  *option_name,
           const char  *value,
           gpointer     user_data,
           GError     **error)
{
  Parser *parser = user_data;

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const Option *option = &options[i];
      gboolean is_long = option_name[1] == '-' && g_str_equal (option_name + 2, option->name);
      gboolean is_short = option_name[1] != '-' && option_name[1] == option->short_name;

      if (is_long || is_short)
        {
          parser->given |= G_GUINT64_CONSTANT (1) << i;
          return option->set (parser, option, value, error);
        }
    }

  /* GOption calls back only for the entries the table made. */
  g_return_val_if_reached (FALSE);
}

static GOptionContext *
new_context (Parser   *parser,
             gboolean  with_window)
{
  g_autofree GOptionEntry *entries = g_new0 (GOptionEntry, G_N_ELEMENTS (options) + 1);
  GOptionContext *context = g_option_context_new (_("[FILE|preset:ID]"));
  GOptionGroup *group;

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    entries[i] = (GOptionEntry) {
      options[i].name, options[i].short_name, options[i].flags, G_OPTION_ARG_CALLBACK,
      (gpointer) on_option, options[i].description, options[i].arg_description,
    };

  group = g_option_group_new ("socket-playground", NULL, NULL, parser, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_group_add_entries (group, entries);
  g_option_context_set_main_group (context, group);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* --help is a row of the table, so that it goes with every command and
   * its text is what the caller prints. */
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, _("Make real sockets one call at a time."));
  /* What goes with what, as DESIGN.md's "Command line" puts it. */
  g_option_context_set_description (context, with_window
    ? _("Commands:\n"
        "  socket-playground [FILE]    open the window, with the session FILE if one is given\n"
        "  socket-playground --headless FILE|preset:ID [--json] [--step-delay MS]\n"
        "                    [--data-limit BYTES] [--export-log jsonl|csv|pcapng --output FILE]\n"
        "                    [--allow-remote] [--time-limit SECONDS]\n"
        "  socket-playground --export-python FILE|preset:ID --output DIR\n"
        "  socket-playground --trace [--json] [--record FILE] [--data-limit BYTES]\n"
        "                    -- PROGRAM [ARG…]\n"
        "  socket-playground --list-presets\n"
        "  socket-playground --version\n")
    : _("Commands (this build has no window):\n"
        "  socket-playground --headless FILE|preset:ID [--json] [--step-delay MS]\n"
        "                    [--data-limit BYTES] [--export-log jsonl|csv|pcapng --output FILE]\n"
        "                    [--allow-remote] [--time-limit SECONDS]\n"
        "  socket-playground --export-python FILE|preset:ID --output DIR\n"
        "  socket-playground --trace [--json] [--record FILE] [--data-limit BYTES]\n"
        "                    -- PROGRAM [ARG…]\n"
        "  socket-playground --list-presets\n"
        "  socket-playground --version\n"));
  return context;
}

static const char *
command_name (guint command)
{
  if (command == WITH_EXPORT_LOG)
    return "export-log";

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (options[i].set == set_command && options[i].goes_with == command)
      return options[i].name;
  return NULL;
}

/* "--output is used only with --export-log or --export-python." */
static void
refuse_option (const Option  *option,
               GError       **error)
{
  const char *names[2] = { NULL, NULL };
  guint n_names = 0;

  for (guint bit = 1; bit != 0 && n_names < G_N_ELEMENTS (names); bit <<= 1)
    if (option->goes_with & bit)
      names[n_names++] = command_name (bit);

  if (n_names == 1)
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                 _("--%s is used only with --%s."), option->name, names[0]);
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                 _("--%s is used only with --%s or --%s."), option->name, names[0], names[1]);
}

/* Each option given must go with the command (and --output with
 * --export-log or --export-python): nothing given is silently ignored. */
static gboolean
check_options_go_with (Parser  *parser,
                       GError **error)
{
  SpCommandLine *command_line = parser->command_line;
  guint context = command_line->command | (command_line->export_log != NULL ? WITH_EXPORT_LOG : 0);

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const Option *option = &options[i];

      if (option->set == set_command || !(parser->given & (G_GUINT64_CONSTANT (1) << i)))
        continue;

      if (!(option->goes_with & context))
        {
          refuse_option (option, error);
          return FALSE;
        }
    }

  return TRUE;
}

/* --trace: every positional argument is the program's command line. */
static gboolean
take_program (Parser  *parser,
              GError **error)
{
  SpCommandLine *command_line = parser->command_line;

  if (parser->files->len == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("--trace needs a program to run: --trace -- PROGRAM [ARG…]"));
      return FALSE;
    }

  command_line->program_argv = g_new0 (char *, parser->files->len + 1);
  for (guint i = 0; i < parser->files->len; i++)
    command_line->program_argv[i] = g_strdup (g_ptr_array_index (parser->files, i));
  return TRUE;
}

static gboolean
check_files (Parser  *parser,
             GError **error)
{
  SpCommandLine *command_line = parser->command_line;
  guint n_files = parser->files->len;

  if (command_line->command == SP_COMMAND_TRACE)
    return take_program (parser, error);

  gboolean takes_file = command_line->command & (SP_COMMAND_WINDOW | SP_COMMAND_HEADLESS |
                                                 SP_COMMAND_EXPORT_PYTHON);
  gboolean needs_file = command_line->command & (SP_COMMAND_HEADLESS | SP_COMMAND_EXPORT_PYTHON);

  if (!takes_file && n_files > 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Unexpected argument “%s”: --%s takes none."),
                   (char *) g_ptr_array_index (parser->files, 0),
                   command_name (command_line->command));
      return FALSE;
    }

  if (n_files > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Unexpected argument “%s”: give one FILE or preset:ID."),
                   (char *) g_ptr_array_index (parser->files, 1));
      return FALSE;
    }

  if (needs_file && n_files == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("--%s needs a session: FILE or preset:ID."),
                   command_name (command_line->command));
      return FALSE;
    }

  if (n_files == 1)
    command_line->file = g_strdup (g_ptr_array_index (parser->files, 0));
  return TRUE;
}

static gboolean
check_outputs (SpCommandLine  *command_line,
               GError        **error)
{
  const char *missing = NULL;

  if (command_line->export_log != NULL && command_line->output == NULL)
    missing = _("--export-log needs --output FILE");
  else if (command_line->command == SP_COMMAND_EXPORT_PYTHON && command_line->output == NULL)
    missing = _("--export-python needs --output DIR");

  if (missing != NULL)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, missing);
      return FALSE;
    }
  return TRUE;
}

/* The one command asked for, --help above all. */
static gboolean
choose_command (Parser  *parser,
                GError **error)
{
  guint commands = parser->commands;

  if (commands & SP_COMMAND_HELP)
    parser->command_line->command = SP_COMMAND_HELP;
  else if (commands == 0)
    parser->command_line->command = SP_COMMAND_WINDOW;
  else if ((commands & (commands - 1)) == 0)
    parser->command_line->command = commands;
  else
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Choose one of --headless, --export-python, --trace, "
                             "--list-presets and --version."));
      return FALSE;
    }
  return TRUE;
}

SpCommandLine *
sp_command_line_parse (int        argc,
                       char     **argv,
                       gboolean   with_window,
                       GError   **error)
{
  g_autoptr(SpCommandLine) command_line = g_new0 (SpCommandLine, 1);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GStrvBuilder) before = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  Parser parser = { command_line, 0, 0, files };
  int dashes = argc;

  command_line->data_limit = DEFAULT_DATA_LIMIT;

  /* Only what comes before "--" is options; what follows is positional
   * whatever it looks like. GOption alone would keep or drop the "--"
   * depending on what surrounds it. */
  for (int i = 0; i < argc && dashes == argc; i++)
    {
      if (i > 0 && g_str_equal (argv[i], "--"))
        dashes = i;
      else
        g_strv_builder_add (before, argv[i]);
    }
  args = g_strv_builder_end (before);

  context = new_context (&parser, with_window);
  if (!g_option_context_parse_strv (context, &args, error))
    return NULL;

  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (files, g_strdup (args[i]));
  for (int i = dashes + 1; i < argc; i++)
    g_ptr_array_add (files, g_strdup (argv[i]));

  if (!choose_command (&parser, error))
    return NULL;

  if (command_line->command == SP_COMMAND_HELP)
    {
      command_line->help = g_option_context_get_help (context, TRUE, NULL);
      return g_steal_pointer (&command_line);
    }

  if (!check_options_go_with (&parser, error) ||
      !check_files (&parser, error) ||
      !check_outputs (command_line, error))
    return NULL;

  return g_steal_pointer (&command_line);
}

void
sp_command_line_free (SpCommandLine *self)
{
  if (self == NULL)
    return;

  g_free (self->file);
  g_free (self->export_log);
  g_free (self->output);
  g_free (self->record);
  g_strfreev (self->program_argv);
  g_free (self->help);
  g_free (self);
}
