/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-field.h"
#include "sp-option-group.h"
#include "sp-socket-options.h"

/* One option of the core's table, as the group shows it: a switch, or a
 * size typed in and applied. */
typedef struct
{
  const SpSocketOptionInfo *info;
  GtkWidget                *row;
  GtkSwitch                *toggle;   /* a switch option */
  GtkWidget                *error;    /* a size option's message */
} OptionRow;

struct _SpOptionGroup
{
  AdwBin               parent_instance;

  AdwPreferencesGroup *group;
  GArray              *options;       /* OptionRow */

  SpSocketConfig      *config;
  SpSocket            *socket;
  GSignalGroup        *config_signals;
};

G_DEFINE_FINAL_TYPE (SpOptionGroup, sp_option_group, ADW_TYPE_BIN)

enum {
  PERFORM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

static OptionRow *
option_row (SpOptionGroup *self,
            guint         i)
{
  return &g_array_index (self->options, OptionRow, i);
}

static void
perform_setsockopt (SpOptionGroup            *self,
                    const SpSocketOptionInfo *info,
                    gint64                    value)
{
  g_autoptr(SpStep) step = sp_step_new (self->config->id, SP_CALL_SETSOCKOPT);

  step->option = g_strdup (info->name);
  step->value = value;
  step->value_is_bool = info->is_bool;
  g_signal_emit (self, signals[PERFORM], 0, step);
}

/* The option as the config has it, shown; sizes of 0 are unset. */
static void
refresh_options (SpOptionGroup *self)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      OptionRow *row = option_row (self, i);
      gint64 value = 0;
      gboolean set = self->config != NULL &&
                     sp_socket_config_get_option (self->config, row->info->name, &value);

      if (row->toggle != NULL)
        {
          g_signal_handlers_block_matched (row->toggle, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                           self);
          gtk_switch_set_active (row->toggle, set && value > 0);
          g_signal_handlers_unblock_matched (row->toggle, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                             self);
        }
      else
        {
          g_autofree char *text = set && value > 0 ? g_strdup_printf ("%lld", (long long) value)
                                                   : g_strdup ("");

          sp_field_set_text (GTK_EDITABLE (row->row), text);
        }
    }
}

static void
on_option_toggled (GtkSwitch    *toggle,
                   GParamSpec   *pspec,
                   SpOptionGroup *self)
{
  const SpSocketOptionInfo *info = g_object_get_data (G_OBJECT (toggle), "option");

  if (self->config == NULL)
    return;

  /* Before the socket exists an option is part of its configuration, set
   * when it is created; after, it is a call of its own. */
  if (sp_socket_is_open (self->socket))
    perform_setsockopt (self, info, gtk_switch_get_active (toggle));
  else if (gtk_switch_get_active (toggle))
    sp_socket_config_set_option (self->config, info->name, 1, TRUE);
  else
    sp_socket_config_unset_option (self->config, info->name);
}

static gboolean
parse_size (OptionRow  *row,
            gint64     *value,
            GError    **error)
{
  const char *text = row_text (ADW_ENTRY_ROW (row->row));

  *value = 0;
  return text[0] == '\0' ||
         sp_field_parse_number (text, row->info->name, 1, G_MAXINT32, value, error);
}

static void
on_size_changed (AdwEntryRow  *entry,
                 SpOptionGroup *self)
{
  OptionRow *row = g_object_get_data (G_OBJECT (entry), "option-row");
  g_autoptr(GError) error = NULL;
  gint64 value;

  parse_size (row, &value, &error);
  sp_field_set_error (row->row, row->error, error != NULL ? error->message : NULL);
}

/* A size is applied with Enter or the apply button: each keystroke would
 * otherwise be a setsockopt call. */
static void
on_size_applied (AdwEntryRow  *entry,
                 SpOptionGroup *self)
{
  OptionRow *row = g_object_get_data (G_OBJECT (entry), "option-row");
  gint64 value;

  if (self->config == NULL || !parse_size (row, &value, NULL))
    return;

  if (sp_socket_is_open (self->socket))
    {
      if (value > 0)
        perform_setsockopt (self, row->info, value);
    }
  else if (value > 0)
    sp_socket_config_set_option (self->config, row->info->name, value, FALSE);
  else
    sp_socket_config_unset_option (self->config, row->info->name);
}

