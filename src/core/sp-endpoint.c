/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <net/if.h>
#include <sys/un.h>

#include "sp-endpoint.h"
#include "sp-data.h"
#include "sp-describe.h"

G_DEFINE_QUARK (sp-endpoint-error-quark, sp_endpoint_error)

/* sun_path holds the path and its terminating NUL; an abstract name has a
 * leading NUL instead, so both get one byte less than the array. */
#define UNIX_NAME_MAX (sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1)

/* Longest host name DNS allows. */
#define HOST_NAME_MAX_LEN 253

/* The user's text, safe to put in a message: cut as ids are, since a
 * file may hold a 100 KB address. */
static char *
quoted (const char *text)
{
  g_autofree char *shown = sp_describe_text (text);

  return g_strdup_printf ("“%s”", shown);
}

static gboolean
fail (GError     **error,
      gint         code,
      const char  *format,
      ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError     **error,
      gint         code,
      const char  *format,
      ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (SP_ENDPOINT_ERROR, code, format, args));
  va_end (args);

  return FALSE;
}

gboolean
sp_endpoint_check_port (gint64       value,
                        const char  *field,
                        GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (field == NULL)
    field = "port";

  if (value < 0 || value > G_MAXUINT16)
    return fail (error, SP_ENDPOINT_ERROR_INVALID,
                 _("%s: %lld is out of range; use 0–65535 "
                   "(0 asks for an ephemeral port)"),
                 field, (long long) value);

  return TRUE;
}

gboolean
sp_endpoint_parse_port (const char  *text,
                        const char  *field,
                        guint16     *port,
                        GError     **error)
{
  const char *digits;
  guint64 value = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (field == NULL)
    field = "port";

  if (text == NULL || *text == '\0')
    return fail (error, SP_ENDPOINT_ERROR_INVALID,
                 _("%s: no port given; write a number 0–65535 (0 asks for an ephemeral port)"),
                 field);

  digits = text[0] == '-' ? text + 1 : text;
  if (*digits == '\0' || digits[strspn (digits, "0123456789")] != '\0')
    {
      g_autofree char *q = quoted (text);

      return fail (error, SP_ENDPOINT_ERROR_INVALID,
                   _("%s: %s is not a number; write a number 0–65535 "
                     "(0 asks for an ephemeral port)"),
                   field, q);
    }

  /* Stop counting once it is out of range; the message quotes the text. */
  for (const char *p = digits; *p != '\0' && value <= G_MAXUINT16; p++)
    value = value * 10 + (guint64) (*p - '0');

  /* "-0" is still zero. */
  if ((digits != text && value != 0) || value > G_MAXUINT16)
    return fail (error, SP_ENDPOINT_ERROR_INVALID,
                 _("%s: %s is out of range; use 0–65535 (0 asks for an ephemeral port)"),
                 field, text);

  if (port != NULL)
    *port = (guint16) value;

  return TRUE;
}

