/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-session.h"

G_BEGIN_DECLS

/* The built-in sessions in data/presets, compiled into the resource. */

/* Ids ("tcp-echo"), sorted; free with g_strfreev. */
char      **sp_presets_list_ids  (void);
SpSession  *sp_presets_load      (const char  *id,
                                  GError     **error);
/* A session from "preset:ID" or a file path. */
SpSession  *sp_presets_load_any  (const char  *file_or_preset,
                                  GError     **error);

G_END_DECLS
