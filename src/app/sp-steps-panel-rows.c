/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-data.h"
#include "sp-steps-panel-private.h"

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

  _sp_steps_panel_activate_step (SP_STEPS_PANEL (panel), position);
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
  StepStatus *status = _sp_steps_panel_step_status (step);
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

void
_sp_steps_panel_refresh_rows (SpStepsPanel *self,
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

/* Rows are made in code rather than in the template: they show a status
 * that only the panel knows. */
GtkListItemFactory *
_sp_steps_panel_row_factory_new (SpStepsPanel *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect_object (factory, "setup", G_CALLBACK (on_row_setup), self, 0);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_row_bind), self, 0);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_row_unbind), self, 0);
  return factory;
}
