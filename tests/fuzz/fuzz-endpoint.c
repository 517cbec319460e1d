/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "fuzz-common.h"
#include "sp-endpoint.h"

/* The address and port parsers (what a user types in a bind or connect
 * form, what a session file holds). The first byte picks the family and
 * a port; the rest is the text. Whatever parses must format, and the
 * formatted text of an inet address must parse back to the same address. */

static void
check_address (GSocketAddress *address,
               SpFamily        family)
{
  g_autofree char *text = sp_endpoint_format (address);
  g_autofree char *python = sp_endpoint_format_python (address);

  g_assert_nonnull (text);
  g_assert_nonnull (python);
  sp_endpoint_is_loopback (address);
  sp_endpoint_is_wildcard (address);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
      g_autofree char *dotted = NULL;
      g_autofree char *hex32 = NULL;
      g_autofree char *mapped = NULL;
      g_autofree char *plain = g_inet_address_to_string (inet);
      g_autoptr(GInetAddress) again = NULL;
      g_autoptr(GError) error = NULL;

      sp_endpoint_inet_forms (inet, &dotted, &hex32, &mapped);
      g_assert_nonnull (dotted);

      again = sp_endpoint_parse_inet_address (family, plain, "address", &error);
      g_assert_no_error (error);
      g_assert_true (g_inet_address_equal (inet, again));
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  SpFuzzInput input = { data, size, 0 };
  guint8 selector = sp_fuzz_input_byte (&input);
  SpFamily family = selector % 3;
  guint16 port = (guint16) (sp_fuzz_input_byte (&input) << 8 | sp_fuzz_input_byte (&input));
  g_autofree char *text = sp_fuzz_input_string (&input, G_MAXSIZE, NULL);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  guint16 parsed_port;

  if (sp_endpoint_parse_port (text, "port", &parsed_port, &error))
    {
      g_autofree char *decimal = g_strdup_printf ("%u", parsed_port);
      guint16 again;

      g_assert_true (sp_endpoint_parse_port (decimal, "port", &again, NULL));
      g_assert_cmpuint (again, ==, parsed_port);
    }
  else
    {
      g_assert_true (g_str_has_prefix (error->message, "port"));
    }
  g_clear_error (&error);

  if (family != SP_FAMILY_UNIX)
    {
      g_autoptr(GInetAddress) inet = NULL;

      inet = sp_endpoint_parse_inet_address (family, text, "address", &error);
      if (inet == NULL)
        g_assert_true (g_str_has_prefix (error->message, "address"));
      g_clear_error (&error);
    }
  else
    {
      g_autoptr(GSocketAddress) unix_address = sp_endpoint_parse_unix (text, "path", &error);

      if (unix_address != NULL)
        check_address (unix_address, family);
      g_clear_error (&error);
    }

  address = sp_endpoint_parse (family, text, port, &error);
  if (address != NULL)
    check_address (address, family);
  else
    g_assert_nonnull (error);
  return 0;
}
