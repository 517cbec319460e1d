/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-codegen.h"
#include "sp-endpoint.h"
#include "sp-new-socket-dialog.h"
#include "sp-presets.h"
#include "sp-window-private.h"
#include "sp-zoom.h"

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

/* `pending` (may be NULL) runs once the session is saved. */
static void
save_as (SpWindow *self,
         Pending  *pending)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = _sp_window_session_filter ();
  g_autofree char *name = NULL;

  chooser = gtk_file_chooser_native_new (_("Save Session"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);

  if (self->file != NULL)
    {
      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (chooser), self->file, NULL);
    }
  else
    {
      name = g_strdup_printf ("%s.sockplay", sp_session_get_title (self->session));
      g_strdelimit (name, "/\\:", '-');
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }

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

/* Replay */

static void
step_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  _sp_window_step_forward (SP_WINDOW (user_data));
}

static void
step_back_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  _sp_window_step_back (SP_WINDOW (user_data));
}

static void
run_action (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  _sp_window_cancel_replay (SP_WINDOW (user_data));
  sp_player_run (SP_WINDOW (user_data)->player);
}

static void
pause_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  _sp_window_cancel_replay (SP_WINDOW (user_data));
  sp_player_pause (SP_WINDOW (user_data)->player);
}

static void
restart_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  _sp_window_cancel_replay (SP_WINDOW (user_data));
  sp_player_restart (SP_WINDOW (user_data)->player);
}

static void
speed_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  SpWindow *self = user_data;

  self->step_delay_ms = g_variant_get_uint32 (parameter);
  sp_player_set_step_delay (self->player, self->step_delay_ms);
  g_simple_action_set_state (action, parameter);
}

/* Asking before a step reaches beyond this computer */

static void
on_remote_response (AdwMessageDialog *dialog,
                    const char       *response,
                    SpPlayer         *player)
{
  sp_player_answer_remote (player, g_str_equal (response, "allow"));
}

static void
on_remote_dialog_destroyed (SpWindow *self)
{
  self->remote_dialog = NULL;
}

/* The question for a step that would leave this computer, with `body`
 * saying how. Takes `body`. */
static gboolean
ask_beyond (SpWindow   *self,
            SpPlayer   *player,
            const char *heading,
            char       *body)
{
  AdwMessageDialog *dialog;

  if (self->remote_dialog != NULL)
    {
      /* Its answer goes to every step the player holds by then. */
      if (g_object_get_data (G_OBJECT (self->remote_dialog), "player") == player)
        {
          g_free (body);
          return TRUE;
        }

      /* A question of a session no longer shown: its steps are gone. */
      gtk_window_destroy (GTK_WINDOW (self->remote_dialog));
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
  adw_message_dialog_set_body (dialog, body);
  g_free (body);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "allow", _("_Allow"),
                                    NULL);
  /* Enter and Escape both keep the traffic here. */
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);

  g_object_set_data_full (G_OBJECT (dialog), "player", g_object_ref (player), g_object_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (on_remote_response), player);
  g_signal_connect_object (dialog, "destroy", G_CALLBACK (on_remote_dialog_destroyed), self,
                           G_CONNECT_SWAPPED);
  self->remote_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

gboolean
_sp_window_confirm_remote (SpWindow       *self,
                           guint           index,
                           GSocketAddress *address,
                           SpPlayer       *player)
{
  g_autofree char *text = sp_endpoint_format (address);
  char *body;

  /* TRANSLATORS: %u is the step's number in the steps panel, %s an address
   * and port such as 192.0.2.7:80 */
  body = g_strdup_printf (_("Step %u goes to %s, which is not this computer: the replay would "
                            "send traffic over the network. Allowing it lets this session reach "
                            "other machines until it is closed."),
                          index + 1, text);
  return ask_beyond (self, player, _("Connect beyond this computer?"), body);
}

