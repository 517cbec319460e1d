/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "sp-preload-python.h"

static const char hex[] = "0123456789abcdef";

static void
append_hex_escape (SpBuf         *buf,
                   unsigned char  c)
{
  char escape[4] = { '\\', 'x', hex[c >> 4], hex[c & 0xf] };

  sp_buf_append (buf, escape, sizeof escape);
}

/* repr()'s rules: single quotes unless the text has one and no double. */
static char
pick_quote (const struct iovec *iov,
            size_t              iovcnt,
            size_t              len)
{
  int single = 0, twin = 0;

  for (size_t i = 0; i < iovcnt && len > 0; i++)
    {
      size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

      single |= memchr (iov[i].iov_base, '\'', n) != NULL;
      twin |= memchr (iov[i].iov_base, '"', n) != NULL;
      len -= n;
    }

  return single && !twin ? '"' : '\'';
}

static void
append_quoted (SpBuf              *buf,
               const struct iovec *iov,
               size_t              iovcnt,
               size_t              len)
{
  char quote = pick_quote (iov, iovcnt, len);

  sp_buf_char (buf, quote);
  for (size_t i = 0; i < iovcnt && len > 0; i++)
    {
      const unsigned char *p = iov[i].iov_base;
      size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

      len -= n;
      for (; n > 0; n--, p++)
        {
          if (*p == '\\' || *p == (unsigned char) quote)
            {
              sp_buf_char (buf, '\\');
              sp_buf_char (buf, (char) *p);
            }
          else if (*p == '\n')
            sp_buf_append (buf, "\\n", 2);
          else if (*p == '\r')
            sp_buf_append (buf, "\\r", 2);
          else if (*p == '\t')
            sp_buf_append (buf, "\\t", 2);
          else if (*p >= 0x20 && *p < 0x7f)
            sp_buf_char (buf, (char) *p);
          else
            append_hex_escape (buf, *p);
        }
    }
  sp_buf_char (buf, quote);
}

void
sp_python_bytes (SpBuf              *buf,
                 const struct iovec *iov,
                 size_t              iovcnt,
                 size_t              len)
{
  sp_buf_char (buf, 'b');
  append_quoted (buf, iov, iovcnt, len);
}

void
sp_python_str (SpBuf      *buf,
               const char *text,
               size_t      len)
{
  struct iovec iov = { (void *) text, len };

  append_quoted (buf, &iov, 1, len);
}

static void
append_ip (SpBuf      *buf,
           int         family,
           const void *ip)
{
  char text[INET6_ADDRSTRLEN];

  if (inet_ntop (family, ip, text, sizeof text) != NULL)
    sp_buf_text (buf, text);
  else
    buf->overflow = 1;
}

/* The name in a sockaddr_un, and whether it is abstract; the length is
 * that of the name only (a path stops at its NUL). */
static const char *
unix_name (const struct sockaddr_un *address,
           socklen_t                 len,
           size_t                   *name_len,
           int                      *abstract)
{
  size_t room = len > offsetof (struct sockaddr_un, sun_path)
                ? len - offsetof (struct sockaddr_un, sun_path) : 0;

  if (room > sizeof address->sun_path)
    room = sizeof address->sun_path;

  *abstract = room > 0 && address->sun_path[0] == '\0';
  if (*abstract)
    {
      *name_len = room - 1;
      return address->sun_path + 1;
    }

  *name_len = strnlen (address->sun_path, room);
  return address->sun_path;
}

void
sp_python_address (SpBuf                 *buf,
                   const struct sockaddr *address,
                   socklen_t              len)
{
  if (address->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) address;

      sp_buf_text (buf, "('");
      append_ip (buf, AF_INET, &in->sin_addr);
      sp_buf_text (buf, "', ");
      sp_buf_int (buf, ntohs (in->sin_port));
      sp_buf_char (buf, ')');
    }
  else if (address->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;

      sp_buf_text (buf, "('");
      append_ip (buf, AF_INET6, &in6->sin6_addr);
      sp_buf_text (buf, "', ");
      sp_buf_int (buf, ntohs (in6->sin6_port));
      sp_buf_text (buf, ", ");
      sp_buf_int (buf, ntohl (in6->sin6_flowinfo));
      sp_buf_text (buf, ", ");
      sp_buf_int (buf, in6->sin6_scope_id);
      sp_buf_char (buf, ')');
    }
  else if (address->sa_family == AF_UNIX)
    {
      size_t name_len;
      int abstract;
      const char *name = unix_name ((const struct sockaddr_un *) address, len,
                                    &name_len, &abstract);

      if (abstract)
        {
          /* Python gives abstract names as bytes with their leading NUL. */
          struct iovec iov = { (char *) name - 1, name_len + 1 };

          sp_python_bytes (buf, &iov, 1, name_len + 1);
        }
      else
        sp_python_str (buf, name, name_len);
    }
  else
    sp_buf_text (buf, "None");
}

void
sp_endpoint_address (SpBuf                 *buf,
                     const struct sockaddr *address,
                     socklen_t              len)
{
  if (address->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) address;

      append_ip (buf, AF_INET, &in->sin_addr);
      sp_buf_char (buf, ':');
      sp_buf_int (buf, ntohs (in->sin_port));
    }
  else if (address->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;

      sp_buf_char (buf, '[');
      append_ip (buf, AF_INET6, &in6->sin6_addr);
      if (in6->sin6_scope_id != 0)
        {
          sp_buf_char (buf, '%');
          sp_buf_int (buf, in6->sin6_scope_id);
        }
      sp_buf_text (buf, "]:");
      sp_buf_int (buf, ntohs (in6->sin6_port));
    }
  else if (address->sa_family == AF_UNIX)
    {
      size_t name_len;
      int abstract;
      const char *name = unix_name ((const struct sockaddr_un *) address, len,
                                    &name_len, &abstract);

      if (!abstract && name_len == 0)
        {
          sp_buf_text (buf, "(unnamed)");
          return;
        }

      if (abstract)
        {
          /* As sp_endpoint_format: without the NULs that pad a name. */
          while (name_len > 0 && name[name_len - 1] == '\0')
            name_len--;
          sp_buf_char (buf, '@');
        }

      for (size_t i = 0; i < name_len; i++)
        {
          unsigned char c = (unsigned char) name[i];

          if (c == '\\')
            sp_buf_append (buf, "\\\\", 2);
          else if (c >= 0x20 && c < 0x7f)
            sp_buf_char (buf, (char) c);
          else
            append_hex_escape (buf, c);
        }
    }
}
