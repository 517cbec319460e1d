/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-bytes-format.h"
#include "sp-caption.h"
#include "sp-codegen.h"
#include "sp-data.h"
#include "sp-decode.h"
#include "sp-errno.h"

/* How far back from the newest event a step's failed call is looked for:
 * a step makes a handful of events, a repeated one a few more. */
#define MAX_EVENTS_SCANNED 256

/* Lines of 16 bytes the caption shows of a step's payload: at the size a
 * lecture hall reads, more would push the diagram off the projector. */
#define MAX_BYTE_LINES 3
#define MAX_SHOWN_BYTES (MAX_BYTE_LINES * SP_HEX_DUMP_BYTES_PER_LINE)

struct _SpCaption
{
  AdwBin        parent_instance;

  GtkLabel     *counter_label;
  GtkLabel     *title_label;
  GtkLabel     *code_label;
  GtkWidget    *bytes_box;
  GtkLabel     *bytes_label;
  GtkLabel     *hex_label;
  GtkLabel     *text_label;
  GtkLabel     *more_label;
  GtkLabel     *note_label;
  GtkLabel     *problem_label;
  GtkLabel     *next_label;

  SpPlayer     *player;
  GSignalGroup *player_signals;
  GSignalGroup *steps_signals;

  /* The step the player last started, while it runs. */
  guint         started;
  guint         running : 1;
};

G_DEFINE_FINAL_TYPE (SpCaption, sp_caption, ADW_TYPE_BIN)

/* The step the lecture is at: the one running, else the last one run;
 * before any, the first, which is `upcoming`. */
static int
find_step (SpCaption *self,
           gboolean  *upcoming)
{
  SpSession *session;
  guint n_steps;
  guint position;

  *upcoming = FALSE;
  if (self->player == NULL)
    return -1;

  session = sp_player_get_session (self->player);
  n_steps = sp_session_get_n_steps (session);
  position = MIN (sp_player_get_position (self->player), n_steps);

  if (self->running && self->started < n_steps)
    return (int) self->started;
  if (position > 0)
    return (int) position - 1;
  if (n_steps > 0)
    {
      *upcoming = TRUE;
      return 0;
    }

  return -1;
}

/* The kernel's error for step `index` ("ECONNREFUSED: nothing listens…"),
 * or NULL when its calls succeeded. */
static char *
find_problem (SpCaption *self,
              guint      index)
{
  SpTrafficLog *log = sp_player_get_log (self->player);
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = n; i > 0 && n - i < MAX_EVENTS_SCANNED; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i - 1);
      g_autofree char *explanation = NULL;
      const char *address;
      const char *name;
      int code;

      if (sp_event_get_step (event) != (int) index ||
          sp_event_get_kind (event) == SP_EVENT_NOTE ||
          sp_event_get_ok (event) || sp_event_get_error_code (event) == 0)
        continue;

      code = sp_event_get_error_code (event);
      name = sp_errno_name (code);
      address = sp_event_get_remote (event);
      if (address == NULL)
        address = sp_event_get_local (event);
      explanation = sp_errno_explain (code, sp_call_to_string (sp_event_get_call (event)),
                                      address);
      /* TRANSLATORS: an errno name and a sentence that explains it */
      return g_strdup_printf (_("%s: %s"), name != NULL ? name : sp_errno_message (code),
                              explanation);
    }

  return NULL;
}

static void
set_line (GtkLabel   *label,
          const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
}

/* The bytes step `index` sent or received, in the order its events
 * happened: at most `limit` of them in `shown`, and how many there were in
 * all. A repeated receive (`until`, `count`) makes several events. */
