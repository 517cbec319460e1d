/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-code-view.h"
#include "sp-codegen.h"
#include "sp-errno.h"

/* How far back from the newest event a finished step's failed call is
 * looked for: a step makes a handful of events, a repeated one a few more. */
#define MAX_EVENTS_SCANNED 256

struct _SpCodeView
{
  AdwBin           parent_instance;

  GtkTextView     *text_view;
  GtkWidget       *copy_button;
  GtkWidget       *placeholder;

  SpPlayer        *player;
  GSignalGroup    *player_signals;
  /* Stays at the end as text is added, so the view can follow it. */
  GtkTextMark     *end_mark;
  GtkTextTag      *comment_tag;
  /* Puts the copy button back after it said "Copied". */
  guint            copied_id;
};

/* How long the copy button shows that it copied. */
#define COPIED_MS 1500

G_DEFINE_FINAL_TYPE (SpCodeView, sp_code_view, ADW_TYPE_BIN)

static GtkTextBuffer *
get_buffer (SpCodeView *self)
{
  return gtk_text_view_get_buffer (self->text_view);
}

static void
update_empty (SpCodeView *self)
{
  gboolean empty = gtk_text_buffer_get_char_count (get_buffer (self)) == 0;

  gtk_widget_set_visible (self->placeholder, empty);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "code.copy", !empty);
}

static void
clear (SpCodeView *self)
{
  gtk_text_buffer_set_text (get_buffer (self), "", 0);
  update_empty (self);
}

/* The latest event of step `index` that `matches`, among the last few. */
static SpEvent *
find_step_event (SpTrafficLog *log,
                 guint         index,
                 gboolean    (*matches) (SpEvent *event))
{
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = n; i > 0 && n - i < MAX_EVENTS_SCANNED; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i - 1);

      if (sp_event_get_step (event) == (int) index && matches (event))
        return g_steal_pointer (&event);
    }

  return NULL;
}

/* The event of a call that failed. */
static gboolean
is_failed_call (SpEvent *event)
{
  return sp_event_get_kind (event) != SP_EVENT_NOTE &&
         !sp_event_get_ok (event) &&
         sp_event_get_error_code (event) != 0;
}

/* The event of a call that went to an address, which its arguments name. */
static gboolean
has_destination (SpEvent *event)
{
  SpCall call = sp_event_get_call (event);

  return (call == SP_CALL_CONNECT || call == SP_CALL_CONNECT_EX || call == SP_CALL_SENDTO) &&
         sp_event_get_args (event) != NULL;
}

/* What Python does where the call failed: the exception it raises, as a
 * comment under the line; NULL when the call succeeded. */
static char *
failure_comment (SpCodeView *self,
                 guint       index,
                 const char *message)
{
  g_autoptr(SpEvent) event = find_step_event (sp_player_get_log (self->player), index,
                                              is_failed_call);
  g_autofree char *flat = NULL;
  int code;

  if (event != NULL)
    {
      code = sp_event_get_error_code (event);

      /* connect_ex returns the errno instead of raising it. */
      if (sp_event_get_call (event) == SP_CALL_CONNECT_EX)
        return g_strdup_printf ("# -> %d (%s)", code,
                                sp_errno_name (code) != NULL ? sp_errno_name (code) : "?");

      return g_strdup_printf ("# %s: [Errno %d] %s", sp_errno_python_exception (code), code,
                              sp_errno_message (code));
    }

  if (message == NULL)
    return NULL;

  flat = g_strdelimit (g_strdup (message), "\r\n", ' ');
  return g_strdup_printf ("# %s", flat);
}

