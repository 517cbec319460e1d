/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sp-local-names.h"

/* The addresses as text, comma-separated, or NULL when the name is not one
 * this machine answers itself. */
static char *
answer (const char    *path,
        const char    *host,
        GSocketFamily  family)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GList *addresses = NULL;

  if (!sp_local_names_answer (host, family, path, &addresses))
    {
      g_assert_null (addresses);
      return NULL;
    }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *one = g_inet_address_to_string (l->data);

      g_string_append_printf (text, "%s%s", text->len > 0 ? "," : "", one);
    }
  g_resolver_free_addresses (addresses);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define ASSERT_ANSWER(path, host, family, expected) \
  G_STMT_START { \
    g_autofree char *got_ = answer (path, host, family); \
    g_assert_cmpstr (got_, ==, expected); \
  } G_STMT_END

static char *
write_hosts (const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("sp-hosts-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Names and aliases of the file, however it is spaced, without case or a
 * trailing dot, in the family asked for; comments are not names. */
static void
test_hosts_file (void)
{
  g_autofree char *path = write_hosts ("# lecture room\n"
                                       "127.0.0.1\tlocalhost\n"
                                       "192.0.2.7   lecture-server  lecture # commented-out\n"
                                       "2001:db8::7 lecture-server\n"
                                       "192.0.2.8 printer\r\n"
                                       "not-an-address broken\n");
  g_autofree char *answers = NULL;

  /* Which comes first depends on the routes this machine has. */
  answers = answer (path, "lecture-server", G_SOCKET_FAMILY_INVALID);
  g_assert_true (g_strcmp0 (answers, "192.0.2.7,2001:db8::7") == 0 ||
                 g_strcmp0 (answers, "2001:db8::7,192.0.2.7") == 0);
  ASSERT_ANSWER (path, "LECTURE.", G_SOCKET_FAMILY_IPV4, "192.0.2.7");
  ASSERT_ANSWER (path, "lecture-server", G_SOCKET_FAMILY_IPV6, "2001:db8::7");
  ASSERT_ANSWER (path, "printer", G_SOCKET_FAMILY_INVALID, "192.0.2.8");
  /* Known, but not in that family: no address, and no DNS server asked. */
  ASSERT_ANSWER (path, "printer", G_SOCKET_FAMILY_IPV6, "");
  ASSERT_ANSWER (path, "broken", G_SOCKET_FAMILY_INVALID, "");
  /* The file's own answer for localhost, not the loopback pair. */
  ASSERT_ANSWER (path, "localhost", G_SOCKET_FAMILY_INVALID, "127.0.0.1");

  ASSERT_ANSWER (path, "commented-out", G_SOCKET_FAMILY_INVALID, NULL);
  ASSERT_ANSWER (path, "lecture-server.example.org", G_SOCKET_FAMILY_INVALID, NULL);
  ASSERT_ANSWER (path, "example.invalid", G_SOCKET_FAMILY_INVALID, NULL);
  ASSERT_ANSWER (path, "", G_SOCKET_FAMILY_INVALID, NULL);

  g_unlink (path);
}

/* localhost is loopback (RFC 6761) even when no file says so; the host
 * name and literal addresses are this machine's too. */
static void
test_without_file (void)
{
  const char *path = "/nonexistent/hosts";
  const char *host = g_get_host_name ();
  g_autofree char *first = g_strndup (host, strcspn (host, "."));
  g_autofree char *own = answer (path, host, G_SOCKET_FAMILY_IPV4);
  g_autofree char *short_form = answer (path, first, G_SOCKET_FAMILY_IPV4);
  g_autofree char *localhost = NULL;

  localhost = answer (path, "localhost", G_SOCKET_FAMILY_INVALID);
  g_assert_true (g_strcmp0 (localhost, "::1,127.0.0.1") == 0 ||
                 g_strcmp0 (localhost, "127.0.0.1,::1") == 0);
  ASSERT_ANSWER (path, "printer.localhost", G_SOCKET_FAMILY_IPV4, "127.0.0.1");
  ASSERT_ANSWER (path, "localhost.example.org", G_SOCKET_FAMILY_INVALID, NULL);
  ASSERT_ANSWER (path, "192.0.2.1", G_SOCKET_FAMILY_INVALID, "192.0.2.1");
  ASSERT_ANSWER (path, "::1", G_SOCKET_FAMILY_IPV4, "");

  g_assert_nonnull (own);
  g_assert_cmpstr (own, !=, "");
  g_assert_cmpstr (short_form, ==, own);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/LocalNames/hosts-file", test_hosts_file);
  g_test_add_func ("/Sp/LocalNames/without-file", test_without_file);

  return g_test_run ();
}
