/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What a failed call means, for a student.
 *
 * Socket calls fail with a GError in SP_ERRNO_ERROR whose code is the
 * errno value itself, so the name, number and message are never lost. */

#define SP_ERRNO_ERROR (sp_errno_error_quark ())

GQuark      sp_errno_error_quark       (void);
/* A GError in SP_ERRNO_ERROR: "[Errno 111] Connection refused". */
GError     *sp_errno_error_new         (int          code);

/* Name lookups fail with getaddrinfo's codes, which are negative
 * (EAI_NONAME is -2), as Python's socket.gaierror carries them; every
 * function here takes them as it takes an errno. */
gboolean    sp_errno_is_lookup         (int          code);
/* "ECONNREFUSED" for 111, "EAI_NONAME" for -2, NULL if unknown. */
const char *sp_errno_name              (int          code);
/* 111 for "ECONNREFUSED", 0 if unknown. */
int         sp_errno_from_name         (const char  *name);
/* The exception Python raises: "ConnectionRefusedError", "OSError", "TimeoutError";
 * "gaierror" (socket.gaierror) for a lookup. */
const char *sp_errno_python_exception  (int          code);
/* The C library's message: "Connection refused"; for a lookup gai_strerror's,
 * "Name or service not known". */
const char *sp_errno_message           (int          code);
/* One sentence for a student, knowing the call ("connect") and the address
 * involved as sp_endpoint_format writes it (may be NULL):
 * "Nothing is listening on 127.0.0.1:9, so the kernel refused the connection." */
char       *sp_errno_explain           (int          code,
                                        const char  *call,
                                        const char  *address);

/* The errno behind a GError: its code in SP_ERRNO_ERROR, ETIMEDOUT for
 * G_IO_ERROR_TIMED_OUT, the matching errno for other G_IO_ERRORs where
 * there is one; 0 if none. */
int         sp_errno_from_gerror       (const GError *error);

G_END_DECLS
