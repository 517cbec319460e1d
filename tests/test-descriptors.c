/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sp-descriptors.h"
#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-lookup.h"
#include "sp-test-util.h"

/* A process with no descriptor left: each test runs in a subprocess whose
 * limit is lowered, so that filling its table costs little and the test
 * program itself keeps its own. */

#define LIMIT 64

static void
lower_limit (void)
{
  struct rlimit limit = { LIMIT, LIMIT };

  g_assert_no_errno (setrlimit (RLIMIT_NOFILE, &limit));
}

/* Opens /dev/null until the table is full; returns what it opened. */
static GArray *
fill_table (void)
{
  GArray *fds = g_array_new (FALSE, FALSE, sizeof (int));
  int fd;

  while ((fd = open ("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0)
    g_array_append_val (fds, fd);
  g_assert_cmpint (errno, ==, EMFILE);
  return fds;
}

static void
close_all (GArray *fds)
{
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  g_array_unref (fds);
}

static GList *
lookup_and_wait (const char  *host,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_lookup_async (host, G_SOCKET_FAMILY_IPV4, FALSE, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_lookup_finish (result, error);
}

/* A lookup with no descriptor to read /etc/hosts with is EMFILE, not the
 * "unknown name" glibc says; the first GTask of the process is made then,
 * which used to abort in GLib. Then the reserve makes room. */
static void
test_lookup (SpTestFixture *fixture,
             gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      GArray *fds;
      GList *addresses;
      GArray *spare;

      lower_limit ();
      sp_descriptors_prepare ();
      fds = fill_table ();

      addresses = lookup_and_wait ("localhost", &error);
      g_assert_null (addresses);
      g_assert_error (error, SP_ERRNO_ERROR, EMFILE);

      /* The reserve was given up: there is room again, until a call of the
       * session's takes it back before it makes a descriptor. */
      spare = fill_table ();
      g_assert_cmpuint (spare->len, >, 0);
      close_all (spare);
      sp_descriptors_reclaim ();
      g_assert_cmpint (open ("/dev/null", O_RDONLY | O_CLOEXEC), ==, -1);

      close_all (fds);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Sockets made until the table is full: the one that does not fit fails
 * with EMFILE as its event; a call on a socket that exists still works. */
static void
test_sockets (SpTestFixture *fixture,
              gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) received = NULL;
      g_autoptr(GSocketAddress) address = NULL;
      SpSocket *socket = NULL;

      lower_limit ();
      sp_descriptors_prepare ();
      for (guint i = 0; i <= LIMIT; i++)
        {
          g_autofree char *id = g_strdup_printf ("u%u", i);

          socket = sp_socket_new (id, SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM, 0, fixture->log);
          g_ptr_array_add (sockets, socket);
          if (!sp_socket_create (socket, &error))
            break;
        }
      g_assert_error (error, SP_ERRNO_ERROR, EMFILE);
      g_clear_error (&error);
      g_ptr_array_remove (sockets, socket);

      /* A datagram between two sockets that exist: no new descriptor. */
      address = sp_endpoint_parse (SP_FAMILY_INET, "127.0.0.1", 0, &error);
      g_assert_no_error (error);
      g_assert_true (sp_socket_bind (sockets->pdata[0], address, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sp_test_send_and_wait (sockets->pdata[1], SP_CALL_SENDTO, "ping",
                                              sp_socket_get_local_address (sockets->pdata[0]),
                                              &error), ==, 4);
      g_assert_no_error (error);
      received = sp_test_receive_and_wait (sockets->pdata[0], SP_CALL_RECVFROM, 64,
                                           SP_TEST_GUARD_MS, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (received, NULL), g_bytes_get_size (received), "ping", 4);
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

#define ADD(path, func) \
  g_test_add (path, SpTestFixture, NULL, sp_test_fixture_set_up, func, \
              sp_test_fixture_tear_down)

  ADD ("/Sp/Descriptors/lookup", test_lookup);
  ADD ("/Sp/Descriptors/sockets", test_sockets);

#undef ADD

  return g_test_run ();
}
