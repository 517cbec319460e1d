/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <signal.h>
#include <string.h>
#include <vte/vte.h>

#include "sp-program-view.h"
#include "sp-trace.h"

/* How long a program asked to stop may take before it is ended. */
#define STOP_GRACE_MS 1000
/* How many bytes of each send or receive the trace reports and the
 * recording keeps. */
#define RECORDED_DATA_LIMIT (64 * 1024)

struct _SpProgramView
{
  GtkBox        parent_instance;

  SpTrafficLog *log;
  SpRecording  *recording;
  SpTrace      *trace;
  VtePty       *pty;
  char         *title;

  GtkLabel     *title_label;
  GtkLabel     *status_label;
  GtkButton    *stop_button;
  VteTerminal  *terminal;
};

G_DEFINE_FINAL_TYPE (SpProgramView, sp_program_view, GTK_TYPE_BOX)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_RUNNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
describe_exit (int status)
{
  if (status > 128 && status < 128 + 65)
    {
      int signal_number = status - 128;
      const char *name = sigabbrev_np (signal_number);

      /* Translators: how a program ended: "Ended by signal 15 (SIGTERM)" */
      return g_strdup_printf (_("Ended by signal %d (SIG%s)"), signal_number,
                              name != NULL ? name : "?");
    }

  return g_strdup_printf (_("Exited with status %d"), status);
}

static void
on_exited (SpTrace       *trace,
           int            status,
           SpProgramView *self)
{
  g_autofree char *text = describe_exit (status);

  gtk_label_set_text (self->status_label, text);
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "accent");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), status == 0 ? "success" : "error");
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
on_stop_clicked (SpProgramView *self)
{
  sp_program_view_stop (self);
}

static void
sp_program_view_dispose (GObject *object)
{
  SpProgramView *self = SP_PROGRAM_VIEW (object);

  /* A view that goes takes its program with it. */
  if (self->trace != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->trace, self);
      if (sp_trace_get_running (self->trace))
        sp_trace_stop (self->trace, 0);
    }
  g_clear_object (&self->trace);
  g_clear_object (&self->pty);
  g_clear_object (&self->log);
  g_clear_object (&self->recording);

  G_OBJECT_CLASS (sp_program_view_parent_class)->dispose (object);
}

static void
sp_program_view_finalize (GObject *object)
{
  SpProgramView *self = SP_PROGRAM_VIEW (object);

  g_free (self->title);

  G_OBJECT_CLASS (sp_program_view_parent_class)->finalize (object);
}

