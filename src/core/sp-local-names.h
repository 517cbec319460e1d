/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The names this machine answers itself, without asking a DNS server:
 * `localhost` and names ending in `.localhost` (RFC 6761), its own host
 * name and that name's first label, the names in the hosts file, and
 * literal addresses. A replay that may not reach other machines looks up
 * only these, because a DNS question leaves the machine as any packet does.
 *
 * sp_local_names_answer() reads the hosts file (`hosts_path`, /etc/hosts
 * when NULL), so it blocks: call it from a worker thread. It returns FALSE
 * when the name is not one of these. Otherwise it returns TRUE and sets
 * `addresses` to a GList of GInetAddress in `family` (or any family for
 * G_SOCKET_FAMILY_INVALID), each once, in the order getaddrinfo would give
 * them (reachable ones first, IPv6 before IPv4, otherwise the file's
 * order): NULL when the name is known but not in that family. Free the list with
 * g_resolver_free_addresses(). */

gboolean sp_local_names_answer (const char     *host,
                                GSocketFamily   family,
                                const char     *hosts_path,
                                GList         **addresses);

G_END_DECLS
