/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-window-private.h"

/* Presentation mode: for a lecture on a projector. The text and the diagram
 * are larger (the CSS class "presentation", see sp-zoom.c), the sidebar, the
 * socket's form and the traffic log make room for them, the caption shows
 * the step reached, and the keys a presenter's remote sends step through
 * the session. */

/* The diagram's share of the height, above the panels: the diagram is
 * wide, and so is a projector's screen. */
#define PRESENTATION_DIAGRAM_SHARE 0.6

static void
set_action_state (SpWindow   *self,
                  const char *name,
                  gboolean    state)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (action != NULL)
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (state));
}

/* The diagram shows the socket the step acts on: a lecture cannot click
 * through the sidebar, which is hidden. */
static void
follow_step (SpWindow *self,
             int       index)
{
  SpStep *step;

  if (!self->presentation || index < 0)
    return;

  step = sp_session_get_step (self->session, (guint) index);
  if (step == NULL || step->socket == NULL ||
      (sp_session_find_socket (self->session, step->socket) == NULL &&
       sp_player_lookup_socket (self->player, step->socket) == NULL))
    return;

  _sp_window_show_socket (self, step->socket);
}

/* Presentation mode keeps the diagram's share as the window changes size
 * (full screen comes after presentation mode, as often as not): the panels
 * below it get the rest. */
static void
place_divider (SpWindow *self)
{
  int height = gtk_widget_get_height (GTK_WIDGET (self->panels_flap));
  int width;

  if (!self->presentation || height <= 0)
    return;

  /* The diagram's share is its minimum; the flap gives the panels the rest. */
  gtk_widget_get_size_request (GTK_WIDGET (self->page_stack), &width, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->page_stack), width,
                               (int) (height * PRESENTATION_DIAGRAM_SHARE));
}

/* The new size is known once the window has been laid out at it: the
 * share is set again after the next frame is painted (a tick callback would
 * run before the layout). */
static void
on_painted (GdkFrameClock *clock,
            SpWindow      *self)
{
  g_clear_signal_handler (&self->divider_id, clock);
  place_divider (self);
}

static void
place_divider_after_layout (SpWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  if (self->presentation && self->divider_id == 0 && clock != NULL)
    {
      self->divider_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_painted), self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_surface_resized (SpWindow *self)
{
  place_divider_after_layout (self);
}

static void
on_realize (SpWindow *self)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));

  g_signal_connect_object (surface, "notify::height", G_CALLBACK (on_surface_resized), self,
                           G_CONNECT_SWAPPED);
}

static void
on_step_started (SpWindow *self,
                 guint     index)
{
  follow_step (self, (int) index);
}

void
_sp_window_set_presentation (SpWindow *self,
                             gboolean  presentation)
{
  presentation = !!presentation;
  set_action_state (self, "presentation", presentation);
  if (self->presentation == presentation)
    return;

  self->presentation = presentation;
  gtk_widget_set_visible (self->sidebar, !presentation);
  _sp_window_update_page_visibility (self);
  gtk_widget_set_visible (GTK_WIDGET (self->log_view), !presentation);
  gtk_widget_set_visible (GTK_WIDGET (self->diagram_title), presentation);
  gtk_widget_set_visible (GTK_WIDGET (self->caption), presentation);
  gtk_widget_set_vexpand (GTK_WIDGET (self->lifecycle_view), presentation);
  sp_lifecycle_view_set_fill (self->lifecycle_view, presentation);

  if (presentation)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
      /* The panels go under the diagram, always shown. */
      self->normal_panels_revealed = adw_flap_get_reveal_flap (self->panels_flap);
      adw_flap_set_fold_policy (self->panels_flap, ADW_FLAP_FOLD_POLICY_NEVER);
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->panels_flap),
                                      GTK_ORIENTATION_VERTICAL);
      adw_flap_set_reveal_flap (self->panels_flap, TRUE);
      /* The sidebar and the log go: the panels' height is known after. */
      place_divider (self);
      place_divider_after_layout (self);
      gtk_event_controller_set_propagation_phase (self->presentation_keys, GTK_PHASE_CAPTURE);
      follow_step (self, sp_caption_get_step (self->caption));
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
      gtk_orientable_set_orientation (GTK_ORIENTABLE (self->panels_flap),
                                      GTK_ORIENTATION_HORIZONTAL);
      {
        int width;

        gtk_widget_get_size_request (GTK_WIDGET (self->page_stack), &width, NULL);
        gtk_widget_set_size_request (GTK_WIDGET (self->page_stack), width, -1);
      }
      adw_flap_set_fold_policy (self->panels_flap, ADW_FLAP_FOLD_POLICY_AUTO);
      adw_flap_set_reveal_flap (self->panels_flap, self->normal_panels_revealed);
      gtk_event_controller_set_propagation_phase (self->presentation_keys, GTK_PHASE_NONE);
    }
}

void
_sp_window_set_fullscreen (SpWindow *self,
                           gboolean  fullscreen)
{
  set_action_state (self, "fullscreen", fullscreen);
  if (fullscreen)
    gtk_window_fullscreen (GTK_WINDOW (self));
  else
    gtk_window_unfullscreen (GTK_WINDOW (self));
}

/* The window manager may refuse, or leave full screen by itself. */
static void
on_fullscreened (SpWindow *self)
{
  set_action_state (self, "fullscreen", gtk_window_is_fullscreen (GTK_WINDOW (self)));
}

