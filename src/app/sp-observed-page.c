/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-labels.h"
#include "sp-observed-page.h"

struct _SpObservedPage
{
  GtkBox             parent_instance;

  SpObservedSockets *observed;
  char              *socket_id;

  GtkLabel          *driven_label;
  AdwActionRow      *kind_row;
  AdwActionRow      *state_row;
  AdwActionRow      *local_row;
  AdwActionRow      *remote_row;
  AdwActionRow      *listener_row;
};

G_DEFINE_FINAL_TYPE (SpObservedPage, sp_observed_page, GTK_TYPE_BOX)

/* A row's value is its subtitle. */
static void
set_value (AdwActionRow *row,
           const char   *value)
{
  gboolean known = value != NULL && *value != '\0';
  /* TRANSLATORS: what the page shows for an address not known yet */
  const char *text = known ? value : _("not known yet");

  adw_action_row_set_subtitle (row, text);
  /* libadwaita 1.2 does not tell a screen reader the subtitle. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                  -1);
}

static char *
kind_text (const SpObservedSocket *socket)
{
  if (socket->family_known && socket->type_known)
    return sp_socket_kind_label (socket->family, socket->type);
  if (socket->family_known)
    return g_strdup (sp_family_label (socket->family));
  if (socket->type_known)
    return g_strdup (sp_socket_type_label (socket->type));
  return g_strdup (_("not known yet"));
}

static void
update (SpObservedPage *self)
{
  const SpObservedSocket *socket = sp_observed_sockets_lookup (self->observed, self->socket_id);
  g_autofree char *driven = NULL;
  g_autofree char *kind = NULL;

  if (socket == NULL)
    return;

  /* TRANSLATORS: the program that makes a traced socket's calls, and its
   * process id: "Driven by server.py (pid 4242)" */
  driven = g_strdup_printf (_("Driven by %s (pid %d)"), socket->program_name, socket->pid);
  gtk_label_set_text (self->driven_label, driven);
  kind = kind_text (socket);
  set_value (self->kind_row, kind);
  set_value (self->state_row, sp_state_label (socket->state));
  set_value (self->local_row, socket->local);
  /* TRANSLATORS: a listening socket's remote address */
  set_value (self->remote_row, socket->listens ? _("none: a listener has no peer")
                                               : socket->remote);
  set_value (self->listener_row, socket->listener);
  gtk_widget_set_visible (GTK_WIDGET (self->listener_row), socket->listener != NULL);
}

static void
on_changed (SpObservedSockets *observed,
            SpObservedPage    *self)
{
  GPtrArray *changed = sp_observed_sockets_get_changed (observed);

  for (guint i = 0; i < changed->len; i++)
    {
      const SpObservedSocket *socket = g_ptr_array_index (changed, i);

      if (g_strcmp0 (socket->id, self->socket_id) == 0)
        {
          update (self);
          return;
        }
    }
}

static void
sp_observed_page_dispose (GObject *object)
{
  SpObservedPage *self = SP_OBSERVED_PAGE (object);

  if (self->observed != NULL)
    g_signal_handlers_disconnect_by_data (self->observed, self);
  g_clear_object (&self->observed);

  G_OBJECT_CLASS (sp_observed_page_parent_class)->dispose (object);
}

static void
sp_observed_page_finalize (GObject *object)
{
  SpObservedPage *self = SP_OBSERVED_PAGE (object);

  g_free (self->socket_id);

  G_OBJECT_CLASS (sp_observed_page_parent_class)->finalize (object);
}

static void
sp_observed_page_class_init (SpObservedPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sp_observed_page_dispose;
  object_class->finalize = sp_observed_page_finalize;
}

static AdwActionRow *
add_row (GtkWidget  *group,
         const char *title)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_add_css_class (row, "property");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  return ADW_ACTION_ROW (row);
}

static void
sp_observed_page_init (SpObservedPage *self)
{
  GtkWidget *note;
  GtkWidget *group;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 12);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 12);

  self->driven_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->driven_label, 0);
  gtk_label_set_wrap (self->driven_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->driven_label), "title-4");
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->driven_label));

  note = gtk_label_new (_("The program makes this socket’s calls: watch them here, in the "
                          "sequence chart and in the traffic log."));
  gtk_label_set_xalign (GTK_LABEL (note), 0);
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (self), note);

  group = adw_preferences_group_new ();
  self->kind_row = add_row (group, _("Kind"));
  self->state_row = add_row (group, _("State"));
  self->local_row = add_row (group, _("Local address"));
  self->remote_row = add_row (group, _("Remote address"));
  self->listener_row = add_row (group, _("Accepted by"));
  gtk_box_append (GTK_BOX (self), group);
}

GtkWidget *
sp_observed_page_new (SpObservedSockets *observed)
{
  SpObservedPage *self;

  g_return_val_if_fail (SP_IS_OBSERVED_SOCKETS (observed), NULL);

  self = g_object_new (SP_TYPE_OBSERVED_PAGE, NULL);
  self->observed = g_object_ref (observed);
  g_signal_connect (observed, "changed", G_CALLBACK (on_changed), self);
  return GTK_WIDGET (self);
}

void
sp_observed_page_set_socket_id (SpObservedPage *self,
                                const char     *socket_id)
{
  g_return_if_fail (SP_IS_OBSERVED_PAGE (self));

  /* g_set_str is GLib 2.76. */
  if (g_strcmp0 (self->socket_id, socket_id) == 0)
    return;

  g_free (self->socket_id);
  self->socket_id = g_strdup (socket_id);
  update (self);
}

const char *
sp_observed_page_get_socket_id (SpObservedPage *self)
{
  g_return_val_if_fail (SP_IS_OBSERVED_PAGE (self), NULL);
  return self->socket_id;
}
