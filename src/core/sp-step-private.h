/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Reading session JSON, shared by the step and session readers. Every error
 * is SP_SESSION_ERROR_INVALID with a message "PATH: what is wrong", where
 * PATH is a JSON path such as "steps[3].bufsize". */

#define SP_ID_MAX_LENGTH 64

char       *_sp_step_path_member      (const char          *path,
                                       const char          *member);
char       *_sp_step_path_index       (const char          *path,
                                       guint                index);
const char *_sp_step_suggest          (const char          *word,
                                       const char * const  *candidates);
char       *_sp_step_join             (const char * const  *names);

void        _sp_step_set_error        (GError             **error,
                                       const char          *path,
                                       const char          *format,
                                       ...) G_GNUC_PRINTF (3, 4);

gboolean    _sp_step_check_members    (JsonObject          *object,
                                       const char          *path,
                                       const char * const  *known,
                                       GError             **error);
gboolean    _sp_step_get_object       (JsonNode            *node,
                                       const char          *path,
                                       JsonObject         **out,
                                       GError             **error);
gboolean    _sp_step_get_string       (JsonNode            *node,
                                       const char          *path,
                                       const char         **out,
                                       GError             **error);
gboolean    _sp_step_get_int          (JsonNode            *node,
                                       const char          *path,
                                       gint64               min,
                                       gint64               max,
                                       gint64              *out,
                                       GError             **error);
gboolean    _sp_step_get_id           (JsonNode            *node,
                                       const char          *path,
                                       const char         **out,
                                       GError             **error);
gboolean    _sp_step_get_option_value (JsonNode            *node,
                                       const char          *path,
                                       gint64              *value,
                                       gboolean            *is_bool,
                                       GError             **error);
gboolean    _sp_step_check_option     (const char          *name,
                                       const char          *path,
                                       GError             **error);

G_END_DECLS
