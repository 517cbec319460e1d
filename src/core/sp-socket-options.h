/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* The socket options and protocols a session can name, in one table that
 * the session file, the sockets, the code export and the window all read.
 * Errors of sp_protocol_parse() are in SP_DATA_ERROR; their message starts
 * with the field name given. */

typedef struct
{
  const char *name;          /* "SO_REUSEADDR": the session file's and Python's name */
  int         level;         /* SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6 */
  int         optname;       /* SO_REUSEADDR … */
  gboolean    is_bool;       /* a switch (on/off) rather than a size in bytes */
  const char *python_level;  /* "socket.SOL_SOCKET" */
  const char *summary;       /* N_() one line for a student: what it does */
} SpSocketOptionInfo;

guint                     sp_socket_option_get_count (void);
/* In the order a chooser lists them: the switches, then the sizes. */
const SpSocketOptionInfo *sp_socket_option_get_nth   (guint                     i);
/* NULL if unknown; names are case-sensitive, as in Python. */
const SpSocketOptionInfo *sp_socket_option_lookup    (const char               *name);
/* NULL when the option applies to a socket of this family and type, else a
 * translated sentence saying why not ("TCP_NODELAY is an option of TCP
 * sockets"). */
const char               *sp_socket_option_why_not   (const SpSocketOptionInfo *info,
                                                      SpFamily                  family,
                                                      SpSocketType              type);

/* "" is 0; "tcp", "udp", "icmp", "icmpv6" in any case, or a number from 0
 * to 255. `*name` is the canonical lower-case name, or NULL for a number
 * or "". On error the message names `field` and says what is allowed. */
gboolean                  sp_protocol_parse          (const char               *text,
                                                      const char               *field,
                                                      int                      *number,
                                                      const char              **name,
                                                      GError                  **error);
/* "tcp" for 6; NULL for a number without a name. */
const char               *sp_protocol_get_name       (int                       number);
/* "socket.IPPROTO_TCP" for 6; NULL for a number without a name. */
const char               *sp_protocol_get_python     (int                       number);

G_END_DECLS
