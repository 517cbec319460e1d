/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-impairment.h"
#include "sp-traffic-log.h"
#include "sp-types.h"

G_BEGIN_DECLS

#define SP_TYPE_SOCKET (sp_socket_get_type ())

G_DECLARE_FINAL_TYPE (SpSocket, sp_socket, SP, SOCKET, GObject)

/* One operating-system socket. It is non-blocking; every wait is a GSource
 * on the thread-default main context with a timeout. Each call appends its
 * event (result, errno, bytes) to the traffic log it was given. Failures
 * are GErrors in SP_ERRNO_ERROR carrying the real errno. */

SpSocket       *sp_socket_new                  (const char      *id,
                                                SpFamily         family,
                                                SpSocketType     type,
                                                gint             protocol,
                                                SpTrafficLog    *log);

const char     *sp_socket_get_id               (SpSocket        *self);
SpFamily        sp_socket_get_family           (SpSocket        *self);
SpSocketType    sp_socket_get_socket_type      (SpSocket        *self);
gint            sp_socket_get_protocol         (SpSocket        *self);
SpState         sp_socket_get_state            (SpSocket        *self);
/* Whether the kernel holds the socket: created and not closed. NULL is not. */
gboolean        sp_socket_is_open              (SpSocket        *self);
/* The listener this socket was accepted from, or NULL. */
SpSocket       *sp_socket_get_listener         (SpSocket        *self);
GSocket        *sp_socket_get_gsocket          (SpSocket        *self);
int             sp_socket_get_fd               (SpSocket        *self);
/* The step index stamped on this socket's events (-1 none). */
void            sp_socket_set_step             (SpSocket        *self,
                                                int              step);
/* Repeated receives (sp_socket_receive_many_async) make their calls on
 * the I/O thread, so that a busy main loop does not leave the socket
 * unread; what they read is recorded in the main context all the same. */
void            sp_socket_set_reads_in_thread  (SpSocket        *self,
                                                gboolean         reads_in_thread);
gboolean        sp_socket_get_reads_in_thread  (SpSocket        *self);

/* Known after bind, connect or accept; NULL before. */
GSocketAddress *sp_socket_get_local_address    (SpSocket        *self);
GSocketAddress *sp_socket_get_remote_address   (SpSocket        *self);

gboolean        sp_socket_create               (SpSocket        *self,
                                                GError         **error);
gboolean        sp_socket_setsockopt           (SpSocket        *self,
                                                const char      *name,
                                                gint64           value,
                                                GError         **error);
gboolean        sp_socket_bind                 (SpSocket        *self,
                                                GSocketAddress  *address,
                                                GError         **error);
gboolean        sp_socket_listen               (SpSocket        *self,
                                                int              backlog,
                                                GError         **error);