gboolean
_sp_window_confirm_lookup (SpWindow   *self,
                           guint       index,
                           const char *host,
                           SpPlayer   *player)
{
  char *body;

  /* TRANSLATORS: %u is the step's number in the steps panel, %s a host
   * name such as example.org */
  body = g_strdup_printf (_("Step %u looks up “%s”, a name this computer does not know itself: "
                            "the replay would ask a DNS server over the network. Allowing it "
                            "lets this session reach other machines until it is closed."),
                          index + 1, host);
  return ask_beyond (self, player, _("Look up a name beyond this computer?"), body);
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

/* Sockets */

/* The new socket's page shows at once. Setting only `selected_id` left it
 * to the sidebar's rebuild, which selects the row but shows a page only for
 * a socket other than the selected one: the row was highlighted, the page
 * still said "No Socket Yet", and a click on the row changed nothing. */
static void
add_config (SpWindow       *self,
            SpSocketConfig *config)
{
  g_autofree char *id = g_strdup (config->id);

  sp_session_add_socket (self->session, config);
  _sp_window_select_socket (self, id);
}

static void
on_new_socket_response (SpNewSocketDialog *dialog,
                        const char        *response,
                        SpWindow          *self)
{
  g_autoptr(SpSocketConfig) config = NULL;

  if (g_str_equal (response, "add"))
    config = sp_new_socket_dialog_get_config (dialog);
  if (config != NULL)
    add_config (self, config);
}

static void
add_socket_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SpWindow *self = user_data;
  SpNewSocketDialog *dialog = sp_new_socket_dialog_new (GTK_WINDOW (self), self->session);

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_new_socket_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
duplicate_socket_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  SpWindow *self = user_data;
  SpSocketConfig *config = sp_session_find_socket (self->session, self->selected_id);
  g_autoptr(SpSocketConfig) copy = NULL;

  if (config == NULL)
    return;

  copy = sp_socket_config_copy (config);
  for (guint i = 2; sp_session_has_socket_id (self->session, copy->id); i++)
    {
      g_free (copy->id);
      copy->id = g_strdup_printf ("%s%u", config->id, i);
    }
  add_config (self, copy);
}

static gboolean
session_uses_socket (SpSession  *session,
                     const char *id)
{
  for (guint i = 0; i < sp_session_get_n_steps (session); i++)
    {
      SpStep *step = sp_session_get_step (session, i);

      if (g_strcmp0 (step->socket, id) == 0 || g_strcmp0 (step->to, id) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
remove_socket_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SpWindow *self = user_data;
  g_autofree char *id = g_strdup (self->selected_id);

  if (id == NULL || sp_session_find_socket (self->session, id) == NULL)
    return;

  /* A session whose steps name a socket it lacks would not load again. */
  if (session_uses_socket (self->session, id))
    {
      g_autofree char *message = g_strdup_printf (_("“%s” has steps: delete them first"), id);

      _sp_window_toast (self, message);
      return;
    }

  sp_session_remove_socket (self->session, id);
}

static void
search_log_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SpWindow *self = user_data;

  sp_log_view_focus_search (self->log_view);
}

static void
show_panel_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  SpWindow *self = user_data;
  const char *name = g_variant_get_string (parameter, NULL);

  if (adw_view_stack_get_child_by_name (self->panel_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->panel_stack, name);
}

/* Presentation, zoom and recent sessions */

static void
presentation_action (GSimpleAction *action,
                     GVariant      *state,
                     gpointer       user_data)
{
  _sp_window_set_presentation (SP_WINDOW (user_data), g_variant_get_boolean (state));
}

/* The sidebar and the panels, which a narrow window folds away. */
static void
show_sidebar_action (GSimpleAction *action,
                     GVariant      *state,
                     gpointer       user_data)
{
  adw_flap_set_reveal_flap (SP_WINDOW (user_data)->sidebar_flap, g_variant_get_boolean (state));
}

static void
show_panels_action (GSimpleAction *action,
                    GVariant      *state,
                    gpointer       user_data)
{
  adw_flap_set_reveal_flap (SP_WINDOW (user_data)->panels_flap, g_variant_get_boolean (state));
}

static void
fullscreen_action (GSimpleAction *action,
                   GVariant      *state,
                   gpointer       user_data)
{
  _sp_window_set_fullscreen (SP_WINDOW (user_data), g_variant_get_boolean (state));
}

static void
zoom_in_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  SpWindow *self = user_data;

  _sp_window_set_zoom (self, sp_zoom_in (self->zoom));
}

static void
zoom_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  SpWindow *self = user_data;

  _sp_window_set_zoom (self, sp_zoom_out (self->zoom));
}

static void
zoom_reset_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  _sp_window_set_zoom (SP_WINDOW (user_data), SP_ZOOM_DEFAULT);
}

static void
open_recent_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  _sp_window_open_recent (SP_WINDOW (user_data), g_variant_get_string (parameter, NULL));
}

/* GtkApplication would build the shortcuts window with every window, before
 * its first frame; it is hundreds of widgets, so it waits to be asked for. */
