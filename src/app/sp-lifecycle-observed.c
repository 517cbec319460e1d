/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-labels.h"
#include "sp-lifecycle-view-private.h"

/* A traced program's socket in the diagram: its events are in the log as
 * the player's are; what the player's SpSocket tells of its own (type,
 * listener, accepted sockets) comes from SpObservedSockets. */

const SpObservedSocket *
_sp_lifecycle_view_get_observed (SpLifecycleView *self)
{
  if (self->observed == NULL || self->socket != NULL || self->socket_id == NULL)
    return NULL;
  return sp_observed_sockets_lookup (self->observed, self->socket_id);
}

void
_sp_lifecycle_view_read_observed_children (SpLifecycleView *self,
                                           GPtrArray       *children,
                                           guint            max,
                                           guint           *n_children)
{
  g_autofree const char **ids = NULL;

  if (_sp_lifecycle_view_get_observed (self) == NULL)
    return;

  ids = sp_observed_sockets_get_accepted (self->observed, self->socket_id);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      const SpObservedSocket *child = sp_observed_sockets_lookup (self->observed, ids[i]);

      if ((*n_children)++ < max)
        /* TRANSLATORS: an accepted socket and its state, "conn · connected" */
        g_ptr_array_add (children, g_strdup_printf (_("%s · %s"), child->id,
                                                    sp_state_label (child->state)));
    }
}
