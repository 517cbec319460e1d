/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-codegen.h"
#include "sp-presets.h"
#include "sp-window-private.h"

/* The window's session as a file: new, open, save, and export as Python. */

/* Asking before unsaved changes are lost */

typedef struct
{
  SpWindow             *window;
  SpWindowContinuation  then;
  gpointer              data;
  GDestroyNotify        destroy;
} Pending;

static void
pending_free (Pending *pending)
{
  if (pending->destroy != NULL)
    pending->destroy (pending->data);
  g_object_unref (pending->window);
  g_free (pending);
}

static void
pending_run (Pending *pending)
{
  pending->then (pending->window, pending->data);
  pending_free (pending);
}

static void save_as (SpWindow *self, Pending *pending);

static void
on_saved_then_continue (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Pending *pending = user_data;

  /* A failed save was shown in a toast; nothing is lost by stopping. */
  if (sp_window_save_finish (SP_WINDOW (object), result, NULL))
    pending_run (pending);
  else
    pending_free (pending);
}

static void
on_discard_response (AdwMessageDialog *dialog,
                     const char       *response,
                     Pending          *pending)
{
  SpWindow *self = pending->window;

  /* Once the dialog has finished answering: closing the window destroys
   * the dialog with it, which must not happen inside its own signal. */
  if (g_str_equal (response, "discard"))
    g_idle_add_once ((GSourceOnceFunc) pending_run, pending);
  else if (g_str_equal (response, "save") && self->file != NULL)
    sp_window_save_async (self, self->file, NULL, on_saved_then_continue, pending);
  else if (g_str_equal (response, "save"))
    save_as (self, pending);
  else
    pending_free (pending);
}

void
_sp_window_confirm_discard (SpWindow             *self,
                            SpWindowContinuation  then,
                            gpointer              data,
                            GDestroyNotify        destroy)
{
  Pending *pending = g_new0 (Pending, 1);
  AdwMessageDialog *dialog;

  pending->window = g_object_ref (self);
  pending->then = then;
  pending->data = data;
  pending->destroy = destroy;

  if (!self->dirty)
    {
      pending_run (pending);
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Save Changes?"),
                                                       NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” has steps that are not saved. "
                                    "Changes which are not saved will be lost."),
                                  sp_session_get_title (self->session));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_discard_response), pending);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Saving */

static void
on_session_saved (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpWindow *self = g_task_get_source_object (task);
  GFile *file = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!sp_session_save_finish (SP_SESSION (object), result, &error))
    {
      /* It names the file, says why, and that the old file is unchanged. */
      _sp_window_toast (self, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->file, file);
  _sp_window_set_dirty (self, FALSE);
  _sp_window_add_recent (self, file);
  g_task_return_boolean (task, TRUE);
}

static void
on_contents_replaced (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SpWindow *self = g_task_get_source_object (task);
  GFile *file = G_FILE (object);
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (file, result, NULL, &error))
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("Could not save “%s”: %s"),
                                                  name, error->message);

      _sp_window_toast (self, message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->file, file);
  _sp_window_set_dirty (self, FALSE);
  _sp_window_add_recent (self, file);
  g_task_return_boolean (task, TRUE);
}

void
sp_window_save_async (SpWindow            *self,
                      GFile               *file,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  char *data;
  gsize length;

  g_return_if_fail (SP_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, sp_window_save_async);

  /* A local file is written whole beside the old one and renamed over it,
   * and a failure leaves no temporary file behind. */
  path = g_file_get_path (file);
  if (path != NULL)
    {
      g_task_set_task_data (task, g_object_ref (file), g_object_unref);
      sp_session_save_async (self->session, path, cancellable, on_session_saved,
                             g_steal_pointer (&task));
      return;
    }

  data = sp_session_to_data (self->session, &length);
  bytes = g_bytes_new_take (data, length);
  /* Elsewhere (a GVfs location) GIO also writes beside the old file and
   * renames it over: a failed save leaves the old file whole. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, on_contents_replaced,
                                       g_steal_pointer (&task));
}

gboolean
sp_window_save_finish (SpWindow      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_save_as_response (GtkNativeDialog *chooser,
                     int              response,
                     Pending         *pending)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);

  if (file == NULL)
    {
      if (pending != NULL)
        pending_free (pending);
      return;
    }

  if (pending != NULL)
    sp_window_save_async (pending->window, file, NULL, on_saved_then_continue, pending);
  else
    sp_window_save_async (SP_WINDOW (gtk_native_dialog_get_transient_for (chooser)), file,
                          NULL, NULL, NULL);
}

GtkFileFilter *
_sp_window_session_filter (void)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, _("Sessions"));
  gtk_file_filter_add_suffix (filter, "sockplay");
  gtk_file_filter_add_mime_type (filter, "application/x-socket-playground-session");
  /* Sessions saved before they had a type of their own. */
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_filter_add_mime_type (filter, "application/json");
  return filter;
}

