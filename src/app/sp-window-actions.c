/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-endpoint.h"
#include "sp-new-socket-dialog.h"
#include "sp-window-private.h"
#include "sp-zoom.h"

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
  _sp_window_add_file_actions (self);
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