static void
collect_bytes (SpCaption   *self,
               guint        index,
               gsize        limit,
               GByteArray  *shown,
               gsize       *total,
               SpEventKind *kind)
{
  SpTrafficLog *log = sp_player_get_log (self->player);
  guint n = sp_traffic_log_get_n_appended (log);
  guint first = n;

  *total = 0;
  *kind = SP_EVENT_CALL;

  /* The step's events are the newest ones that carry its index. */
  for (guint i = n; i > 0 && n - i < MAX_EVENTS_SCANNED; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i - 1);

      if (sp_event_get_step (event) == (int) index)
        first = i - 1;
    }

  for (guint i = first; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      g_autoptr(GBytes) payload = NULL;
      SpEventKind event_kind = sp_event_get_kind (event);
      const guint8 *data;
      gsize size;

      if (sp_event_get_step (event) != (int) index ||
          (event_kind != SP_EVENT_SENT && event_kind != SP_EVENT_RECEIVED) ||
          !sp_event_get_ok (event))
        continue;

      /* A serve step both receives and sends: the first direction names it. */
      if (*kind == SP_EVENT_CALL)
        *kind = event_kind;
      *total += sp_event_get_bytes (event);

      payload = sp_event_get_payload (event);
      if (payload == NULL)
        continue;
      data = g_bytes_get_data (payload, &size);
      if (shown->len < limit)
        g_byte_array_append (shown, data, MIN (size, limit - shown->len));
    }
}

/* The hex lines of `data`, 16 bytes a line as in the traffic log's dump. */
static char *
format_hex_lines (const guint8 *data,
                  gsize         length)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (gsize offset = 0; offset < length; offset += SP_HEX_DUMP_BYTES_PER_LINE)
    {
      g_autofree char *line = sp_data_format_hex (data + offset,
                                                  MIN (SP_HEX_DUMP_BYTES_PER_LINE,
                                                       length - offset));

      if (out->len > 0)
        g_string_append_c (out, '\n');
      g_string_append (out, line);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Shows the bytes of step `index`, or hides the lines for a step that
 * moved none. */
static void
update_bytes (SpCaption *self,
              int        index)
{
  g_autoptr(GByteArray) shown = g_byte_array_new ();
  g_autoptr(SpDecoded) decoded = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *text = NULL;
  g_autofree char *more = NULL;
  SpEventKind kind = SP_EVENT_CALL;
  gsize total = 0;

  if (index >= 0)
    collect_bytes (self, (guint) index, MAX_SHOWN_BYTES, shown, &total, &kind);

  gtk_widget_set_visible (self->bytes_box, total > 0);
  if (total == 0)
    {
      gtk_label_set_text (self->bytes_label, "");
      gtk_label_set_text (self->hex_label, "");
      gtk_label_set_text (self->text_label, "");
      gtk_label_set_text (self->more_label, "");
      return;
    }

  if (kind == SP_EVENT_SENT)
    /* Translators: above the hex of what a step sent, "11 bytes sent" */
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'zu byte sent", "%'zu bytes sent",
                                            total),
                               total);
  else
    /* Translators: above the hex of what a step received */
    heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'zu byte received",
                                            "%'zu bytes received", total),
                               total);

  if (shown->len > 0)
    {
      hex = format_hex_lines (shown->data, shown->len);
      decoded = sp_decode (shown->data, shown->len, SP_ENCODING_UTF8, SP_DECODE_REPLACE);
      text = sp_decode_make_visible (decoded->text, decoded->length, SP_VISIBLE_NONE);
    }
  else
    {
      hex = g_strdup (_("(bytes dropped by the log limit)"));
    }

  if (total > shown->len)
    /* Translators: under a payload cut short, "… 1,024 more bytes" */
    more = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "… %'zu more byte", "… %'zu more bytes",
                                         total - shown->len),
                            total - shown->len);

  gtk_label_set_text (self->bytes_label, heading);
  gtk_label_set_text (self->hex_label, hex);
  gtk_label_set_text (self->text_label, text != NULL ? text : "");
  set_line (self->more_label, more);
}

/* Where step `index` went, as Python writes an address ("('127.0.0.1',
 * 43483)"): a peer bound to port 0 has the port the kernel gave it only
 * once it ran. NULL for a step that went nowhere, or not yet. */