static void
add_option_rows (SpOptionGroup *self)
{
  for (guint i = 0; i < sp_socket_option_get_count (); i++)
    {
      const SpSocketOptionInfo *info = sp_socket_option_get_nth (i);
      OptionRow row = { .info = info };

      if (info->is_bool)
        {
          row.row = adw_action_row_new ();
          row.toggle = GTK_SWITCH (gtk_switch_new ());
          gtk_widget_set_valign (GTK_WIDGET (row.toggle), GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row.row), GTK_WIDGET (row.toggle));
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row.row),
                                                 GTK_WIDGET (row.toggle));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (row.row), _(info->summary));
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row.row), info->name);
          gtk_accessible_update_property (GTK_ACCESSIBLE (row.toggle),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, info->name,
                                          -1);
          g_object_set_data (G_OBJECT (row.toggle), "option", (gpointer) info);
          g_signal_connect (row.toggle, "notify::active", G_CALLBACK (on_option_toggled), self);
          adw_preferences_group_add (self->group, row.row);
        }
      else
        {
          /* TRANSLATORS: %s is an option's name, SO_RCVBUF */
          g_autofree char *title = g_strdup_printf (_("%s in bytes (empty: the kernel’s default)"),
                                                    info->name);

          row.row = adw_entry_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row.row), title);
          adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row.row), TRUE);
          adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row.row), GTK_INPUT_PURPOSE_DIGITS);
          row.error = adw_action_row_new ();
          adw_action_row_set_icon_name (ADW_ACTION_ROW (row.error), "dialog-error-symbolic");
          adw_action_row_set_title_lines (ADW_ACTION_ROW (row.error), 0);
          gtk_widget_add_css_class (row.error, "error");
          gtk_widget_set_visible (row.error, FALSE);
          g_signal_connect (row.row, "changed", G_CALLBACK (on_size_changed), self);
          g_signal_connect (row.row, "apply", G_CALLBACK (on_size_applied), self);
          adw_preferences_group_add (self->group, row.row);
          adw_preferences_group_add (self->group, row.error);
        }

      g_array_append_val (self->options, row);
    }

  /* The rows know their place once the array stops growing. */
  for (guint i = 0; i < self->options->len; i++)
    g_object_set_data (G_OBJECT (option_row (self, i)->row), "option-row", option_row (self, i));
}


/* An option that does not apply to this kind of socket is locked. */
static void
refresh_locks (SpOptionGroup *self)
{
  SpFamily family = self->config != NULL ? self->config->family : SP_FAMILY_INET;
  SpSocketType type = self->config != NULL ? self->config->type : SP_SOCKET_TYPE_STREAM;

  for (guint i = 0; i < self->options->len; i++)
    {
      OptionRow *row = option_row (self, i);
      const char *why_not = sp_socket_option_why_not (row->info, family, type);

      sp_field_set_locked (row->row, why_not != NULL, why_not);
    }
}

static void
on_config_options (SpOptionGroup *self)
{
  /* Once the socket is open the switches say what was asked of the
   * kernel since, which the configuration no longer records. */
  if (!sp_socket_is_open (self->socket))
    refresh_options (self);
}

static void
sp_option_group_dispose (GObject *object)
{
  SpOptionGroup *self = SP_OPTION_GROUP (object);

  if (self->config_signals != NULL)
    g_signal_group_set_target (self->config_signals, NULL);
  g_clear_object (&self->config_signals);
  g_clear_object (&self->config);
  g_clear_object (&self->socket);

  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_OPTION_GROUP);

  G_OBJECT_CLASS (sp_option_group_parent_class)->dispose (object);
}

static void
sp_option_group_finalize (GObject *object)
{
  SpOptionGroup *self = SP_OPTION_GROUP (object);

  g_array_unref (self->options);

  G_OBJECT_CLASS (sp_option_group_parent_class)->finalize (object);
}

static void
sp_option_group_class_init (SpOptionGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_option_group_dispose;
  object_class->finalize = sp_option_group_finalize;

  signals[PERFORM] =
    g_signal_new ("perform", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, SP_TYPE_STEP);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-option-group.ui");
  gtk_widget_class_bind_template_child (widget_class, SpOptionGroup, group);
}

static void
sp_option_group_init (SpOptionGroup *self)
{
  self->options = g_array_new (FALSE, TRUE, sizeof (OptionRow));

  gtk_widget_init_template (GTK_WIDGET (self));
  add_option_rows (self);

  self->config_signals = g_signal_group_new (SP_TYPE_SOCKET_CONFIG);
  g_signal_group_connect_swapped (self->config_signals, "notify::options",
                                  G_CALLBACK (on_config_options), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::family",
                                  G_CALLBACK (refresh_locks), self);
  g_signal_group_connect_swapped (self->config_signals, "notify::socket-type",
                                  G_CALLBACK (refresh_locks), self);
}

GtkWidget *
sp_option_group_new (void)
{
  return g_object_new (SP_TYPE_OPTION_GROUP, NULL);
}

void
sp_option_group_set_config (SpOptionGroup  *self,
                            SpSocketConfig *config)
{
  g_return_if_fail (SP_IS_OPTION_GROUP (self));
  g_return_if_fail (config == NULL || SP_IS_SOCKET_CONFIG (config));

  if (!g_set_object (&self->config, config))
    return;

  g_signal_group_set_target (self->config_signals, config);
  refresh_options (self);
  refresh_locks (self);
}

void
sp_option_group_set_socket (SpOptionGroup *self,
                            SpSocket      *socket)
{
  g_return_if_fail (SP_IS_OPTION_GROUP (self));
  g_return_if_fail (socket == NULL || SP_IS_SOCKET (socket));

  /* A socket chosen afresh shows the options as they were configured. */
  if (g_set_object (&self->socket, socket))
    refresh_options (self);
}
