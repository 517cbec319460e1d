/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-program-view.h"
#include "sp-run-program-dialog.h"
#include "sp-window-private.h"

/* Programs run with their socket calls watched (DESIGN.md, "Watching a
 * program you wrote"): each in a tab of the Programs panel, made when the
 * first program runs, with its terminal; their calls go to the log. */

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
  AdwViewStackPage *page;

  if (self->program_tabs != NULL)
    return self->program_tabs;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  self->program_tabs = ADW_TAB_VIEW (adw_tab_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->program_tabs), TRUE);
  bar = GTK_WIDGET (adw_tab_bar_new ());
  adw_tab_bar_set_view (ADW_TAB_BAR (bar), self->program_tabs);
  adw_tab_bar_set_autohide (ADW_TAB_BAR (bar), FALSE);
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

  view = sp_program_view_new (self->log);
  g_object_ref_sink (view);
  if (!sp_program_view_start (view, argv, error))
    {
      g_object_unref (view);
      return FALSE;
    }

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

static const GActionEntry program_actions[] = {
  { .name = "run-program", .activate = run_program_action },
};

void
_sp_window_init_programs (SpWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), program_actions,
                                   G_N_ELEMENTS (program_actions), self);
}
