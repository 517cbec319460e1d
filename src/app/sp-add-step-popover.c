/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-add-step-popover.h"
#include "sp-data.h"
#include "sp-field.h"

/* As long as a session file lets a sleep be (sp-step.c). */
#define MAX_SLEEP_MS 3600000

struct _SpAddStepPopover
{
  GtkPopover      parent_instance;

  GtkStack       *stack;
  GtkLabel       *title_label;
  GtkWidget      *host_label;
  GtkEntry       *host_entry;
  GtkWidget      *ms_label;
  GtkEntry       *ms_entry;
  GtkWidget      *text_label;
  GtkEntry       *text_entry;
  GtkWidget      *listener_label;
  GtkDropDown    *listener_dropdown;
  GtkStringList  *listener_ids;
  GtkWidget      *mode_label;
  GtkWidget      *mode_box;
  GtkCheckButton *discard_check;
  GtkCheckButton *reply_check;
  GtkWidget      *reply_label;
  GtkEntry       *reply_entry;
  GtkWidget      *connections_label;
  GtkEntry       *connections_entry;
  GtkLabel       *error_label;

  SpPlayer       *player;
  /* The call whose form shows. */
  SpCall          call;
  /* The field the error shown is about, or NULL. */
  GtkWidget      *error_field;
};

G_DEFINE_FINAL_TYPE (SpAddStepPopover, sp_add_step_popover, GTK_TYPE_POPOVER)

static void
show_error (SpAddStepPopover *self,
            GtkWidget        *field,
            const char       *message)
{
  if (self->error_field != NULL && self->error_field != field)
    sp_field_set_error (self->error_field, NULL, NULL);
  self->error_field = field;
  if (field != NULL)
    {
      sp_field_set_error (field, GTK_WIDGET (self->error_label), message);
      return;
    }
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
}

static void
clear_error (SpAddStepPopover *self)
{
  if (self->error_field != NULL)
    sp_field_set_error (self->error_field, GTK_WIDGET (self->error_label), NULL);
  self->error_field = NULL;
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

/* Listeners */

static gboolean
is_listening (SpAddStepPopover *self,
              const char       *id)
{
  SpSocket *socket = sp_player_lookup_socket (self->player, id);

  return socket != NULL && sp_socket_get_state (socket) == SP_STATE_LISTENING;
}

/* The session's stream sockets, the one chosen before kept, else the
 * first that listens now, else the first. */
static void
update_listeners (SpAddStepPopover *self)
{
  GListModel *sockets;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *chosen = NULL;
  guint selected = GTK_INVALID_LIST_POSITION;
  guint n;

  if (self->player == NULL)
    return;

  chosen = g_strdup (gtk_string_list_get_string (self->listener_ids,
                                                 gtk_drop_down_get_selected (
                                                   self->listener_dropdown)));
  sockets = sp_session_get_sockets (sp_player_get_session (self->player));
  n = g_list_model_get_n_items (sockets);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpSocketConfig) config = g_list_model_get_item (sockets, i);

      if (config->type == SP_SOCKET_TYPE_STREAM)
        g_ptr_array_add (ids, g_strdup (config->id));
    }

  for (guint i = 0; i < ids->len && selected == GTK_INVALID_LIST_POSITION; i++)
    if (g_strcmp0 (g_ptr_array_index (ids, i), chosen) == 0)
      selected = i;
  for (guint i = 0; i < ids->len && selected == GTK_INVALID_LIST_POSITION; i++)
    if (is_listening (self, g_ptr_array_index (ids, i)))
      selected = i;
  if (selected == GTK_INVALID_LIST_POSITION && ids->len > 0)
    selected = 0;

  g_ptr_array_add (ids, NULL);
  gtk_string_list_splice (self->listener_ids, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->listener_ids)),
                          (const char * const *) ids->pdata);
  gtk_drop_down_set_selected (self->listener_dropdown, selected);
}

/* Forms */

static void
update_reply (SpAddStepPopover *self)
{
  gboolean reply = gtk_check_button_get_active (self->reply_check);

  gtk_widget_set_sensitive (self->reply_label, reply);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reply_entry), reply);
  if (!reply && self->error_field == GTK_WIDGET (self->reply_entry))
    clear_error (self);
}

