/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* The one table of which call is legal in which state, for each socket
 * type, and where a successful call leads. The buttons, the diagram and the
 * player all read it. */

typedef struct
{
  SpCall   call;
  SpState  from;
  SpState  to;
  /* Bit (1 << SpSocketType) for each type the transition applies to. */
  guint    types;
} SpTransition;

const SpTransition *sp_lifecycle_get_transitions (guint        *n_transitions);

/* Whether `call` is legal on a socket of `type` in `state`. Calls that
 * need no socket (gethostname, sleep, note…) are always legal. */
gboolean            sp_lifecycle_is_legal        (SpSocketType  type,
                                                  SpState       state,
                                                  SpCall        call);
/* The state after `call` succeeded in `state`; `state` itself when the
 * call does not change it (send, recv, getsockname…). */
SpState             sp_lifecycle_next_state      (SpSocketType  type,
                                                  SpState       state,
                                                  SpCall        call);
/* Calls legal in `state`, in SpCall order, for building buttons. */
GArray             *sp_lifecycle_legal_calls     (SpSocketType  type,
                                                  SpState       state);
/* The state after shutdown(`how`) succeeded in `state` (the table's row
 * for SP_CALL_SHUTDOWN leads to SHUT_BOTH, whatever `how` was). */
SpState             sp_lifecycle_after_shutdown  (SpState       state,
                                                  SpShutdownHow how);

G_END_DECLS
