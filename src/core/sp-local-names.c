/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "sp-address-order.h"
#include "sp-local-names.h"

/* Names compare without case and without the trailing dot that makes a
 * name absolute: "LocalHost." is localhost. */
static char *
normalize (const char *name)
{
  gsize len = strlen (name);

  if (len > 1 && name[len - 1] == '.')
    len--;
  return g_ascii_strdown (name, len);
}

static gboolean
in_family (GInetAddress  *address,
           GSocketFamily  family)
{
  return family == G_SOCKET_FAMILY_INVALID || g_inet_address_get_family (address) == family;
}

/* Takes `address`. */
static GList *
add_address (GList         *addresses,
             GInetAddress  *address,
             GSocketFamily  family)
{
  if (address == NULL)
    return addresses;
  if (!in_family (address, family) || sp_address_list_contains (addresses, address))
    {
      g_object_unref (address);
      return addresses;
    }
  return g_list_append (addresses, address);
}

/* The hosts file's lines that name `name`, as getaddrinfo's "files" source
 * reads them: an address, then names and aliases; "#" starts a comment. */
static gboolean
hosts_file_answer (const char     *path,
                   const char     *name,
                   GSocketFamily   family,
                   GList         **addresses)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  /* No hosts file is a file without names. */
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *comment = strchr (lines[i], '#');
      g_auto(GStrv) fields = NULL;
      guint n = 0;

      if (comment != NULL)
        *comment = '\0';
      g_strdelimit (lines[i], "\t\r", ' ');
      fields = g_strsplit (lines[i], " ", -1);

      /* Empty fields are runs of blanks. */
      for (guint j = 0; fields[j] != NULL; j++)
        if (fields[j][0] != '\0')
          fields[n++] = fields[j];
        else
          g_free (fields[j]);
      fields[n] = NULL;
      if (n < 2)
        continue;

      for (guint j = 1; j < n; j++)
        {
          g_autofree char *listed = normalize (fields[j]);

          if (!g_str_equal (listed, name))
            continue;
          found = TRUE;
          *addresses = add_address (*addresses, g_inet_address_new_from_string (fields[0]),
                                    family);
          break;
        }
    }

  return found;
}

/* What RFC 6761 says localhost is: the loopback addresses, sorted as
 * getaddrinfo sorts them. */
static GList *
loopback_addresses (GSocketFamily family)
{
  GList *addresses = NULL;

  addresses = add_address (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6),
                           family);
  addresses = add_address (addresses, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4),
                           family);
  return sp_address_order_sort (addresses);
}

/* The host name outside the hosts file: the machine's own interface
 * addresses, or loopback when it has none, as systemd's nss-myhostname
 * answers. */
static GList *
own_addresses (GSocketFamily family)
{
  struct ifaddrs *list = NULL;
  GList *addresses = NULL;

  if (getifaddrs (&list) == 0)
    {
      for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
        {
          g_autoptr(GSocketAddress) socket_address = NULL;
          GInetAddress *address;
          gsize size;

          if (ifa->ifa_addr == NULL)
            continue;
          if (ifa->ifa_addr->sa_family == AF_INET)
            size = sizeof (struct sockaddr_in);
          else if (ifa->ifa_addr->sa_family == AF_INET6)
            size = sizeof (struct sockaddr_in6);
          else
            continue;

          socket_address = g_socket_address_new_from_native (ifa->ifa_addr, size);
          if (socket_address == NULL)
            continue;
          address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (socket_address));
          /* Link-local addresses need an interface to mean anything. */
          if (g_inet_address_get_is_loopback (address) ||
              g_inet_address_get_is_link_local (address))
            continue;
          addresses = add_address (addresses, g_object_ref (address), family);
        }
      freeifaddrs (list);
    }

  if (addresses == NULL)
    return loopback_addresses (family);
  return sp_address_order_sort (addresses);
}

static gboolean
is_host_name (const char *name)
{
  g_autofree char *own = normalize (g_get_host_name ());
  const char *dot = strchr (own, '.');

  if (g_str_equal (name, own))
    return TRUE;
  /* "vm" for "vm.example.org", as the short name a prompt shows. */
  return dot != NULL && strlen (name) == (gsize) (dot - own) &&
         strncmp (name, own, dot - own) == 0;
}

gboolean
sp_local_names_answer (const char     *host,
                       GSocketFamily   family,
                       const char     *hosts_path,
                       GList         **addresses)
{
  g_autofree char *name = NULL;
  GInetAddress *literal;

  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (addresses != NULL && *addresses == NULL, FALSE);

  literal = g_inet_address_new_from_string (host);
  if (literal != NULL)
    {
      *addresses = add_address (NULL, literal, family);
      return TRUE;
    }

  name = normalize (host);
  if (name[0] == '\0')
    return FALSE;

  /* The file first, as getaddrinfo asks it first: it may give localhost
   * or the host name addresses of its own. */
  if (hosts_file_answer (hosts_path != NULL ? hosts_path : "/etc/hosts", name, family,
                         addresses))
    {
      *addresses = sp_address_order_sort (*addresses);
      return TRUE;
    }

  if (g_str_equal (name, "localhost") || g_str_has_suffix (name, ".localhost"))
    {
      *addresses = loopback_addresses (family);
      return TRUE;
    }

  if (is_host_name (name))
    {
      *addresses = own_addresses (family);
      return TRUE;
    }

  return FALSE;
}
