/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-row-ramp.h"

/* Rows a frame while ramping, and the length from which the view has made
 * all the row widgets it keeps (GTK 4.8 keeps up to 200). */
#define RAMP_STEP 8
#define RAMP_END  256

struct _SpRowRamp
{
  GObject            parent_instance;

  GListModel        *model;
  GtkSliceListModel *slice;
  GtkWidget         *widget;   /* weak */
  guint              tick_id;
};

G_DEFINE_FINAL_TYPE (SpRowRamp, sp_row_ramp, G_TYPE_OBJECT)

static void
stop_ticking (SpRowRamp *self)
{
  if (self->tick_id != 0 && self->widget != NULL)
    gtk_widget_remove_tick_callback (self->widget, self->tick_id);
  self->tick_id = 0;
}

static gboolean
on_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  SpRowRamp *self = user_data;
  guint size = gtk_slice_list_model_get_size (self->slice);
  guint n_items = g_list_model_get_n_items (self->model);

  /* Ticking keeps the frame clock awake: only while rows wait. */
  if (n_items <= size)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }

  if (size + RAMP_STEP >= RAMP_END)
    {
      self->tick_id = 0;
      gtk_slice_list_model_set_size (self->slice, G_MAXUINT);
      return G_SOURCE_REMOVE;
    }

  gtk_slice_list_model_set_size (self->slice, size + RAMP_STEP);
  return G_SOURCE_CONTINUE;
}

static void
start_ticking (SpRowRamp *self)
{
  if (self->tick_id == 0 && self->widget != NULL)
    self->tick_id = gtk_widget_add_tick_callback (self->widget, on_tick, self, NULL);
}

/* Runs after the slice has followed the change: a model that became short
 * starts the ramp again before it can grow in one go. */
static void
on_items_changed (SpRowRamp *self)
{
  guint n_items = g_list_model_get_n_items (self->model);
  guint size = gtk_slice_list_model_get_size (self->slice);

  if (size == G_MAXUINT)
    {
      if (n_items >= RAMP_END)
        return;
      size = n_items + RAMP_STEP;
      gtk_slice_list_model_set_size (self->slice, size);
    }

  if (n_items > size)
    start_ticking (self);
}

static void
sp_row_ramp_dispose (GObject *object)
{
  SpRowRamp *self = SP_ROW_RAMP (object);

  stop_ticking (self);
  if (self->widget != NULL)
    g_object_remove_weak_pointer (G_OBJECT (self->widget), (gpointer *) &self->widget);
  self->widget = NULL;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->slice);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (sp_row_ramp_parent_class)->dispose (object);
}

static void
sp_row_ramp_class_init (SpRowRampClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sp_row_ramp_dispose;
}

static void
sp_row_ramp_init (SpRowRamp *self)
{
}

SpRowRamp *
sp_row_ramp_new (GListModel *model,
                 GtkWidget  *widget)
{
  SpRowRamp *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  self = g_object_new (SP_TYPE_ROW_RAMP, NULL);
  self->model = g_object_ref (model);
  self->widget = widget;
  g_object_add_weak_pointer (G_OBJECT (widget), (gpointer *) &self->widget);

  /* Connected after the slice's own handler, so that it runs after it. */
  self->slice = gtk_slice_list_model_new (g_object_ref (model), 0, G_MAXUINT);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (on_items_changed), self);
  on_items_changed (self);

  return self;
}

GListModel *
sp_row_ramp_get_model (SpRowRamp *self)
{
  g_return_val_if_fail (SP_IS_ROW_RAMP (self), NULL);

  return G_LIST_MODEL (self->slice);
}

void
sp_row_ramp_show_all (SpRowRamp *self)
{
  g_return_if_fail (SP_IS_ROW_RAMP (self));

  stop_ticking (self);
  gtk_slice_list_model_set_size (self->slice, G_MAXUINT);
}