static void
append_step (SpCodeView *self,
             guint       index,
             gboolean    passed,
             const char *message)
{
  SpSession *session = sp_player_get_session (self->player);
  SpStep *step = sp_session_get_step (session, index);
  GtkTextBuffer *buffer = get_buffer (self);
  g_autoptr(SpEvent) destination = NULL;
  g_autofree char *python = NULL;
  g_autofree char *comment = NULL;
  GtkTextIter end;

  if (step == NULL)
    return;

  /* The port a peer bound to port 0 got is known now, so the line shows it. */
  destination = find_step_event (sp_player_get_log (self->player), index, has_destination);
  python = sp_codegen_step_python_to (session, step,
                                      destination != NULL ? sp_event_get_args (destination)
                                                          : NULL);
  comment = failure_comment (self, index, passed ? NULL : message);

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (python != NULL && python[0] != '\0')
    {
      gtk_text_buffer_insert (buffer, &end, python, -1);
      gtk_text_buffer_insert (buffer, &end, "\n", 1);
    }
  if (comment != NULL)
    {
      gtk_text_buffer_insert_with_tags (buffer, &end, comment, -1, self->comment_tag, NULL);
      gtk_text_buffer_insert (buffer, &end, "\n", 1);
    }

  update_empty (self);
  gtk_text_view_scroll_to_mark (self->text_view, self->end_mark, 0.0, TRUE, 0.0, 1.0);
}

static void
on_step_finished (SpCodeView *self,
                  guint       index,
                  gboolean    passed,
                  const char *message)
{
  append_step (self, index, passed, message);
}

static void
on_position_changed (SpCodeView *self)
{
  /* Only a restart takes the player back to the first step. */
  if (sp_player_get_position (self->player) == 0)
    clear (self);
}

static void
on_copied_timeout (gpointer user_data)
{
  SpCodeView *self = user_data;

  self->copied_id = 0;
  gtk_button_set_icon_name (GTK_BUTTON (self->copy_button), "edit-copy-symbolic");
  gtk_widget_set_tooltip_text (self->copy_button, _("Copy the Python"));
}

static void
action_copy (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SpCodeView *self = SP_CODE_VIEW (widget);
  g_autofree char *text = sp_code_view_get_text (self);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);

  gtk_button_set_icon_name (GTK_BUTTON (self->copy_button), "object-select-symbolic");
  gtk_widget_set_tooltip_text (self->copy_button, _("Copied"));
  g_clear_handle_id (&self->copied_id, g_source_remove);
  self->copied_id = g_timeout_add_once (COPIED_MS, on_copied_timeout, self);
}

static void
sp_code_view_dispose (GObject *object)
{
  SpCodeView *self = SP_CODE_VIEW (object);

  if (self->player_signals != NULL)
    g_signal_group_set_target (self->player_signals, NULL);
  g_clear_object (&self->player_signals);
  g_clear_object (&self->player);
  g_clear_handle_id (&self->copied_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_CODE_VIEW);

  G_OBJECT_CLASS (sp_code_view_parent_class)->dispose (object);
}

static void
sp_code_view_class_init (SpCodeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_code_view_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-code-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SpCodeView, copy_button);
  gtk_widget_class_bind_template_child (widget_class, SpCodeView, text_view);
  gtk_widget_class_bind_template_child (widget_class, SpCodeView, placeholder);

  gtk_widget_class_install_action (widget_class, "code.copy", NULL, action_copy);
}

static void
sp_code_view_init (SpCodeView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  gtk_widget_init_template (GTK_WIDGET (self));

  buffer = get_buffer (self);
  gtk_text_buffer_get_end_iter (buffer, &end);
  self->end_mark = gtk_text_buffer_create_mark (buffer, NULL, &end, FALSE);
  self->comment_tag = gtk_text_buffer_create_tag (buffer, NULL, "style", PANGO_STYLE_ITALIC, NULL);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (on_position_changed), self);

  update_empty (self);
}

GtkWidget *
sp_code_view_new (void)
{
  return g_object_new (SP_TYPE_CODE_VIEW, NULL);
}

void
sp_code_view_set_player (SpCodeView *self,
                         SpPlayer   *player)
{
  guint position;

  g_return_if_fail (SP_IS_CODE_VIEW (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (self->player == player)
    return;

  g_set_object (&self->player, player);
  g_signal_group_set_target (self->player_signals, player);
  clear (self);

  if (player == NULL)
    return;

  /* The steps this player already ran, as they would have appeared. */
  position = sp_player_get_position (player);
  for (guint i = 0; i < position; i++)
    append_step (self, i, TRUE, NULL);
}

char *
sp_code_view_get_text (SpCodeView *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (SP_IS_CODE_VIEW (self), NULL);

  gtk_text_buffer_get_bounds (get_buffer (self), &start, &end);
  return gtk_text_buffer_get_text (get_buffer (self), &start, &end, FALSE);
}
