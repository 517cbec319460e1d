/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-toast.h"
#include "sp-window-private.h"

G_DEFINE_FINAL_TYPE (SpWindow, sp_window, ADW_TYPE_APPLICATION_WINDOW)

/* Whether the window is too narrow for the sidebar beside the page (800
 * pixels wide, say): the header bar is short of room too. */
static gboolean
is_narrow (SpWindow *self)
{
  return adw_flap_get_folded (self->sidebar_flap);
}

/* The title: the session's, with a dot while there are unsaved changes;
 * the file's name below it. */
static void
update_title (SpWindow *self)
{
  const char *title = self->session != NULL ? sp_session_get_title (self->session) : NULL;
  g_autofree char *shown = NULL;
  g_autofree char *file_name = NULL;

  if (title == NULL || title[0] == '\0')
    title = _("New Session");

  /* TRANSLATORS: the window title of a session with unsaved changes */
  shown = self->dirty ? g_strdup_printf (_("• %s"), title) : g_strdup (title);
  adw_window_title_set_title (self->window_title, shown);

  if (self->file != NULL)
    file_name = g_file_get_basename (self->file);
  /* A narrow header has room for the title alone: the file name, which
   * would widen it, is in its tooltip then. */
  adw_window_title_set_subtitle (self->window_title,
                                 file_name != NULL && !is_narrow (self) ? file_name : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title),
                               is_narrow (self) ? file_name : NULL);
  {
    /* TRANSLATORS: the window's title in the window list: session, then app */
    g_autofree char *window_title = g_strdup_printf (_("%s — Socket Playground"), shown);

    gtk_window_set_title (GTK_WINDOW (self), window_title);
  }
}

/* Also shows a new file name, so a save always comes through here. */
void
_sp_window_set_dirty (SpWindow *self,
                      gboolean  dirty)
{
  self->dirty = !!dirty;
  update_title (self);
}

void
_sp_window_toast (SpWindow   *self,
                  const char *message)
{
  sp_toast_show (GTK_WIDGET (self->toast_overlay), message);
}

static void
update_progress (SpWindow *self)
{
  guint n_steps = sp_session_get_n_steps (self->session);
  guint position = sp_player_get_position (self->player);
  guint n_stale = sp_player_get_n_stale (self->player);
  g_autofree char *text = NULL;

  /* TRANSLATORS: replay progress in the header bar, "3 of 12 steps run" */
  text = g_strdup_printf (_("%u of %u steps run"), MIN (position, n_steps), n_steps);
  if (n_stale > 0)
    {
      /* A step edited after it ran has not run as it reads now. */
      g_autofree char *longer = NULL;

      /* TRANSLATORS: replay progress when steps that ran were edited after,
       * "7 of 7 steps run, 1 edited after it ran" */
      longer = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u edited after it ran",
                                             "%s, %u edited after they ran", n_stale),
                                text, n_stale);
      g_free (text);
      text = g_steal_pointer (&longer);
    }
  if (n_steps > 0 && is_narrow (self))
    {
      /* Cut short as "7 of…" it would say nothing: a narrow header says
       * "7/12", its tooltip and a screen reader the whole of it. */
      g_autofree char *shorter = NULL;
      g_autofree char *tooltip = NULL;

      /* TRANSLATORS: replay progress in a narrow window's header bar, "3/12":
       * 3 of 12 steps run */
      shorter = g_strdup_printf (_("%u/%u"), MIN (position, n_steps), n_steps);
      tooltip = n_stale > 0 ? g_strdup_printf ("%s. %s", text,
                                               _("Restart to run the changed steps as they "
                                                 "read now"))
                            : g_strdup (text);
      gtk_label_set_label (self->progress_label, shorter);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->progress_label), tooltip);
      /* After the text: a label names itself by its text when it changes. */
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
    }
  else
    {
      gtk_label_set_label (self->progress_label, n_steps > 0 ? text : "");
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->progress_label),
                                   n_stale > 0 ? _("Restart to run the changed steps as they "
                                                   "read now")
                                               : NULL);
    }
  _sp_window_update_actions (self);
}

/* A narrow header bar has room for the title when the Presets button
 * shows an icon rather than its label (its tooltip and accessible name
 * stay) and the Presentation Mode button leaves: the main menu and F5
 * still offer it, and a projector's screen is not narrow. */
static void
update_header_buttons (SpWindow *self)
{
  gboolean narrow = is_narrow (self);

  if (narrow)
    gtk_menu_button_set_icon_name (self->presets_button, "folder-templates-symbolic");
  else
    gtk_menu_button_set_label (self->presets_button, _("_Presets"));
  gtk_widget_set_visible (self->presentation_button, !narrow);
}

