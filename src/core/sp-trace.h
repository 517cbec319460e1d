/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-recording.h"
#include "sp-traffic-log.h"

G_BEGIN_DECLS

#define SP_TYPE_TRACE (sp_trace_get_type ())

G_DECLARE_FINAL_TYPE (SpTrace, sp_trace, SP, TRACE, GObject)

/* A program run as a child process whose socket calls are watched
 * (DESIGN.md, "Watching a program you wrote"): each call its tracer
 * reports (sp-trace-report.h) becomes an event in the log, on sockets
 * named after the program and the descriptor ("server.py:3"; a child
 * process with another pid: "server.py[4242]:3").
 *
 * The reports are read on the I/O thread and turned into events on the
 * thread-default context of sp_trace_start(), at most once a frame.
 * "exited" comes once the program has exited and its reports have all
 * been read (or a second after it exited, when a child it left running
 * still holds the channel). A trace keeps itself alive until then.
 *
 * Signals:
 *   started ()            the program runs
 *   exited (int status)   its exit status, 128 + N when signal N ended it */

SpTrace      *sp_trace_new                (SpTrafficLog        *log);

/* The log its calls go to from now on: the window's, which a new session
 * replaces while a program runs. */
void          sp_trace_set_log            (SpTrace             *self,
                                           SpTrafficLog        *log);

/* How many bytes of each send or receive the tracer reports (the rest is
 * counted in "bytes" only); -1: all it can. Set before starting. */
void          sp_trace_set_data_limit     (SpTrace             *self,
                                           gint64               data_limit);

/* Adds every call the program makes to `recording` too (several traces
 * may share one). Set before starting. */
void          sp_trace_set_recording      (SpTrace             *self,
                                           SpRecording         *recording);

/* Called in the child before the program runs, as GSubprocessLauncher's
 * child setup is: a terminal makes itself the program's (vte_pty_child_setup).
 * Set before starting. */
void          sp_trace_set_child_setup    (SpTrace             *self,
                                           GSpawnChildSetupFunc child_setup,
                                           gpointer             user_data,
                                           GDestroyNotify       destroy);

/* Runs argv[0] with its arguments; a program whose name ends in ".py"
 * runs with python3. Its standard input, output and error are ours.
 * Returns FALSE with a message that names the program when it cannot be
 * started. */
gboolean      sp_trace_start              (SpTrace             *self,
                                           const char * const  *argv,
                                           GError             **error);
/* Asks the program to end (SIGTERM), and ends it (SIGKILL) if it has not
 * after `grace_ms`. */
void          sp_trace_stop               (SpTrace             *self,
                                           guint                grace_ms);

/* The name its sockets are named after: the program's base name. */
const char   *sp_trace_get_program        (SpTrace             *self);
/* The pid of the program started; 0 before the start, or for a program
 * that exited before GLib told its pid and made no report. */
int           sp_trace_get_pid            (SpTrace             *self);
gboolean      sp_trace_get_running        (SpTrace             *self);
int           sp_trace_get_exit_status    (SpTrace             *self);
/* Reports that could not be read and were skipped. */
guint         sp_trace_get_n_malformed    (SpTrace             *self);

/* For the event at `position` in the log, if this trace appended it: the
 * process that made the call and the program it reported as. */
gboolean      sp_trace_get_origin         (SpTrace             *self,
                                           guint                position,
                                           int                 *pid,
                                           const char         **program);

/* For the event at `position`, if this trace appended it and the report
 * said (a socket or accept report does): the family and type of its
 * socket. */
gboolean      sp_trace_get_origin_kind    (SpTrace             *self,
                                           guint                position,
                                           SpFamily            *family,
                                           SpSocketType        *type);

/* The directory whose sitecustomize.py traces Python programs:
 * $SP_TRACE_DIR, else data/trace beside a build tree's executable, else
 * the installed one. */
char         *sp_trace_find_python_dir    (void);
/* The library every other program runs under (LD_PRELOAD) to report its
 * calls at the level of libc: $SP_TRACE_PRELOAD, else the build tree's,
 * else the installed one. */
char         *sp_trace_find_preload       (void);

G_END_DECLS
