/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Running out of file descriptors is something a student's session may do
 * on purpose (a thousand sockets under `ulimit -n 1024`); it must be an
 * EMFILE on the call that met it, never a crash.
 *
 * Some parts of GLib make a descriptor the first time they are used and
 * abort when they cannot: a GMainContext's GWakeup, made by GTask's type
 * (its thread pool reports through GLib's worker context). sp_descriptors_prepare()
 * makes them at start, while descriptors are plenty, and keeps a few spare
 * descriptors in reserve for what still needs them later on the program's
 * own behalf (the window's drawing, a log written at the end of a run, a
 * catalog of translations). Call it once, early in main().
 *
 * When a call meets EMFILE or ENFILE, sp_descriptors_ran_out() gives the
 * reserve up, so that whatever shows it next has room: the window loading
 * the icon of a failed step, say. sp_descriptors_reclaim(), called just
 * before each call that makes a descriptor (socket(), accept(), a lookup),
 * takes back what is free by then, and says whether the reserve is whole
 * again. While it is not, that call is EMFILE without being made: the
 * descriptors left are the program's own, as if the reserve had never been
 * given up, and the session's next socket() must not take them from the
 * window before it has drawn. sp_descriptors_made(), called after a call
 * made a descriptor, gives the reserve up too when that one was the last:
 * the window draws before the session's next call can meet EMFILE. All may
 * be called from any thread, and do nothing before sp_descriptors_prepare(). */

void     sp_descriptors_prepare  (void);
void     sp_descriptors_ran_out  (void);
gboolean sp_descriptors_reclaim  (void);
void     sp_descriptors_made     (void);
gboolean sp_descriptors_is_limit (int code);

G_END_DECLS
