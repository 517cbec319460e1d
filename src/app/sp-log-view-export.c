/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-log-export.h"
#include "sp-log-view-private.h"
#include "sp-toast.h"

/* Export */

static void
on_export_done (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpLogView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!sp_log_export_to_file_finish (SP_TRAFFIC_LOG (object), result, &error))
    {
      /* Translators: %s is why the file could not be written */
      g_autofree char *message = g_strdup_printf (_("The log was not exported: %s"),
                                                  error->message);

      sp_toast_show (GTK_WIDGET (self), message);
      return;
    }

  sp_toast_show (GTK_WIDGET (self), _("Traffic log exported"));
}

static void
on_export_response (GtkNativeDialog *chooser,
                    int              response,
                    SpLogView       *self)
{
  SpLogFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "format"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->log != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      sp_log_export_to_file_async (self->log, format, file, NULL, on_export_done,
                                   g_object_ref (self));
    }

  g_object_unref (chooser);
}

static void
export_log (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SpLogView *self = SP_LOG_VIEW (widget);
  const char *extension = g_variant_get_string (parameter, NULL);
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;
  SpLogFormat format;
  g_autofree char *name = NULL;
  g_autofree char *pattern = NULL;

  if (!sp_log_format_from_string (extension, &format))
    return;

  chooser = gtk_file_chooser_native_new (_("Export Traffic Log"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), NULL);
  filter = gtk_file_filter_new ();
  pattern = g_strconcat ("*.", extension, NULL);
  gtk_file_filter_set_name (filter, format == SP_LOG_FORMAT_JSONL ? _("JSON Lines")
                                    : format == SP_LOG_FORMAT_CSV ? _("CSV")
                                    : _("pcapng Capture"));
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);

  /* Translators: the suggested file name; the extension follows */
  name = g_strconcat (_("traffic"), ".", extension, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_object_set_data (G_OBJECT (chooser), "format", GINT_TO_POINTER (format));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_export_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_sp_log_view_class_init_export (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "log.export", "s", export_log);
}
