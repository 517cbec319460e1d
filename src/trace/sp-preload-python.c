/* SPDX-License-Identifier: GPL-3.0-or-later */
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
append_ipv4 (SpBuf               *buf,
             const unsigned char *bytes)
{
  for (int i = 0; i < 4; i++)
    {
      if (i > 0)
        sp_buf_char (buf, '.');
      sp_buf_int (buf, bytes[i]);
    }
}

/* As inet_ntop writes it (and so g_inet_address_to_string): the first
 * longest run of two or more zero groups as "::", IPv4-mapped and
 * IPv4-compatible addresses ending in a dotted quad. By hand, because
 * inet_ntop formats with sprintf, which is not async-signal-safe. */
static void
append_ipv6 (SpBuf               *buf,
             const unsigned char *bytes)
{
  unsigned int words[8];
  int best = -1, best_len = 0, run = -1, run_len = 0;

  for (int i = 0; i < 8; i++)
    {
      words[i] = (unsigned int) (bytes[2 * i] << 8 | bytes[2 * i + 1]);
      if (words[i] == 0)
        {
          if (run < 0)
            run = i, run_len = 0;
          if (++run_len > best_len)
            best = run, best_len = run_len;
        }
      else
        run = -1;
    }
  if (best_len < 2)
    best = -1;

  for (int i = 0; i < 8; i++)
    {
      if (best >= 0 && i >= best && i < best + best_len)
        {
          if (i == best)
            sp_buf_char (buf, ':');
          continue;
        }
      if (i > 0)
        sp_buf_char (buf, ':');
      if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)))
        {
          append_ipv4 (buf, bytes + 12);
          return;
        }
      if (words[i] == 0)
        sp_buf_char (buf, '0');
      else
        {
          int shift = 12;

          while ((words[i] >> shift) == 0)
            shift -= 4;
          for (; shift >= 0; shift -= 4)
            sp_buf_char (buf, hex[(words[i] >> shift) & 0xf]);
        }
    }
  if (best >= 0 && best + best_len == 8)
    sp_buf_char (buf, ':');
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
      append_ipv4 (buf, (const unsigned char *) &in->sin_addr);
      sp_buf_text (buf, "', ");
      sp_buf_int (buf, ntohs (in->sin_port));
      sp_buf_char (buf, ')');
    }
  else if (address->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;

      sp_buf_text (buf, "('");
      append_ipv6 (buf, in6->sin6_addr.s6_addr);
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

      append_ipv4 (buf, (const unsigned char *) &in->sin_addr);
      sp_buf_char (buf, ':');
      sp_buf_int (buf, ntohs (in->sin_port));
    }
  else if (address->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) address;

      sp_buf_char (buf, '[');
      append_ipv6 (buf, in6->sin6_addr.s6_addr);
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
