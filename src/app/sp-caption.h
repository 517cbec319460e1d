/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_CAPTION (sp_caption_get_type ())

G_DECLARE_FINAL_TYPE (SpCaption, sp_caption, SP, CAPTION, AdwBin)

/* The presentation caption: the step a lecture is at, in large text. "Step
 * 3 of 12", the socket and call, the Python it amounts to, the bytes it
 * sent or received (hex and text, the first few lines), the step's note
 * and, when it failed, the kernel's error. The step is the one running, or
 * else the last one run, which the diagram shows; before the first, the
 * first ("Next: step 1 of 12"). It reads the player; it never acts. */

GtkWidget  *sp_caption_new         (void);
/* NULL shows nothing. */
void        sp_caption_set_player  (SpCaption *self,
                                    SpPlayer  *player);
/* The index of the step shown, or -1 for none. */
int         sp_caption_get_step    (SpCaption *self);
/* The whole caption in one line, as a screen reader reads it:
 * "Step 3 of 12 · client · connect — note". */
char       *sp_caption_describe    (SpCaption *self);

G_END_DECLS
