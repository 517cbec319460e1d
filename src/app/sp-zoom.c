/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "sp-zoom.h"

/* The steps Ctrl+Plus and Ctrl+Minus go through, as a web browser's: small
 * near 100%, larger further out. */
static const double levels[] = {
  0.5, 0.67, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0,
};

/* Whole percents, without libm (isnan is a macro). */
static int
percent (double zoom)
{
  return (int) (zoom * 100 + 0.5);
}

/* A stored zoom may lie between the levels: the next one is a visible step. */
#define LEVEL_EPSILON 0.005

double
sp_zoom_clamp (double zoom)
{
  if (isnan (zoom))
    return SP_ZOOM_DEFAULT;
  return CLAMP (zoom, SP_ZOOM_MIN, SP_ZOOM_MAX);
}

double
sp_zoom_in (double zoom)
{
  zoom = sp_zoom_clamp (zoom);
  for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
    {
      if (levels[i] > zoom + LEVEL_EPSILON)
        return levels[i];
    }

  return zoom;
}

double
sp_zoom_out (double zoom)
{
  zoom = sp_zoom_clamp (zoom);
  for (guint i = G_N_ELEMENTS (levels); i > 0; i--)
    {
      if (levels[i - 1] < zoom - LEVEL_EPSILON)
        return levels[i - 1];
    }

  return zoom;
}

char *
sp_zoom_format (double zoom)
{
  /* TRANSLATORS: a zoom level, "125%" */
  return g_strdup_printf (_("%d%%"), percent (sp_zoom_clamp (zoom)));
}

/* libadwaita's sizes in points (its _typography.scss and the column view's
 * header), for the widgets this application uses them on. */
static const struct
{
  const char *selector;
  double      points;
} fixed_sizes[] = {
  { ".large-title", 24 },
  { ".title-1", 20 },
  { ".title-2", 15 },
  { ".title-3", 15 },
  { ".title-4", 13 },
  { ".heading", 11 },
  { ".body", 11 },
  { ".caption-heading", 9 },
  { ".caption", 9 },
  { "columnview.view > header > button > box", 9 },
};

/* One provider for the display: the zoom is the application's, every
 * window shows the same. */
void
sp_zoom_apply (GdkDisplay *display,
               double      zoom)
{
  static GQuark provider_quark;
  GtkCssProvider *provider;
  g_autoptr(GString) css = g_string_new (NULL);

  g_return_if_fail (GDK_IS_DISPLAY (display));

  if (provider_quark == 0)
    provider_quark = g_quark_from_static_string ("sp-zoom-provider");

  provider = g_object_get_qdata (G_OBJECT (display), provider_quark);
  if (provider == NULL)
    {
      provider = gtk_css_provider_new ();
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_object_set_qdata_full (G_OBJECT (display), provider_quark, provider, g_object_unref);
    }

  zoom = sp_zoom_clamp (zoom);
  /* A percentage of the desktop's font size: everything inherits it, and
   * the diagrams measure themselves from the font. Whole percents keep the
   * CSS free of the locale's decimal separator. */
  g_string_append_printf (css,
                          "window.sp-window { font-size: %d%%; }\n"
                          "window.sp-window.presentation { font-size: %d%%; }\n",
                          percent (zoom), percent (zoom * SP_ZOOM_PRESENTATION));

  /* libadwaita sets its type scale (.title-1, .heading, ...) in points,
   * which inherit nothing: they are scaled here, to whole points. */
  for (guint i = 0; i < G_N_ELEMENTS (fixed_sizes); i++)
    g_string_append_printf (css,
                            "window.sp-window %s { font-size: %dpt; }\n"
                            "window.sp-window.presentation %s { font-size: %dpt; }\n",
                            fixed_sizes[i].selector,
                            (int) (fixed_sizes[i].points * zoom + 0.5),
                            fixed_sizes[i].selector,
                            (int) (fixed_sizes[i].points * zoom * SP_ZOOM_PRESENTATION + 0.5));

  gtk_css_provider_load_from_data (provider, css->str, -1);
}

static GtkWidget *
zoom_button (const char *icon_name,
             const char *action_name,
             const char *tooltip)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action_name);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_add_css_class (button, "circular");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  return button;
}

GtkWidget *
sp_zoom_control_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *reset = gtk_button_new ();

  gtk_widget_add_css_class (box, "zoom-control");
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (reset), "win.zoom-reset");
  gtk_widget_set_tooltip_text (reset, _("Reset Zoom (Ctrl+0)"));
  gtk_widget_add_css_class (reset, "flat");
  gtk_widget_add_css_class (reset, "numeric");
  gtk_widget_set_hexpand (reset, TRUE);

  gtk_box_append (GTK_BOX (box), zoom_button ("zoom-out-symbolic", "win.zoom-out",
                                              _("Zoom Out (Ctrl+Minus)")));
  gtk_box_append (GTK_BOX (box), reset);
  gtk_box_append (GTK_BOX (box), zoom_button ("zoom-in-symbolic", "win.zoom-in",
                                              _("Zoom In (Ctrl+Plus)")));

  g_object_set_data (G_OBJECT (box), "sp-zoom-reset", reset);
  sp_zoom_control_set_zoom (box, SP_ZOOM_DEFAULT);
  return box;
}

void
sp_zoom_control_set_zoom (GtkWidget *control,
                          double     zoom)
{
  GtkWidget *reset;
  g_autofree char *text = sp_zoom_format (zoom);
  g_autofree char *description = NULL;

  g_return_if_fail (GTK_IS_WIDGET (control));

  reset = g_object_get_data (G_OBJECT (control), "sp-zoom-reset");
  gtk_button_set_label (GTK_BUTTON (reset), text);
  /* TRANSLATORS: what a screen reader says for the zoom level button,
   * "Zoom 125%, reset to 100%" */
  description = g_strdup_printf (_("Zoom %s, reset to 100%%"), text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (reset),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
}
