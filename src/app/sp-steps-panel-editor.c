/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-json-strict.h"
#include "sp-steps-panel-private.h"

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
  guint selected = _sp_steps_panel_get_selected (self);
  GtkListItem *row_item = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;
  GHashTableIter iter;
  gpointer item;
  graphene_rect_t bounds;

  if (selected == GTK_INVALID_LIST_POSITION)
    return;

  ensure_editor (self);
  g_set_object (&self->editing, _sp_steps_panel_get_step (self, selected));
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
  _sp_steps_panel_update_actions (self);
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
  if (!_sp_steps_panel_find_step (self, self->editing, &index) ||
      _sp_steps_panel_step_get_state (self->editing) == STEP_RUNNING)
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
  _sp_steps_panel_select_and_focus (self, index);
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
  _sp_steps_panel_update_actions (self);

  /* Back to the list, so the keyboard carries on where it was. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self->list_view)) &&
      (focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->editor))))
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}


void
_sp_steps_panel_class_editor_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "steps.edit", NULL, action_edit);
  gtk_widget_class_install_action (widget_class, "steps.apply-edit", NULL, action_apply_edit);
  gtk_widget_class_install_action (widget_class, "steps.cancel-edit", NULL, action_cancel_edit);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F2, 0, "steps.edit", NULL);
}
