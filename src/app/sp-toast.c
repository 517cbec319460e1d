/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-toast.h"

/* Long enough to read an error message out loud in a lecture. */
#define TOAST_SECONDS 6

void
sp_toast_show (GtkWidget  *widget,
               const char *message)
{
  GtkWidget *overlay;
  AdwToast *toast;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay == NULL)
    return;

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, TOAST_SECONDS);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}
