/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Sorts a GList of GInetAddress as getaddrinfo sorts its answers, by RFC
 * 6724's rules 1 and 6: addresses this machine has a route to first, then
 * by precedence (::1, then IPv6, then IPv4), so that "localhost" answered
 * without getaddrinfo gives ::1 before 127.0.0.1 as Python does. The sort
 * is stable: equals keep their order. Takes the list; returns the sorted
 * one. Finding a route makes system calls but sends nothing. */

GList   *sp_address_order_sort     (GList        *addresses);

/* Whether a GList of GInetAddress holds `address` already. */
gboolean sp_address_list_contains (GList        *addresses,
                                   GInetAddress *address);

G_END_DECLS