static gboolean
on_folded_idle (gpointer data)
{
  SpWindow *self = data;

  self->fold_id = 0;
  update_header_buttons (self);
  update_title (self);
  update_progress (self);
  return G_SOURCE_REMOVE;
}

/* The flap folds while the window is laid out; the header changes after. */
static void
on_folded (SpWindow *self)
{
  if (self->fold_id == 0)
    self->fold_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, on_folded_idle, self, NULL);
}

/* Settings */

/* The application's settings. NULL where the schema is not installed (a
 * test run without it): the window then uses its defaults. */
static GSettings *
window_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  return schema != NULL ? g_settings_new_full (schema, NULL, NULL) : NULL;
}

/* The payload cap from the preferences, in bytes. */
static guint64
log_cap (void)
{
  g_autoptr(GSettings) settings = window_settings ();

  if (settings == NULL)
    return SP_TRAFFIC_LOG_DEFAULT_CAP;

  return (guint64) g_settings_get_uint (settings, "log-cap-mib") * 1024 * 1024;
}

/* Following the session and the player */

static void
on_session_changed (SpWindow *self)
{
  _sp_window_set_dirty (self, TRUE);
  update_progress (self);
}

static void
on_sockets_changed (SpWindow *self)
{
  on_session_changed (self);
  _sp_window_queue_rebuild (self);
}

/* A socket's settings were edited in place: its row says what it is now. */
static void
on_socket_changed (SpWindow       *self,
                   SpSocketConfig *config)
{
  GtkListBoxRow *row = _sp_window_find_socket_row (self, config->id);

  _sp_window_set_dirty (self, TRUE);
  if (row != NULL)
    _sp_window_update_socket_row (self, GTK_WIDGET (row));
}

static void
on_step_finished (SpPlayer   *player,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step,
                  SpWindow   *self)
{
  if (!passed && message != NULL)
    _sp_window_toast (self, message);
  update_progress (self);
}

static void
on_serve_failed (SpPlayer   *player,
                 guint       index,
                 const char *message,
                 SpStep     *step,
                 SpWindow   *self)
{
  _sp_window_toast (self, message);
  update_progress (self);
}

static void
on_socket_added (SpPlayer *player,
                 SpSocket *socket,
                 SpWindow *self)
{
  g_signal_connect_object (socket, "notify::state", G_CALLBACK (_sp_window_update_socket_rows), self,
                           G_CONNECT_SWAPPED);
  _sp_window_queue_rebuild (self);
}

static void
on_step_activated (SpStepsPanel *panel,
                   guint         index,
                   SpWindow     *self)
{
  sp_log_view_select_step (self->log_view, index);
}

void
_sp_window_set_session (SpWindow  *self,
                        SpSession *session,
                        GFile     *file)
{
  g_autoptr(SpPlayer) old_player = NULL;

  /* The old sockets close now, not when the last wait answers. */
  _sp_window_cancel_replay (self);
  if (self->player != NULL)
    sp_player_restart (self->player);
  old_player = g_steal_pointer (&self->player);

  g_set_object (&self->session, session);
  g_set_object (&self->file, file);
  g_clear_object (&self->log);
  self->log = sp_traffic_log_new ();
  sp_traffic_log_set_payload_cap (self->log, log_cap ());
  self->player = sp_player_new (session, self->log);
  sp_player_set_step_delay (self->player, self->step_delay_ms);
  /* Drawing a frame takes whole milliseconds in which this thread reads
   * nothing: a burst would overflow the socket meanwhile. */
  sp_player_set_reads_in_thread (self->player, TRUE);
  /* Programs still running go on in the new session's log. */
  if (self->observed != NULL)
    sp_observed_sockets_move_to_log (self->observed, self->log);

  g_signal_group_set_target (self->session_signals, session);
  g_signal_group_set_target (self->steps_signals, sp_session_get_steps (session));
  g_signal_group_set_target (self->sockets_signals, sp_session_get_sockets (session));
  g_signal_group_set_target (self->player_signals, self->player);
  g_signal_group_set_target (self->live_signals, sp_player_get_sockets (self->player));

  if (self->socket_page != NULL)
    sp_socket_page_set_player (self->socket_page, self->player);
  sp_lifecycle_view_set_player (self->lifecycle_view, self->player);
  sp_steps_panel_set_player (self->steps_panel, self->player);
  sp_code_view_set_player (self->code_view, self->player);
  sp_log_view_set_player (self->log_view, self->player);
  if (self->sequence_view != NULL)
    sp_sequence_view_set_player (self->sequence_view, self->player);
  sp_caption_set_player (self->caption, self->player);

  g_clear_pointer (&self->selected_id, g_free);
  _sp_window_set_dirty (self, FALSE);
  update_progress (self);
  _sp_window_rebuild_socket_list (self);
}

