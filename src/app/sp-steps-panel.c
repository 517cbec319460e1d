/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-errno.h"
#include "sp-steps-panel-private.h"

/* How far back from the newest event a finished step's failed call is
 * looked for: a step makes a handful of events, a repeated one a few more. */
#define MAX_EVENTS_SCANNED 256

G_DEFINE_FINAL_TYPE (SpStepsPanel, sp_steps_panel, ADW_TYPE_BIN)

enum {
  STEP_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GQuark
step_status_quark (void)
{
  return g_quark_from_static_string ("sp-steps-panel-status");
}

/* Statuses */

static void
step_status_free (gpointer data)
{
  StepStatus *status = data;

  g_free (status->problem);
  g_free (status);
}

StepStatus *
_sp_steps_panel_step_status (SpStep *step)
{
  return g_object_get_qdata (G_OBJECT (step), step_status_quark ());
}

StepState
_sp_steps_panel_step_get_state (SpStep *step)
{
  StepStatus *status = _sp_steps_panel_step_status (step);

  return status != NULL ? status->state : STEP_PENDING;
}

static void
step_set_status (SpStep     *step,
                 StepState   state,
                 const char *problem)
{
  StepStatus *status = g_new0 (StepStatus, 1);

  status->state = state;
  status->problem = g_strdup (problem);
  g_object_set_qdata_full (G_OBJECT (step), step_status_quark (), status, step_status_free);
}

static GListModel *
get_steps (SpStepsPanel *self)
{
  return gtk_single_selection_get_model (self->selection);
}

/* Borrowed from the session. */
SpStep *
_sp_steps_panel_get_step (SpStepsPanel *self,
                          guint         index)
{
  if (self->player == NULL)
    return NULL;

  return sp_session_get_step (sp_player_get_session (self->player), index);
}

gboolean
_sp_steps_panel_find_step (SpStepsPanel *self,
                           SpStep       *step,
                           guint        *index)
{
  GListModel *steps = get_steps (self);
  guint n = steps != NULL ? g_list_model_get_n_items (steps) : 0;

  for (guint i = 0; i < n; i++)
    {
      if (_sp_steps_panel_get_step (self, i) == step)
        {
          *index = i;
          return TRUE;
        }
    }

  return FALSE;
}

static gboolean
is_running (SpStepsPanel *self,
            guint         index)
{
  SpStep *step = _sp_steps_panel_get_step (self, index);

  return step != NULL && _sp_steps_panel_step_get_state (step) == STEP_RUNNING;
}

void
_sp_steps_panel_activate_step (SpStepsPanel *self,
                               guint         position)
{
  g_signal_emit (self, signals[STEP_ACTIVATED], 0, position);
}

static void
on_list_view_activate (GtkListView  *list_view,
                       guint         position,
                       SpStepsPanel *self)
{
  _sp_steps_panel_activate_step (self, position);
}

/* The current step */

static SpStep *
find_current (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  guint position;

  if (self->player == NULL || steps == NULL)
    return NULL;

  if (self->last_started != NULL &&
      _sp_steps_panel_step_get_state (self->last_started) == STEP_RUNNING)
    return self->last_started;

  position = sp_player_get_position (self->player);
  if (position < g_list_model_get_n_items (steps))
    return _sp_steps_panel_get_step (self, position);

  return NULL;
}

static void
update_current (SpStepsPanel *self)
{
  SpStep *current = find_current (self);
  g_autoptr(SpStep) previous = NULL;
  guint index;

  if (current == self->current)
    return;

  previous = g_steal_pointer (&self->current);
  g_set_object (&self->current, current);

  if (previous != NULL)
    _sp_steps_panel_refresh_rows (self, previous);
  if (current != NULL)
    {
      _sp_steps_panel_refresh_rows (self, current);
      if (_sp_steps_panel_find_step (self, current, &index))
        gtk_widget_activate_action (GTK_WIDGET (self->list_view),
                                    "list.scroll-to-item", "u", index);
    }
}

/* Player */

static void
clear_statuses (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  guint n = steps != NULL ? g_list_model_get_n_items (steps) : 0;

  for (guint i = 0; i < n; i++)
    g_object_set_qdata (G_OBJECT (_sp_steps_panel_get_step (self, i)), step_status_quark (), NULL);
  g_clear_object (&self->last_started);
}

static void
on_step_started (SpStepsPanel *self,
                 guint         index)
{
  SpStep *step = _sp_steps_panel_get_step (self, index);

  if (step == NULL)
    return;

  step_set_status (step, STEP_RUNNING, NULL);
  g_set_object (&self->last_started, step);
  _sp_steps_panel_refresh_rows (self, step);
  update_current (self);
  _sp_steps_panel_update_actions (self);
}

/* The event of the step's call that failed, if one did. */
static SpEvent *
find_failed_event (SpTrafficLog *log,
                   guint         index)
{
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = n; i > 0 && n - i < MAX_EVENTS_SCANNED; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i - 1);

