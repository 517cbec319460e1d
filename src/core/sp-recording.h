/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-event.h"
#include "sp-session.h"

G_BEGIN_DECLS

#define SP_TYPE_RECORDING (sp_recording_get_type ())

G_DECLARE_FINAL_TYPE (SpRecording, sp_recording, SP, RECORDING, GObject)

/* The calls traced programs made, kept to be written as a session
 * (DESIGN.md, "--record FILE" and the window's "Save as Session"): its
 * sockets and steps, which replay without the programs and export as
 * Python. Several traces may add to one recording (the window's programs
 * talking to each other); a connect to a socket of the same recording
 * becomes `to`, an accept names its socket with `as`. */

SpRecording *sp_recording_new            (void);

/* One call, as SpTrace appends it to the log: `info`'s payload is every
 * byte the tracer reported. `family` and `type` are the report's ("inet",
 * "stream") or NULL, `new_id` the socket an accept returned; `start_us`
 * (0: not known) and `end_us` when the call began and returned
 * (CLOCK_REALTIME). */
void         sp_recording_add            (SpRecording       *self,
                                          const SpEventInfo *info,
                                          const char        *family,
                                          const char        *type,
                                          const char        *new_id,
                                          gint64             start_us,
                                          gint64             end_us);

guint        sp_recording_get_n_calls    (SpRecording       *self);

/* The most bytes sent it keeps, all calls together (G_MAXUINT64, the
 * default: no bound); past it a send is recorded without its bytes, and
 * its step's note says so. A window that traces for hours is bounded. */
void         sp_recording_set_data_cap   (SpRecording       *self,
                                          guint64            cap_bytes);

/* The calls as a session titled `title`. Left out, and counted in
 * `n_left_out`: calls that failed only because a socket did not block
 * (EAGAIN, EINTR, …: a replay's calls block), and options the session
 * format does not know. A non-blocking connect's EINPROGRESS is recorded
 * as the connect it became. */
SpSession   *sp_recording_to_session     (SpRecording       *self,
                                          const char        *title,
                                          guint             *n_left_out);

G_END_DECLS
