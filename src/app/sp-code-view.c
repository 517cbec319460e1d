/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sp-code-view.h"
#include "sp-codegen.h"
#include "sp-errno.h"

/* How far back from the newest event a finished step's failed call is
 * looked for: a step makes a handful of events, a repeated one a few more. */
#define MAX_EVENTS_SCANNED 256

/* The modules a step's Python may use besides socket, imported in this
 * order after it, as the exported scripts import them. */
static const char * const modules[] = { "errno", "os", "random", "threading", "time" };

struct _SpCodeView
{
  AdwBin           parent_instance;

  /* The text follows the player from the start; the widgets that show it
   * are made when the view is first shown (the window starts on another
   * tab), and are NULL until then. */
  GtkTextBuffer   *buffer;
  GtkTextView     *text_view;
  GtkWidget       *copy_button;
  GtkWidget       *placeholder;

  SpPlayer        *player;
  GSignalGroup    *player_signals;
  /* Stays at the end as text is added, so the view can follow it. */
  GtkTextMark     *end_mark;
  GtkTextTag      *comment_tag;

  /* The view is a program that runs as pasted: the imports it needs
   * (characters at the start of the buffer, a bit per module), and the
   * sockets it has made so far, each before its first call. */
  guint            header_chars;
  guint            used_modules;
  GHashTable      *created;
  /* Puts the copy button back after it said "Copied". */
  guint            copied_id;
  /* Shows the end once the widgets, just made, are laid out. */
  guint            scroll_id;
};

/* How long the copy button shows that it copied. */
#define COPIED_MS 1500

G_DEFINE_FINAL_TYPE (SpCodeView, sp_code_view, ADW_TYPE_BIN)

static GtkTextBuffer *
get_buffer (SpCodeView *self)
{
  return self->buffer;
}

static void
update_empty (SpCodeView *self)
{
  gboolean empty = gtk_text_buffer_get_char_count (get_buffer (self)) == 0;

  if (self->placeholder != NULL)
    gtk_widget_set_visible (self->placeholder, empty);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "code.copy", !empty);
}

static void
clear (SpCodeView *self)
{
  gtk_text_buffer_set_text (get_buffer (self), "", 0);
  self->header_chars = 0;
  self->used_modules = 0;
  g_hash_table_remove_all (self->created);
  update_empty (self);
}

/* Whether `code` calls into `module` ("time.sleep(1)"). */
static gboolean
uses_module (const char *code,
             const char *module)
{
  gsize length = strlen (module);

  for (const char *p = strstr (code, module); p != NULL; p = strstr (p + 1, module))
    {
      if (p[length] == '.' &&
          (p == code || !(g_ascii_isalnum (p[-1]) || p[-1] == '_' || p[-1] == '.')))
        return TRUE;
    }

  return FALSE;
}

/* `import socket`, then what `used_modules` names, then a blank line:
 * written again in place when a step needs another module. */
static void
update_header (SpCodeView *self,
               const char *code)
{
  GtkTextBuffer *buffer = get_buffer (self);
  g_autoptr(GString) header = g_string_new ("import socket\n");
  guint used = self->used_modules;
  GtkTextIter start, end;

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      if (uses_module (code, modules[i]))
        used |= 1u << i;
    }

  if (self->header_chars > 0 && used == self->used_modules)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (modules); i++)
    {
      if (used & (1u << i))
        g_string_append_printf (header, "import %s\n", modules[i]);
    }
  g_string_append_c (header, '\n');

  gtk_text_buffer_get_iter_at_offset (buffer, &start, 0);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, self->header_chars);
  gtk_text_buffer_delete (buffer, &start, &end);
  gtk_text_buffer_insert (buffer, &start, header->str, header->len);

  self->header_chars = g_utf8_strlen (header->str, header->len);
  self->used_modules = used;
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

/* In Python a failed call raises: the program catches what it raised
 * ("ConnectionRefusedError") and prints it, which `comment` shows, so that
 * it runs on as the session did. NULL when the call succeeded, or when it
 * failed without raising (connect_ex returns the errno; `comment` says
 * which). */
