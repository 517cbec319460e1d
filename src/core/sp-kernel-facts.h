/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "sp-socket.h"

G_BEGIN_DECLS

#define SP_TYPE_KERNEL_FACTS (sp_kernel_facts_get_type ())

G_DECLARE_FINAL_TYPE (SpKernelFacts, sp_kernel_facts, SP, KERNEL_FACTS, GObject)

/* What the kernel says about a socket that no call reports: bytes waiting
 * to be read (FIONREAD), the TCP state and a listener's accept queue. They
 * change when the peer acts, so they are read on a timer, once for every
 * view that shows them.
 *
 * The properties "bytes-waiting", "tcp-state" and "accept-queue" notify
 * only when their value changes; "changed" is emitted once after a reading
 * that changed any of them, so that a view redraws once. */

/* The one watcher of `socket`: made on first call, shared by every caller
 * while any holds a reference (kept as a weak pointer on the socket). It
 * reads the kernel every 250 ms while it exists and the socket is open,
 * and at once when the socket's state changes or sp_kernel_facts_refresh()
 * is called. Its timer runs on the thread-default main context of the
 * first call. */
SpKernelFacts *sp_kernel_facts_watch             (SpSocket      *socket);
void           sp_kernel_facts_refresh           (SpKernelFacts *self);
SpSocket      *sp_kernel_facts_get_socket        (SpKernelFacts *self);
/* -1 when unknown (a listener, a closed socket). */
gint64         sp_kernel_facts_get_bytes_waiting (SpKernelFacts *self);
/* "ESTABLISHED", "CLOSE_WAIT"… as sp_socket_get_tcp_state() says; NULL
 * when unknown or not TCP. */
const char    *sp_kernel_facts_get_tcp_state     (SpKernelFacts *self);
/* -1 when the socket is not a listener. */
int            sp_kernel_facts_get_accept_queue  (SpKernelFacts *self);

G_END_DECLS
