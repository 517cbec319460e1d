/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <netdb.h>
#include <stdlib.h>

#include "sp-errno.h"
#include "sp-lookup.h"
#include "sp-test-util.h"

static GList *
lookup_and_wait_local (const char     *host,
                       GSocketFamily   family,
                       gboolean        only_local,
                       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_lookup_async (host, family, only_local, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_lookup_finish (result, error);
}

static GList *
lookup_and_wait (const char     *host,
                 GSocketFamily   family,
                 GError        **error)
{
  return lookup_and_wait_local (host, family, FALSE, error);
}

static gboolean
has_address (GList      *addresses,
             const char *text)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *shown = g_inet_address_to_string (l->data);

      if (g_str_equal (shown, text))
        return TRUE;
    }
  return FALSE;
}

/* localhost is in /etc/hosts: it answers without a DNS server, in the
 * family asked for, each address once. */
static void
test_localhost (SpTestFixture *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = lookup_and_wait ("localhost", G_SOCKET_FAMILY_IPV4, &error);
  g_assert_no_error (error);
  g_assert_true (has_address (addresses, "127.0.0.1"));
  for (GList *l = addresses; l != NULL; l = l->next)
    g_assert_cmpint (g_inet_address_get_family (l->data), ==, G_SOCKET_FAMILY_IPV4);
  for (GList *l = addresses; l != NULL; l = l->next)
    for (GList *m = l->next; m != NULL; m = m->next)
      g_assert_false (g_inet_address_equal (l->data, m->data));
  g_resolver_free_addresses (addresses);

  addresses = lookup_and_wait ("127.0.0.1", G_SOCKET_FAMILY_INVALID, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (addresses), ==, 1);
  g_resolver_free_addresses (addresses);
}

/* A name nobody knows fails with getaddrinfo's own code, the one Python's
 * socket.gaierror carries for it on this machine. */
static void
test_unknown_name (SpTestFixture *fixture,
                   gconstpointer  data)
{
  const char *script =
    "import socket, sys\n"
    "try:\n"
    "  socket.getaddrinfo(sys.argv[1], None, socket.AF_INET, socket.SOCK_STREAM)\n"
    "  print(0)\n"
    "except socket.gaierror as e:\n"
    "  print(e.errno)\n";
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *python = NULL;
  GList *addresses;

  addresses = lookup_and_wait ("no-such-host.invalid", G_SOCKET_FAMILY_IPV4, &error);
  g_assert_null (addresses);
  g_assert_nonnull (error);
  g_assert_true (error->domain == SP_ERRNO_ERROR);
  g_assert_true (sp_errno_is_lookup (error->code));
  g_assert_true (error->code == EAI_NONAME || error->code == EAI_AGAIN);
  g_assert_true (g_str_has_suffix (error->message, gai_strerror (error->code)));

  g_ptr_array_add (args, (gpointer) "no-such-host.invalid");
  python = sp_test_run_python (script, args);
  if (python != NULL)
    g_assert_cmpint (atoi (python), ==, error->code);
}

/* Limited to this machine's own names, a lookup of any other name fails
 * before a question is asked; localhost still answers. */
static void
test_only_local (SpTestFixture *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GList *addresses;

  addresses = lookup_and_wait_local ("no-such-host.invalid", G_SOCKET_FAMILY_INVALID, TRUE,
                                     &error);
  g_assert_null (addresses);
  g_assert_error (error, SP_LOOKUP_ERROR, SP_LOOKUP_ERROR_NOT_LOCAL);
  g_clear_error (&error);

  addresses = lookup_and_wait_local ("localhost", G_SOCKET_FAMILY_IPV4, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (has_address (addresses, "127.0.0.1"));
  g_resolver_free_addresses (addresses);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

#define ADD(path, func) \
  g_test_add (path, SpTestFixture, NULL, sp_test_fixture_set_up, func, \
              sp_test_fixture_tear_down)

  ADD ("/Sp/Lookup/localhost", test_localhost);
  ADD ("/Sp/Lookup/unknown-name", test_unknown_name);
  ADD ("/Sp/Lookup/only-local", test_only_local);

#undef ADD

  return g_test_run ();
}