      if (sp_event_get_step (event) == (int) index &&
          sp_event_get_kind (event) != SP_EVENT_NOTE &&
          !sp_event_get_ok (event) &&
          sp_event_get_error_code (event) != 0)
        return g_steal_pointer (&event);
    }

  return NULL;
}

static void
on_step_finished (SpStepsPanel *self,
                  guint         index,
                  gboolean      passed,
                  const char   *message)
{
  SpStep *step = _sp_steps_panel_get_step (self, index);
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *problem = NULL;

  if (step == NULL)
    return;

  event = find_failed_event (sp_player_get_log (self->player), index);
  if (event != NULL)
    {
      int code = sp_event_get_error_code (event);
      const char *name = sp_errno_name (code);
      const char *address = sp_event_get_remote (event);
      g_autofree char *explanation = NULL;

      if (address == NULL)
        address = sp_event_get_local (event);
      explanation = sp_errno_explain (code, sp_call_to_string (sp_event_get_call (event)), address);
      /* Translators: an errno name and a sentence that explains it */
      problem = g_strdup_printf (_("%s: %s"), name != NULL ? name : sp_errno_message (code),
                                 explanation);
    }
  else if (!passed && message != NULL)
    problem = g_strdup (message);

  step_set_status (step, passed ? STEP_PASSED : STEP_FAILED, problem);
  _sp_steps_panel_refresh_rows (self, step);
  update_current (self);
  _sp_steps_panel_update_actions (self);
}

/* A serve's step passed when the serve started; the serve failing later
 * turns it failed, with the player's message, which names the call, the
 * socket and the error. */
static void
on_serve_failed (SpStepsPanel *self,
                 guint         index,
                 const char   *message,
                 SpStep       *step)
{
  if (step == NULL)
    return;

  step_set_status (step, STEP_FAILED, message);
  _sp_steps_panel_refresh_rows (self, step);
  update_current (self);
  _sp_steps_panel_update_actions (self);
}

static void
on_position_changed (SpStepsPanel *self)
{
  /* Only a restart takes the player back to the first step. */
  if (sp_player_get_position (self->player) == 0)
    {
      clear_statuses (self);
      _sp_steps_panel_refresh_rows (self, NULL);
      _sp_steps_panel_update_actions (self);
    }
  update_current (self);
}

/* Actions */

guint
_sp_steps_panel_get_selected (SpStepsPanel *self)
{
  return gtk_single_selection_get_selected (self->selection);
}

void
_sp_steps_panel_update_actions (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  guint n = steps != NULL ? g_list_model_get_n_items (steps) : 0;
  guint selected = _sp_steps_panel_get_selected (self);
  gboolean editing = self->editor != NULL && gtk_widget_get_visible (GTK_WIDGET (self->editor));
  gboolean can_delete = FALSE;
  gboolean can_edit = FALSE;
  gboolean can_move_up = FALSE;
  gboolean can_move_down = FALSE;

  if (selected < n && !editing)
    {
      gboolean later_running = FALSE;

      /* Deleting shifts every later step, and the player knows a running
       * step by its index. */
      for (guint i = selected; i < n; i++)
        later_running |= is_running (self, i);

      can_delete = !later_running;
      can_edit = !is_running (self, selected);
      can_move_up = selected > 0 && can_edit && !is_running (self, selected - 1);
      can_move_down = selected + 1 < n && can_edit && !is_running (self, selected + 1);
    }

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "steps.delete", can_delete);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "steps.edit", can_edit);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "steps.move-up", can_move_up);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "steps.move-down", can_move_down);
}

void
_sp_steps_panel_select_and_focus (SpStepsPanel *self,
                                  guint         index)
{
  gboolean had_focus = gtk_widget_has_focus (GTK_WIDGET (self->list_view)) ||
                       gtk_widget_get_focus_child (GTK_WIDGET (self->list_view)) != NULL;

  gtk_single_selection_set_selected (self->selection, index);
  gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", index);
  /* The moved row's widget was replaced, and the focus went with it. */
  if (had_focus || gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self))) == NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
action_delete (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SpStepsPanel *self = SP_STEPS_PANEL (widget);
  guint selected = _sp_steps_panel_get_selected (self);
  guint n;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  sp_session_remove_step (sp_player_get_session (self->player), selected);

  n = g_list_model_get_n_items (get_steps (self));
  if (n > 0)
    _sp_steps_panel_select_and_focus (self, MIN (selected, n - 1));
}

static void
move_selected (SpStepsPanel *self,
               int           delta)
{
  guint selected = _sp_steps_panel_get_selected (self);

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  sp_session_move_step (sp_player_get_session (self->player), selected, selected + delta);
  _sp_steps_panel_select_and_focus (self, selected + delta);
}

static void
action_move_up (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  move_selected (SP_STEPS_PANEL (widget), -1);
}

