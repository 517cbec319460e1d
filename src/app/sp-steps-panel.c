/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-steps-panel.h"

struct _SpStepsPanel
{
  AdwBin    parent_instance;

  SpPlayer *player;
};

G_DEFINE_FINAL_TYPE (SpStepsPanel, sp_steps_panel, ADW_TYPE_BIN)

static void
sp_steps_panel_dispose (GObject *object)
{
  SpStepsPanel *self = SP_STEPS_PANEL (object);

  g_clear_object (&self->player);
  gtk_widget_dispose_template (GTK_WIDGET (object), SP_TYPE_STEPS_PANEL);

  G_OBJECT_CLASS (sp_steps_panel_parent_class)->dispose (object);
}

static void
sp_steps_panel_class_init (SpStepsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sp_steps_panel_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/ui/sp-steps-panel.ui");
}

static void
sp_steps_panel_init (SpStepsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
sp_steps_panel_new (void)
{
  return g_object_new (SP_TYPE_STEPS_PANEL, NULL);
}

void
sp_steps_panel_set_player (SpStepsPanel *self,
                SpPlayer *player)
{
  g_return_if_fail (SP_IS_STEPS_PANEL (self));

  g_set_object (&self->player, player);
}
