/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "sp-player.h"

G_BEGIN_DECLS

#define SP_TYPE_CODE_VIEW (sp_code_view_get_type ())

G_DECLARE_FINAL_TYPE (SpCodeView, sp_code_view, SP, CODE_VIEW, AdwBin)

/* The Python of each step, in the order the steps finish: one program
 * that runs as pasted, `import socket` (and what else it uses) first, each
 * socket made before its first call, a failed call caught and printed. */

GtkWidget *sp_code_view_new        (void);
/* NULL clears the view. */
void       sp_code_view_set_player (SpCodeView *self,
                                    SpPlayer   *player);
/* The Python shown. */
char      *sp_code_view_get_text   (SpCodeView *self);

G_END_DECLS