static char *
failure_exception (SpCodeView  *self,
                   guint        index,
                   const char  *message,
                   char       **comment)
{
  g_autoptr(SpEvent) event = find_step_event (sp_player_get_log (self->player), index,
                                              is_failed_call);
  g_autofree char *flat = NULL;
  int code;

  *comment = NULL;

  if (event != NULL)
    {
      code = sp_event_get_error_code (event);

      /* A name nobody knows raises, even from connect_ex. */
      if (sp_event_get_call (event) == SP_CALL_CONNECT_EX && !sp_errno_is_lookup (code))
        {
          *comment = g_strdup_printf ("# -> %d (%s)", code,
                                      sp_errno_name (code) != NULL ? sp_errno_name (code) : "?");
          return NULL;
        }

      *comment = g_strdup_printf ("# [Errno %d] %s", code, sp_errno_message (code));
      /* gaierror lives in the socket module, not among the builtins. */
      if (sp_errno_is_lookup (code))
        return g_strdup_printf ("socket.%s", sp_errno_python_exception (code));
      return g_strdup (sp_errno_python_exception (code));
    }

  if (message != NULL)
    {
      flat = g_strdelimit (g_strdup (message), "\r\n", ' ');
      *comment = g_strdup_printf ("# %s", flat);
    }

  return NULL;
}

/* The lines that make the socket of `step` before its first call, as the
 * session makes it (with its options), or NULL when the program has it. */
static char *
creation_python (SpCodeView *self,
                 SpSession  *session,
                 SpStep     *step)
{
  g_autoptr(SpStep) create = NULL;

  if (step->socket == NULL || sp_call_is_global (step->call) ||
      g_hash_table_contains (self->created, step->socket))
    return NULL;

  g_hash_table_add (self->created, g_strdup (step->socket));
  if (step->call == SP_CALL_SOCKET)
    return NULL;

  create = sp_step_new (step->socket, SP_CALL_SOCKET);
  return sp_codegen_step_python (session, create);
}

/* The Python that asks socket `id` for its address, "server.getsockname()",
 * in the names the code generator gives sockets. */
static char *
getsockname_python (SpSession  *session,
                    const char *id)
{
  g_autoptr(SpStep) step = sp_step_new (id, SP_CALL_GETSOCKNAME);
  g_autofree char *line = sp_codegen_step_python (session, step);
  gsize length = strlen (line);

  /* The code view's line prints it: "print(server.getsockname())". */
  if (!g_str_has_prefix (line, "print(") || length < 7 || line[length - 1] != ')')
    return NULL;
  return g_strndup (line + 6, length - 7);
}

/* The name the code generator gives socket `id` in Python ("server"). */
static char *
socket_python_name (SpSession  *session,
                    const char *id)
{
  g_autofree char *address = getsockname_python (session, id);

  if (address == NULL || !g_str_has_suffix (address, ".getsockname()"))
    return NULL;
  return g_strndup (address, strlen (address) - strlen (".getsockname()"));
}

/* Seconds as Python writes them: 0.2, 1.5, 30. */
static char *
format_seconds (guint ms)
{
  char *text;
  gsize length;

  if (ms % 1000 == 0)
    return g_strdup_printf ("%u", ms / 1000);

  text = g_strdup_printf ("%u.%03u", ms / 1000, ms % 1000);
  for (length = strlen (text); text[length - 1] == '0'; length--)
    text[length - 1] = '\0';
  return text;
}

/* The Python of a step that went to an address: the destination as the
 * session names it, which a program run again finds again. A peer of this
 * program that the kernel gave a port is asked for it; the port it had
 * this time is `went_to`, a comment. */
static char *
destination_python (SpCodeView  *self,
                    SpSession   *session,
                    SpStep      *step,
                    const char  *destination,
                    char       **went_to)
{
  g_autofree char *implied = sp_codegen_step_python (session, step);
  g_autofree char *there = sp_codegen_step_python_to (session, step, destination);
  g_autofree char *peer = NULL;

  *went_to = NULL;
  if (g_strcmp0 (implied, there) == 0)
    return g_steal_pointer (&implied);

  if (step->to == NULL || !g_hash_table_contains (self->created, step->to) ||
      (peer = getsockname_python (session, step->to)) == NULL)
    return g_steal_pointer (&there);

  *went_to = g_strdup_printf ("# %s", destination);
  return sp_codegen_step_python_to (session, step, peer);
}

