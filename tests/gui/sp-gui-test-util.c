/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "sp-gui-test-util.h"

#define WAIT_SECONDS 15

typedef gboolean (*Match) (GtkWidget *widget, gconstpointer a, gconstpointer b);

static GtkWidget *
find (GtkWidget     *widget,
      Match          match,
      gconstpointer  a,
      gconstpointer  b)
{
  if (match (widget, a, b))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find (child, match, a, b);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static gboolean
matches (GtkWidget     *widget,
         gconstpointer  match,
         gconstpointer  data)
{
  return ((SpGuiMatch) match) (widget, (gpointer) data);
}

GtkWidget *
sp_gui_find_matching (GtkWidget  *widget,
                      SpGuiMatch  match,
                      gpointer    data)
{
  return find (widget, matches, match, data);
}

static gboolean
is_of_type (GtkWidget     *widget,
            gconstpointer  type,
            gconstpointer  unused)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, *(const GType *) type);
}

GtkWidget *
sp_gui_find_descendant (GtkWidget *widget,
                        GType      type)
{
  return find (widget, is_of_type, &type, NULL);
}

static gboolean
has_tooltip (GtkWidget     *widget,
             gconstpointer  tooltip,
             gconstpointer  unused)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

GtkWidget *
sp_gui_find_by_tooltip (GtkWidget  *widget,
                        const char *tooltip)
{
  return find (widget, has_tooltip, tooltip, NULL);
}

static gboolean
has_label (GtkWidget     *widget,
           gconstpointer  type,
           gconstpointer  label)
{
  g_autofree char *problem = NULL;

  if (!G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type)) ||
      !gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return FALSE;

  problem = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, label);
  return problem == NULL;
}

GtkWidget *
sp_gui_find_by_label (GtkWidget  *widget,
                      GType       type,
                      const char *label)
{
  return find (widget, has_label, GSIZE_TO_POINTER (type), label);
}

GtkWidget *
sp_gui_find_socket_row (GtkWidget  *window,
                        const char *id)
{
  GtkWidget *list = sp_gui_find_by_label (window, GTK_TYPE_LIST_BOX, "Sockets");

  for (GtkWidget *row = list != NULL ? gtk_widget_get_first_child (list) : NULL;
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      if (ADW_IS_PREFERENCES_ROW (row) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), id) == 0)
        return row;
    }

  return NULL;
}

static gboolean
has_action (GtkWidget     *widget,
            gconstpointer  action_name,
            gconstpointer  target)
{
  GVariant *value;

  if (!GTK_IS_ACTIONABLE (widget) ||
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) != 0)
    return FALSE;

  if (target == NULL)
    return TRUE;

  value = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (widget));
  return value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) &&
         g_str_equal (g_variant_get_string (value, NULL), target);
}

GtkWidget *
sp_gui_find_actionable (GtkWidget  *widget,
                        const char *action_name,
                        const char *target)
{
  return find (widget, has_action, action_name, target);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
sp_gui_iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
fail_on_timeout (gpointer data)
{
  g_error ("Timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

void
sp_gui_wait_for (const char  *what,
                 gboolean   (*done) (gpointer data),
                 gpointer     data)
{
  guint timeout_id = g_timeout_add_seconds (WAIT_SECONDS, fail_on_timeout, (gpointer) what);

  while (!done (data))
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (timeout_id);
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

void
sp_gui_wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (widget);
  sp_gui_wait_for ("a frame", flag_is_set, &painted);
  g_signal_handler_disconnect (clock, handler);
}
