/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-program-view.h"
#include "sp-run-program-dialog.h"
#include "sp-window-private.h"

/* Programs run with their socket calls watched (DESIGN.md, "Watching a
 * program you wrote"): each in a tab of the Programs panel, made when the
 * first program runs, with its terminal; their calls go to the log, and
 * to one recording that "Save as Session" writes: programs that talked to
 * each other become one session. */

/* The tab's icon says which programs still run. Not a spinner: where a
 * frame is slow to draw (software rendering) an endless animation leaves
 * no idle time, and the terminal reads and writes at idle priority. */
static void
update_tab_icon (SpProgramView *view,
                 AdwTabPage    *page)
{
  g_autoptr(GIcon) icon = NULL;

  if (sp_program_view_get_running (view))
    icon = g_themed_icon_new ("media-playback-start-symbolic");
  adw_tab_page_set_icon (page, icon);
}

static void
on_view_running (SpProgramView *view,
                 GParamSpec    *pspec,
                 AdwTabPage    *page)
{
  update_tab_icon (view, page);
}

static gboolean
on_close_page (AdwTabView *tabs,
               AdwTabPage *page,
               SpWindow   *self)
{
  /* Closing a tab stops its program: the view takes it along. */
  adw_tab_view_close_page_finish (tabs, page, TRUE);
  if (adw_tab_view_get_n_pages (tabs) == 0)
    adw_view_stack_set_visible_child_name (self->panel_stack, "steps");
  return GDK_EVENT_STOP;
}

static AdwTabView *
ensure_programs_page (SpWindow *self)
{
  GtkWidget *box;
  GtkWidget *bar;
  GtkWidget *save;
  AdwViewStackPage *page;

  if (self->program_tabs != NULL)
    return self->program_tabs;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->program_tabs = ADW_TAB_VIEW (adw_tab_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->program_tabs), TRUE);
  bar = GTK_WIDGET (adw_tab_bar_new ());
  adw_tab_bar_set_view (ADW_TAB_BAR (bar), self->program_tabs);
  adw_tab_bar_set_autohide (ADW_TAB_BAR (bar), FALSE);
  save = gtk_button_new_from_icon_name ("document-save-as-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (save), "win.save-programs");
  gtk_widget_set_tooltip_text (save, _("Save as Session…"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (save), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Save as Session…"), -1);
  adw_tab_bar_set_end_action_widget (ADW_TAB_BAR (bar), save);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->program_tabs));
  g_signal_connect_object (self->program_tabs, "close-page", G_CALLBACK (on_close_page),
                           self, 0);

  page = adw_view_stack_add_titled (self->panel_stack, box, "programs", _("Programs"));
  adw_view_stack_page_set_icon_name (page, "utilities-terminal-symbolic");
  /* Four pages side by side, icon beside title, would widen the panels
   * past their width and fold them away; icon above title fits. */
  adw_view_switcher_set_policy (self->panel_switcher, ADW_VIEW_SWITCHER_POLICY_NARROW);
  return self->program_tabs;
}

gboolean
sp_window_run_program (SpWindow            *self,
                       const char * const  *argv,
                       GError             **error)
{
  SpProgramView *view;
  AdwTabView *tabs;
  AdwTabPage *page;

  g_return_val_if_fail (SP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);

  if (self->program_recording == NULL)
    {
      /* What they sent is kept for Save as Session, as much of it as the
       * preferences let the traffic log keep. */
      self->program_recording = sp_recording_new ();
      sp_recording_set_data_cap (self->program_recording,
                                 sp_traffic_log_get_payload_cap (self->log));
    }
  view = sp_program_view_new (self->log, self->program_recording);
  g_object_ref_sink (view);
  if (!sp_program_view_start (view, argv, error))
    {
      g_object_unref (view);
      return FALSE;
    }

  sp_observed_sockets_add_trace (self->observed, sp_program_view_get_trace (view), self->log);
  tabs = ensure_programs_page (self);
  page = adw_tab_view_append (tabs, GTK_WIDGET (view));
  g_object_bind_property (view, "title", page, "title", G_BINDING_SYNC_CREATE);
  update_tab_icon (view, page);
  g_signal_connect_object (view, "notify::running", G_CALLBACK (on_view_running), page, 0);
  adw_tab_view_set_selected_page (tabs, page);
  adw_view_stack_set_visible_child_name (self->panel_stack, "programs");
  /* Folded away in a narrow window: the program's terminal is where the
   * user types next. */
  adw_flap_set_reveal_flap (self->panels_flap, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (view));
  g_object_unref (view);
  return TRUE;
}