static void
show_help_overlay_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  GtkApplicationWindow *window = GTK_APPLICATION_WINDOW (user_data);
  GtkShortcutsWindow *overlay = gtk_application_window_get_help_overlay (window);

  if (overlay == NULL)
    {
      g_autoptr(GtkBuilder) builder = NULL;

      builder = gtk_builder_new_from_resource (RESOURCE_PATH "/ui/help-overlay.ui");
      overlay = GTK_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
      /* Also what lets the shortcuts show the application's accelerators. */
      gtk_application_window_set_help_overlay (window, overlay);
    }

  gtk_window_present (GTK_WINDOW (overlay));
}

static const GActionEntry window_actions[] = {
  { .name = "new-session", .activate = new_session_action },
  { .name = "open", .activate = open_action },
  { .name = "open-preset", .activate = open_preset_action, .parameter_type = "s" },
  { .name = "save", .activate = save_action },
  { .name = "save-as", .activate = save_as_action },
  { .name = "export-python", .activate = export_python_action },
  { .name = "step", .activate = step_action },
  { .name = "step-back", .activate = step_back_action },
  { .name = "run", .activate = run_action },
  { .name = "pause", .activate = pause_action },
  { .name = "restart", .activate = restart_action },
  { .name = "speed", .change_state = speed_action, .parameter_type = "u", .state = "uint32 0",
    .activate = NULL },
  { .name = "show-panel", .activate = show_panel_action, .parameter_type = "s" },
  { .name = "search-log", .activate = search_log_action },
  { .name = "add-socket", .activate = add_socket_action },
  { .name = "duplicate-socket", .activate = duplicate_socket_action },
  { .name = "remove-socket", .activate = remove_socket_action },
  /* Stateful without `activate`: activating toggles them. */
  { .name = "presentation", .change_state = presentation_action, .state = "false" },
  { .name = "fullscreen", .change_state = fullscreen_action, .state = "false" },
  { .name = "show-sidebar", .change_state = show_sidebar_action, .state = "true" },
  { .name = "show-panels", .change_state = show_panels_action, .state = "true" },
  { .name = "zoom-in", .activate = zoom_in_action },
  { .name = "zoom-out", .activate = zoom_out_action },
  { .name = "zoom-reset", .activate = zoom_reset_action },
  { .name = "open-recent", .activate = open_recent_action, .parameter_type = "s" },
  { .name = "show-help-overlay", .activate = show_help_overlay_action },
};

/* The toggles say what the flaps show, folded or not. */
static void
on_flap_revealed (AdwFlap    *flap,
                  GParamSpec *pspec,
                  SpWindow   *self)
{
  const char *name = flap == self->sidebar_flap ? "show-sidebar" : "show-panels";
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_state (G_SIMPLE_ACTION (action),
                             g_variant_new_boolean (adw_flap_get_reveal_flap (flap)));
}

void
_sp_window_add_actions (SpWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), window_actions,
                                   G_N_ELEMENTS (window_actions), self);
  g_signal_connect_object (self->sidebar_flap, "notify::reveal-flap",
                           G_CALLBACK (on_flap_revealed), self, 0);
  g_signal_connect_object (self->panels_flap, "notify::reveal-flap",
                           G_CALLBACK (on_flap_revealed), self, 0);
  on_flap_revealed (self->sidebar_flap, NULL, self);
  on_flap_revealed (self->panels_flap, NULL, self);
}

void
_sp_window_set_action_enabled (SpWindow   *self,
                               const char *name,
                               gboolean    enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

void
_sp_window_update_actions (SpWindow *self)
{
  SpPlayerState state;
  gboolean more;
  gboolean configured;

  if (self->player == NULL)
    return;

  state = sp_player_get_state (self->player);
  more = sp_player_get_position (self->player) < sp_session_get_n_steps (self->session);
  configured = sp_session_find_socket (self->session, self->selected_id) != NULL;

  _sp_window_set_action_enabled (self, "step", more && state != SP_PLAYER_RUNNING);
  _sp_window_set_action_enabled (self, "step-back", _sp_window_can_step_back (self));
  _sp_window_set_action_enabled (self, "run", more);
  /* Run waits between steps in no state of its own: pausing is offered
   * while steps remain. */
  _sp_window_set_action_enabled (self, "pause", more);
  _sp_window_set_action_enabled (self, "restart", sp_player_get_position (self->player) > 0 ||
                                g_list_model_get_n_items (sp_player_get_sockets (self->player)) > 0);
  _sp_window_set_action_enabled (self, "export-python", sp_session_get_n_steps (self->session) > 0);
  _sp_window_set_action_enabled (self, "duplicate-socket", configured);
  _sp_window_set_action_enabled (self, "remove-socket", configured);
}
