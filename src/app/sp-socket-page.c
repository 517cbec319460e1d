/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-socket-page.h"

struct _SpSocketPage
{
  AdwBin    parent_instance;

  SpPlayer *player;
};

G_DEFINE_FINAL_TYPE (SpSocketPage, sp_socket_page, ADW_TYPE_BIN)

static void
sp_socket_page_dispose (GObject *object)
{
  SpSocketPage *self = SP_SOCKET_PAGE (object);

  g_clear_object (&self->player);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_SOCKET_PAGE);

  G_OBJECT_CLASS (sp_socket_page_parent_class)->dispose (object);
}

static void
sp_socket_page_class_init (SpSocketPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_socket_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-socket-page.ui");
}

static void
sp_socket_page_init (SpSocketPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sp_socket_page_new (void)
{
  return g_object_new (SP_TYPE_SOCKET_PAGE, NULL);
}

void
sp_socket_page_set_player (SpSocketPage *self,
                SpPlayer *player)
{
  g_return_if_fail (SP_IS_SOCKET_PAGE (self));

  g_set_object (&self->player, player);
}
