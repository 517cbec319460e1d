/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define SP_TYPE_WRAP_BOX (sp_wrap_box_get_type ())

G_DECLARE_FINAL_TYPE (SpWrapBox, sp_wrap_box, SP, WRAP_BOX, GtkWidget)

/* Children in a row, each at its natural width, wrapping to a new line
 * where the next would not fit, as words in a paragraph (GTK 4.8 has no
 * such box, and a GtkFlowBox aligns its children in columns). Children are
 * added with <child> in a .ui file or sp_wrap_box_append(). Properties
 * "column-spacing" and "row-spacing". */

GtkWidget *sp_wrap_box_new    (void);
void       sp_wrap_box_append (SpWrapBox *self,
                               GtkWidget *child);

G_END_DECLS
