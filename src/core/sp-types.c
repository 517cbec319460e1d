/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-types.h"

static const char *family_names[] = { "inet", "inet6", "unix" };
static const char *type_names[] = { "stream", "dgram", "raw", "seqpacket" };
static const char *state_names[] = {
  "uncreated", "created", "bound", "listening", "connecting", "connected",
  "shut-read", "shut-write", "shut-both", "closed",
};
static const char *call_names[] = {
  "socket", "setsockopt", "bind", "listen", "accept", "connect", "connect_ex",
  "send", "sendall", "sendto", "recv", "recvfrom", "recv_into", "recvfrom_into",
  "shutdown", "close", "getsockname", "getpeername", "gethostname", "gethostbyname",
  "getaddrinfo", "serve", "sleep", "note",
};
static const char *family_python[] = {
  "socket.AF_INET", "socket.AF_INET6", "socket.AF_UNIX",
};
static const char *type_python[] = {
  "socket.SOCK_STREAM", "socket.SOCK_DGRAM", "socket.SOCK_RAW", "socket.SOCK_SEQPACKET",
};
static const char *how_names[] = { "read", "write", "both" };
static const char *mode_names[] = { "echo", "discard", "reply" };
static const char *impaired_names[] = {
  NULL, "dropped", "duplicated", "held", "delayed", "copy", "released",
};

G_STATIC_ASSERT (G_N_ELEMENTS (family_python) == G_N_ELEMENTS (family_names));
G_STATIC_ASSERT (G_N_ELEMENTS (type_python) == G_N_ELEMENTS (type_names));
G_STATIC_ASSERT (G_N_ELEMENTS (state_names) == SP_N_STATES);
G_STATIC_ASSERT (G_N_ELEMENTS (call_names) == SP_N_CALLS);
G_STATIC_ASSERT (G_N_ELEMENTS (impaired_names) == SP_N_IMPAIRED);

static gboolean
lookup (const char  *text,
        const char **names,
        guint        n_names,
        guint       *out)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      if (g_str_equal (text, names[i]))
        {
          *out = i;
          return TRUE;
        }
    }

  return FALSE;
}

#define NAME_OR_NULL(names, value) \
  ((guint) (value) < G_N_ELEMENTS (names) ? names[(guint) (value)] : NULL)

#define DEFINE_FROM_STRING(func, Type, names)          \
  gboolean                                             \
  func (const char *text,                              \
        Type       *out)                               \
  {                                                    \
    guint index;                                       \
    if (!lookup (text, names, G_N_ELEMENTS (names), &index)) \
      return FALSE;                                    \
    *out = (Type) index;                               \
    return TRUE;                                       \
  }

const char *
sp_family_to_string (SpFamily family)
{
  return NAME_OR_NULL (family_names, family);
}

const char *
sp_socket_type_to_string (SpSocketType type)
{
  return NAME_OR_NULL (type_names, type);
}

const char *
sp_family_to_python (SpFamily family)
{
  return NAME_OR_NULL (family_python, family);
}

const char *
sp_socket_type_to_python (SpSocketType type)
{
  return NAME_OR_NULL (type_python, type);
}

const char *
sp_state_to_string (SpState state)
{
  return NAME_OR_NULL (state_names, state);
}

const char *
sp_call_to_string (SpCall call)
{
  return NAME_OR_NULL (call_names, call);
}

const char *
sp_shutdown_how_to_string (SpShutdownHow how)
{
  return NAME_OR_NULL (how_names, how);
}

const char *
sp_serve_mode_to_string (SpServeMode mode)
{
  return NAME_OR_NULL (mode_names, mode);
}

const char *
sp_impaired_to_string (SpImpaired impaired)
{
  return NAME_OR_NULL (impaired_names, impaired);
}

gboolean
sp_impaired_is_on_wire (SpImpaired impaired)
{
  return impaired == SP_IMPAIRED_NONE ||
         impaired == SP_IMPAIRED_DUPLICATED ||
         impaired == SP_IMPAIRED_COPY ||
         impaired == SP_IMPAIRED_RELEASED;
}

DEFINE_FROM_STRING (sp_family_from_string, SpFamily, family_names)
DEFINE_FROM_STRING (sp_socket_type_from_string, SpSocketType, type_names)
DEFINE_FROM_STRING (sp_call_from_string, SpCall, call_names)
DEFINE_FROM_STRING (sp_shutdown_how_from_string, SpShutdownHow, how_names)
DEFINE_FROM_STRING (sp_serve_mode_from_string, SpServeMode, mode_names)

const char *
sp_option_level_to_python (const char *option)
{
  if (g_str_has_prefix (option, "TCP_"))
    return "socket.IPPROTO_TCP";
  if (g_str_has_prefix (option, "IPV6_"))
    return "socket.IPPROTO_IPV6";
  if (g_str_has_prefix (option, "IP_"))
    return "socket.IPPROTO_IP";
  return "socket.SOL_SOCKET";
}

gboolean
sp_call_is_global (SpCall call)
{
  return call == SP_CALL_GETHOSTNAME ||
         call == SP_CALL_GETHOSTBYNAME ||
         call == SP_CALL_GETADDRINFO ||
         call == SP_CALL_SLEEP ||
         call == SP_CALL_NOTE;
}

gboolean
sp_call_receives (SpCall call)
{
  return call == SP_CALL_RECV || call == SP_CALL_RECVFROM || call == SP_CALL_RECV_INTO ||
         call == SP_CALL_RECVFROM_INTO;
}

gboolean
sp_call_gives_sender (SpCall call)
{
  return call == SP_CALL_RECVFROM || call == SP_CALL_RECVFROM_INTO;
}