/* Closing */

static void
on_close_confirmed (SpWindow *self,
                    gpointer  data)
{
  self->closing = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static void
restore_size (SpWindow *self)
{
  g_autoptr(GSettings) settings = window_settings ();

  if (settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_size (SpWindow *self)
{
  g_autoptr(GSettings) settings = window_settings ();
  int width, height;

  if (settings == NULL)
    return;

  /* The size before maximizing, so that unmaximizing next time restores it. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_int (settings, "window-width", width);
  g_settings_set_int (settings, "window-height", height);
  g_settings_set_boolean (settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
}

/* The traffic log's preferences follow the settings while the window lives. */
static void
bind_log_settings (SpWindow *self)
{
  g_autoptr(GSettings) settings = window_settings ();

  if (settings == NULL)
    return;

  g_settings_bind (settings, "log-time-display", self->log_view, "time-display",
                   G_SETTINGS_BIND_DEFAULT);
  /* Scrolling up stops following for now; it does not change the preference. */
  g_settings_bind (settings, "log-follow-tail", self->log_view, "follow", G_SETTINGS_BIND_GET);
}

static gboolean
sp_window_close_request (GtkWindow *window)
{
  SpWindow *self = SP_WINDOW (window);

  if (self->dirty && !self->closing)
    {
      _sp_window_confirm_discard (self, on_close_confirmed, NULL, NULL);
      return TRUE;
    }

  save_size (self);
  return GTK_WINDOW_CLASS (sp_window_parent_class)->close_request (window);
}

/* A click on an arrow of the sequence chart shows that event in the list
 * of its socket's events. */
static void
on_sequence_event_activated (SpWindow *self,
                             guint     position)
{
  SpTrafficLog *log = sp_player_get_log (self->player);
  g_autoptr(SpEvent) event = NULL;
  GtkListBoxRow *row;
  const char *id;

  if (position >= sp_traffic_log_get_n_appended (log))
    return;

  event = sp_traffic_log_get_event (log, position);
  id = sp_event_get_socket_id (event);
  row = g_strcmp0 (id, self->selected_id) != 0 ? _sp_window_find_socket_row (self, id) : NULL;
  if (row != NULL)
    gtk_list_box_select_row (self->socket_list, row);

  sp_log_view_select_event (self->log_view, position);
}

/* The Sequence chart lays out every event of the log; the first frame
 * shows the Steps panel, so the chart is made when its page first is. */
static void
on_panel_shown (SpWindow *self)
{
  GtkWidget *scrolled;

  if (self->sequence_view != NULL ||
      adw_view_stack_get_visible_child (self->panel_stack) != GTK_WIDGET (self->sequence_bin))
    return;

  self->sequence_view = SP_SEQUENCE_VIEW (sp_sequence_view_new ());
  g_signal_connect_swapped (self->sequence_view, "event-activated",
                            G_CALLBACK (on_sequence_event_activated), self);
  sp_sequence_view_set_player (self->sequence_view, self->player);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled),
                                 GTK_WIDGET (self->sequence_view));
  adw_bin_set_child (self->sequence_bin, scrolled);
}

/* The object */

static void
sp_window_dispose (GObject *object)
{
  SpWindow *self = SP_WINDOW (object);

  /* The sockets that close now need no sidebar any more. */
  if (self->live_signals != NULL)
    g_signal_group_set_target (self->live_signals, NULL);
  if (self->player != NULL)
    sp_player_restart (self->player);
  g_clear_handle_id (&self->rebuild_id, g_source_remove);
  g_clear_handle_id (&self->replay_id, g_source_remove);
  g_clear_handle_id (&self->fold_id, g_source_remove);
  if (self->divider_id != 0)
    g_clear_signal_handler (&self->divider_id, gtk_widget_get_frame_clock (GTK_WIDGET (self)));

  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_WINDOW);
  self->socket_page = NULL;
  self->observed_page = NULL;
  self->sequence_view = NULL;

  g_clear_object (&self->session_signals);
  g_clear_object (&self->steps_signals);
  g_clear_object (&self->sockets_signals);
  g_clear_object (&self->player_signals);
  g_clear_object (&self->live_signals);
  if (self->observed != NULL)
    g_signal_handlers_disconnect_by_data (self->observed, self);
  g_clear_object (&self->program_recording);
  g_clear_object (&self->observed);
  g_clear_pointer (&self->observed_rows, g_hash_table_unref);
  g_clear_object (&self->player);
  g_clear_object (&self->log);
  g_clear_object (&self->session);
  g_clear_object (&self->file);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (sp_window_parent_class)->dispose (object);
}

static void
sp_window_finalize (GObject *object)
{
  SpWindow *self = SP_WINDOW (object);

  g_free (self->selected_id);

  G_OBJECT_CLASS (sp_window_parent_class)->finalize (object);
}

static void
sp_window_class_init (SpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sp_window_dispose;
  object_class->finalize = sp_window_finalize;
  window_class->close_request = sp_window_close_request;

  g_type_ensure (SP_TYPE_LIFECYCLE_VIEW);
  g_type_ensure (SP_TYPE_STEPS_PANEL);
  g_type_ensure (SP_TYPE_CODE_VIEW);
  g_type_ensure (SP_TYPE_LOG_VIEW);
  g_type_ensure (SP_TYPE_CAPTION);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, presets_button);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, presentation_button);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, speed_button);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, speed_menu);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, socket_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, socket_menu);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, socket_list);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, page_stack);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, socket_box);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, lifecycle_view);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, panel_stack);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, panel_switcher);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, steps_panel);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, code_view);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, log_view);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, sequence_bin);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, file_section);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, sidebar_flap);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, panels_flap);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, panels_box);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, diagram_title);
  gtk_widget_class_bind_template_child (widget_class, SpWindow, caption);

  _sp_window_class_init_menus (widget_class);
}