static void
sp_program_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SpProgramView *self = SP_PROGRAM_VIEW (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_RUNNING:
      g_value_set_boolean (value, sp_program_view_get_running (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Focusing the view is focusing its terminal: what the user types next
 * is the program's input. */
static gboolean
sp_program_view_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (SP_PROGRAM_VIEW (widget)->terminal));
}

static void
sp_program_view_class_init (SpProgramViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->grab_focus = sp_program_view_grab_focus;

  object_class->dispose = sp_program_view_dispose;
  object_class->finalize = sp_program_view_finalize;
  object_class->get_property = sp_program_view_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sp_program_view_init (SpProgramView *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *scrolled;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);

  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 6);
  gtk_widget_set_margin_top (header, 6);
  gtk_widget_set_margin_bottom (header, 6);

  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->title_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (self->title_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "heading");
  gtk_widget_set_hexpand (GTK_WIDGET (self->title_label), TRUE);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->title_label));

  self->status_label = GTK_LABEL (gtk_label_new (_("Not started")));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->status_label));

  self->stop_button = GTK_BUTTON (gtk_button_new_from_icon_name ("media-playback-stop-symbolic"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->stop_button), _("Stop the Program"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stop_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stop the Program"), -1);
  gtk_widget_add_css_class (GTK_WIDGET (self->stop_button), "flat");
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), FALSE);
  g_signal_connect_swapped (self->stop_button, "clicked", G_CALLBACK (on_stop_clicked), self);
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->stop_button));

  gtk_box_append (GTK_BOX (self), header);

  self->terminal = VTE_TERMINAL (vte_terminal_new ());
  vte_terminal_set_scrollback_lines (self->terminal, 10000);
  gtk_widget_set_vexpand (GTK_WIDGET (self->terminal), TRUE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->terminal), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->terminal),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("The program’s terminal"), -1);
  scrolled = gtk_scrolled_window_new ();
  /* The terminal takes the panel's width, whatever its columns would ask
   * for: a wider request would fold the panels away. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_EXTERNAL,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->terminal));
  gtk_box_append (GTK_BOX (self), scrolled);
}

SpProgramView *
sp_program_view_new (SpTrafficLog *log,
                     SpRecording  *recording)
{
  SpProgramView *self;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);
  g_return_val_if_fail (recording == NULL || SP_IS_RECORDING (recording), NULL);

  self = g_object_new (SP_TYPE_PROGRAM_VIEW, NULL);
  self->log = g_object_ref (log);
  if (recording != NULL)
    self->recording = g_object_ref (recording);
  return self;
}

gboolean
sp_program_view_start (SpProgramView       *self,
                       const char * const  *argv,
                       GError             **error)
{
  g_autofree char *command = NULL;

  g_return_val_if_fail (SP_IS_PROGRAM_VIEW (self), FALSE);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, FALSE);
  g_return_val_if_fail (self->trace == NULL, FALSE);

  self->pty = vte_pty_new_sync (VTE_PTY_DEFAULT, NULL, error);
  if (self->pty == NULL)
    return FALSE;

  self->trace = sp_trace_new (self->log);
  if (self->recording != NULL)
    {
      sp_trace_set_recording (self->trace, self->recording);
      /* What a recording sends again is what the program sent: a send of
       * a page is common, of more than this rare in a lecture's programs,
       * and each report of it is copied out of the program. */
      sp_trace_set_data_limit (self->trace, RECORDED_DATA_LIMIT);
    }
  /* The program's terminal is this one: standard input, output and error,
   * and the controlling terminal, so that input() and Ctrl+C work. */
  sp_trace_set_child_setup (self->trace, (GSpawnChildSetupFunc) vte_pty_child_setup,
                            g_object_ref (self->pty), g_object_unref);
  g_signal_connect (self->trace, "exited", G_CALLBACK (on_exited), self);
  if (!sp_trace_start (self->trace, argv, error))
    {
      g_signal_handlers_disconnect_by_data (self->trace, self);
      g_clear_object (&self->trace);
      return FALSE;
    }

  vte_terminal_set_pty (self->terminal, self->pty);
  self->title = g_strdup (sp_trace_get_program (self->trace));
  command = g_strjoinv (" ", (char **) argv);
  gtk_label_set_text (self->title_label, command);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_label), command);
  gtk_label_set_text (self->status_label, _("Running"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "accent");
  gtk_widget_set_sensitive (GTK_WIDGET (self->stop_button), TRUE);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

void
sp_program_view_stop (SpProgramView *self)
{
  g_return_if_fail (SP_IS_PROGRAM_VIEW (self));

  if (self->trace != NULL && sp_trace_get_running (self->trace))
    sp_trace_stop (self->trace, STOP_GRACE_MS);
}

const char *
sp_program_view_get_title (SpProgramView *self)
{
  g_return_val_if_fail (SP_IS_PROGRAM_VIEW (self), NULL);
  return self->title;
}

gboolean
sp_program_view_get_running (SpProgramView *self)
{
  g_return_val_if_fail (SP_IS_PROGRAM_VIEW (self), FALSE);
  return self->trace != NULL && sp_trace_get_running (self->trace);
}

int
sp_program_view_get_exit_status (SpProgramView *self)
{
  g_return_val_if_fail (SP_IS_PROGRAM_VIEW (self), -1);

  if (self->trace == NULL || sp_trace_get_running (self->trace))
    return -1;
  return sp_trace_get_exit_status (self->trace);
}
