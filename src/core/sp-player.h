/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-session.h"
#include "sp-socket.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

typedef enum
{
  SP_PLAYER_IDLE,      /* nothing run yet, or between steps */
  SP_PLAYER_RUNNING,   /* a step is executing (may be waiting in accept, recv…) */
  SP_PLAYER_FINISHED,  /* every step has run */
} SpPlayerState;

#define SP_TYPE_PLAYER (sp_player_get_type ())

G_DECLARE_FINAL_TYPE (SpPlayer, sp_player, SP, PLAYER, GObject)

/* Executes a session's steps on the main loop and records new ones.
 *
 * Signals:
 *   step-started (guint index, SpStep *step)
 *   step-finished (guint index, gboolean passed, const char *message,
 *                  SpStep *step)
 *     `index` is the step's place in the session at the moment of emission,
 *     and it may move later: a performed step that finishes is moved to the
 *     position, after the steps that finished before it, so an accept that
 *     started as step 2 can finish as step 3. `step` is the same object from
 *     start to finish: follow a step by it, not by its index. message says
 *     why a step failed: what was expected and what happened.
 *   finished (gboolean all_passed): every step ran and background work
 *     (serve) ended.
 *   socket-added (SpSocket *socket): a socket came to life (created, or
 *     returned by accept).
 *   serve-failed (guint index, const char *message, SpStep *step): the
 *     serve that step `index` started, which finished as it started, has
 *     ended with a failure: message names the step, the call, the socket
 *     (the listener, or a connection) and the error, as step-finished's
 *     does for a step's own failure. It counts as a failed step.
 *   confirm-remote (guint index, GSocketAddress *address) -> gboolean: step
 *     `index` would reach `address`, beyond this machine, and that is not
 *     allowed yet. A handler that returns TRUE holds the step until it calls
 *     sp_player_answer_remote(); without one the step fails.
 *   confirm-lookup (guint index, const char *host) -> gboolean: step
 *     `index` would look up `host`, a name this machine does not answer
 *     itself, so a DNS server beyond it would be asked. Answered as
 *     confirm-remote is, and by the same sp_player_answer_remote(). */

SpPlayer      *sp_player_new                (SpSession    *session,
                                             SpTrafficLog *log);
/* Repeated receives make their calls on the I/O thread (sp-reader.c): for
 * a window, whose drawing would leave a fast sender's socket unread. */
void           sp_player_set_reads_in_thread (SpPlayer    *self,
                                              gboolean     reads_in_thread);
SpSession     *sp_player_get_session        (SpPlayer     *self);
SpTrafficLog  *sp_player_get_log            (SpPlayer     *self);
SpPlayerState  sp_player_get_state          (SpPlayer     *self);
/* The index of the next step to run. */
guint          sp_player_get_position       (SpPlayer     *self);
/* Whether `step`, this very object, has run since the last restart. Editing
 * a step replaces its object, so an edited step has not run as it is now. */
gboolean       sp_player_step_has_run       (SpPlayer     *self,
                                             SpStep       *step);
/* The "n-stale" property: how many of the steps before the position have
 * not run as they are now (edited, or inserted there, since they ran). */
guint          sp_player_get_n_stale        (SpPlayer     *self);
gboolean       sp_player_get_all_passed     (SpPlayer     *self);
guint          sp_player_get_n_failed       (SpPlayer     *self);

/* Runs the next step. Does nothing while a step is running. */
void           sp_player_step               (SpPlayer     *self);
/* Runs every remaining step, `step-delay` ms apart, until done or paused. */
void           sp_player_run                (SpPlayer     *self);
/* Stops after the step that is running. */
void           sp_player_pause              (SpPlayer     *self);
/* Closes every socket, clears the log and goes back to step 0. */
void           sp_player_restart            (SpPlayer     *self);
void           sp_player_set_step_delay     (SpPlayer     *self,
                                             guint         delay_ms);
/* Off by default: steps that reach beyond loopback, or look up a name this
 * machine does not answer itself, fail instead of running. */
void           sp_player_set_allow_remote   (SpPlayer     *self,
                                             gboolean      allow_remote);
/* The answer to "confirm-remote" and "confirm-lookup": allowing lets the held
 * steps, and every later one, reach other machines; refusing fails the held
 * steps. */
void           sp_player_answer_remote      (SpPlayer     *self,
                                             gboolean      allow);

/* Adds `step` to the session and runs it now (the window's buttons). While
 * another step on the same socket runs, it waits its turn; steps on other
 * sockets run at the same time. The session keeps steps in the order they
 * finish, so what was done replays one step at a time. */
void           sp_player_perform            (SpPlayer     *self,
                                             SpStep       *step);

/* The steps running now, as people number them: "step 2 (client
 * sendall), step 1 (server serve)", with the serves still serving; NULL
 * when none is. */
char          *sp_player_describe_running   (SpPlayer     *self);

/* Live sockets, in the order they came to life (a GListModel of SpSocket). */
GListModel    *sp_player_get_sockets        (SpPlayer     *self);
SpSocket      *sp_player_lookup_socket      (SpPlayer     *self,
                                             const char   *id);

G_END_DECLS