GtkFileChooserNative *
_sp_window_new_save_chooser (SpWindow   *self,
                             const char *heading,
                             const char *title)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = _sp_window_session_filter ();
  g_autofree char *name = g_strdup_printf ("%s.sockplay", title);

  chooser = gtk_file_chooser_native_new (heading, GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_strdelimit (name, "/\\:", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  return chooser;
}

/* `pending` (may be NULL) runs once the session is saved. */
static void
save_as (SpWindow *self,
         Pending  *pending)
{
  GtkFileChooserNative *chooser = _sp_window_new_save_chooser (self, _("Save Session"),
                                                               sp_session_get_title (self->session));

  if (self->file != NULL)
    gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), self->file, NULL);

  g_signal_connect (chooser, "response", G_CALLBACK (on_save_as_response), pending);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
save_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SpWindow *self = user_data;

  if (self->file != NULL)
    sp_window_save_async (self, self->file, NULL, NULL, NULL);
  else
    save_as (self, NULL);
}

static void
save_as_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  save_as (SP_WINDOW (user_data), NULL);
}

/* Opening */

static void
on_file_loaded (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(SpWindow) self = user_data;
  GFile *file = G_FILE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  gsize length;

  if (!g_file_load_contents_finish (file, result, &contents, &length, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: %s"),
                                                  name, error->message);

      _sp_window_toast (self, message);
      return;
    }

  session = sp_session_new_from_data (contents, length, name, &error);
  if (session == NULL)
    {
      _sp_window_toast (self, error->message);
      return;
    }

  _sp_window_set_session (self, session, file);
  _sp_window_add_recent (self, file);
}

static void
open_confirmed (SpWindow *self,
                gpointer  data)
{
  GFile *file = data;
  g_autoptr(GFileInfo) info = NULL;

  /* The loader reads at most this much; a bigger file is not a session
   * (and /dev/zero never ends). */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL &&
      (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR ||
       g_file_info_get_size (info) > SP_SESSION_MAX_FILE_SIZE))
    {
      g_autofree char *name = g_file_get_parse_name (file);
      g_autofree char *message = g_strdup_printf (_("Could not open “%s”: not a session file"),
                                                  name);

      _sp_window_toast (self, message);
      return;
    }

  g_file_load_contents_async (file, NULL, on_file_loaded, g_object_ref (self));
}

void
sp_window_open (SpWindow *self,
                GFile    *file)
{
  g_return_if_fail (SP_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  _sp_window_confirm_discard (self, open_confirmed, g_object_ref (file), g_object_unref);
}

static void
on_open_response (GtkNativeDialog *chooser,
                  int              response,
                  SpWindow        *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);

  if (file != NULL)
    sp_window_open (self, file);
}

static void
open_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  SpWindow *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = _sp_window_session_filter ();

  chooser = gtk_file_chooser_native_new (_("Open Session"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_preset_confirmed (SpWindow *self,
                       gpointer  data)
{
  const char *id = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = sp_presets_load (id, &error);

  if (session == NULL)
    {
      _sp_window_toast (self, error->message);
      return;
    }

  _sp_window_set_session (self, session, NULL);
}

static void
open_preset_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  _sp_window_confirm_discard (SP_WINDOW (user_data), open_preset_confirmed,
                              g_variant_dup_string (parameter, NULL), g_free);
}

static void
new_session_confirmed (SpWindow *self,
                       gpointer  data)
{
  g_autoptr(SpSession) session = sp_session_new ();

  sp_session_set_title (session, _("New Session"));
  _sp_window_set_session (self, session, NULL);
}

static void
new_session_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  _sp_window_confirm_discard (SP_WINDOW (user_data), new_session_confirmed, NULL, NULL);
}

/* Export */

typedef struct
{
  SpWindow *window;
  char     *path;
} PythonExport;

static void
python_export_free (PythonExport *export)
{
  g_object_unref (export->window);
  g_free (export->path);
  g_free (export);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PythonExport, python_export_free)

static void
on_python_exported (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(PythonExport) export = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!sp_codegen_export_python_finish (result, &error))
    message = g_strdup_printf (_("Could not export the Python: %s"), error->message);
  else
    message = g_strdup_printf (_("Wrote the Python to “%s”"), export->path);

  _sp_window_toast (export->window, message);
}

static void
on_export_response (GtkNativeDialog *chooser,
                    int              response,
                    SpWindow        *self)
{
  g_autoptr(GFile) folder = NULL;
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  PythonExport *export;

  if (response == GTK_RESPONSE_ACCEPT)
    folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);

  if (folder == NULL)
    return;

  path = g_file_get_path (folder);
  if (path == NULL)
    {
      message = g_strdup_printf (_("Could not export the Python: %s"),
                                 _("the folder is not local"));
      _sp_window_toast (self, message);
      return;
    }

  /* The files are synced to disk before they take their names, which can
   * take a while: a worker thread waits for that, not the window. */
  export = g_new0 (PythonExport, 1);
  export->window = g_object_ref (self);
  export->path = g_strdup (path);
  sp_codegen_export_python_async (self->session, path, NULL, on_python_exported, export);
}

static void
export_python_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SpWindow *self = user_data;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export as Python"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Export"),
                                         NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const GActionEntry file_actions[] = {
  { .name = "new-session", .activate = new_session_action },
  { .name = "open", .activate = open_action },
  { .name = "open-preset", .activate = open_preset_action, .parameter_type = "s" },
  { .name = "save", .activate = save_action },
  { .name = "save-as", .activate = save_as_action },
  { .name = "export-python", .activate = export_python_action },
};

void
_sp_window_add_file_actions (SpWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), file_actions,
                                   G_N_ELEMENTS (file_actions), self);
}
