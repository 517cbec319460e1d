/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-address-order.h"

/* `texts` sorted, as comma-separated text. */
static char *
sorted (const char * const *texts)
{
  g_autoptr(GString) shown = g_string_new (NULL);
  GList *addresses = NULL;

  for (guint i = 0; texts[i] != NULL; i++)
    addresses = g_list_append (addresses, g_inet_address_new_from_string (texts[i]));
  addresses = sp_address_order_sort (addresses);

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autofree char *one = g_inet_address_to_string (l->data);

      g_string_append_printf (shown, "%s%s", shown->len > 0 ? "," : "", one);
    }
  g_resolver_free_addresses (addresses);
  return g_string_free (g_steal_pointer (&shown), FALSE);
}

/* Addresses with the same route, or none, go by RFC 6724's precedence
 * (6to4 before unique local), whatever routes this machine has; equals
 * keep their order. */
static void
test_precedence (void)
{
  const char * const v6[] = { "fc00::1", "2002::1", "fd00::2", NULL };
  const char * const v4[] = { "192.0.2.2", "192.0.2.1", "192.0.2.3", NULL };
  const char * const one[] = { "192.0.2.9", NULL };
  g_autofree char *v6_sorted = sorted (v6);
  g_autofree char *v4_sorted = sorted (v4);
  g_autofree char *one_sorted = sorted (one);

  g_assert_cmpstr (v6_sorted, ==, "2002::1,fc00::1,fd00::2");
  g_assert_cmpstr (v4_sorted, ==, "192.0.2.2,192.0.2.1,192.0.2.3");
  g_assert_cmpstr (one_sorted, ==, "192.0.2.9");
  g_assert_null (sp_address_order_sort (NULL));
}

/* An address this machine has no route to goes last: 127.0.0.1 always has
 * one, 2001:db8:: (for documentation) has one only with a default route. */
static void
test_reachable_first (void)
{
  const char * const texts[] = { "2001:db8::1", "127.0.0.1", NULL };
  g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                                           G_SOCKET_PROTOCOL_DEFAULT, NULL);
  g_autoptr(GInetAddress) doc = g_inet_address_new_from_string ("2001:db8::1");
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (doc, 9);
  g_autofree char *got = sorted (texts);

  if (probe != NULL && g_socket_connect (probe, target, NULL, NULL))
    g_assert_cmpstr (got, ==, "2001:db8::1,127.0.0.1");
  else
    g_assert_cmpstr (got, ==, "127.0.0.1,2001:db8::1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/AddressOrder/precedence", test_precedence);
  g_test_add_func ("/Sp/AddressOrder/reachable-first", test_reachable_first);

  return g_test_run ();
}
