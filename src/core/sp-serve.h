/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-socket.h"

G_BEGIN_DECLS

#define SP_TYPE_SERVE (sp_serve_get_type ())

G_DECLARE_FINAL_TYPE (SpServe, sp_serve, SP, SERVE, GObject)

/* A listening socket that accepts and serves its connections itself (the
 * "serve" call): every connection at once, each on its own main-loop
 * sources. Echo sends back what arrives, discard reads until end of file,
 * reply reads one request and answers with `reply`, then closes; a reply
 * added with sp_serve_add_reply() answers instead when the request (what
 * that one read returned) contains its `contains`, the first that matches
 * winning.
 *
 * It accepts `connections` connections, or until the listener is closed
 * when that is 0. The "finished" signal (gboolean ok) fires once every
 * connection it accepted is done and no more are to come; ok is FALSE when
 * a connection failed or an accept timed out. Each accepted socket is
 * announced with "accepted" (SpSocket *).
 *
 * A connection on which nothing arrives for the idle timeout (by default
 * the serve's timeout, none for an open-ended serve) is closed, and
 * "connection-idle" (SpSocket *) says so; it fails a bounded serve, whose
 * session waited for that client to finish.
 *
 * When accept fails for want of descriptors or memory (EMFILE, ENFILE,
 * ENOBUFS, ENOMEM), it goes on serving the connections it has, stops
 * watching the listener and tries again after a back-off, or soon after one
 * of its connections closes. "accept-paused" (int errno) says so, once. */

SpServe  *sp_serve_new             (SpSocket    *listener,
                                    SpServeMode  mode,
                                    GBytes      *reply,
                                    guint        connections,
                                    gsize        bufsize,
                                    guint        timeout_ms);
/* Before start: how long a connection may be silent, 0 for ever. */
void      sp_serve_set_idle_timeout (SpServe    *self,
                                    guint        idle_timeout_ms);
/* Before start: one more entry of the replies table. */
void      sp_serve_add_reply       (SpServe     *self,
                                    GBytes      *contains,
                                    GBytes      *reply);
void      sp_serve_start           (SpServe     *self);
/* Closes the connections it serves and stops accepting. */
void      sp_serve_stop            (SpServe     *self);
gboolean  sp_serve_get_finished    (SpServe     *self);
gboolean  sp_serve_get_ok          (SpServe     *self);
guint     sp_serve_get_n_accepted  (SpServe     *self);
guint     sp_serve_get_n_active    (SpServe     *self);
SpSocket *sp_serve_get_listener    (SpServe     *self);
/* The first failure that made ok FALSE: its errno (0 when none), and the
 * call and the socket (the listener, or a connection) it happened on. */
int       sp_serve_get_error       (SpServe     *self,
                                    SpCall      *call,
                                    const char **socket_id);
/* How long each wait lasts, 0 for no limit. */
guint     sp_serve_get_timeout_ms  (SpServe     *self);
guint     sp_serve_get_idle_timeout_ms (SpServe *self);
/* Whether it stops by itself (a connection count was given). */
gboolean  sp_serve_get_bounded     (SpServe     *self);

G_END_DECLS