static GInetAddress *
inet_address_from_ipv4 (SpFamily     family,
                        const guint8 v4[4])
{
  guint8 v6[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (family == SP_FAMILY_INET)
    return g_inet_address_new_from_bytes (v4, G_SOCKET_FAMILY_IPV4);

  memcpy (v6 + 12, v4, 4);
  return g_inet_address_new_from_bytes (v6, G_SOCKET_FAMILY_IPV6);
}

static gboolean
is_ipv4_mapped (GInetAddress *address)
{
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  return g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 &&
         memcmp (g_inet_address_to_bytes (address), prefix, sizeof prefix) == 0;
}

static gboolean
all_chars_in (const char *text,
              const char *accept)
{
  return text[strspn (text, accept)] == '\0';
}

/* Strict dotted quad: four decimal numbers 0–255 without leading zeros
 * (which inet_aton would read as octal). */
static gboolean
parse_dotted_quad (const char *text,
                   guint8      v4[4])
{
  g_auto(GStrv) parts = g_strsplit (text, ".", -1);

  if (g_strv_length (parts) != 4)
    return FALSE;

  for (guint i = 0; i < 4; i++)
    {
      gsize len = strlen (parts[i]);
      guint value = 0;

      if (len == 0 || len > 3 || (len > 1 && parts[i][0] == '0'))
        return FALSE;
      for (gsize j = 0; j < len; j++)
        value = value * 10 + (guint) (parts[i][j] - '0');
      if (value > 255)
        return FALSE;
      v4[i] = (guint8) value;
    }

  return TRUE;
}

static gboolean
parse_ipv4_32bit (const char  *text,
                  const char  *digits,
                  guint        base,
                  const char  *field,
                  guint8       v4[4],
                  GError     **error)
{
  guint64 value = 0;

  for (const char *p = digits; *p != '\0'; p++)
    {
      value = value * base + (guint64) g_ascii_xdigit_value (*p);
      if (value > G_MAXUINT32)
        {
          g_autofree char *q = quoted (text);

          return fail (error, SP_ENDPOINT_ERROR_INVALID,
                       _("%s: %s is too large for a 32-bit IPv4 address; use at most "
                         "4294967295 (0xFFFFFFFF), or write four numbers 0–255 like 127.0.0.1"),
                       field, q);
        }
    }

  v4[0] = (guint8) (value >> 24);
  v4[1] = (guint8) (value >> 16);
  v4[2] = (guint8) (value >> 8);
  v4[3] = (guint8) value;

  return TRUE;
}

static gboolean
is_host_name (const char *text)
{
  gsize len = strlen (text);

  if (len == 0 || len > HOST_NAME_MAX_LEN + 1)
    return FALSE;
  if (!all_chars_in (text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._"))
    return FALSE;
  if (text[0] == '.' || strstr (text, "..") != NULL)
    return FALSE;

  return TRUE;
}

static guint32
parse_scope (const char  *text,
             const char  *scope,
             const char  *field,
             GError     **error)
{
  guint64 number = 0;
  guint index;

  if (*scope != '\0' && all_chars_in (scope, "0123456789") &&
      g_ascii_string_to_unsigned (scope, 10, 1, G_MAXUINT32, &number, NULL))
    return (guint32) number;

  index = *scope != '\0' ? if_nametoindex (scope) : 0;
  if (index == 0)
    {
      g_autofree char *q = quoted (text);
      g_autofree char *s = quoted (scope);

      fail (error, SP_ENDPOINT_ERROR_INVALID,
            _("%s: the zone %s in %s is not a network interface of this machine; "
              "use one that “ip link” lists, like %%lo, or leave it out"),
            field, s, q);
    }

  return index;
}

static GInetAddress *
parse_ipv6 (SpFamily     family,
            const char  *text,
            const char  *field,
            guint32     *scope_id,
            GError     **error)
{
  g_autofree char *inner = NULL;
  g_autoptr(GInetAddress) address = NULL;
  char *percent;
  gsize len = strlen (text);

  if (text[0] == '[')
    {
      if (len < 2 || text[len - 1] != ']')
        goto not_ipv6;
      inner = g_strndup (text + 1, len - 2);
    }
  else
    {
      inner = g_strdup (text);
    }

  percent = strchr (inner, '%');
  if (percent != NULL)
    *percent = '\0';

  address = g_inet_address_new_from_string (inner);
  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    goto not_ipv6;

  if (family == SP_FAMILY_INET)
    {
      g_autofree char *q = quoted (text);

      fail (error, SP_ENDPOINT_ERROR_INVALID,
            _("%s: %s is an IPv6 address, but this is an IPv4 (inet) socket; use an IPv4 "
              "address like 127.0.0.1, or make the socket inet6"),
            field, q);
      return NULL;
    }

  if (percent != NULL)
    {
      GError *scope_error = NULL;
      guint32 scope = parse_scope (text, percent + 1, field, &scope_error);

      if (scope_error != NULL)
        {
          g_propagate_error (error, scope_error);
          return NULL;
        }
      if (scope_id != NULL)
        *scope_id = scope;
    }

  return g_steal_pointer (&address);

not_ipv6:
  {
    g_autofree char *q = quoted (text);

    fail (error, SP_ENDPOINT_ERROR_INVALID,
          _("%s: %s is not an IPv6 address; write it like ::1, 2001:db8::5 or "
            "::ffff:127.0.0.1"),
          field, q);
    return NULL;
  }
}

static GInetAddress *
parse_inet (SpFamily     family,
            const char  *text,
            const char  *field,
            guint32     *scope_id,
            GError     **error)
{
  static const guint8 broadcast[4] = { 255, 255, 255, 255 };
  static const guint8 loopback[4] = { 127, 0, 0, 1 };
  guint8 v4[4];

  if (scope_id != NULL)
    *scope_id = 0;

  if (field == NULL)
    field = "address";

  if (family != SP_FAMILY_INET && family != SP_FAMILY_INET6)
    {
      fail (error, SP_ENDPOINT_ERROR_INVALID,
            _("%s: a UNIX socket has no IP address; give it a path or an @abstract name"),
            field);
      return NULL;
    }

  if (text == NULL || *text == '\0')
    return g_inet_address_new_any (sp_family_to_gsocket_family (family));

  if (g_str_equal (text, "<broadcast>"))
    return inet_address_from_ipv4 (family, broadcast);

  if (g_ascii_strcasecmp (text, "localhost") == 0)
    {
      if (family == SP_FAMILY_INET)
        return inet_address_from_ipv4 (family, loopback);
      return g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
    }

  if (strchr (text, ':') != NULL || text[0] == '[')
    return parse_ipv6 (family, text, field, scope_id, error);

  if ((text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) &&
      text[2] != '\0' && all_chars_in (text + 2, "0123456789abcdefABCDEF"))
    {
      if (!parse_ipv4_32bit (text, text + 2, 16, field, v4, error))
        return NULL;
      return inet_address_from_ipv4 (family, v4);
    }

  if (all_chars_in (text, "0123456789"))
    {
      if (!parse_ipv4_32bit (text, text, 10, field, v4, error))
        return NULL;
      return inet_address_from_ipv4 (family, v4);
    }

  if (all_chars_in (text, "0123456789."))
    {
      if (!parse_dotted_quad (text, v4))
        {
          g_autofree char *q = quoted (text);

          fail (error, SP_ENDPOINT_ERROR_INVALID,
                _("%s: %s is not an IPv4 address; write four numbers 0–255 like 127.0.0.1, "
                  "or the 32-bit form 0x7F000001"),
                field, q);
          return NULL;
        }
      return inet_address_from_ipv4 (family, v4);
    }

  if (is_host_name (text))
    {
      g_autofree char *q = quoted (text);

      fail (error, SP_ENDPOINT_ERROR_NEEDS_RESOLVING,
            _("%s: %s is a host name, not a literal address; it has to be resolved first"),
            field, q);
      return NULL;
    }

  {
    g_autofree char *q = quoted (text);

    fail (error, SP_ENDPOINT_ERROR_INVALID,
          _("%s: %s is neither an address nor a host name; write an address like 127.0.0.1 "
            "or ::1, a name like localhost, or leave it empty for any address"),
          field, q);
    return NULL;
  }
}

/* A zone index ("fe80::1%lo") is accepted but cannot be kept in a
 * GInetAddress; sp_endpoint_parse keeps it in the socket address. */
GInetAddress *
sp_endpoint_parse_inet_address (SpFamily     family,
                                const char  *text,
                                const char  *field,
                                GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return parse_inet (family, text, field, NULL, error);
}

GSocketAddress *
sp_endpoint_parse_unix (const char  *text,
                        const char  *field,
                        GError     **error)
{
  gsize len;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (field == NULL)
    field = "path";

  /* An empty address asks Linux to pick an abstract name (autobind),
   * which is what Python's bind('') does. */
  if (text == NULL || *text == '\0')
    return g_unix_socket_address_new_with_type ("", 0, G_UNIX_SOCKET_ADDRESS_ANONYMOUS);

  if (text[0] == '@')
    {
      len = strlen (text + 1);
      if (len == 0)
        {
          fail (error, SP_ENDPOINT_ERROR_INVALID,
                _("%s: “@” needs a name after it for an abstract UNIX socket, like @playground"),
                field);
          return NULL;
        }
      if (len > UNIX_NAME_MAX)
        {
          fail (error, SP_ENDPOINT_ERROR_INVALID,
                _("%s: %zu bytes is too long for an abstract UNIX socket name "
                  "(at most %zu)"),
                field, len, (gsize) UNIX_NAME_MAX);
          return NULL;
        }

      return g_unix_socket_address_new_with_type (text + 1, (int) len,
                                                  G_UNIX_SOCKET_ADDRESS_ABSTRACT);
    }

  len = strlen (text);
  if (len > UNIX_NAME_MAX)
    {
      fail (error, SP_ENDPOINT_ERROR_INVALID,
            _("%s: %zu bytes is too long for a UNIX socket path "
              "(at most %zu)"),
            field, len, (gsize) UNIX_NAME_MAX);
      return NULL;
    }

  return g_unix_socket_address_new_with_type (text, (int) len, G_UNIX_SOCKET_ADDRESS_PATH);
}

GSocketAddress *
sp_endpoint_parse (SpFamily     family,
                   const char  *address,
                   guint16      port,
                   GError     **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  guint32 scope_id = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (family)
    {
    case SP_FAMILY_UNIX:
      return sp_endpoint_parse_unix (address, "address", error);

    case SP_FAMILY_INET:
    case SP_FAMILY_INET6:
      inet = parse_inet (family, address, "address", &scope_id, error);
      if (inet == NULL)
        return NULL;
      return g_object_new (G_TYPE_INET_SOCKET_ADDRESS,
                           "address", inet,
                           "port", (guint) port,
                           "scope-id", scope_id,
                           NULL);

    default:
      fail (error, SP_ENDPOINT_ERROR_INVALID,
            _("family: unknown address family %d; use inet, inet6 or unix"), (int) family);
      return NULL;
    }
}

/* The name of an abstract address as stored, including the padding of the
 * padded kind, which is part of the name the kernel compares. */
static const char *
unix_name (GUnixSocketAddress *address,
           gsize              *len)
{
  *len = g_unix_socket_address_get_path_len (address);
  return g_unix_socket_address_get_path (address);
}

/* Printable ASCII and valid UTF-8 as they are, anything else as \xNN. */
static void
append_escaped (GString    *out,
                const char *data,
                gsize       len)
{
  const char *end = data + len;

  while (data < end)
    {
      guchar c = (guchar) *data;
      gunichar u;

      if (c >= 0x20 && c < 0x7f && c != '\\')
        {
          g_string_append_c (out, (char) c);
          data++;
          continue;
        }

      u = c >= 0x80 ? g_utf8_get_char_validated (data, end - data) : (gunichar) -1;
      if (u != (gunichar) -1 && u != (gunichar) -2 && g_unichar_isprint (u))
        {
          const char *next = g_utf8_next_char (data);

          g_string_append_len (out, data, next - data);
          data = next;
          continue;
        }

      if (c == '\\')
        g_string_append (out, "\\\\");
      else
        g_string_append_printf (out, "\\x%02x", c);
      data++;
    }
}

char *
sp_endpoint_format (GSocketAddress *address)
{
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), NULL);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint port = g_inet_socket_address_get_port (inet);

      if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        {
          guint32 scope_id = g_inet_socket_address_get_scope_id (inet);

          if (scope_id != 0)
            return g_strdup_printf ("[%s%%%u]:%u", ip, scope_id, port);
          return g_strdup_printf ("[%s]:%u", ip, port);
        }

      return g_strdup_printf ("%s:%u", ip, port);
    }

  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    {
      GUnixSocketAddress *unix_address = G_UNIX_SOCKET_ADDRESS (address);
      GString *out = g_string_new (NULL);
      const char *name;
      gsize len;

      name = unix_name (unix_address, &len);

      switch (g_unix_socket_address_get_address_type (unix_address))
        {
        case G_UNIX_SOCKET_ADDRESS_PATH:
          append_escaped (out, name, len);
          break;

        case G_UNIX_SOCKET_ADDRESS_ABSTRACT_PADDED:
          /* Show the name without the NULs that pad it. */
          while (len > 0 && name[len - 1] == '\0')
            len--;
          G_GNUC_FALLTHROUGH;
        case G_UNIX_SOCKET_ADDRESS_ABSTRACT:
          g_string_append_c (out, '@');
          append_escaped (out, name, len);
          break;

        case G_UNIX_SOCKET_ADDRESS_ANONYMOUS:
        case G_UNIX_SOCKET_ADDRESS_INVALID:
        default:
          g_string_append (out, "(unnamed)");
          break;
        }

      return g_string_free (out, FALSE);
    }

  return g_strdup ("(unknown)");
}

