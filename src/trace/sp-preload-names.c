/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sp-preload-names.h"

typedef struct
{
  int         value;
  const char *name;
} Name;

#define NAME(x) { x, #x }

static const Name families[] = {
  NAME (AF_UNIX), NAME (AF_INET), NAME (AF_INET6),
};

static const Name types[] = {
  NAME (SOCK_STREAM), NAME (SOCK_DGRAM), NAME (SOCK_SEQPACKET), NAME (SOCK_RAW),
};

static const Name levels[] = {
  NAME (SOL_SOCKET), NAME (IPPROTO_TCP), NAME (IPPROTO_IP), NAME (IPPROTO_IPV6),
  NAME (IPPROTO_UDP),
};

static const Name socket_options[] = {
  NAME (SO_REUSEADDR), NAME (SO_REUSEPORT), NAME (SO_KEEPALIVE), NAME (SO_BROADCAST),
  NAME (SO_LINGER), NAME (SO_RCVBUF), NAME (SO_SNDBUF), NAME (SO_RCVTIMEO),
  NAME (SO_SNDTIMEO), NAME (SO_RCVLOWAT), NAME (SO_SNDLOWAT), NAME (SO_OOBINLINE),
  NAME (SO_BINDTODEVICE), NAME (SO_PRIORITY),
};

static const Name tcp_options[] = {
  NAME (TCP_NODELAY), NAME (TCP_MAXSEG), NAME (TCP_KEEPIDLE), NAME (TCP_KEEPINTVL),
  NAME (TCP_KEEPCNT), NAME (TCP_CORK), NAME (TCP_QUICKACK), NAME (TCP_USER_TIMEOUT),
};

static const Name ip_options[] = {
  NAME (IP_TTL), NAME (IP_TOS), NAME (IP_MULTICAST_TTL), NAME (IP_MULTICAST_LOOP),
  NAME (IP_ADD_MEMBERSHIP), NAME (IP_DROP_MEMBERSHIP), NAME (IP_MULTICAST_IF),
};

static const Name ipv6_options[] = {
  NAME (IPV6_V6ONLY), NAME (IPV6_UNICAST_HOPS), NAME (IPV6_MULTICAST_HOPS),
  NAME (IPV6_MULTICAST_LOOP), NAME (IPV6_JOIN_GROUP), NAME (IPV6_LEAVE_GROUP),
};

static const Name shutdowns[] = {
  NAME (SHUT_RD), NAME (SHUT_WR), NAME (SHUT_RDWR),
};

static const Name flags_names[] = {
  NAME (MSG_OOB), NAME (MSG_PEEK), NAME (MSG_DONTROUTE), NAME (MSG_DONTWAIT),
  NAME (MSG_WAITALL), NAME (MSG_NOSIGNAL), NAME (MSG_MORE), NAME (MSG_TRUNC),
  NAME (MSG_CONFIRM), NAME (MSG_EOR),
};

#define N_ELEMENTS(a) (sizeof (a) / sizeof ((a)[0]))

static void
append_name (SpBuf      *buf,
             const Name *names,
             size_t      n_names,
             int         value)
{
  for (size_t i = 0; i < n_names; i++)
    if (names[i].value == value)
      {
        sp_buf_text (buf, names[i].name);
        return;
      }

  sp_buf_int (buf, value);
}

void
sp_names_family (SpBuf *buf,
                 int    family)
{
  append_name (buf, families, N_ELEMENTS (families), family);
}

void
sp_names_type (SpBuf *buf,
               int    type)
{
  append_name (buf, types, N_ELEMENTS (types), type);
}

void
sp_names_sockopt (SpBuf *buf,
                  int    level,
                  int    name)
{
  append_name (buf, levels, N_ELEMENTS (levels), level);
  sp_buf_text (buf, ", ");

  switch (level)
    {
    case SOL_SOCKET:
      append_name (buf, socket_options, N_ELEMENTS (socket_options), name);
      break;
    case IPPROTO_TCP:
      append_name (buf, tcp_options, N_ELEMENTS (tcp_options), name);
      break;
    case IPPROTO_IP:
      append_name (buf, ip_options, N_ELEMENTS (ip_options), name);
      break;
    case IPPROTO_IPV6:
      append_name (buf, ipv6_options, N_ELEMENTS (ipv6_options), name);
      break;
    default:
      sp_buf_int (buf, name);
      break;
    }
}

void
sp_names_shutdown (SpBuf *buf,
                   int    how)
{
  append_name (buf, shutdowns, N_ELEMENTS (shutdowns), how);
}

void
sp_names_flags (SpBuf *buf,
                int    flags)
{
  int first = 1;

  for (size_t i = 0; i < N_ELEMENTS (flags_names); i++)
    if (flags & flags_names[i].value)
      {
        if (!first)
          sp_buf_text (buf, " | ");
        sp_buf_text (buf, flags_names[i].name);
        flags &= ~flags_names[i].value;
        first = 0;
      }

  if (flags != 0 || first)
    {
      if (!first)
        sp_buf_text (buf, " | ");
      sp_buf_int (buf, flags);
    }
}
