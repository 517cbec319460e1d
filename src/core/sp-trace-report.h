/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* How a traced program reports its socket calls (DESIGN.md, "Watching a
 * program you wrote"). Two tracers speak it: the Python module loaded at
 * start (data/trace/, through PYTHONPATH and sitecustomize), at the level
 * of Python's socket API, and the preloaded library (LD_PRELOAD), at the
 * level of libc, for every other program.
 *
 * The channel
 *   The parent makes an AF_UNIX SOCK_SEQPACKET socket pair and passes one
 *   end to the program as the descriptor SP_TRACE_FD_NUMBER, named in the
 *   environment as SP_TRACE_FD. One report is one message (one send()):
 *   a message is never split or interleaved, whichever thread or forked
 *   child sends it. The parent sees the end of the channel when the last
 *   process holding it exits or closes it. A tracer never lets the
 *   program see the channel: its descriptor is not reported, and a
 *   program that closes it, or a failed report, ends the reports without
 *   changing the call's result or errno. The descriptor stays open across
 *   fork() and exec(), so that children are followed.
 *
 * The environment
 *   SP_TRACE_FD          the channel's descriptor number
 *   SP_TRACE_PROGRAM     the name observed sockets are named after
 *                        ("server.py"); a child that execs another program
 *                        reports under that program's base name
 *   SP_TRACE_DATA_LIMIT  how many bytes of each send or receive to report
 *                        (the rest is counted in "bytes" only); -1: all
 *
 * A report: one JSON object, UTF-8, sent after the call returned.
 *   "pid"       int     getpid() of the caller
 *   "program"   string  as SP_TRACE_PROGRAM says (see above)
 *   "fd"        int     the socket's descriptor; for "socket" the new one;
 *                       -1 for calls on no socket (getaddrinfo, …)
 *   "call"      string  a call name of the session format: socket,
 *                       setsockopt, bind, listen, accept, connect,
 *                       connect_ex, send, sendall, sendto, recv, recvfrom,
 *                       recv_into, recvfrom_into, shutdown, close,
 *                       getsockname, getpeername, gethostname,
 *                       gethostbyname, getaddrinfo. libc's calls map onto
 *                       them: accept4 is accept, write is send, read is
 *                       recv, sendmsg is sendto (send when it names no
 *                       address), recvmsg is recvfrom.
 *   "ok"        bool
 *   "errno"     int     the call's errno, 0 when ok ("connect_ex" is ok
 *                       and gives its errno as its result)
 *   "family"    string  "inet", "inet6" or "unix" (on socket and accept;
 *                       optional elsewhere)
 *   "type"      string  "stream" or "dgram" (likewise)
 *   "args"      string  the arguments as Python writes them:
 *                       "('127.0.0.1', 5000)", "1024", "5"
 *   "result"    string  the result as Python writes it, optional:
 *                       "None", "5", "(<socket fd 4>, ('127.0.0.1', 40000))"
 *   "bytes"     int     bytes sent or received, or a call's number result
 *   "data"      string  base64 of the bytes sent or received, at most
 *                       SP_TRACE_DATA_LIMIT of them
 *   "local"     string  the socket's address after the call, as
 *                       sp_endpoint_format writes it: "127.0.0.1:5000",
 *                       "[::1]:5000", "/tmp/sock", "@name"
 *   "remote"    string  the peer or destination, likewise
 *   "new_fd"    int     accept: the descriptor of the socket it returned
 *   "time_us"   int     CLOCK_REALTIME of the call's return, microseconds
 *   "start_us"  int     CLOCK_REALTIME when the call began, optional: given
 *                       for calls that can make another's return (send,
 *                       connect, close, …), whose report a woken
 *                       receiver's may overtake
 * Members a reader does not know are ignored; a report it cannot read is
 * skipped and counted. */

#define SP_TRACE_FD_NUMBER      1000
/* The preloaded library's file name, in PKGLIBDIR once installed */
#define SP_TRACE_PRELOAD_NAME   "libsp-trace-preload.so"
#define SP_TRACE_ENV_FD         "SP_TRACE_FD"
#define SP_TRACE_ENV_PROGRAM    "SP_TRACE_PROGRAM"
#define SP_TRACE_ENV_DATA_LIMIT "SP_TRACE_DATA_LIMIT"
/* The largest report a reader takes; a tracer cuts "data" to stay below. */
#define SP_TRACE_REPORT_MAX     (256 * 1024)
