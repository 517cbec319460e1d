/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* An input field's error, shown the same way everywhere: the field marked
 * with the "error" style and as invalid for a screen reader, which also
 * reads the message as its description, and the message in `message_widget`
 * (a GtkLabel, or an AdwPreferencesRow whose title it becomes), shown only
 * while there is an error. `message` NULL clears it. */
void     sp_field_set_error       (GtkWidget   *field,
                                   GtkWidget   *message_widget,
                                   const char  *message);

/* Sets an editable's text, unless it says that already: rewriting equal
 * text would move the cursor of someone typing. */
void     sp_field_set_text        (GtkEditable *field,
                                   const char  *text);

/* Parses a whole number from `min` to `max`; the error names `field`. */
gboolean sp_field_parse_number    (const char  *text,
                                   const char  *field,
                                   gint64       min,
                                   gint64       max,
                                   gint64      *value,
                                   GError     **error);

/* Whether `text` is an address of `family` a socket can use: a literal
 * address, a host name (looked up when the step runs, without blocking), a
 * UNIX path or @abstract name. The error names `field`. */
gboolean sp_field_check_address   (SpFamily     family,
                                   const char  *text,
                                   const char  *field,
                                   GError     **error);

/* Locks a field the operating system would no longer let change, and says
 * why to the pointer (tooltip) and to a screen reader (description). */
void     sp_field_set_locked      (GtkWidget   *field,
                                   gboolean     locked,
                                   const char  *why);

G_END_DECLS