static void
action_move_down (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  move_selected (SP_STEPS_PANEL (widget), 1);
}

static void
on_selection_items_changed (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  gboolean empty = steps == NULL || g_list_model_get_n_items (steps) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "steps");

  update_current (self);
  _sp_steps_panel_update_actions (self);
}

/* The Add Step menu is made when it is first opened, as the editor is:
 * most runs add no step by it. */
static void
create_add_step (GtkMenuButton *button,
                 gpointer       user_data)
{
  SpStepsPanel *self = SP_STEPS_PANEL (user_data);

  if (self->add_step != NULL)
    return;

  self->add_step = SP_ADD_STEP_POPOVER (sp_add_step_popover_new ());
  sp_add_step_popover_set_player (self->add_step, self->player);
  gtk_menu_button_set_popover (button, GTK_WIDGET (self->add_step));
}

/* The object */

static void
sp_steps_panel_dispose (GObject *object)
{
  SpStepsPanel *self = SP_STEPS_PANEL (object);

  if (self->editor != NULL)
    gtk_widget_unparent (GTK_WIDGET (self->editor));
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_STEPS_PANEL);
  self->editor = NULL;
  self->add_step = NULL;

  if (self->player_signals != NULL)
    g_signal_group_set_target (self->player_signals, NULL);
  g_clear_object (&self->player_signals);
  g_clear_object (&self->selection);
  g_clear_object (&self->player);
  g_clear_object (&self->current);
  g_clear_object (&self->last_started);
  g_clear_object (&self->editing);

  G_OBJECT_CLASS (sp_steps_panel_parent_class)->dispose (object);
}

static void
sp_steps_panel_finalize (GObject *object)
{
  SpStepsPanel *self = SP_STEPS_PANEL (object);

  g_hash_table_unref (self->bound_items);

  G_OBJECT_CLASS (sp_steps_panel_parent_class)->finalize (object);
}

static void
sp_steps_panel_class_init (SpStepsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_steps_panel_dispose;
  object_class->finalize = sp_steps_panel_finalize;

  signals[STEP_ACTIVATED] =
    g_signal_new ("step-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-steps-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, SpStepsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, SpStepsPanel, list_view);
  gtk_widget_class_bind_template_child (widget_class, SpStepsPanel, add_step_button);

  gtk_widget_class_install_action (widget_class, "steps.delete", NULL, action_delete);
  gtk_widget_class_install_action (widget_class, "steps.move-up", NULL, action_move_up);
  gtk_widget_class_install_action (widget_class, "steps.move-down", NULL, action_move_down);
  _sp_steps_panel_class_editor_init (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "steps.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "steps.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK,
                                       "steps.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Up, GDK_ALT_MASK,
                                       "steps.move-up", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, GDK_ALT_MASK,
                                       "steps.move-down", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Down, GDK_ALT_MASK,
                                       "steps.move-down", NULL);
}

static void
sp_steps_panel_init (SpStepsPanel *self)
{
  GtkListItemFactory *factory;

  self->bound_items = g_hash_table_new (NULL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_menu_button_set_create_popup_func (self->add_step_button, create_add_step, self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_step_button), FALSE);

  factory = _sp_steps_panel_row_factory_new (self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  g_signal_connect_object (self->list_view, "activate",
                           G_CALLBACK (on_list_view_activate), self, 0);

  self->selection = gtk_single_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_selection_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (_sp_steps_panel_update_actions), self, G_CONNECT_SWAPPED);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect_swapped (self->player_signals, "step-started",
                                  G_CALLBACK (on_step_started), self);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_group_connect_swapped (self->player_signals, "serve-failed",
                                  G_CALLBACK (on_serve_failed), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (on_position_changed), self);

  _sp_steps_panel_update_actions (self);
}

GtkWidget *
sp_steps_panel_new (void)
{
  return g_object_new (SP_TYPE_STEPS_PANEL, NULL);
}

void
sp_steps_panel_set_player (SpStepsPanel *self,
                           SpPlayer     *player)
{
  g_return_if_fail (SP_IS_STEPS_PANEL (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (self->player == player)
    return;

  if (self->editor != NULL)
    gtk_popover_popdown (self->editor);
  clear_statuses (self);

  g_set_object (&self->player, player);
  g_signal_group_set_target (self->player_signals, player);
  gtk_widget_set_sensitive (GTK_WIDGET (self->add_step_button), player != NULL);
  if (self->add_step != NULL)
    {
      gtk_popover_popdown (GTK_POPOVER (self->add_step));
      sp_add_step_popover_set_player (self->add_step, player);
    }
  gtk_single_selection_set_model (self->selection,
                                  player != NULL
                                    ? sp_session_get_steps (sp_player_get_session (player))
                                    : NULL);

  /* What the steps did under another player is not known here. */
  clear_statuses (self);
  g_clear_object (&self->current);
  on_selection_items_changed (self);
}
