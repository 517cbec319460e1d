/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-run-program-dialog.h"

struct _SpRunProgramDialog
{
  AdwMessageDialog      parent_instance;

  AdwEntryRow          *program_row;
  AdwEntryRow          *arguments_row;
  GtkLabel             *error_label;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (SpRunProgramDialog, sp_run_program_dialog, ADW_TYPE_MESSAGE_DIALOG)

/* NULL when the fields describe a program to run, else what is wrong,
 * naming the field. */
static char *
check (SpRunProgramDialog  *self,
       GStrv               *argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) arguments = NULL;
  const char *program = gtk_editable_get_text (GTK_EDITABLE (self->program_row));
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->arguments_row));
  g_autoptr(GStrvBuilder) builder = NULL;

  if (program[0] == '\0')
    return g_strdup (_("Program: choose a program or a Python script"));
  if (!g_file_test (program, G_FILE_TEST_IS_REGULAR))
    return g_strdup_printf (_("Program: there is no file “%s”"), program);
  if (!g_str_has_suffix (program, ".py") && !g_file_test (program, G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup (_("Program: the file is neither a Python script (.py) nor executable"));

  if (text[0] != '\0' && !g_shell_parse_argv (text, NULL, &arguments, &error))
    {
      if (g_error_matches (error, G_SHELL_ERROR, G_SHELL_ERROR_EMPTY_STRING))
        g_clear_pointer (&arguments, g_strfreev);
      else
        return g_strdup_printf (_("Arguments: %s"), error->message);
    }

  if (argv != NULL)
    {
      builder = g_strv_builder_new ();
      g_strv_builder_add (builder, program);
      if (arguments != NULL)
        g_strv_builder_addv (builder, (const char **) arguments);
      *argv = g_strv_builder_end (builder);
    }
  return NULL;
}

static void
on_changed (SpRunProgramDialog *self)
{
  g_autofree char *problem = check (self, NULL);

  gtk_label_set_text (self->error_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (self), "run", problem == NULL);
}

static void
on_chooser_response (GtkNativeDialog    *chooser,
                     int                 response,
                     SpRunProgramDialog *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL)
    path = g_file_get_path (file);
  if (path != NULL)
    sp_run_program_dialog_set_program (self, path);
  g_clear_object (&self->chooser);
}

static void
on_choose_clicked (SpRunProgramDialog *self)
{
  g_autoptr(GtkFileFilter) scripts = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Choose a Program"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), NULL);
  gtk_file_filter_set_name (scripts, _("Python scripts"));
  gtk_file_filter_add_suffix (scripts, "py");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), scripts);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
sp_run_program_dialog_dispose (GObject *object)
{
  SpRunProgramDialog *self = SP_RUN_PROGRAM_DIALOG (object);

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  G_OBJECT_CLASS (sp_run_program_dialog_parent_class)->dispose (object);
}

static void
sp_run_program_dialog_class_init (SpRunProgramDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_run_program_dialog_dispose;
}

static void
sp_run_program_dialog_init (SpRunProgramDialog *self)
{
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *choose = gtk_button_new_from_icon_name ("document-open-symbolic");

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Run a Program"));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                               _("It runs in a terminal of its own, and its sockets show "
                                 "beside yours as it makes them."));

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  self->program_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->program_row), _("Program"));
  gtk_widget_set_tooltip_text (choose, _("Choose a Program"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (choose), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choose a Program"), -1);
  gtk_widget_set_valign (choose, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (choose, "flat");
  g_signal_connect_swapped (choose, "clicked", G_CALLBACK (on_choose_clicked), self);
  adw_entry_row_add_suffix (self->program_row, choose);
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->program_row));

  self->arguments_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->arguments_row), _("Arguments"));
  gtk_list_box_append (GTK_LIST_BOX (list), GTK_WIDGET (self->arguments_row));
  gtk_box_append (GTK_BOX (box), list);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (self), box);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (self),
                                    "cancel", _("_Cancel"),
                                    "run", _("_Run"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self), "run",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (self), "run");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");

  g_signal_connect_swapped (self->program_row, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->arguments_row, "changed", G_CALLBACK (on_changed), self);
  on_changed (self);
}

SpRunProgramDialog *
sp_run_program_dialog_new (GtkWindow *parent)
{
  return g_object_new (SP_TYPE_RUN_PROGRAM_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       NULL);
}

GStrv
sp_run_program_dialog_get_argv (SpRunProgramDialog *self)
{
  GStrv argv = NULL;
  g_autofree char *problem = NULL;

  g_return_val_if_fail (SP_IS_RUN_PROGRAM_DIALOG (self), NULL);

  problem = check (self, &argv);
  return problem == NULL ? argv : NULL;
}

void
sp_run_program_dialog_set_program (SpRunProgramDialog *self,
                                   const char         *path)
{
  g_return_if_fail (SP_IS_RUN_PROGRAM_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->program_row), path);
}