char *
sp_endpoint_format_python (GSocketAddress *address)
{
  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), NULL);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint port = g_inet_socket_address_get_port (inet);

      if (g_socket_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("('%s', %u, %u, %u)", ip, port,
                                g_inet_socket_address_get_flowinfo (inet),
                                g_inet_socket_address_get_scope_id (inet));

      return g_strdup_printf ("('%s', %u)", ip, port);
    }

  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    {
      GUnixSocketAddress *unix_address = G_UNIX_SOCKET_ADDRESS (address);
      const char *name;
      gsize len;

      name = unix_name (unix_address, &len);

      switch (g_unix_socket_address_get_address_type (unix_address))
        {
        case G_UNIX_SOCKET_ADDRESS_PATH:
          {
            g_autofree char *path = g_strndup (name, len);

            return sp_data_format_python_string (path);
          }

        case G_UNIX_SOCKET_ADDRESS_ABSTRACT:
        case G_UNIX_SOCKET_ADDRESS_ABSTRACT_PADDED:
          {
            /* Python gives abstract names as bytes with their leading NUL. */
            g_autofree guint8 *bytes = g_malloc (len + 1);

            bytes[0] = 0;
            memcpy (bytes + 1, name, len);
            return sp_data_format_python_bytes (bytes, len + 1, 0);
          }

        case G_UNIX_SOCKET_ADDRESS_ANONYMOUS:
        case G_UNIX_SOCKET_ADDRESS_INVALID:
        default:
          return g_strdup ("''");
        }
    }

  return g_strdup ("None");
}

