/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "sp-session.h"

/* The session loader on any bytes: it fails with a GError or returns a
 * session, which must save and load back (what the window saves, it must
 * open again). */
int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SpSession) session = NULL;
  g_autoptr(SpSession) again = NULL;
  g_autofree char *saved = NULL;
  gsize saved_length;

  session = sp_session_new_from_data ((const char *) data, size, "fuzz", &error);
  if (session == NULL)
    {
      g_assert (error != NULL && error->message != NULL);
      return 0;
    }
  g_assert_no_error (error);

  saved = sp_session_to_data (session, &saved_length);
  again = sp_session_new_from_data (saved, saved_length, "saved", &error);
  if (again == NULL)
    g_error ("A loaded session did not load back after saving: %s\n%s",
             error->message, saved);
  g_assert_cmpuint (sp_session_get_n_steps (again), ==, sp_session_get_n_steps (session));
  g_assert_cmpuint (g_list_model_get_n_items (sp_session_get_sockets (again)), ==,
                    g_list_model_get_n_items (sp_session_get_sockets (session)));
  return 0;
}
