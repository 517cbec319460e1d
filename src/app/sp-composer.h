/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-step.h"

G_BEGIN_DECLS

#define SP_TYPE_COMPOSER (sp_composer_get_type ())

G_DECLARE_FINAL_TYPE (SpComposer, sp_composer, SP, COMPOSER, AdwBin)

/* The bytes send, sendall and sendto send: text with escapes (\r \n \t \0
 * \\ \xNN) in an encoding, or hex; how many times, and the pause between.
 * Property "valid": whether what is typed makes bytes. */

GtkWidget  *sp_composer_new           (void);
gboolean    sp_composer_get_valid     (SpComposer *self);
/* NULL while not valid. */
GBytes     *sp_composer_get_bytes     (SpComposer *self);
/* Sets the step's data as typed (text stays text, so a saved session
 * reads as it was written), and its count and interval when repeated. */
void        sp_composer_fill_step     (SpComposer *self,
                                       SpStep     *step);
void        sp_composer_set_text      (SpComposer *self,
                                       const char *text);
/* One of the encodings the composer offers; others are ignored. */
void        sp_composer_set_encoding  (SpComposer *self,
                                       const char *encoding);

G_END_DECLS
