/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stddef.h>
#include <sys/uio.h>

/* A bounded text buffer over memory the caller owns (the stack, mostly):
 * the preloaded library builds its reports without allocating, because it
 * runs inside arbitrary programs, in any thread, even in signal handlers.
 * Writing past the end sets `overflow` and keeps what fitted; a report
 * whose buffer overflowed is dropped, never sent cut. */

typedef struct
{
  char   *data;
  size_t  len;
  size_t  cap;
  int     overflow;
} SpBuf;

void    sp_buf_init          (SpBuf              *buf,
                              char               *data,
                              size_t              cap);
void    sp_buf_append        (SpBuf              *buf,
                              const char         *text,
                              size_t              len);
void    sp_buf_text          (SpBuf              *buf,
                              const char         *text);
void    sp_buf_char          (SpBuf              *buf,
                              char                c);
void    sp_buf_int           (SpBuf              *buf,
                              long long           value);
/* A JSON string, quoted: valid UTF-8 is kept, other bytes become U+FFFD. */
void    sp_buf_json_string   (SpBuf              *buf,
                              const char         *text,
                              size_t              len);
/* `,"key":` (without the comma for the first member). */
void    sp_buf_json_key      (SpBuf              *buf,
                              const char         *key);
/* Base64 of the first `len` bytes spread over `iov`. */
void    sp_buf_base64_iov    (SpBuf              *buf,
                              const struct iovec *iov,
                              size_t              iovcnt,
                              size_t              len);
size_t  sp_buf_base64_length (size_t              len);
