/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The names used in session files are the contract; these enums are the
 * in-memory form. Each has a to/from string pair in sp-types.c. */

typedef enum
{
  SP_FAMILY_INET,
  SP_FAMILY_INET6,
  SP_FAMILY_UNIX,
} SpFamily;

typedef enum
{
  SP_SOCKET_TYPE_STREAM,
  SP_SOCKET_TYPE_DGRAM,
  SP_SOCKET_TYPE_RAW,
  SP_SOCKET_TYPE_SEQPACKET,
} SpSocketType;

/* The API-level state of a socket, as the lifecycle diagram shows it. The
 * kernel's TCP state is a separate fact (sp_socket_get_tcp_state). */
typedef enum
{
  SP_STATE_UNCREATED,
  SP_STATE_CREATED,
  SP_STATE_BOUND,
  SP_STATE_LISTENING,
  SP_STATE_CONNECTING,
  SP_STATE_CONNECTED,
  SP_STATE_SHUT_READ,
  SP_STATE_SHUT_WRITE,
  SP_STATE_SHUT_BOTH,
  SP_STATE_CLOSED,
  SP_N_STATES
} SpState;

typedef enum
{
  SP_CALL_SOCKET,
  SP_CALL_SETSOCKOPT,
  SP_CALL_BIND,
  SP_CALL_LISTEN,
  SP_CALL_ACCEPT,
  SP_CALL_CONNECT,
  SP_CALL_CONNECT_EX,
  SP_CALL_SEND,
  SP_CALL_SENDALL,
  SP_CALL_SENDTO,
  SP_CALL_RECV,
  SP_CALL_RECVFROM,
  SP_CALL_RECV_INTO,
  SP_CALL_RECVFROM_INTO,
  SP_CALL_SHUTDOWN,
  SP_CALL_CLOSE,
  SP_CALL_GETSOCKNAME,
  SP_CALL_GETPEERNAME,
  SP_CALL_GETHOSTNAME,
  SP_CALL_GETHOSTBYNAME,
  SP_CALL_GETADDRINFO,
  SP_CALL_SERVE,
  SP_CALL_SLEEP,
  SP_CALL_NOTE,
  SP_N_CALLS
} SpCall;

typedef enum
{
  SP_SHUTDOWN_READ,
  SP_SHUTDOWN_WRITE,
  SP_SHUTDOWN_BOTH,
} SpShutdownHow;

typedef enum
{
  SP_SERVE_ECHO,
  SP_SERVE_DISCARD,
  SP_SERVE_REPLY,
} SpServeMode;

/* What a datagram impairment (sp-impairment.h) did with a datagram, as the
 * traffic log marks its events. The first four mark the event of the call
 * that handed the datagram over; the last two mark datagrams that leave
 * without a call of their own. */
typedef enum
{
  SP_IMPAIRED_NONE,        /* not impaired */
  SP_IMPAIRED_DROPPED,     /* handed over, never sent */
  SP_IMPAIRED_DUPLICATED,  /* sent now, and a copy follows */
  SP_IMPAIRED_HELD,        /* held back, to leave after the next datagram */
  SP_IMPAIRED_DELAYED,     /* leaves later */
  SP_IMPAIRED_COPY,        /* the copy of a duplicated datagram */
  SP_IMPAIRED_RELEASED,    /* a held-back or delayed datagram leaving now */
  SP_N_IMPAIRED
} SpImpaired;

const char *sp_family_to_string       (SpFamily      family);
gboolean    sp_family_from_string     (const char   *text,
                                       SpFamily     *family);
const char *sp_socket_type_to_string  (SpSocketType  type);
gboolean    sp_socket_type_from_string(const char   *text,
                                       SpSocketType *type);
const char *sp_state_to_string        (SpState       state);
const char *sp_call_to_string         (SpCall        call);
gboolean    sp_call_from_string       (const char   *text,
                                       SpCall       *call);
const char *sp_shutdown_how_to_string (SpShutdownHow how);
gboolean    sp_shutdown_how_from_string (const char  *text,
                                       SpShutdownHow *how);
const char *sp_serve_mode_to_string   (SpServeMode   mode);
gboolean    sp_serve_mode_from_string (const char   *text,
                                       SpServeMode  *mode);

/* "dropped", "duplicated", "held", "delayed", "copy", "released"; NULL
 * for SP_IMPAIRED_NONE. */
const char *sp_impaired_to_string     (SpImpaired    impaired);
/* Whether an event so marked put its bytes on the wire. */
gboolean    sp_impaired_is_on_wire    (SpImpaired    impaired);

/* Python's constants: "socket.AF_INET6", "socket.SOCK_DGRAM". */
const char *sp_family_to_python       (SpFamily      family);
const char *sp_socket_type_to_python  (SpSocketType  type);

/* The level Python passes with an option: "socket.IPPROTO_TCP" for
 * "TCP_NODELAY", "socket.SOL_SOCKET" for "SO_REUSEADDR". */
const char *sp_option_level_to_python (const char   *option);

/* Calls that act on no socket of their own. */
/* recvfrom and recvfrom_into: the call returns the sender's address. */
gboolean    sp_call_gives_sender      (SpCall        call);
/* recv, recvfrom, recv_into and recvfrom_into */
gboolean    sp_call_receives          (SpCall        call);
gboolean    sp_call_is_global         (SpCall        call);

G_END_DECLS
