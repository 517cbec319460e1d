/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sys/socket.h>

#include "sp-preload-buf.h"

/* Values written as Python writes them, for a report's "args" and
 * "result", and addresses as sp_endpoint_format writes them, for its
 * "local" and "remote". */

/* b'...' as repr() writes bytes. */
void  sp_python_bytes     (SpBuf                 *buf,
                           const struct iovec    *iov,
                           size_t                 iovcnt,
                           size_t                 len);
/* '...' as repr() writes a str of these bytes (others as \xNN). */
void  sp_python_str       (SpBuf                 *buf,
                           const char            *text,
                           size_t                 len);
/* ('127.0.0.1', 5000), ('::1', 5000, 0, 0), '/tmp/sock', b'\x00name' */
void  sp_python_address   (SpBuf                 *buf,
                           const struct sockaddr *address,
                           socklen_t              len);
/* 127.0.0.1:5000, [::1]:5000, /tmp/sock, @name; nothing when the family
 * is none of these (the caller leaves the member out). */
void  sp_endpoint_address (SpBuf                 *buf,
                           const struct sockaddr *address,
                           socklen_t              len);
