/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-types.h"

G_BEGIN_DECLS

/* Parsing, validating and formatting socket addresses.
 *
 * Errors are in SP_ENDPOINT_ERROR and their message starts with the field
 * name it was given ("address", "port", "path") and says what is allowed. */

#define SP_ENDPOINT_ERROR (sp_endpoint_error_quark ())

typedef enum
{
  SP_ENDPOINT_ERROR_INVALID,
  /* A host name that is not a literal: the caller resolves it (asynchronously). */
  SP_ENDPOINT_ERROR_NEEDS_RESOLVING,
} SpEndpointError;

GQuark          sp_endpoint_error_quark        (void);

/* Ports are 0–65535; 0 asks the kernel for an ephemeral port. Accepts
 * decimal text only; `field` names the field in the message. */
gboolean        sp_endpoint_parse_port         (const char      *text,
                                                const char      *field,
                                                guint16         *port,
                                                GError         **error);
gboolean        sp_endpoint_check_port         (gint64           value,
                                                const char      *field,
                                                GError         **error);

/* A literal IP address for `family` (SP_FAMILY_INET or SP_FAMILY_INET6):
 * "" is the wildcard (INADDR_ANY / in6addr_any), "<broadcast>" is
 * 255.255.255.255, dotted quads, the 32-bit form ("0x7F000001" or
 * "2130706433"), IPv6 literals including IPv4-mapped ("::ffff:7f00:1").
 * An IPv4 literal for an inet6 socket becomes its IPv4-mapped form.
 * "localhost" is a literal loopback address for either family.
 * A name that is none of these fails with SP_ENDPOINT_ERROR_NEEDS_RESOLVING. */
GInetAddress   *sp_endpoint_parse_inet_address (SpFamily         family,
                                                const char      *text,
                                                const char      *field,
                                                GError         **error);

/* A UNIX socket address: a path (at most sun_path's 107 bytes) or, with a
 * leading '@', an abstract name. */
GSocketAddress *sp_endpoint_parse_unix         (const char      *text,
                                                const char      *field,
                                                GError         **error);

/* The whole address of a socket: inet/inet6 use `address` and `port`,
 * unix uses `address` as path and ignores `port`. */
GSocketAddress *sp_endpoint_parse              (SpFamily         family,
                                                const char      *address,
                                                guint16          port,
                                                GError         **error);

/* The host and port of what sp_endpoint_format wrote for an inet
 * address: "127.0.0.1:5000" is "127.0.0.1" and 5000, "[::1]:5000" "::1".
 * FALSE for text with no port (a UNIX name). */
gboolean        sp_endpoint_split_text         (const char      *text,
                                                char           **host,
                                                int             *port);

/* "127.0.0.1:5000", "[::1]:5000", "/tmp/sock", "@name", "(unnamed)". */
char           *sp_endpoint_format             (GSocketAddress  *address);
/* As Python shows it: "('127.0.0.1', 5000)", "('::1', 5000, 0, 0)",
 * "'/tmp/sock'", "b'\\x00name'", "''" for an unnamed UNIX socket. */
char           *sp_endpoint_format_python      (GSocketAddress  *address);

/* The forms an IPv4 address is taught in: dotted "127.0.0.1", 32-bit
 * "0x7F000001" and IPv4-mapped IPv6 "::ffff:127.0.0.1". For an IPv6
 * address only `dotted` is set (to the usual text form); a mapped IPv6
 * address also fills the IPv4 forms. Free with g_free. */
void            sp_endpoint_inet_forms         (GInetAddress    *address,
                                                char           **dotted,
                                                char           **hex32,
                                                char           **mapped);

/* "127.0.0.1" or "::1": where a socket of `family` reaches this machine. */
const char     *sp_endpoint_loopback_text      (SpFamily         family);
gboolean        sp_endpoint_is_loopback        (GSocketAddress  *address);
gboolean        sp_endpoint_is_wildcard        (GSocketAddress  *address);

/* The GSocketFamily for `family`. */
GSocketFamily   sp_family_to_gsocket_family    (SpFamily         family);

G_END_DECLS
