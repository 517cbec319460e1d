/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sp-socket-options.h"

#include "sp-data.h"

#define FAMILY_BIT(family) (1u << (family))
#define TYPE_BIT(type)     (1u << (type))

#define ANY_FAMILY (FAMILY_BIT (SP_FAMILY_INET) | FAMILY_BIT (SP_FAMILY_INET6) | \
                    FAMILY_BIT (SP_FAMILY_UNIX))
#define IP_FAMILY  (FAMILY_BIT (SP_FAMILY_INET) | FAMILY_BIT (SP_FAMILY_INET6))
#define ANY_TYPE   (TYPE_BIT (SP_SOCKET_TYPE_STREAM) | TYPE_BIT (SP_SOCKET_TYPE_DGRAM) | \
                    TYPE_BIT (SP_SOCKET_TYPE_RAW) | TYPE_BIT (SP_SOCKET_TYPE_SEQPACKET))

/* The public part comes first, so that a pointer to it is a pointer to
 * its entry. The masks say where the kernel takes the option; elsewhere it
 * refuses it (ENOPROTOOPT, EOPNOTSUPP, EINVAL), and the entry says why
 * beforehand: for the family, or for the type. */
typedef struct
{
  SpSocketOptionInfo  info;
  guint               families;
  guint               types;
  const char         *why_not_family;
  const char         *why_not_type;
} OptionEntry;

static const OptionEntry options[] = {
  { { "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, TRUE, "socket.SOL_SOCKET",
      N_("Bind to an address whose old connections are still in TIME_WAIT") },
    ANY_FAMILY, ANY_TYPE, NULL, NULL },
  /* Linux refuses it on UNIX sockets: only IP sockets share a port. */
  { { "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, TRUE, "socket.SOL_SOCKET",
      N_("Let several sockets bind the same address and port and share their traffic") },
    IP_FAMILY, ANY_TYPE, N_("SO_REUSEPORT is an option of IPv4 and IPv6 sockets"), NULL },
  { { "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, TRUE, "socket.SOL_SOCKET",
      N_("Allow sending datagrams to a broadcast address") },
    ANY_FAMILY, ANY_TYPE, NULL, NULL },
  { { "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, TRUE, "socket.SOL_SOCKET",
      N_("Check an idle connection now and then to notice a peer that went away") },
    ANY_FAMILY, ANY_TYPE, NULL, NULL },
  { { "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, TRUE, "socket.IPPROTO_TCP",
      N_("Send small writes at once instead of gathering them into fewer segments") },
    IP_FAMILY, TYPE_BIT (SP_SOCKET_TYPE_STREAM),
    N_("TCP_NODELAY is an option of TCP sockets"), N_("TCP_NODELAY is an option of TCP sockets") },
  /* A raw socket is bound to its protocol from the start, and the kernel
   * changes V6ONLY only on an unbound socket. */
  { { "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, TRUE, "socket.IPPROTO_IPV6",
      N_("Accept only IPv6 peers, not IPv4 ones as ::ffff: addresses") },
    FAMILY_BIT (SP_FAMILY_INET6), ANY_TYPE & ~TYPE_BIT (SP_SOCKET_TYPE_RAW),
    N_("IPV6_V6ONLY is an option of IPv6 sockets"),
    N_("IPV6_V6ONLY is an option of IPv6 stream and datagram sockets") },
  { { "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, FALSE, "socket.SOL_SOCKET",
      N_("How many bytes the kernel keeps for receiving (it doubles what is asked)") },
    ANY_FAMILY, ANY_TYPE, NULL, NULL },
  { { "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, FALSE, "socket.SOL_SOCKET",
      N_("How many bytes the kernel keeps for sending (it doubles what is asked)") },
    ANY_FAMILY, ANY_TYPE, NULL, NULL },
};

static const struct
{
  const char *name;
  int         number;
  const char *python;
} protocols[] = {
  { "tcp", IPPROTO_TCP, "socket.IPPROTO_TCP" },
  { "udp", IPPROTO_UDP, "socket.IPPROTO_UDP" },
  { "icmp", IPPROTO_ICMP, "socket.IPPROTO_ICMP" },
  { "icmpv6", IPPROTO_ICMPV6, "socket.IPPROTO_ICMPV6" },
};

guint
sp_socket_option_get_count (void)
{
  return G_N_ELEMENTS (options);
}

const SpSocketOptionInfo *
sp_socket_option_get_nth (guint i)
{
  g_return_val_if_fail (i < G_N_ELEMENTS (options), NULL);

  return &options[i].info;
}

const SpSocketOptionInfo *
sp_socket_option_lookup (const char *name)
{
  if (name == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (g_str_equal (name, options[i].info.name))
      return &options[i].info;

  return NULL;
}

const char *
sp_socket_option_why_not (const SpSocketOptionInfo *info,
                          SpFamily                  family,
                          SpSocketType              type)
{
  const OptionEntry *entry = (const OptionEntry *) info;

  g_return_val_if_fail (entry >= options && entry < options + G_N_ELEMENTS (options), NULL);

  if ((entry->families & FAMILY_BIT (family)) == 0)
    return _(entry->why_not_family);
  if ((entry->types & TYPE_BIT (type)) == 0)
    return _(entry->why_not_type);

  return NULL;
}

gboolean
sp_protocol_parse (const char  *text,
                   const char  *field,
                   int         *number,
                   const char **name,
                   GError     **error)
{
  gint64 value;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (text[0] == '\0')
    {
      if (number != NULL)
        *number = 0;
      if (name != NULL)
        *name = NULL;
      return TRUE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      if (g_ascii_strcasecmp (text, protocols[i].name) == 0)
        {
          if (number != NULL)
            *number = protocols[i].number;
          if (name != NULL)
            *name = protocols[i].name;
          return TRUE;
        }
    }

  if (g_ascii_string_to_signed (text, 10, 0, 255, &value, NULL))
    {
      if (number != NULL)
        *number = (int) value;
      if (name != NULL)
        *name = NULL;
      return TRUE;
    }

  g_set_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID,
               _("%s: must be a number from 0 to 255 or one of tcp, udp, icmp, icmpv6"),
               field);
  return FALSE;
}

const char *
sp_protocol_get_name (int number)
{
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i].number == number)
      return protocols[i].name;

  return NULL;
}

const char *
sp_protocol_get_python (int number)
{
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (protocols[i].number == number)
      return protocols[i].python;

  return NULL;
}
