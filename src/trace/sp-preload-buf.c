/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "sp-preload-buf.h"

void
sp_buf_init (SpBuf  *buf,
             char   *data,
             size_t  cap)
{
  buf->data = data;
  buf->len = 0;
  buf->cap = cap;
  buf->overflow = 0;
}

void
sp_buf_append (SpBuf      *buf,
               const char *text,
               size_t      len)
{
  if (len > buf->cap - buf->len)
    {
      len = buf->cap - buf->len;
      buf->overflow = 1;
    }
  memcpy (buf->data + buf->len, text, len);
  buf->len += len;
}

void
sp_buf_text (SpBuf      *buf,
             const char *text)
{
  sp_buf_append (buf, text, strlen (text));
}

void
sp_buf_char (SpBuf *buf,
             char   c)
{
  if (buf->len < buf->cap)
    buf->data[buf->len++] = c;
  else
    buf->overflow = 1;
}

/* By hand rather than with snprintf, which is not async-signal-safe. */
void
sp_buf_int (SpBuf     *buf,
            long long  value)
{
  char digits[24];
  size_t n = sizeof digits;
  unsigned long long magnitude = value < 0 ? 0ULL - (unsigned long long) value
                                           : (unsigned long long) value;

  do
    {
      digits[--n] = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);

  if (value < 0)
    digits[--n] = '-';

  sp_buf_append (buf, digits + n, sizeof digits - n);
}

/* The length of the valid UTF-8 sequence at `p` (at most `left` bytes), or 0. */
static size_t
utf8_sequence (const unsigned char *p,
               size_t               left)
{
  size_t need;
  unsigned int code;

  if (p[0] < 0x80)
    return 1;
  if (p[0] >= 0xc2 && p[0] <= 0xdf)
    need = 2, code = p[0] & 0x1f;
  else if (p[0] >= 0xe0 && p[0] <= 0xef)
    need = 3, code = p[0] & 0x0f;
  else if (p[0] >= 0xf0 && p[0] <= 0xf4)
    need = 4, code = p[0] & 0x07;
  else
    return 0;

  if (need > left)
    return 0;

  for (size_t i = 1; i < need; i++)
    {
      if ((p[i] & 0xc0) != 0x80)
        return 0;
      code = (code << 6) | (p[i] & 0x3f);
    }

  /* Overlong forms, surrogates and code points beyond U+10FFFF. */
  if ((need == 3 && code < 0x800) || (need == 4 && code < 0x10000) ||
      (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)
    return 0;

  return need;
}

void
sp_buf_json_string (SpBuf      *buf,
                    const char *text,
                    size_t      len)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *) text;
  const unsigned char *end = p + len;

  sp_buf_char (buf, '"');
  while (p < end)
    {
      size_t n;

      switch (*p)
        {
        case '"':  sp_buf_append (buf, "\\\"", 2); p++; continue;
        case '\\': sp_buf_append (buf, "\\\\", 2); p++; continue;
        case '\n': sp_buf_append (buf, "\\n", 2); p++; continue;
        case '\r': sp_buf_append (buf, "\\r", 2); p++; continue;
        case '\t': sp_buf_append (buf, "\\t", 2); p++; continue;
        default: break;
        }

      if (*p < 0x20 || *p == 0x7f)
        {
          char escape[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0xf] };

          sp_buf_append (buf, escape, sizeof escape);
          p++;
          continue;
        }

      n = utf8_sequence (p, (size_t) (end - p));
      if (n == 0)
        {
          sp_buf_append (buf, "\\ufffd", 6);
          p++;
          continue;
        }

      sp_buf_append (buf, (const char *) p, n);
      p += n;
    }
  sp_buf_char (buf, '"');
}

void
sp_buf_json_key (SpBuf      *buf,
                 const char *key)
{
  if (buf->len > 0 && buf->data[buf->len - 1] != '{')
    sp_buf_char (buf, ',');
  sp_buf_char (buf, '"');
  sp_buf_text (buf, key);
  sp_buf_append (buf, "\":", 2);
}

size_t
sp_buf_base64_length (size_t len)
{
  return (len + 2) / 3 * 4;
}

static const char base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The two characters of every 12 bits: half the lookups of one character
 * per 6 bits, for reports that carry much data. Filled when the library
 * is loaded, read only after. */
static char base64_pairs[4096][2];

__attribute__((constructor))
static void
base64_pairs_init (void)
{
  for (unsigned int i = 0; i < 4096; i++)
    {
      base64_pairs[i][0] = base64_alphabet[i >> 6];
      base64_pairs[i][1] = base64_alphabet[i & 0x3f];
    }
}

void
sp_buf_base64_iov (SpBuf              *buf,
                   const struct iovec *iov,
                   size_t              iovcnt,
                   size_t              len)
{
  const char *alphabet = base64_alphabet;
  unsigned char group[3];
  size_t in_group = 0;
  char *out;

  if (sp_buf_base64_length (len) > buf->cap - buf->len)
    {
      buf->overflow = 1;
      return;
    }
  out = buf->data + buf->len;

  for (size_t i = 0; i < iovcnt && len > 0; i++)
    {
      const unsigned char *p = iov[i].iov_base;
      size_t n = iov[i].iov_len < len ? iov[i].iov_len : len;

      len -= n;
      while (n > 0)
        {
          /* Whole groups straight from the vector: the common case. */
          if (in_group == 0)
            {
              while (n >= 3)
                {
                  unsigned int bits = (unsigned int) p[0] << 16 | p[1] << 8 | p[2];

                  memcpy (out, base64_pairs[bits >> 12], 2);
                  memcpy (out + 2, base64_pairs[bits & 0xfff], 2);
                  out += 4;
                  p += 3;
                  n -= 3;
                }
              if (n == 0)
                break;
            }

          group[in_group++] = *p++;
          n--;
          if (in_group == 3)
            {
              *out++ = alphabet[group[0] >> 2];
              *out++ = alphabet[((group[0] & 0x03) << 4) | (group[1] >> 4)];
              *out++ = alphabet[((group[1] & 0x0f) << 2) | (group[2] >> 6)];
              *out++ = alphabet[group[2] & 0x3f];
              in_group = 0;
            }
        }
    }

  if (in_group > 0)
    {
      if (in_group == 1)
        group[1] = 0;
      *out++ = alphabet[group[0] >> 2];
      *out++ = alphabet[((group[0] & 0x03) << 4) | (group[1] >> 4)];
      *out++ = in_group == 2 ? alphabet[(group[1] & 0x0f) << 2] : '=';
      *out++ = '=';
    }

  buf->len = (size_t) (out - buf->data);
}