static char *
find_destination (SpCaption *self,
                  guint      index)
{
  SpTrafficLog *log = sp_player_get_log (self->player);
  guint n = sp_traffic_log_get_n_appended (log);

  for (guint i = n; i > 0 && n - i < MAX_EVENTS_SCANNED; i--)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i - 1);
      SpCall call = sp_event_get_call (event);

      if (sp_event_get_step (event) == (int) index && sp_event_get_args (event) != NULL &&
          (call == SP_CALL_CONNECT || call == SP_CALL_CONNECT_EX || call == SP_CALL_SENDTO))
        return g_strdup (sp_event_get_args (event));
    }

  return NULL;
}

/* "client · connect", or the call alone for a call on no socket. */
static char *
step_title (SpStep *step)
{
  const char *call = sp_call_to_string (step->call);

  return step->socket != NULL ? g_strdup_printf ("%s · %s", step->socket, call)
                              : g_strdup (call);
}

static void
update (SpCaption *self)
{
  SpSession *session = self->player != NULL ? sp_player_get_session (self->player) : NULL;
  gboolean upcoming;
  int index = find_step (self, &upcoming);
  SpStep *step = index >= 0 ? sp_session_get_step (session, (guint) index) : NULL;
  SpStep *next_step = NULL;
  g_autofree char *counter = NULL;
  g_autofree char *title = NULL;
  g_autofree char *code = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *next = NULL;
  g_autofree char *description = NULL;
  const char *note = NULL;

  if (step == NULL)
    {
      set_line (self->counter_label, session != NULL ? _("This session has no steps yet") : NULL);
      set_line (self->title_label, NULL);
      set_line (self->code_label, NULL);
      set_line (self->note_label, NULL);
      set_line (self->problem_label, NULL);
      set_line (self->next_label, NULL);
      update_bytes (self, -1);
      return;
    }

  if (upcoming)
    {
      /* TRANSLATORS: the presentation caption before the first step runs */
      counter = g_strdup_printf (_("Next: step %u of %u"), (guint) index + 1,
                                 sp_session_get_n_steps (session));
    }
  else
    {
      /* TRANSLATORS: the presentation caption, "Step 3 of 12" */
      counter = g_strdup_printf (_("Step %u of %u"), (guint) index + 1,
                                 sp_session_get_n_steps (session));
    }

  if (step->call == SP_CALL_NOTE)
    {
      note = step->text;
    }
  else
    {
      g_autofree char *destination = !upcoming ? find_destination (self, (guint) index) : NULL;

      title = step_title (step);
      code = sp_codegen_step_python_to (session, step, destination);
      note = step->note;
      if (!upcoming)
        problem = find_problem (self, (guint) index);
    }

  /* What Space runs: what the steps panel highlights. */
  if (!upcoming)
    next_step = sp_session_get_step (session, (guint) index + 1);
  if (next_step != NULL)
    {
      g_autofree char *next_title = step_title (next_step);

      /* TRANSLATORS: the step after the one in the presentation caption */
      next = g_strdup_printf (_("Next: %s"), next_title);
    }

  set_line (self->counter_label, counter);
  set_line (self->title_label, title);
  set_line (self->code_label, code != NULL ? g_strstrip (code) : NULL);
  set_line (self->note_label, note);
  set_line (self->problem_label, problem);
  set_line (self->next_label, next);
  update_bytes (self, step->call != SP_CALL_NOTE && !upcoming ? index : -1);

  description = sp_caption_describe (self);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

static void
on_step_started (SpCaption *self,
                 guint      index)
{
  self->started = index;
  self->running = TRUE;
  update (self);
}

static void
on_step_finished (SpCaption *self,
                  guint      index)
{
  self->running = FALSE;
  update (self);
}

/* A restart drops what was running. */
static void
on_state_changed (SpCaption *self)
{
  if (sp_player_get_state (self->player) != SP_PLAYER_RUNNING)
    self->running = FALSE;
  update (self);
}

static void
sp_caption_dispose (GObject *object)
{
  SpCaption *self = SP_CAPTION (object);

  g_signal_group_set_target (self->player_signals, NULL);
  g_signal_group_set_target (self->steps_signals, NULL);
  g_clear_object (&self->player);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_CAPTION);

  G_OBJECT_CLASS (sp_caption_parent_class)->dispose (object);
}