static void
insert_lines (GtkTextBuffer *buffer,
              GtkTextIter   *end,
              const char    *text,
              GtkTextTag    *tag)
{
  gtk_text_buffer_insert_with_tags (buffer, end, text, -1, tag, NULL);
  gtk_text_buffer_insert (buffer, end, "\n", 1);
}

/* `python` with every line indented by four spaces, for a block. */
static char *
indent (const char *python)
{
  g_auto(GStrv) lines = g_strsplit (python, "\n", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    g_string_append_printf (out, "%s%s%s", i > 0 ? "\n" : "", lines[i][0] != '\0' ? "    " : "",
                            lines[i]);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* `python` in a block that catches the `exception` it raised in the
 * session and prints it (what `comment` shows), so that the program goes
 * on as the session did. A call that timed out waits as long in the
 * program, where Python raises TimeoutError('timed out'), not for ever. */
static void
insert_caught (SpCodeView  *self,
               GtkTextIter *end,
               SpSession   *session,
               SpStep      *step,
               const char  *python,
               const char  *exception,
               const char  *comment)
{
  GtkTextBuffer *buffer = get_buffer (self);
  g_autofree char *block = indent (python);
  g_autofree char *except = g_strdup_printf ("except %s as e:", exception);
  g_autofree char *name = NULL;

  if (g_str_equal (exception, "TimeoutError") && step->socket != NULL &&
      !sp_call_is_global (step->call))
    name = socket_python_name (session, step->socket);

  if (name != NULL)
    {
      g_autofree char *seconds = format_seconds (sp_step_get_timeout_ms (step));
      g_autofree char *timeout = g_strdup_printf ("%s.settimeout(%s)", name, seconds);

      insert_lines (buffer, end, timeout, NULL);
      comment = "# timed out";
    }

  insert_lines (buffer, end, "try:", NULL);
  insert_lines (buffer, end, block, NULL);
  insert_lines (buffer, end, except, NULL);
  gtk_text_buffer_insert (buffer, end, "    print(e)  ", -1);
  insert_lines (buffer, end, comment, self->comment_tag);

  if (name != NULL)
    {
      g_autofree char *blocking = g_strdup_printf ("%s.settimeout(None)", name);

      insert_lines (buffer, end, blocking, NULL);
    }
}

static void
append_step (SpCodeView *self,
             guint       index,
             SpStep     *step,
             gboolean    passed,
             const char *message)
{
  SpSession *session = sp_player_get_session (self->player);
  GtkTextBuffer *buffer = get_buffer (self);
  g_autoptr(SpEvent) destination = NULL;
  g_autofree char *creation = NULL;
  g_autofree char *python = NULL;
  g_autofree char *went_to = NULL;
  g_autofree char *exception = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *code = NULL;
  GtkTextIter end;

  if (step == NULL)
    return;

  creation = creation_python (self, session, step);
  if (step->call == SP_CALL_ACCEPT)
    g_hash_table_add (self->created, g_strdup (step->as != NULL ? step->as : "conn"));

  destination = find_step_event (sp_player_get_log (self->player), index, has_destination);
  if (destination != NULL)
    python = destination_python (self, session, step, sp_event_get_args (destination), &went_to);
  else
    python = sp_codegen_step_python (session, step);

  exception = failure_exception (self, index, passed ? NULL : message, &comment);
  code = g_strjoin ("\n", creation != NULL ? creation : "", python != NULL ? python : "", NULL);
  update_header (self, code);

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (creation != NULL && creation[0] != '\0')
    insert_lines (buffer, &end, creation, NULL);

  if (python != NULL && python[0] != '\0')
    {
      if (exception != NULL)
        {
          insert_caught (self, &end, session, step, python, exception, comment);
          g_clear_pointer (&comment, g_free);
        }
      else if (went_to != NULL && strchr (python, '\n') == NULL)
        {
          gtk_text_buffer_insert (buffer, &end, python, -1);
          gtk_text_buffer_insert (buffer, &end, "  ", -1);
          insert_lines (buffer, &end, went_to, self->comment_tag);
        }
      else
        {
          insert_lines (buffer, &end, python, NULL);
          if (went_to != NULL)
            insert_lines (buffer, &end, went_to, self->comment_tag);
        }
    }
  if (comment != NULL)
    insert_lines (buffer, &end, comment, self->comment_tag);

  update_empty (self);
  if (self->text_view != NULL)
    gtk_text_view_scroll_to_mark (self->text_view, self->end_mark, 0.0, TRUE, 0.0, 1.0);
}

static void
on_step_finished (SpCodeView *self,
                  guint       index,
                  gboolean    passed,
                  const char *message,
                  SpStep     *step)
{
  append_step (self, index, step, passed, message);
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
  if (self->copy_button == NULL)
    return;
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
  if (self->copy_button == NULL)
    return;

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
  g_clear_handle_id (&self->scroll_id, g_source_remove);
  self->text_view = NULL;
  self->copy_button = NULL;
  self->placeholder = NULL;

  G_OBJECT_CLASS (sp_code_view_parent_class)->dispose (object);
}

static void
sp_code_view_finalize (GObject *object)
{
  SpCodeView *self = SP_CODE_VIEW (object);

  g_hash_table_unref (self->created);
  g_object_unref (self->buffer);

  G_OBJECT_CLASS (sp_code_view_parent_class)->finalize (object);
}

/* Runs once the new view is allocated and its lines laid out, which
 * happens in idles of a higher priority: only then is the end where the
 * view says it is. */
static gboolean
on_first_scroll (gpointer user_data)
{
  SpCodeView *self = user_data;
  GtkAdjustment *vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->text_view));

  /* Hidden again before it was laid out: it opens at the top. */
  if (gtk_widget_get_mapped (GTK_WIDGET (self->text_view)) &&
      gtk_adjustment_get_page_size (vadjustment) <= 0)
    return G_SOURCE_CONTINUE;

  self->scroll_id = 0;
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment) -
                                         gtk_adjustment_get_page_size (vadjustment));
  return G_SOURCE_REMOVE;
}

