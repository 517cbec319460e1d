/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "sp-labels.h"

const char *
sp_family_label (SpFamily family)
{
  switch (family)
    {
    case SP_FAMILY_INET:
      return _("IPv4");
    case SP_FAMILY_INET6:
      return _("IPv6");
    case SP_FAMILY_UNIX:
      return _("UNIX");
    default:
      return _("unknown family");
    }
}

const char *
sp_socket_type_label (SpSocketType type)
{
  switch (type)
    {
    case SP_SOCKET_TYPE_STREAM:
      return _("stream");
    case SP_SOCKET_TYPE_DGRAM:
      return _("datagram");
    case SP_SOCKET_TYPE_RAW:
      return _("raw");
    case SP_SOCKET_TYPE_SEQPACKET:
      return _("sequenced packets");
    default:
      return _("unknown type");
    }
}

const char *
sp_state_label (SpState state)
{
  switch (state)
    {
    case SP_STATE_UNCREATED:
      return _("not created yet");
    case SP_STATE_CREATED:
      return _("created");
    case SP_STATE_BOUND:
      return _("bound");
    case SP_STATE_LISTENING:
      return _("listening");
    case SP_STATE_CONNECTING:
      return _("connecting");
    case SP_STATE_CONNECTED:
      return _("connected");
    case SP_STATE_SHUT_READ:
      return _("shut for reading");
    case SP_STATE_SHUT_WRITE:
      return _("shut for writing");
    case SP_STATE_SHUT_BOTH:
      return _("shut both ways");
    case SP_STATE_CLOSED:
      return _("closed");
    case SP_N_STATES:
    default:
      return _("unknown state");
    }
}

char *
sp_socket_kind_label (SpFamily     family,
                      SpSocketType type)
{
  /* TRANSLATORS: a socket's family and type, "IPv4 · stream" */
  return g_strdup_printf (_("%s · %s"), sp_family_label (family), sp_socket_type_label (type));
}