void
sp_endpoint_inet_forms (GInetAddress  *address,
                        char         **dotted,
                        char         **hex32,
                        char         **mapped)
{
  const guint8 *v4 = NULL;

  if (dotted != NULL)
    *dotted = NULL;
  if (hex32 != NULL)
    *hex32 = NULL;
  if (mapped != NULL)
    *mapped = NULL;

  g_return_if_fail (G_IS_INET_ADDRESS (address));

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4)
    v4 = g_inet_address_to_bytes (address);
  else if (is_ipv4_mapped (address))
    v4 = g_inet_address_to_bytes (address) + 12;

  if (v4 == NULL)
    {
      if (dotted != NULL)
        *dotted = g_inet_address_to_string (address);
      return;
    }

  if (dotted != NULL)
    *dotted = g_strdup_printf ("%u.%u.%u.%u", v4[0], v4[1], v4[2], v4[3]);
  if (hex32 != NULL)
    *hex32 = g_strdup_printf ("0x%02X%02X%02X%02X", v4[0], v4[1], v4[2], v4[3]);
  if (mapped != NULL)
    *mapped = g_strdup_printf ("::ffff:%u.%u.%u.%u", v4[0], v4[1], v4[2], v4[3]);
}

const char *
sp_endpoint_loopback_text (SpFamily family)
{
  return family == SP_FAMILY_INET6 ? "::1" : "127.0.0.1";
}