static void
on_run_program_response (SpRunProgramDialog *dialog,
                         const char         *response,
                         SpWindow           *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;

  if (g_strcmp0 (response, "run") != 0)
    return;

  argv = sp_run_program_dialog_get_argv (dialog);
  if (argv != NULL && !sp_window_run_program (self, (const char * const *) argv, &error))
    _sp_window_toast (self, error->message);
}

static void
run_program_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  SpWindow *self = user_data;
  SpRunProgramDialog *dialog = sp_run_program_dialog_new (GTK_WINDOW (self));

  g_signal_connect_object (dialog, "response", G_CALLBACK (on_run_program_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Save as Session */

/* "server.py and client.py" */
static char *
programs_title (SpWindow *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint n = self->program_tabs != NULL ? adw_tab_view_get_n_pages (self->program_tabs) : 0;

  for (guint i = 0; i < n; i++)
    {
      AdwTabPage *page = adw_tab_view_get_nth_page (self->program_tabs, i);
      SpProgramView *view = SP_PROGRAM_VIEW (adw_tab_page_get_child (page));
      const char *title = sp_program_view_get_title (view);

      if (title != NULL && !g_ptr_array_find_with_equal_func (names, title, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) title);
    }
  if (names->len == 0)
    return g_strdup (_("Programs"));
  if (names->len == 1)
    return g_strdup (g_ptr_array_index (names, 0));
  /* Translators: the programs a recorded session came from, "server.py and client.py" */
  return g_strdup_printf (_("%s and %s"), (char *) g_ptr_array_index (names, 0),
                          (char *) g_ptr_array_index (names, 1));
}

typedef struct
{
  GWeakRef  window;
  GFile    *file;
  guint     n_steps;
  guint     n_sockets;
} Saving;

static void
saving_free (Saving *saving)
{
  g_weak_ref_clear (&saving->window);
  g_object_unref (saving->file);
  g_free (saving);
}

static void
on_programs_saved (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Saving *saving = user_data;
  g_autoptr(SpWindow) self = g_weak_ref_get (&saving->window);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (saving->file);
  g_autofree char *uri = g_file_get_uri (saving->file);
  g_autofree char *steps = NULL;
  g_autofree char *sockets = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  AdwToast *toast;

  if (!sp_session_save_finish (SP_SESSION (source), result, &error))
    {
      if (self != NULL)
        _sp_window_toast (self, error->message);
      saving_free (saving);
      return;
    }
  if (self == NULL)
    {
      saving_free (saving);
      return;
    }

  steps = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u step", "%u steps",
                                        saving->n_steps), saving->n_steps);
  sockets = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u socket", "%u sockets",
                                          saving->n_sockets), saving->n_sockets);
  /* A toast's title is markup (libadwaita 1.2). */
  escaped = g_markup_escape_text (name, -1);
  /* Translators: "Saved echo.sockplay: 14 steps on 2 sockets" */
  title = g_strdup_printf (_("Saved %s: %s on %s"), escaped, steps, sockets);
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Open"));
  adw_toast_set_action_name (toast, "win.open-recent");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  saving_free (saving);
}

static void
on_save_programs_response (GtkNativeDialog *chooser,
                           int              response,
                           SpWindow        *self)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autofree char *title = NULL;
  g_autofree char *path = NULL;
  Saving *saving;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  g_object_unref (chooser);
  if (file == NULL || (path = g_file_get_path (file)) == NULL)
    return;

  title = programs_title (self);
  session = sp_recording_to_session (self->program_recording, title, NULL);
  saving = g_new0 (Saving, 1);
  g_weak_ref_init (&saving->window, self);
  saving->file = g_object_ref (file);
  saving->n_steps = sp_session_get_n_steps (session);
  saving->n_sockets = g_list_model_get_n_items (sp_session_get_sockets (session));
  sp_session_save_async (session, path, NULL, on_programs_saved, saving);
}

static void
save_programs_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  SpWindow *self = user_data;
  g_autofree char *title = NULL;
  GtkFileChooserNative *chooser;

  if (self->program_recording == NULL || sp_recording_get_n_calls (self->program_recording) == 0)
    {
      _sp_window_toast (self, _("The programs have made no socket calls yet"));
      return;
    }

  title = programs_title (self);
  chooser = _sp_window_new_save_chooser (self, _("Save Programs as Session"), title);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_programs_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static const GActionEntry program_actions[] = {
  { .name = "run-program", .activate = run_program_action },
  { .name = "save-programs", .activate = save_programs_action },
};

void
_sp_window_init_programs (SpWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), program_actions,
                                   G_N_ELEMENTS (program_actions), self);
}
