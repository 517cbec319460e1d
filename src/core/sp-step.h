/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* Bytes in a step, kept as the user wrote them (so a saved session reads
 * the same) and as the bytes they encode to. */
typedef struct
{
  char   *text;      /* the "text" form, or NULL */
  char   *encoding;  /* "encoding", NULL means utf-8 */
  char   *hex;       /* the "hex" form, or NULL */
  GBytes *bytes;     /* what is sent or compared */
} SpStepData;

SpStepData *sp_step_data_new_text   (const char        *text,
                                     const char        *encoding,
                                     GError           **error);
SpStepData *sp_step_data_new_hex    (const char        *hex,
                                     GError           **error);
SpStepData *sp_step_data_copy       (const SpStepData  *data);
void        sp_step_data_free       (SpStepData        *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SpStepData, sp_step_data_free)

/* One entry of serve's `replies` table (mode reply): a request that
 * contains `contains` is answered with `data`. */
typedef struct
{
  SpStepData *contains;
  SpStepData *data;
} SpStepReply;

SpStepReply *sp_step_reply_new      (SpStepData        *contains,
                                     SpStepData        *data);
void         sp_step_reply_free     (SpStepReply       *reply);

/* `expect`: every member that is set must hold. */
typedef struct
{
  char       *error;      /* errno name, or NULL */
  SpStepData *data;       /* exactly these bytes */
  SpStepData *contains;   /* these bytes somewhere in what was received */
  gint64      bytes;      /* this many bytes; -1 unset */
  gboolean    ok;         /* "ok": true was given */
  gboolean    any;        /* "any": true — the result may be either */
} SpExpect;

#define SP_TYPE_STEP (sp_step_get_type ())

G_DECLARE_FINAL_TYPE (SpStep, sp_step, SP, STEP, GObject)

/* One action: a line of a session file, a click in the window, a step of a
 * replay. Plain data with public fields; unset members are NULL or -1. */
struct _SpStep
{
  GObject        parent_instance;

  char          *socket;       /* NULL only for calls on no socket */
  SpCall         call;
  char          *note;         /* caption shown while the step runs */

  char          *address;      /* overrides the socket's own */
  gint           port;         /* -1 unset */
  char          *to;           /* "to": the address socket `to` is bound to */
  char          *as;           /* "as": the id accept gives the new socket */
  gint           backlog;      /* -1 unset */
  gint64         bufsize;      /* -1 unset (1024) */
  gboolean       until_eof;
  gint           count;        /* -1 unset (1) */
  gint           interval_ms;  /* pause between repeats of count; -1 unset (none) */
  SpStepData    *data;
  GPtrArray     *replies;      /* of SpStepReply, in order; NULL unset */
  SpShutdownHow  how;
  gboolean       has_how;
  gint           timeout_ms;   /* -1 unset */
  SpServeMode    mode;
  gboolean       has_mode;
  gint           connections;  /* -1: until the listener is closed */
  gint           idle_timeout_ms; /* serve: -1 unset (timeout-ms, none if open-ended) */
  gint           ms;           /* sleep; -1 unset */
  char          *text;         /* note text */
  char          *option;       /* setsockopt: the option's constant name */
  gint64         value;        /* setsockopt: its value */
  gboolean       value_is_bool;
  char          *host;         /* gethostbyname, getaddrinfo */
  gboolean       has_expect;
  SpExpect       expect;
};

SpStep     *sp_step_new            (const char   *socket,
                                    SpCall        call);
SpStep     *sp_step_copy           (SpStep       *self);

/* Reads one step object. `path` names it in messages ("steps[3]"); an
 * error message is "steps[3].bufsize: must be a whole number from 1 to …".
 * Unknown members are an error that names them. Errors are
 * SP_SESSION_ERROR_INVALID (sp-session.h). */
SpStep     *sp_step_new_from_json  (JsonObject   *object,
                                    const char   *path,
                                    GError      **error);
JsonNode   *sp_step_to_json        (SpStep       *self);

/* The effective values, defaults applied. */
gsize       sp_step_get_bufsize    (SpStep       *self);
guint       sp_step_get_count      (SpStep       *self);
guint       sp_step_get_timeout_ms (SpStep       *self);

#define SP_STEP_DEFAULT_BUFSIZE    1024
#define SP_STEP_DEFAULT_TIMEOUT_MS 10000

G_END_DECLS
