/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-data.h"
#include "sp-errno.h"
#include "sp-json-strict.h"
#include "sp-steps-panel.h"

/* How far back from the newest event a finished step's failed call is
 * looked for: a step makes a handful of events, a repeated one a few more. */
#define MAX_EVENTS_SCANNED 256

typedef enum
{
  STEP_PENDING,
  STEP_RUNNING,
  STEP_PASSED,
  STEP_FAILED,
} StepState;

/* What the panel knows of a step's last run. It hangs on the SpStep itself:
 * the player moves steps within the session as they finish, so an index
 * would soon name another step. */
typedef struct
{
  StepState  state;
  /* The line under the step: its errno and what it means, or why the
   * expectation failed; NULL when there is nothing to say. */
  char      *problem;
} StepStatus;

/* The widgets of one row, kept on the row's box. */
typedef struct
{
  GtkListItem *item;
  GtkWidget   *number;
  GtkWidget   *title;
  GtkWidget   *args;
  GtkWidget   *note;
  GtkWidget   *problem;
  GtkWidget   *spinner;    /* the "running" mark */
  GtkWidget   *icon;
} StepRow;

struct _SpStepsPanel
{
  AdwBin              parent_instance;

  GtkStack           *stack;
  GtkListView        *list_view;
  /* NULL until a step is first edited. */
  GtkPopover         *editor;
  GtkTextView        *editor_text;
  GtkLabel           *editor_error;

  SpPlayer           *player;
  GSignalGroup       *player_signals;
  GtkSingleSelection *selection;

  /* The rows on screen, to refresh them when a status changes. */
  GHashTable         *bound_items;
  SpStep             *current;
  SpStep             *last_started;
  SpStep             *editing;
};

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

static void update_actions (SpStepsPanel *self);

/* Statuses */

static void
step_status_free (gpointer data)
{
  StepStatus *status = data;

  g_free (status->problem);
  g_free (status);
}

static StepState
step_get_state (SpStep *step)
{
  StepStatus *status = g_object_get_qdata (G_OBJECT (step), step_status_quark ());

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
static SpStep *
get_step (SpStepsPanel *self,
          guint         index)
{
  if (self->player == NULL)
    return NULL;

  return sp_session_get_step (sp_player_get_session (self->player), index);
}

static gboolean
find_step (SpStepsPanel *self,
           SpStep       *step,
           guint        *index)
{
  GListModel *steps = get_steps (self);
  guint n = steps != NULL ? g_list_model_get_n_items (steps) : 0;

  for (guint i = 0; i < n; i++)
    {
      if (get_step (self, i) == step)
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
  SpStep *step = get_step (self, index);

  return step != NULL && step_get_state (step) == STEP_RUNNING;
}

/* Rows */

static char *
summarize_value (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GString) out = g_string_new (NULL);
      g_autoptr(GList) members = NULL;

      /* Data is shown as Python writes it, control characters escaped. */
      if (json_object_has_member (object, "text"))
        return sp_data_format_python_string (json_object_get_string_member (object, "text"));
      if (json_object_has_member (object, "hex"))
        return g_strdup_printf ("hex %s", json_object_get_string_member (object, "hex"));

      members = json_object_get_members (object);
      for (GList *l = members; l != NULL; l = l->next)
        {
          g_autofree char *value = summarize_value (json_object_get_member (object, l->data));

          if (out->len > 0)
            g_string_append (out, " ");
          g_string_append_printf (out, "%s %s", (const char *) l->data, value);
        }
      return g_string_free (g_steal_pointer (&out), FALSE);
    }

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GValue value = G_VALUE_INIT;
      g_autofree char *text = NULL;

      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));

      json_node_get_value (node, &value);
      if (G_VALUE_HOLDS_BOOLEAN (&value))
        text = g_strdup (g_value_get_boolean (&value) ? "true" : "false");
      else if (G_VALUE_HOLDS_INT64 (&value))
        text = g_strdup_printf ("%" G_GINT64_FORMAT, g_value_get_int64 (&value));
      else if (G_VALUE_HOLDS_DOUBLE (&value))
        text = g_strdup_printf ("%g", g_value_get_double (&value));
      g_value_unset (&value);
      return g_steal_pointer (&text);
    }

  return g_strdup ("…");
}