static void
show_form (SpAddStepPopover *self,
           SpCall            call)
{
  gboolean lookup = call == SP_CALL_GETHOSTBYNAME || call == SP_CALL_GETADDRINFO;
  gboolean serve = call == SP_CALL_SERVE;
  GtkWidget *first;

  self->call = call;
  clear_error (self);
  gtk_label_set_text (self->title_label, sp_call_to_string (call));

  gtk_widget_set_visible (self->host_label, lookup);
  gtk_widget_set_visible (GTK_WIDGET (self->host_entry), lookup);
  gtk_widget_set_visible (self->ms_label, call == SP_CALL_SLEEP);
  gtk_widget_set_visible (GTK_WIDGET (self->ms_entry), call == SP_CALL_SLEEP);
  gtk_widget_set_visible (self->text_label, call == SP_CALL_NOTE);
  gtk_widget_set_visible (GTK_WIDGET (self->text_entry), call == SP_CALL_NOTE);
  gtk_widget_set_visible (self->listener_label, serve);
  gtk_widget_set_visible (GTK_WIDGET (self->listener_dropdown), serve);
  gtk_widget_set_visible (self->mode_label, serve);
  gtk_widget_set_visible (self->mode_box, serve);
  gtk_widget_set_visible (self->reply_label, serve);
  gtk_widget_set_visible (GTK_WIDGET (self->reply_entry), serve);
  gtk_widget_set_visible (self->connections_label, serve);
  gtk_widget_set_visible (GTK_WIDGET (self->connections_entry), serve);
  if (serve)
    {
      update_listeners (self);
      update_reply (self);
    }

  gtk_stack_set_visible_child_name (self->stack, "form");

  if (lookup)
    first = GTK_WIDGET (self->host_entry);
  else if (call == SP_CALL_SLEEP)
    first = GTK_WIDGET (self->ms_entry);
  else if (call == SP_CALL_NOTE)
    first = GTK_WIDGET (self->text_entry);
  else
    first = GTK_WIDGET (self->listener_dropdown);
  gtk_widget_grab_focus (first);
}

static SpServeMode
selected_mode (SpAddStepPopover *self)
{
  if (gtk_check_button_get_active (self->reply_check))
    return SP_SERVE_REPLY;
  if (gtk_check_button_get_active (self->discard_check))
    return SP_SERVE_DISCARD;
  return SP_SERVE_ECHO;
}

static gboolean
fill_serve (SpAddStepPopover  *self,
            SpStep            *step,
            GtkWidget        **field,
            GError           **error)
{
  const char *connections = gtk_editable_get_text (GTK_EDITABLE (self->connections_entry));
  gint64 number;

  if (step->socket == NULL)
    {
      *field = GTK_WIDGET (self->listener_dropdown);
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("Listener: the session has no stream socket to serve on; add one first"));
      return FALSE;
    }

  step->mode = selected_mode (self);
  step->has_mode = TRUE;

  if (step->mode == SP_SERVE_REPLY)
    {
      const char *reply = gtk_editable_get_text (GTK_EDITABLE (self->reply_entry));

      *field = GTK_WIDGET (self->reply_entry);
      if (reply[0] == '\0')
        {
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("Reply: enter the text the server answers with"));
          return FALSE;
        }
      step->data = sp_step_data_new_text (reply, NULL, error);
      if (step->data == NULL)
        return FALSE;
    }

  /* Empty: until the listener is closed. */
  *field = GTK_WIDGET (self->connections_entry);
  if (connections[0] != '\0')
    {
      if (!sp_field_parse_number (connections, _("Connections"), 1, G_MAXINT, &number, error))
        return FALSE;
      step->connections = (gint) number;
    }

  return TRUE;
}

/* The step of the form of `call`; NULL with the field that is not valid
 * and why. */
static SpStep *
make_step (SpAddStepPopover  *self,
           SpCall             call,
           GtkWidget        **field,
           GError           **error)
{
  g_autoptr(SpStep) step = NULL;
  gint64 number;

  *field = NULL;

  switch ((int) call)
    {
    case SP_CALL_GETHOSTNAME:
      step = sp_step_new (NULL, call);
      break;

    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
      {
        g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (
                                                        GTK_EDITABLE (self->host_entry))));

        *field = GTK_WIDGET (self->host_entry);
        if (host[0] == '\0')
          {
            g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                         _("Host: enter a name to look up, such as localhost"));
            return NULL;
          }
        step = sp_step_new (NULL, call);
        step->host = g_steal_pointer (&host);
      }
      break;

    case SP_CALL_SLEEP:
      *field = GTK_WIDGET (self->ms_entry);
      if (!sp_field_parse_number (gtk_editable_get_text (GTK_EDITABLE (self->ms_entry)),
                                  _("Milliseconds"), 0, MAX_SLEEP_MS, &number, error))
        return NULL;
      step = sp_step_new (NULL, call);
      step->ms = (gint) number;
      break;

    case SP_CALL_NOTE:
      *field = GTK_WIDGET (self->text_entry);
      if (gtk_editable_get_text (GTK_EDITABLE (self->text_entry))[0] == '\0')
        {
          g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                       _("Text: enter what the note says"));
          return NULL;
        }
      step = sp_step_new (NULL, call);
      step->text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->text_entry)));
      break;

    case SP_CALL_SERVE:
      {
        guint selected = gtk_drop_down_get_selected (self->listener_dropdown);

        step = sp_step_new (gtk_string_list_get_string (self->listener_ids, selected), call);
        if (!fill_serve (self, step, field, error))
          return NULL;
      }
      break;

    default:
      g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
                   _("%s: made from the socket’s page, not here"), sp_call_to_string (call));
      return NULL;
    }

  *field = NULL;
  return g_steal_pointer (&step);
}