/* Going back a step */

static gboolean on_replay_idle (gpointer user_data);

static void
queue_replay (SpWindow *self)
{
  if (self->replay_id == 0)
    self->replay_id = g_idle_add (on_replay_idle, self);
}

static void
finish_replay (SpWindow *self)
{
  self->replaying = FALSE;
  g_clear_handle_id (&self->replay_id, g_source_remove);
  _sp_window_update_actions (self);
}

/* One step at a time from the main loop, each once the last has finished:
 * a step that waits (accept, recv) never blocks the window. */
static gboolean
on_replay_idle (gpointer user_data)
{
  SpWindow *self = user_data;
  guint target = MIN (self->replay_target, sp_session_get_n_steps (self->session));

  self->replay_id = 0;
  if (!self->replaying || sp_player_get_state (self->player) == SP_PLAYER_RUNNING)
    return G_SOURCE_REMOVE;

  if (sp_player_get_position (self->player) >= target)
    {
      finish_replay (self);
      return G_SOURCE_REMOVE;
    }

  sp_player_step (self->player);
  return G_SOURCE_REMOVE;
}

static void
on_step_finished (SpWindow *self)
{
  if (self->replaying)
    queue_replay (self);
}

gboolean
_sp_window_can_step_back (SpWindow *self)
{
  if (self->player == NULL)
    return FALSE;
  if (self->replaying)
    return self->replay_target > 0;

  return sp_player_get_position (self->player) > 0 ||
         sp_player_get_state (self->player) == SP_PLAYER_RUNNING;
}

void
_sp_window_step_back (SpWindow *self)
{
  guint position;

  if (!_sp_window_can_step_back (self))
    return;

  /* The step shown is the one running, else the last one run: going back
   * shows the one before it, so a running step is dropped too. */
  position = sp_player_get_position (self->player);
  if (self->replaying)
    self->replay_target--;
  else if (sp_player_get_state (self->player) == SP_PLAYER_RUNNING)
    self->replay_target = position;
  else
    self->replay_target = position - 1;

  /* The player has no way back: the sockets are closed and made again, and
   * the kernel answers anew, as it would in the lecture's program. */
  self->replaying = TRUE;
  sp_player_pause (self->player);
  sp_player_restart (self->player);
  queue_replay (self);
  _sp_window_update_actions (self);
}

void
_sp_window_step_forward (SpWindow *self)
{
  if (self->replaying)
    {
      self->replay_target = MIN (self->replay_target + 1, sp_session_get_n_steps (self->session));
      return;
    }

  sp_player_step (self->player);
}

void
_sp_window_cancel_replay (SpWindow *self)
{
  if (self->replaying)
    finish_replay (self);
}

/* Keys */

/* Typing in a field keeps its keys (the steps panel's editor, say). */
static gboolean
focus_takes_text (SpWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  return focus != NULL &&
         (GTK_IS_EDITABLE (focus) ||
          (GTK_IS_TEXT_VIEW (focus) && gtk_text_view_get_editable (GTK_TEXT_VIEW (focus))));
}

static gboolean
on_presentation_key (GtkWidget *widget,
                     GVariant  *args,
                     gpointer   user_data)
{
  SpWindow *self = SP_WINDOW (widget);
  const char *action = g_variant_get_string (args, NULL);

  if (focus_takes_text (self))
    return FALSE;

  /* Escape leaves the lecture altogether, full screen included. */
  if (g_str_equal (action, "leave"))
    {
      _sp_window_set_presentation (self, FALSE);
      if (gtk_window_is_fullscreen (GTK_WINDOW (self)))
        _sp_window_set_fullscreen (self, FALSE);
      return TRUE;
    }

  if (!g_action_group_get_action_enabled (G_ACTION_GROUP (self), action))
    return FALSE;

  g_action_group_activate_action (G_ACTION_GROUP (self), action, NULL);
  return TRUE;
}

static void
add_key (GtkShortcutController *controller,
         const char            *triggers,
         const char            *action)
{
  GtkShortcut *shortcut;

  shortcut = gtk_shortcut_new (gtk_shortcut_trigger_parse_string (triggers),
                               gtk_callback_action_new (on_presentation_key, NULL, NULL));
  gtk_shortcut_set_arguments (shortcut, g_variant_new_string (action));
  gtk_shortcut_controller_add_shortcut (controller, shortcut);
}

void
_sp_window_init_presentation (SpWindow *self)
{
  GtkEventController *keys = gtk_shortcut_controller_new ();

  /* Presenter remotes send Page Down and Page Up; a keyboard has the
   * arrows and Space. Before the focused widget (a row of the steps list
   * would take Space), and only while presenting. */
  add_key (GTK_SHORTCUT_CONTROLLER (keys), "space|KP_Space|Right|KP_Right|Page_Down", "step");
  add_key (GTK_SHORTCUT_CONTROLLER (keys), "Left|KP_Left|Page_Up", "step-back");
  add_key (GTK_SHORTCUT_CONTROLLER (keys), "Escape", "leave");
  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_NONE);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  self->presentation_keys = keys;

  g_signal_group_connect_swapped (self->player_signals, "step-started",
                                  G_CALLBACK (on_step_started), self);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (on_fullscreened), NULL);
  g_signal_connect (self, "realize", G_CALLBACK (on_realize), NULL);
}
