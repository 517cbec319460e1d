/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sp-session.h"

G_BEGIN_DECLS

/* The Python that does what a session does. */

typedef struct
{
  char *filename;  /* "server.py", "client.py" */
  char *content;
} SpScript;

void       sp_script_free                (SpScript     *script);

/* The Python for one step, as the code view shows it while it runs
 * ("conn, addr = server.accept()"). */
char      *sp_codegen_step_python        (SpSession    *session,
                                          SpStep       *step);
/* The same, with the address a connect, connect_ex or sendto really went
 * to (a Python expression such as "('127.0.0.1', 43483)") in place of the
 * one the session implies, which for a peer on port 0 is only known once
 * it ran. */
char      *sp_codegen_step_python_to     (SpSession    *session,
                                          SpStep       *step,
                                          const char   *destination);

/* Runnable scripts, one per process role: the listeners with the sockets
 * they accept in server.py, the other sockets in client.py. An array of
 * SpScript. */
GPtrArray *sp_codegen_python_scripts     (SpSession    *session,
                                          GError      **error);
/* Writes the scripts into `directory` (created if missing), all of them
 * or none (see sp_files_replace). */
gboolean   sp_codegen_export_python      (SpSession    *session,
                                          const char   *directory,
                                          GError      **error);
/* The same, the files written in a worker thread. */
void       sp_codegen_export_python_async (SpSession          *session,
                                           const char         *directory,
                                           GCancellable       *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer            user_data);
gboolean   sp_codegen_export_python_finish (GAsyncResult     *result,
                                            GError          **error);

G_END_DECLS
