/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-caption.h"
#include "sp-codegen.h"
#include "sp-errno.h"

/* How far back from the newest event a step's failed call is looked for:
 * a step makes a handful of events, a repeated one a few more. */
#define MAX_EVENTS_SCANNED 256

struct _SpCaption
{
  AdwBin        parent_instance;

  GtkLabel     *counter_label;
  GtkLabel     *title_label;
  GtkLabel     *code_label;
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

/* "client · connect", or the call alone for a call on no socket. */
static char *
step_title (SpStep *step)
{
  const char *call = sp_call_to_string (step->call);

  return step->socket != NULL ? g_strdup_printf ("%s · %s", step->socket, call)
                              : g_strdup (call);
}

static void
set_line (GtkLabel   *label,
          const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && text[0] != '\0');
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
      title = step_title (step);
      code = sp_codegen_step_python (session, step);
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
  gtk_widget_class_bind_template_child (widget_class, SpCaption, note_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, problem_label);
  gtk_widget_class_bind_template_child (widget_class, SpCaption, next_label);

  gtk_widget_class_set_css_name (widget_class, "stepcaption");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_STATUS);
}

static void
sp_caption_init (SpCaption *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

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
    self->counter_label, self->title_label, self->code_label, self->note_label,
    self->problem_label, self->next_label,
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
      g_string_append (out, text);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
