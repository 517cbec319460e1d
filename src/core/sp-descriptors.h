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
 * makes them at start, while descriptors are plenty, and keeps one spare
 * descriptor in reserve for what still needs one later on the program's
 * own behalf (the window's drawing, a log written at the end of a run, a
 * catalog of translations). Call it once, early in main().
 *
 * When a call meets EMFILE or ENFILE, sp_descriptors_ran_out() gives the
 * reserve up, so that whatever reports it has room; sp_descriptors_freed(),
 * called when a socket's descriptor is closed, takes it back. Both may be
 * called from any thread, and do nothing before sp_descriptors_prepare(). */

void     sp_descriptors_prepare  (void);
void     sp_descriptors_ran_out  (void);
void     sp_descriptors_freed    (void);
gboolean sp_descriptors_is_limit (int code);

G_END_DECLS