/* A text view, its scrolled window and the placeholder's wrapped line are
 * styled, measured and laid out even on a tab that is not shown: made
 * here, they cost the window's first frame nothing. */
static void
sp_code_view_map (GtkWidget *widget)
{
  SpCodeView *self = SP_CODE_VIEW (widget);

  if (self->text_view == NULL)
    {
      g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_PATH
                                                                     "/ui/sp-code-view.ui");

      self->text_view = GTK_TEXT_VIEW (gtk_builder_get_object (builder, "text_view"));
      self->copy_button = GTK_WIDGET (gtk_builder_get_object (builder, "copy_button"));
      self->placeholder = GTK_WIDGET (gtk_builder_get_object (builder, "placeholder"));
      gtk_text_view_set_buffer (self->text_view, self->buffer);
      adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (gtk_builder_get_object (builder, "overlay")));

      update_empty (self);
      /* The end in sight, as had the view followed the steps all along;
       * scrolled to the end mark now, before it is laid out, it would stop
       * short of it. */
      self->scroll_id = g_idle_add (on_first_scroll, self);
    }

  GTK_WIDGET_CLASS (sp_code_view_parent_class)->map (widget);
}

static void
sp_code_view_class_init (SpCodeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_code_view_dispose;
  object_class->finalize = sp_code_view_finalize;
  widget_class->map = sp_code_view_map;

  gtk_widget_class_install_action (widget_class, "code.copy", NULL, action_copy);
}

static void
sp_code_view_init (SpCodeView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter end;

  self->buffer = buffer = gtk_text_buffer_new (NULL);
  gtk_text_buffer_get_end_iter (buffer, &end);
  self->end_mark = gtk_text_buffer_create_mark (buffer, NULL, &end, FALSE);
  self->comment_tag = gtk_text_buffer_create_tag (buffer, NULL, "style", PANGO_STYLE_ITALIC, NULL);
  self->created = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

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
    append_step (self, i, sp_session_get_step (sp_player_get_session (player), i), TRUE, NULL);
}

char *
sp_code_view_get_text (SpCodeView *self)
{
  GtkTextIter start, end;

  g_return_val_if_fail (SP_IS_CODE_VIEW (self), NULL);

  gtk_text_buffer_get_bounds (get_buffer (self), &start, &end);
  return gtk_text_buffer_get_text (get_buffer (self), &start, &end, FALSE);
}