void            sp_socket_accept_async         (SpSocket        *self,
                                                const char      *new_id,
                                                guint            timeout_ms,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
SpSocket       *sp_socket_accept_finish        (SpSocket        *self,
                                                GAsyncResult    *result,
                                                GError         **error);
/* One accept now, without waiting: the connection, or NULL with an errno
 * error; EAGAIN (none waiting) is neither recorded nor counted as a call,
 * the others are as accept_async's would be. */
SpSocket       *sp_socket_try_accept           (SpSocket        *self,
                                                const char      *new_id,
                                                GError         **error);
/* connect, or connect_ex when `ex` (which records the errno as the call's
 * result rather than as a failure of the call). */
void            sp_socket_connect_async        (SpSocket        *self,
                                                GSocketAddress  *address,
                                                gboolean         ex,
                                                guint            timeout_ms,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gboolean        sp_socket_connect_finish       (SpSocket        *self,
                                                GAsyncResult    *result,
                                                GError         **error);
/* send (once), sendall (`all`, until every byte is taken) or sendto (`to`). */
void            sp_socket_send_async           (SpSocket        *self,
                                                SpCall           call,
                                                GBytes          *data,
                                                GSocketAddress  *to,
                                                guint            timeout_ms,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
gssize          sp_socket_send_finish          (SpSocket        *self,
                                                GAsyncResult    *result,
                                                GError         **error);
/* send or sendall on a connected socket, ended at once when the kernel
 * takes the bytes: TRUE, with what send_finish would give (the count, or
 * -1 and `error`), and `callback` is not called. FALSE when it has to
 * wait: it goes on as send_async, and `callback` tells how it ended. */
gboolean        sp_socket_send_now             (SpSocket        *self,
                                                SpCall           call,
                                                GBytes          *data,
                                                guint            timeout_ms,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data,
                                                gssize          *sent,
                                                GError         **error);
/* recv, recv_into, recvfrom or recvfrom_into: one call, at most `bufsize`
 * bytes. An empty GBytes is end of file. `from` is set for recvfrom and
 * recvfrom_into. */
void            sp_socket_receive_async        (SpSocket        *self,
                                                SpCall           call,
                                                gsize            bufsize,
                                                guint            timeout_ms,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
GBytes         *sp_socket_receive_finish       (SpSocket        *self,
                                                GAsyncResult    *result,
                                                GSocketAddress **from,
                                                GError         **error);
/* What a sp_socket_receive_many_async came to: how many calls returned
 * (data, or end of file), their bytes, and whether the last was a stream's
 * end of file. */
typedef struct
{
  guint    n_calls;
  guint64  n_bytes;
  gboolean end_of_file;
} SpReceiveTally;

/* Up to `max_calls` of one receive call, each a call of its own in the log:
 * the first waits for data (at most `timeout_ms`, 0 for ever), the rest are
 * made only while data is waiting already, and a stream's end of file ends
 * them. A fast sender's burst costs one main-loop turn per batch rather than
 * per datagram. `collect`, if not NULL, gets every byte received. */
void            sp_socket_receive_many_async   (SpSocket        *self,
                                                SpCall           call,
                                                gsize            bufsize,
                                                guint            max_calls,
                                                guint            timeout_ms,
                                                GByteArray      *collect,
                                                GCancellable    *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer         user_data);
/* FALSE with `error` when a call failed; `tally` still counts the calls that
 * returned before it. */
gboolean        sp_socket_receive_many_finish  (SpSocket        *self,
                                                GAsyncResult    *result,
                                                SpReceiveTally  *tally,
                                                GError         **error);
gboolean        sp_socket_shutdown             (SpSocket        *self,
                                                SpShutdownHow    how,
                                                GError         **error);
gboolean        sp_socket_close                (SpSocket        *self,
                                                GError         **error);
GSocketAddress *sp_socket_getsockname          (SpSocket        *self,
                                                GError         **error);
GSocketAddress *sp_socket_getpeername          (SpSocket        *self,
                                                GError         **error);

/* Kernel facts, read when asked. */
gssize          sp_socket_get_bytes_waiting    (SpSocket        *self);
/* "ESTABLISHED", "CLOSE_WAIT"… for TCP sockets, NULL otherwise. */
const char     *sp_socket_get_tcp_state        (SpSocket        *self);
/* Connections waiting to be accepted on a listener, -1 if unknown. */
int             sp_socket_get_accept_queue     (SpSocket        *self);
/* Whether the kernel chose the local port (an ephemeral port): bound to
 * port 0, or bound implicitly by connect, sendto or listen. */
gboolean        sp_socket_get_port_chosen_by_kernel (SpSocket        *self);

/* A bad network for the datagrams this socket sends (send, sendall and
 * sendto on a datagram socket of family inet or inet6; other sockets send
 * as usual). The call still returns every byte as handed over; the log
 * marks what happened to each datagram (sp_event_get_impaired) and shows
 * late ones and copies as events of their own. NULL or settings that do
 * nothing: no impairment. New settings start their decisions afresh from
 * their seed, after what waits under the old ones has left. */
void            sp_socket_set_impairment       (SpSocket        *self,
                                                const SpImpairmentSettings *settings);
/* NULL when not impaired. */
const SpImpairmentSettings *
                sp_socket_get_impairment       (SpSocket        *self);
/* Datagrams delayed or held back that have not left yet. */
guint           sp_socket_get_n_impaired_waiting (SpSocket      *self);

guint           sp_socket_get_n_calls          (SpSocket        *self);
guint64         sp_socket_get_bytes_sent       (SpSocket        *self);
guint64         sp_socket_get_bytes_received   (SpSocket        *self);

G_END_DECLS