/* Makes the step and hands it to the player, as a call's button does. */
static void
add (SpAddStepPopover *self,
     SpCall            call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpStep) step = NULL;
  GtkWidget *field = NULL;

  if (self->player == NULL)
    return;

  step = make_step (self, call, &field, &error);
  if (step == NULL)
    {
      show_error (self, field, error->message);
      if (field != NULL)
        gtk_widget_grab_focus (field);
      return;
    }

  sp_player_perform (self->player, step);
  gtk_popover_popdown (GTK_POPOVER (self));
}

/* Actions */

static void
action_choose (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  SpAddStepPopover *self = SP_ADD_STEP_POPOVER (widget);
  SpCall call;

  if (!sp_call_from_string (g_variant_get_string (parameter, NULL), &call))
    return;

  /* gethostname asks nothing. */
  if (call == SP_CALL_GETHOSTNAME)
    add (self, call);
  else
    show_form (self, call);
}

static void
action_back (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SpAddStepPopover *self = SP_ADD_STEP_POPOVER (widget);

  clear_error (self);
  gtk_stack_set_visible_child_name (self->stack, "calls");
}

static void
action_add (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SpAddStepPopover *self = SP_ADD_STEP_POPOVER (widget);

  add (self, self->call);
}

/* Opened again, the menu starts from the calls. */
static void
on_closed (SpAddStepPopover *self)
{
  clear_error (self);
  gtk_stack_set_visible_child_name (self->stack, "calls");
}

static void
on_field_changed (SpAddStepPopover *self,
                  GParamSpec       *pspec,
                  GObject          *field)
{
  if (self->error_field == GTK_WIDGET (field))
    clear_error (self);
}

static void
on_entry_changed (GtkEditable      *field,
                  SpAddStepPopover *self)
{
  on_field_changed (self, NULL, G_OBJECT (field));
}

/* GObject */

static void
sp_add_step_popover_dispose (GObject *object)
{
  SpAddStepPopover *self = SP_ADD_STEP_POPOVER (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), SP_TYPE_ADD_STEP_POPOVER);
  self->error_field = NULL;
  g_clear_object (&self->player);

  G_OBJECT_CLASS (sp_add_step_popover_parent_class)->dispose (object);
}

static void
sp_add_step_popover_class_init (SpAddStepPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_add_step_popover_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/ui/sp-add-step-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, stack);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, host_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, host_entry);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, ms_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, ms_entry);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, text_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, text_entry);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, listener_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, listener_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, listener_ids);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, mode_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, mode_box);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, discard_check);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, reply_check);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, reply_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, reply_entry);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, connections_label);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, connections_entry);
  gtk_widget_class_bind_template_child (widget_class, SpAddStepPopover, error_label);

  /* A small form that pops up beside the panel, as a dialog is to a
   * screen reader (GTK 4.8 would leave a plain popover unnamed). */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);

  gtk_widget_class_install_action (widget_class, "add-step.choose", "s", action_choose);
  gtk_widget_class_install_action (widget_class, "add-step.back", NULL, action_back);
  gtk_widget_class_install_action (widget_class, "add-step.add", NULL, action_add);
}

static void
sp_add_step_popover_init (SpAddStepPopover *self)
{
  GtkEntry **entries[] = {
    &self->host_entry, &self->ms_entry, &self->text_entry, &self->reply_entry,
    &self->connections_entry,
  };

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_signal_connect_object (*entries[i], "changed", G_CALLBACK (on_entry_changed), self, 0);
  g_signal_connect_object (self->listener_dropdown, "notify::selected",
                           G_CALLBACK (on_field_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->reply_check, "toggled",
                           G_CALLBACK (update_reply), self, G_CONNECT_SWAPPED);
  g_signal_connect (self, "closed", G_CALLBACK (on_closed), NULL);
}

GtkWidget *
sp_add_step_popover_new (void)
{
  return g_object_new (SP_TYPE_ADD_STEP_POPOVER, NULL);
}

void
sp_add_step_popover_set_player (SpAddStepPopover *self,
                                SpPlayer         *player)
{
  g_return_if_fail (SP_IS_ADD_STEP_POPOVER (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  g_set_object (&self->player, player);
}

SpStep *
sp_add_step_popover_make_step (SpAddStepPopover  *self,
                               SpCall             call,
                               GError           **error)
{
  GtkWidget *field;

  g_return_val_if_fail (SP_IS_ADD_STEP_POPOVER (self), NULL);

  return make_step (self, call, &field, error);
}
