/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-code-view.h"

struct _SpCodeView
{
  AdwBin    parent_instance;

  SpPlayer *player;
};

G_DEFINE_FINAL_TYPE (SpCodeView, sp_code_view, ADW_TYPE_BIN)

static void
sp_code_view_dispose (GObject *object)
{
  SpCodeView *self = SP_CODE_VIEW (object);

  g_clear_object (&self->player);
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
}

static void
sp_code_view_init (SpCodeView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sp_code_view_new (void)
{
  return g_object_new (SP_TYPE_CODE_VIEW, NULL);
}

void
sp_code_view_set_player (SpCodeView *self,
                SpPlayer *player)
{
  g_return_if_fail (SP_IS_CODE_VIEW (self));

  g_set_object (&self->player, player);
}