/* The step's arguments, briefly, in the session file's own words:
 * "backlog 1", "data 'Hello World'", "bufsize 1024, until eof". */
static char *
summarize_arguments (SpStep *step)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (step->call == SP_CALL_NOTE)
    return g_strdup (step->text);

  node = sp_step_to_json (step);
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      g_autofree char *value = NULL;

      if (g_str_equal (name, "socket") || g_str_equal (name, "call") || g_str_equal (name, "note"))
        continue;

      value = summarize_value (json_object_get_member (object, name));
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append_printf (out, "%s %s", name, value);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
on_row_released (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 StepRow         *row)
{
  GtkWidget *widget = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *panel = gtk_widget_get_ancestor (widget, SP_TYPE_STEPS_PANEL);
  guint position = gtk_list_item_get_position (row->item);

  /* A double click also activates the row: announce it once. */
  if (panel == NULL || n_press != 1 || position == GTK_INVALID_LIST_POSITION)
    return;

  g_signal_emit (panel, signals[STEP_ACTIVATED], 0, position);
}

static GtkWidget *
row_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
update_number (GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  StepRow *row = box != NULL ? g_object_get_data (G_OBJECT (box), "sp-step-row") : NULL;
  guint position = gtk_list_item_get_position (item);
  g_autofree char *number = NULL;

  if (row == NULL || position == GTK_INVALID_LIST_POSITION)
    return;

  number = g_strdup_printf ("%u", position + 1);
  gtk_label_set_text (GTK_LABEL (row->number), number);
}

