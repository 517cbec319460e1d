/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-wrap-box.h"

struct _SpWrapBox
{
  GtkWidget  parent_instance;

  int        column_spacing;
  int        row_spacing;
};

G_DEFINE_FINAL_TYPE (SpWrapBox, sp_wrap_box, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_COLUMN_SPACING,
  PROP_ROW_SPACING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Lays the visible children out in lines within `width`; calls `place`
 * for each child with its box when `place` is set. Returns the height. */
static int
lay_out (SpWrapBox *self,
         int        width,
         void     (*place) (GtkWidget *child, int x, int y, int w, int h))
{
  GtkWidget *line_start = gtk_widget_get_first_child (GTK_WIDGET (self));
  int y = 0;

  while (line_start != NULL)
    {
      GtkWidget *child;
      GtkWidget *line_end = NULL;
      int line_width = 0;
      int line_height = 0;
      int x = 0;

      /* Take children while they fit; a line holds at least one. */
      for (child = line_start; child != NULL; child = gtk_widget_get_next_sibling (child))
        {
          int natural;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
          natural = MIN (natural, width);
          if (line_end != NULL && line_width + self->column_spacing + natural > width)
            break;
          line_width += (line_end != NULL ? self->column_spacing : 0) + natural;
          line_end = child;
        }

      if (line_end == NULL)
        break;

      for (child = line_start; ; child = gtk_widget_get_next_sibling (child))
        {
          int natural_width, natural_height;

          if (gtk_widget_should_layout (child))
            {
              gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural_width,
                                  NULL, NULL);
              natural_width = MIN (natural_width, width);
              gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, natural_width, NULL,
                                  &natural_height, NULL, NULL);
              line_height = MAX (line_height, natural_height);
            }
          if (child == line_end)
            break;
        }

      for (child = line_start; ; child = gtk_widget_get_next_sibling (child))
        {
          if (gtk_widget_should_layout (child))
            {
              int natural_width;

              gtk_widget_measure (child, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural_width,
                                  NULL, NULL);
              natural_width = MIN (natural_width, width);
              if (place != NULL)
                place (child, x, y, natural_width, line_height);
              x += natural_width + self->column_spacing;
            }
          if (child == line_end)
            break;
        }

      y += line_height + self->row_spacing;
      line_start = gtk_widget_get_next_sibling (line_end);
    }

  return y > 0 ? y - self->row_spacing : 0;
}

static void
place_child (GtkWidget *child,
             int        x,
             int        y,
             int        width,
             int        height)
{
  gtk_widget_size_allocate (child, &(GtkAllocation) { x, y, width, height }, -1);
}

static GtkSizeRequestMode
sp_wrap_box_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
sp_wrap_box_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  SpWrapBox *self = SP_WRAP_BOX (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int widest = 0;
      int total = 0;
      gboolean first = TRUE;

      /* At least the widest child; at best everything on one line. */
      for (GtkWidget *child = gtk_widget_get_first_child (widget);
           child != NULL;
           child = gtk_widget_get_next_sibling (child))
        {
          int child_minimum, child_natural;

          if (!gtk_widget_should_layout (child))
            continue;
          gtk_widget_measure (child, orientation, -1, &child_minimum, &child_natural, NULL, NULL);
          widest = MAX (widest, child_minimum);
          total += child_natural + (first ? 0 : self->column_spacing);
          first = FALSE;
        }
      *minimum = widest;
      *natural = total;
    }
  else
    {
      int height = lay_out (self, for_size >= 0 ? for_size : G_MAXINT / 2, NULL);

      *minimum = height;
      *natural = height;
    }
}

static void
sp_wrap_box_size_allocate (GtkWidget *widget,
                           int        width,
                           int        height,
                           int        baseline)
{
  lay_out (SP_WRAP_BOX (widget), width, place_child);
}

static void
sp_wrap_box_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SpWrapBox *self = SP_WRAP_BOX (object);

  switch (prop_id)
    {
    case PROP_COLUMN_SPACING:
      g_value_set_int (value, self->column_spacing);
      break;

    case PROP_ROW_SPACING:
      g_value_set_int (value, self->row_spacing);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sp_wrap_box_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  SpWrapBox *self = SP_WRAP_BOX (object);
  int *slot = prop_id == PROP_COLUMN_SPACING ? &self->column_spacing : &self->row_spacing;

  if (prop_id != PROP_COLUMN_SPACING && prop_id != PROP_ROW_SPACING)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  if (*slot != g_value_get_int (value))
    {
      *slot = g_value_get_int (value);
      gtk_widget_queue_resize (GTK_WIDGET (self));
      g_object_notify_by_pspec (object, pspec);
    }
}

static void
sp_wrap_box_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (sp_wrap_box_parent_class)->dispose (object);
}

static void
sp_wrap_box_class_init (SpWrapBoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = sp_wrap_box_get_property;
  object_class->set_property = sp_wrap_box_set_property;
  object_class->dispose = sp_wrap_box_dispose;
  widget_class->get_request_mode = sp_wrap_box_get_request_mode;
  widget_class->measure = sp_wrap_box_measure;
  widget_class->size_allocate = sp_wrap_box_size_allocate;

  properties[PROP_COLUMN_SPACING] =
    g_param_spec_int ("column-spacing", NULL, NULL, 0, G_MAXINT16, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROW_SPACING] =
    g_param_spec_int ("row-spacing", NULL, NULL, 0, G_MAXINT16, 0,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
sp_wrap_box_init (SpWrapBox *self)
{
}

GtkWidget *
sp_wrap_box_new (void)
{
  return g_object_new (SP_TYPE_WRAP_BOX, NULL);
}

void
sp_wrap_box_append (SpWrapBox *self,
                    GtkWidget *child)
{
  g_return_if_fail (SP_IS_WRAP_BOX (self));
  g_return_if_fail (GTK_IS_WIDGET (child));

  gtk_widget_insert_before (child, GTK_WIDGET (self), NULL);
}
