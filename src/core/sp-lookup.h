/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A name lookup as Python's socket module makes it: getaddrinfo(), in a
 * worker thread so that the main loop never waits for a DNS server.
 *
 * GResolver would do the threading too, but folds getaddrinfo's codes into
 * two GResolverErrors, and a student should see what Python shows: a
 * failure is a GError in SP_ERRNO_ERROR whose code is getaddrinfo's own
 * (negative, EAI_NONAME is -2), or the errno behind EAI_SYSTEM.
 *
 * `family` is G_SOCKET_FAMILY_IPV4 (gethostbyname, an AF_INET socket's
 * connect), G_SOCKET_FAMILY_IPV6, or G_SOCKET_FAMILY_INVALID for any. The
 * result is a GList of GInetAddress, each once, in getaddrinfo's order;
 * free it with g_resolver_free_addresses(). The lookup cannot be stopped:
 * a cancelled one finishes in its thread and is then dropped.
 *
 * With `only_local`, a name this machine does not answer itself
 * (sp-local-names.h) fails with SP_LOOKUP_ERROR_NOT_LOCAL before any
 * question is asked, and the names it does answer are answered from the
 * hosts file, not by getaddrinfo, whose DNS source would be asked for a
 * family the file lacks. */

#define SP_LOOKUP_ERROR (sp_lookup_error_quark ())

typedef enum
{
  SP_LOOKUP_ERROR_NOT_LOCAL,
} SpLookupError;

GQuark sp_lookup_error_quark (void);

void   sp_lookup_async   (const char          *host,
                          GSocketFamily        family,
                          gboolean             only_local,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data);
GList *sp_lookup_finish  (GAsyncResult        *result,
                          GError             **error);

G_END_DECLS