static void
on_row_setup (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              SpStepsPanel             *self)
{
  StepRow *row = g_new0 (StepRow, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkGesture *click = gtk_gesture_click_new ();

  row->item = item;
  gtk_widget_add_css_class (box, "step-row");

  row->number = row_label ("numeric");
  gtk_widget_add_css_class (row->number, "dim-label");
  gtk_label_set_width_chars (GTK_LABEL (row->number), 3);
  gtk_label_set_xalign (GTK_LABEL (row->number), 1);
  gtk_widget_set_valign (row->number, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), row->number);

  row->title = row_label ("heading");
  gtk_box_append (GTK_BOX (line), row->title);
  row->args = row_label ("dim-label");
  gtk_label_set_ellipsize (GTK_LABEL (row->args), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (row->args, TRUE);
  gtk_box_append (GTK_BOX (line), row->args);
  gtk_box_append (GTK_BOX (text), line);

  row->note = row_label ("step-note");
  gtk_label_set_wrap_mode (GTK_LABEL (row->note), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (text), row->note);

  row->problem = row_label (NULL);
  gtk_label_set_wrap (GTK_LABEL (row->problem), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (row->problem), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (text), row->problem);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  /* A still icon, not a spinner: a step can wait for half a minute, and a
   * turning wheel redraws the window at every frame for all that time,
   * which software rendering pays for dearly. */
  row->spinner = gtk_image_new_from_icon_name ("content-loading-symbolic");
  gtk_widget_set_valign (row->spinner, GTK_ALIGN_START);
  gtk_widget_add_css_class (row->spinner, "accent");
  gtk_widget_set_tooltip_text (row->spinner, _("Running"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Running"), -1);
  gtk_box_append (GTK_BOX (box), row->spinner);

  row->icon = gtk_image_new ();
  gtk_widget_set_valign (row->icon, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), row->icon);

  g_signal_connect (click, "released", G_CALLBACK (on_row_released), row);
  gtk_widget_add_controller (box, GTK_EVENT_CONTROLLER (click));

  g_object_set_data_full (G_OBJECT (box), "sp-step-row", row, g_free);
  gtk_list_item_set_child (item, box);

  /* Steps before it come and go: keep the number in step. */
  g_signal_connect (item, "notify::position", G_CALLBACK (update_number), NULL);
}

static void
row_update (SpStepsPanel *self,
            GtkListItem  *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  StepRow *row = g_object_get_data (G_OBJECT (box), "sp-step-row");
  SpStep *step = gtk_list_item_get_item (item);
  StepStatus *status = g_object_get_qdata (G_OBJECT (step), step_status_quark ());
  StepState state = status != NULL ? status->state : STEP_PENDING;
  gboolean current = step == self->current;
  const char *call = sp_call_to_string (step->call);
  g_autofree char *title = NULL;
  g_autofree char *args = summarize_arguments (step);
  gboolean has_note = step->note != NULL && step->note[0] != '\0';

  if (step->socket != NULL)
    title = g_strdup_printf ("%s · %s", step->socket, call);
  else
    title = g_strdup (call);

  update_number (item);
  gtk_label_set_text (GTK_LABEL (row->title), title);
  gtk_label_set_text (GTK_LABEL (row->args), args);
  gtk_widget_set_visible (row->args, args != NULL && args[0] != '\0');

  /* Every note is a dimmed line; the current step's is read out in full. */
  gtk_widget_set_visible (row->note, has_note);
  gtk_label_set_text (GTK_LABEL (row->note), has_note ? step->note : "");
  gtk_label_set_wrap (GTK_LABEL (row->note), current);
  gtk_label_set_ellipsize (GTK_LABEL (row->note),
                           current ? PANGO_ELLIPSIZE_NONE : PANGO_ELLIPSIZE_END);
  if (current)
    gtk_widget_remove_css_class (row->note, "dim-label");
  else
    gtk_widget_add_css_class (row->note, "dim-label");

  gtk_widget_set_visible (row->problem, status != NULL && status->problem != NULL);
  gtk_label_set_text (GTK_LABEL (row->problem),
                      status != NULL && status->problem != NULL ? status->problem : "");
  if (state == STEP_FAILED)
    {
      gtk_widget_add_css_class (row->problem, "error");
      gtk_widget_remove_css_class (row->problem, "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (row->problem, "error");
      gtk_widget_add_css_class (row->problem, "dim-label");
    }

  gtk_widget_set_visible (row->spinner, state == STEP_RUNNING);

  gtk_widget_remove_css_class (row->icon, "success");
  gtk_widget_remove_css_class (row->icon, "error");
  gtk_widget_remove_css_class (box, "failed");
  switch (state)
    {
    case STEP_PASSED:
      gtk_image_set_from_icon_name (GTK_IMAGE (row->icon), "object-select-symbolic");
      gtk_widget_add_css_class (row->icon, "success");
      gtk_widget_set_tooltip_text (row->icon, _("Passed"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Passed"), -1);
      break;

    case STEP_FAILED:
      gtk_image_set_from_icon_name (GTK_IMAGE (row->icon), "dialog-error-symbolic");
      gtk_widget_add_css_class (row->icon, "error");
      gtk_widget_add_css_class (box, "failed");
      gtk_widget_set_tooltip_text (row->icon, _("Failed"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (row->icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Failed"), -1);
      break;

    case STEP_PENDING:
    case STEP_RUNNING:
    default:
      gtk_image_clear (GTK_IMAGE (row->icon));
      gtk_widget_set_tooltip_text (row->icon, NULL);
      break;
    }
  gtk_widget_set_visible (row->icon, state == STEP_PASSED || state == STEP_FAILED);

  if (current)
    gtk_widget_add_css_class (box, "current");
  else
    gtk_widget_remove_css_class (box, "current");
}

static void
on_row_bind (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             SpStepsPanel             *self)
{
  g_hash_table_add (self->bound_items, item);
  row_update (self, item);
}

static void
on_row_unbind (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               SpStepsPanel             *self)
{
  g_hash_table_remove (self->bound_items, item);
}

/* Refreshes the rows showing `step`, or every row when it is NULL. */
static void
refresh_rows (SpStepsPanel *self,
              SpStep       *step)
{
  GHashTableIter iter;
  gpointer item;

  g_hash_table_iter_init (&iter, self->bound_items);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      if (step == NULL || gtk_list_item_get_item (item) == (gpointer) step)
        row_update (self, item);
    }
}

static void
on_list_view_activate (GtkListView  *list_view,
                       guint         position,
                       SpStepsPanel *self)
{
  g_signal_emit (self, signals[STEP_ACTIVATED], 0, position);
}

/* The current step */

static SpStep *
find_current (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  guint position;

  if (self->player == NULL || steps == NULL)
    return NULL;

  if (self->last_started != NULL && step_get_state (self->last_started) == STEP_RUNNING)
    return self->last_started;

  position = sp_player_get_position (self->player);
  if (position < g_list_model_get_n_items (steps))
    return get_step (self, position);

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
    refresh_rows (self, previous);
  if (current != NULL)
    {
      refresh_rows (self, current);
      if (find_step (self, current, &index))
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
    g_object_set_qdata (G_OBJECT (get_step (self, i)), step_status_quark (), NULL);
  g_clear_object (&self->last_started);
}

static void
on_step_started (SpStepsPanel *self,
                 guint         index)
{
  SpStep *step = get_step (self, index);

  if (step == NULL)
    return;

  step_set_status (step, STEP_RUNNING, NULL);
  g_set_object (&self->last_started, step);
  refresh_rows (self, step);
  update_current (self);
  update_actions (self);
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
  SpStep *step = get_step (self, index);
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
  refresh_rows (self, step);
  update_current (self);
  update_actions (self);
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
  refresh_rows (self, step);
  update_current (self);
  update_actions (self);
}

static void
on_position_changed (SpStepsPanel *self)
{
  /* Only a restart takes the player back to the first step. */
  if (sp_player_get_position (self->player) == 0)
    {
      clear_statuses (self);
      refresh_rows (self, NULL);
      update_actions (self);
    }
  update_current (self);
}

/* Actions */

static guint
get_selected (SpStepsPanel *self)
{
  return gtk_single_selection_get_selected (self->selection);
}

static void
update_actions (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  guint n = steps != NULL ? g_list_model_get_n_items (steps) : 0;
  guint selected = get_selected (self);
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

static void
select_and_focus (SpStepsPanel *self,
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
  guint selected = get_selected (self);
  guint n;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  sp_session_remove_step (sp_player_get_session (self->player), selected);

  n = g_list_model_get_n_items (get_steps (self));
  if (n > 0)
    select_and_focus (self, MIN (selected, n - 1));
}

static void
move_selected (SpStepsPanel *self,
               int           delta)
{
  guint selected = get_selected (self);

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  sp_session_move_step (sp_player_get_session (self->player), selected, selected + delta);
  select_and_focus (self, selected + delta);
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
show_editor_error (SpStepsPanel *self,
                   const char   *message)
{
  gtk_label_set_text (self->editor_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->editor_error), message != NULL);
}

static void on_editor_closed (SpStepsPanel *self);

/* Most runs edit no step: the editor, a popover with a text view, is made
 * when the first edit opens it rather than with the panel. */
static void
ensure_editor (SpStepsPanel *self)
{
  g_autoptr(GtkBuilder) builder = NULL;

  if (self->editor != NULL)
    return;

  builder = gtk_builder_new_from_resource (RESOURCE_PATH "/ui/sp-step-editor.ui");
  self->editor = GTK_POPOVER (gtk_builder_get_object (builder, "editor"));
  self->editor_text = GTK_TEXT_VIEW (gtk_builder_get_object (builder, "editor_text"));
  self->editor_error = GTK_LABEL (gtk_builder_get_object (builder, "editor_error"));
  gtk_widget_set_parent (GTK_WIDGET (self->editor), GTK_WIDGET (self));
  g_signal_connect_object (self->editor, "closed",
                           G_CALLBACK (on_editor_closed), self, G_CONNECT_SWAPPED);
}

static void
action_edit (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SpStepsPanel *self = SP_STEPS_PANEL (widget);
  guint selected = get_selected (self);
  GtkListItem *row_item = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  GHashTableIter iter;
  gpointer item;
  graphene_rect_t bounds;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  ensure_editor (self);
  g_set_object (&self->editing, get_step (self, selected));
  node = sp_step_to_json (self->editing);
  json = json_to_string (node, TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->editor_text), json, -1);
  show_editor_error (self, NULL);

  g_hash_table_iter_init (&iter, self->bound_items);
  while (g_hash_table_iter_next (&iter, &item, NULL))
    {
      if (gtk_list_item_get_position (item) == selected)
        row_item = item;
    }

  /* Point at the row being edited when it is on screen. */
  if (row_item != NULL &&
      gtk_widget_compute_bounds (gtk_list_item_get_child (row_item), GTK_WIDGET (self), &bounds))
    {
      GdkRectangle rect = {
        (int) bounds.origin.x, (int) bounds.origin.y,
        (int) bounds.size.width, (int) bounds.size.height
      };

      gtk_popover_set_pointing_to (self->editor, &rect);
    }
  else
    gtk_popover_set_pointing_to (self->editor, NULL);

  gtk_popover_popup (self->editor);
  gtk_widget_grab_focus (GTK_WIDGET (self->editor_text));
  update_actions (self);
}

static void
action_apply_edit (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SpStepsPanel *self = SP_STEPS_PANEL (widget);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->editor_text);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  g_autofree char *text = NULL;
  g_autofree char *path = NULL;
  GtkTextIter start, end;
  SpJsonStrictEnd text_end;
  SpSession *session;
  JsonNode *root;
  guint index;

  if (self->editing == NULL || self->player == NULL)
    return;

  session = sp_player_get_session (self->player);
  if (!find_step (self, self->editing, &index) || step_get_state (self->editing) == STEP_RUNNING)
    {
      show_editor_error (self, _("This step can no longer be changed."));
      return;
    }

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  path = g_strdup_printf ("steps[%u]", index);

  /* What json-glib lets pass (a member twice, a comment) is refused here
   * as it is in a session file. */
  if (!sp_json_strict_check (text, strlen (text), path, &text_end, &error) ||
      !json_parser_load_from_data (parser, text, -1, &error))
    {
      show_editor_error (self, error->message);
      return;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_autofree char *message = g_strdup_printf (_("%s: must be an object { … }"), path);

      show_editor_error (self, message);
      return;
    }

  step = sp_step_new_from_json (json_node_get_object (root), path, &error);
  if (step == NULL)
    {
      show_editor_error (self, error->message);
      return;
    }

  if (step->socket != NULL && !sp_call_is_global (step->call) &&
      !sp_session_has_socket_id (session, step->socket))
    {
      /* Translators: the first %s is a place in the session, "steps[2]" */
      g_autofree char *message = NULL;

      message = g_strdup_printf (_("%s.socket: no socket “%s” in this session"),
                                 path, step->socket);

      show_editor_error (self, message);
      return;
    }

  sp_session_remove_step (session, index);
  sp_session_insert_step (session, index, step);
  gtk_popover_popdown (self->editor);
  select_and_focus (self, index);
}

static void
action_cancel_edit (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SpStepsPanel *self = SP_STEPS_PANEL (widget);

  if (self->editor != NULL)
    gtk_popover_popdown (self->editor);
}

static void
on_editor_closed (SpStepsPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  g_clear_object (&self->editing);
  update_actions (self);

  /* Back to the list, so the keyboard carries on where it was. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self->list_view)) &&
      (focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->editor))))
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
on_selection_items_changed (SpStepsPanel *self)
{
  GListModel *steps = get_steps (self);
  gboolean empty = steps == NULL || g_list_model_get_n_items (steps) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "steps");

  update_current (self);
  update_actions (self);
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

  gtk_widget_class_install_action (widget_class, "steps.delete", NULL, action_delete);
  gtk_widget_class_install_action (widget_class, "steps.move-up", NULL, action_move_up);
  gtk_widget_class_install_action (widget_class, "steps.move-down", NULL, action_move_down);
  gtk_widget_class_install_action (widget_class, "steps.edit", NULL, action_edit);
  gtk_widget_class_install_action (widget_class, "steps.apply-edit", NULL, action_apply_edit);
  gtk_widget_class_install_action (widget_class, "steps.cancel-edit", NULL, action_cancel_edit);

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
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "steps.edit", NULL);
}

static void
sp_steps_panel_init (SpStepsPanel *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->bound_items = g_hash_table_new (NULL, NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Rows are made here rather than in the template: they show a status
   * that only this file knows. */
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_row_setup), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_row_bind), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_row_unbind), self, 0);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  g_signal_connect_object (self->list_view, "activate",
                           G_CALLBACK (on_list_view_activate), self, 0);

  self->selection = gtk_single_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_object (self->selection, "items-changed",
                           G_CALLBACK (on_selection_items_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect_swapped (self->player_signals, "step-started",
                                  G_CALLBACK (on_step_started), self);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_group_connect_swapped (self->player_signals, "serve-failed",
                                  G_CALLBACK (on_serve_failed), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (on_position_changed), self);

  update_actions (self);
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
  gtk_single_selection_set_model (self->selection,
                                  player != NULL
                                    ? sp_session_get_steps (sp_player_get_session (player))
                                    : NULL);

  /* What the steps did under another player is not known here. */
  clear_statuses (self);
  g_clear_object (&self->current);
  on_selection_items_changed (self);
}