static void
sp_caption_finalize (GObject *object)
{
  SpCaption *self = SP_CAPTION (object);

  g_clear_object (&self->player_signals);
  g_clear_object (&self->steps_signals);

  G_OBJECT_CLASS (sp_caption_parent_class)->finalize (object);
}

static void
sp_caption_class_init (SpCaptionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_caption_dispose;
  object_class->finalize = sp_caption_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-caption.ui");
  gtk_widget_class_bind_template_child (widget_class, SpCaption, counter_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, title_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, code_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, bytes_box);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, bytes_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, hex_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, text_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, more_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, note_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, problem_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, next_label);

  gtk_widget_class_set_css_name (widget_class, "stepcaption");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
sp_caption_init (SpCaption *self)
{
  PangoAttrList *attributes = pango_attr_list_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Bytes cut at any character must not look as if a '-' were among them. */
  pango_attr_list_insert (attributes, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (self->text_label, attributes);
  pango_attr_list_unref (attributes);

  self->player_signals = g_signal_group_new (SP_TYPE_PLAYER);
  g_signal_group_connect_swapped (self->player_signals, "step-started",
                                  G_CALLBACK (on_step_started), self);
  g_signal_group_connect_swapped (self->player_signals, "step-finished",
                                  G_CALLBACK (on_step_finished), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::position",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->player_signals, "notify::state",
                                  G_CALLBACK (on_state_changed), self);

  /* Steps edited, moved or recorded change what "step 3" is. */
  self->steps_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->steps_signals, "items-changed",
                                  G_CALLBACK (update), self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Current step"),
                                  -1);
  update (self);
}

GtkWidget *
sp_caption_new (void)
{
  return g_object_new (SP_TYPE_CAPTION, NULL);
}

void
sp_caption_set_player (SpCaption *self,
                       SpPlayer  *player)
{
  g_return_if_fail (SP_IS_CAPTION (self));
  g_return_if_fail (player == NULL || SP_IS_PLAYER (player));

  if (!g_set_object (&self->player, player))
    return;

  self->running = player != NULL && sp_player_get_state (player) == SP_PLAYER_RUNNING;
  self->started = player != NULL ? sp_player_get_position (player) : 0;
  g_signal_group_set_target (self->player_signals, player);
  g_signal_group_set_target (self->steps_signals,
                             player != NULL
                             ? sp_session_get_steps (sp_player_get_session (player))
                             : NULL);
  update (self);
}

int
sp_caption_get_step (SpCaption *self)
{
  gboolean upcoming;

  g_return_val_if_fail (SP_IS_CAPTION (self), -1);
  return find_step (self, &upcoming);
}

char *
sp_caption_describe (SpCaption *self)
{
  GtkLabel *lines[] = {
    self->counter_label, self->title_label, self->code_label,
    self->bytes_label, self->hex_label, self->text_label, self->more_label,
    self->note_label, self->problem_label, self->next_label,
  };
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (SP_IS_CAPTION (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      const char *text = gtk_label_get_text (lines[i]);

      if (!gtk_widget_get_visible (GTK_WIDGET (lines[i])) || text[0] == '\0')
        continue;
      /* TRANSLATORS: between the parts of the caption read out as one line */
      if (out->len > 0)
        g_string_append (out, i >= 3 ? _(" — ") : _(" · "));
      /* The hex comes in lines of 16 bytes. */
      for (const char *c = text; *c != '\0'; c++)
        g_string_append_c (out, *c == '\n' ? ' ' : *c);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
