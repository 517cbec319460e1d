/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sp-preload-buf.h"

/* C constants written as the Python socket module names them
 * ("SOL_SOCKET, SO_REUSEADDR"), or as numbers when it has no name. */

void  sp_names_family   (SpBuf *buf,
                         int    family);
void  sp_names_type     (SpBuf *buf,
                         int    type);
void  sp_names_sockopt  (SpBuf *buf,
                         int    level,
                         int    name);
void  sp_names_shutdown (SpBuf *buf,
                         int    how);
/* MSG_PEEK | MSG_WAITALL */
void  sp_names_flags    (SpBuf *buf,
                         int    flags);
