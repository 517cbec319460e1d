/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include "sp-address-order.h"

/* RFC 6724's precedence table, which getaddrinfo sorts by: ::1 first,
 * then IPv6, then IPv4 (as ::ffff:0:0/96), then the transition ranges. */
static int
precedence (GInetAddress *address)
{
  const guint8 *bytes = g_inet_address_to_bytes (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    return 35;
  if (g_inet_address_get_is_loopback (address))
    return 50;
  if (bytes[0] == 0x20 && bytes[1] == 0x02)
    return 30;
  if (bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0)
    return 5;
  if ((bytes[0] & 0xfe) == 0xfc)
    return 3;
  return 40;
}

/* Whether this machine has a route to `address`: connecting a datagram
 * socket picks one, and sends nothing. */
static gboolean
is_usable (GInetAddress *address)
{
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (address, 9);
  struct sockaddr_storage native;
  gboolean usable;
  int fd;

  if (!g_socket_address_to_native (target, &native, sizeof native, NULL))
    return FALSE;
  fd = socket (native.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  usable = connect (fd, (struct sockaddr *) &native,
                    g_socket_address_get_native_size (target)) == 0;
  close (fd);
  return usable;
}

typedef struct
{
  GInetAddress *address;
  gboolean      usable;
  int           precedence;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *x = a;
  const Ranked *y = b;

  if (x->usable != y->usable)
    return x->usable ? -1 : 1;
  return y->precedence - x->precedence;
}

GList *
sp_address_order_sort (GList *addresses)
{
  GList *ranked = NULL;
  GList *sorted = NULL;

  if (addresses == NULL || addresses->next == NULL)
    return addresses;

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      Ranked *one = g_new0 (Ranked, 1);

      one->address = l->data;
      one->usable = is_usable (l->data);
      one->precedence = precedence (l->data);
      ranked = g_list_append (ranked, one);
    }
  ranked = g_list_sort (ranked, compare_ranked);
  for (GList *l = ranked; l != NULL; l = l->next)
    sorted = g_list_append (sorted, ((Ranked *) l->data)->address);

  g_list_free_full (ranked, g_free);
  g_list_free (addresses);
  return sorted;
}

gboolean
sp_address_list_contains (GList        *addresses,
                          GInetAddress *address)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    if (g_inet_address_equal (l->data, address))
      return TRUE;
  return FALSE;
}
