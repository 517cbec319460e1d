/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-event-list.h"

struct _SpEventList
{
  AdwBin    parent_instance;

  SpPlayer *player;
};

G_DEFINE_FINAL_TYPE (SpEventList, sp_event_list, ADW_TYPE_BIN)

static void
sp_event_list_dispose (GObject *object)
{
  SpEventList *self = SP_EVENT_LIST (object);

  g_clear_object (&self->player);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_EVENT_LIST);

  G_OBJECT_CLASS (sp_event_list_parent_class)->dispose (object);
}

static void
sp_event_list_class_init (SpEventListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_event_list_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-event-list.ui");
}

static void
sp_event_list_init (SpEventList *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sp_event_list_new (void)
{
  return g_object_new (SP_TYPE_EVENT_LIST, NULL);
}

void
sp_event_list_set_player (SpEventList *self,
                SpPlayer *player)
{
  g_return_if_fail (SP_IS_EVENT_LIST (self));

  g_set_object (&self->player, player);
}