static void
sp_window_init (SpWindow *self)
{
  g_autoptr(SpSession) session = sp_session_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  _sp_window_add_actions (self);
  restore_size (self);
  bind_log_settings (self);

  _sp_window_init_menus (self);

  g_signal_connect_swapped (self->panel_stack, "notify::visible-child",
                            G_CALLBACK (on_panel_shown), self);

  self->session_signals = g_signal_group_new (SP_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::title",
                                  G_CALLBACK (on_session_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "socket-changed",
                                  G_CALLBACK (on_socket_changed), self);

  self->steps_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->steps_signals, "items-changed",
                                  G_CALLBACK (on_session_changed), self);

  self->sockets_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->sockets_signals, "items-changed",
                                  G_CALLBACK (on_sockets_changed), self);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect (self->player_signals, "step-finished",
                          G_CALLBACK (on_step_finished), self);
  g_signal_group_connect (self->player_signals, "serve-failed",
                          G_CALLBACK (on_serve_failed), self);
  g_signal_group_connect (self->player_signals, "socket-added",
                          G_CALLBACK (on_socket_added), self);
  g_signal_group_connect_swapped (self->player_signals, "confirm-remote",
                                  G_CALLBACK (_sp_window_confirm_remote), self);
  g_signal_group_connect_swapped (self->player_signals, "confirm-lookup",
                                  G_CALLBACK (_sp_window_confirm_lookup), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::state",
                                  G_CALLBACK (update_progress), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (update_progress), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::n-stale",
                                  G_CALLBACK (update_progress), self);

  /* Sockets come and go with restarts as well as with calls: a restart
   * takes them all, and the rows then say "not created yet" again. */
  self->live_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->live_signals, "items-changed",
                                  G_CALLBACK (_sp_window_queue_rebuild), self);

  g_signal_connect_swapped (self->sidebar_flap, "notify::folded", G_CALLBACK (on_folded), self);
  g_signal_connect (self->socket_list, "row-selected", G_CALLBACK (_sp_window_on_row_selected), self);
  g_signal_connect (self->steps_panel, "step-activated", G_CALLBACK (on_step_activated), self);

  self->settings = window_settings ();
  _sp_window_init_presentation (self);
  _sp_window_init_settings (self);
  _sp_window_init_observed (self);
  _sp_window_init_programs (self);

  sp_session_set_title (session, _("New Session"));
  _sp_window_set_session (self, session, NULL);
}

SpWindow *
sp_window_new (GtkApplication *application)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);

  return g_object_new (SP_TYPE_WINDOW,
                       "application", application,
                       NULL);
}

SpPlayer *
sp_window_get_player (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->player;
}

GFile *
sp_window_get_file (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->file;
}

gboolean
sp_window_get_dirty (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), FALSE);
  return self->dirty;
}

const char *
sp_window_get_selected_socket (SpWindow *self)
{
  g_return_val_if_fail (SP_IS_WINDOW (self), NULL);
  return self->selected_id;
}
