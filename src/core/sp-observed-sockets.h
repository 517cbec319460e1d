/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-trace.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

#define SP_TYPE_OBSERVED_SOCKETS (sp_observed_sockets_get_type ())

G_DECLARE_FINAL_TYPE (SpObservedSockets, sp_observed_sockets, SP, OBSERVED_SOCKETS, GObject)

/* One socket of a traced program as its events tell it: what is known of
 * its kind, its state after its newest event, its addresses, and the
 * listener whose accept returned it. Owned by SpObservedSockets; valid
 * while it lives. */
typedef struct
{
  const char   *id;          /* "server.py:3" */
  guint         program;     /* index of its program */
  int           pid;         /* the process that made its newest call */
  const char   *program_name; /* the program its calls were reported as */
  SpFamily      family;
  SpSocketType  type;
  SpState       state;
  const char   *local;       /* newest known, or NULL */
  const char   *remote;
  const char   *listener;    /* the listener's id for a socket accept returned */
  guint         family_known : 1;
  guint         type_known : 1;
  guint         listens : 1;    /* it called listen or accept */
  guint         connects : 1;   /* it called connect or connect_ex */
} SpObservedSocket;

/* The sockets of the programs being traced, in the order they appeared,
 * read from the events each SpTrace appends to its log (DESIGN.md,
 * "Watching a program you wrote"). The events are read as the log
 * announces them (at most once per batch), and "changed" is emitted once
 * per batch that touched a socket or a program.
 *
 * Signals:
 *   changed ()   sockets or programs were added or changed; in a handler,
 *                sp_observed_sockets_get_changed() says which sockets */

SpObservedSockets      *sp_observed_sockets_new            (void);

/* Follows the program `trace` runs, whose events go to `log`. Its sockets
 * are numbered after those of the programs added before it. */
guint                   sp_observed_sockets_add_trace      (SpObservedSockets *self,
                                                            SpTrace           *trace,
                                                            SpTrafficLog      *log);

/* Every program's events go to `log` from now on (its trace is told so):
 * the window's new session. The sockets stay as their events left them. */
void                    sp_observed_sockets_move_to_log    (SpObservedSockets *self,
                                                            SpTrafficLog      *log);

guint                   sp_observed_sockets_get_n_programs (SpObservedSockets *self);
SpTrace                *sp_observed_sockets_get_trace      (SpObservedSockets *self,
                                                            guint              program);

/* Every socket, in the order they appeared (a descriptor used again after
 * a close stays where it first appeared). */
guint                   sp_observed_sockets_get_n_sockets  (SpObservedSockets *self);
const SpObservedSocket *sp_observed_sockets_get_socket     (SpObservedSockets *self,
                                                            guint              index);
/* NULL when no traced program has a socket of that id. */
const SpObservedSocket *sp_observed_sockets_lookup         (SpObservedSockets *self,
                                                            const char        *id);
/* The ids of the sockets accept returned from `listener_id`, in order, as
 * a NULL-terminated array (free with g_free, not its strings). */
const char            **sp_observed_sockets_get_accepted   (SpObservedSockets *self,
                                                            const char        *listener_id);

/* In a handler of "changed": the sockets the batch added or changed,
 * as SpObservedSocket pointers. */
GPtrArray              *sp_observed_sockets_get_changed    (SpObservedSockets *self);

G_END_DECLS