gboolean
sp_endpoint_is_loopback (GSocketAddress *address)
{
  GInetAddress *inet;

  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);

  /* A UNIX socket never leaves the machine. */
  if (G_IS_UNIX_SOCKET_ADDRESS (address))
    return TRUE;

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return FALSE;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  if (g_inet_address_get_is_loopback (inet))
    return TRUE;

  return is_ipv4_mapped (inet) && g_inet_address_to_bytes (inet)[12] == 127;
}

gboolean
sp_endpoint_is_wildcard (GSocketAddress *address)
{
  GInetAddress *inet;

  g_return_val_if_fail (G_IS_SOCKET_ADDRESS (address), FALSE);

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return FALSE;

  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  return g_inet_address_get_is_any (inet);
}

GSocketFamily
sp_family_to_gsocket_family (SpFamily family)
{
  switch (family)
    {
    case SP_FAMILY_INET:
      return G_SOCKET_FAMILY_IPV4;
    case SP_FAMILY_INET6:
      return G_SOCKET_FAMILY_IPV6;
    case SP_FAMILY_UNIX:
      return G_SOCKET_FAMILY_UNIX;
    default:
      return G_SOCKET_FAMILY_INVALID;
    }
}

gboolean
sp_endpoint_split_text (const char  *text,
                        char       **host,
                        int         *port)
{
  const char *colon = text != NULL ? strrchr (text, ':') : NULL;
  guint64 number;

  g_return_val_if_fail (host != NULL && port != NULL, FALSE);

  if (colon == NULL || text[0] == '/' || text[0] == '@' ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &number, NULL))
    return FALSE;
  if (text[0] == '[' && colon > text + 1 && colon[-1] == ']')
    *host = g_strndup (text + 1, colon - text - 2);
  else
    *host = g_strndup (text, colon - text);
  *port = (int) number;
  return TRUE;
}
