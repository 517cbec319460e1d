/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sp-endpoint.h"
#include "sp-test-util.h"

static void
assert_error_prefix (const GError *error,
                     gint          code,
                     const char   *prefix)
{
  g_assert_error (error, SP_ENDPOINT_ERROR, code);
  if (!g_str_has_prefix (error->message, prefix))
    g_error ("message “%s” does not start with “%s”", error->message, prefix);
}

static void
test_parse_port (void)
{
  static const struct {
    const char *text;
    guint16 port;
  } good[] = {
    { "0", 0 }, { "1", 1 }, { "80", 80 }, { "5000", 5000 }, { "65535", 65535 },
    { "00080", 80 },
  };
  static const struct {
    const char *text;
    const char *message;
  } bad[] = {
    { "70000", "port: 70000 is out of range; use 0–65535 (0 asks for an ephemeral port)" },
    { "65536", "port: 65536 is out of range; use 0–65535 (0 asks for an ephemeral port)" },
    { "-1", "port: -1 is out of range; use 0–65535 (0 asks for an ephemeral port)" },
    { "99999999999999999999999",
      "port: 99999999999999999999999 is out of range; use 0–65535 (0 asks for an ephemeral port)" },
    { "", "port: no port given; write a number 0–65535 (0 asks for an ephemeral port)" },
    { "http", "port: “http” is not a number; write a number 0–65535 "
              "(0 asks for an ephemeral port)" },
    { " 80", "port: “ 80” is not a number; " },
    { "80 ", "port: “80 ” is not a number; " },
    { "+80", "port: “+80” is not a number; " },
    { "0x50", "port: “0x50” is not a number; " },
    { "8.0", "port: “8.0” is not a number; " },
    { "-", "port: “-” is not a number; " },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 1234;

      g_assert_true (sp_endpoint_parse_port (good[i].text, "port", &port, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (port, ==, good[i].port);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint16 port = 1234;

      g_assert_false (sp_endpoint_parse_port (bad[i].text, "port", &port, &error));
      assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, bad[i].message);
      g_assert_cmpuint (port, ==, 1234);
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sp_endpoint_parse_port (NULL, "sockets[0].port", NULL, &error));
    assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, "sockets[0].port: no port given");
  }
}

static void
test_check_port (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (sp_endpoint_check_port (0, "port", NULL));
  g_assert_true (sp_endpoint_check_port (65535, "port", NULL));

  g_assert_false (sp_endpoint_check_port (65536, "steps[3].port", &error));
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID,
                       "steps[3].port: 65536 is out of range; use 0–65535 "
                       "(0 asks for an ephemeral port)");
  g_clear_error (&error);

  g_assert_false (sp_endpoint_check_port (-5, "port", &error));
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, "port: -5 is out of range; ");
  g_clear_error (&error);

  g_assert_false (sp_endpoint_check_port (G_MAXINT64, "port", &error));
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, "port: 9223372036854775807 is out");
}

typedef struct
{
  SpFamily    family;
  const char *text;
  const char *expected;  /* the address as text, or NULL for an error */
  gint        code;
  const char *message;   /* how the message starts */
} InetCase;

static const InetCase inet_cases[] = {
  { SP_FAMILY_INET, "", "0.0.0.0", 0, NULL },
  { SP_FAMILY_INET, NULL, "0.0.0.0", 0, NULL },
  { SP_FAMILY_INET, "<broadcast>", "255.255.255.255", 0, NULL },
  { SP_FAMILY_INET, "localhost", "127.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "LocalHost", "127.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "127.0.0.1", "127.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "192.168.1.254", "192.168.1.254", 0, NULL },
  { SP_FAMILY_INET, "0.0.0.0", "0.0.0.0", 0, NULL },
  { SP_FAMILY_INET, "0x7F000001", "127.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "0x7f000001", "127.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "0X0A0000FF", "10.0.0.255", 0, NULL },
  { SP_FAMILY_INET, "0x1", "0.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "2130706433", "127.0.0.1", 0, NULL },
  { SP_FAMILY_INET, "0", "0.0.0.0", 0, NULL },
  { SP_FAMILY_INET, "4294967295", "255.255.255.255", 0, NULL },
  { SP_FAMILY_INET, "0xFFFFFFFF", "255.255.255.255", 0, NULL },
  { SP_FAMILY_INET, "0x00000000FF", "0.0.0.255", 0, NULL },
  { SP_FAMILY_INET, "4294967296", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “4294967296” is too large for a 32-bit IPv4 address; " },
  { SP_FAMILY_INET, "0x100000000", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “0x100000000” is too large for a 32-bit IPv4 address; " },
  { SP_FAMILY_INET, "300.1.1.1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “300.1.1.1” is not an IPv4 address; write four numbers 0–255 like "
    "127.0.0.1, or the 32-bit form 0x7F000001" },
  { SP_FAMILY_INET, "1.2.3", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “1.2.3” is not an IPv4 address; " },
  { SP_FAMILY_INET, "1.2.3.4.5", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “1.2.3.4.5” is not an IPv4 address; " },
  { SP_FAMILY_INET, "1..2.3", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “1..2.3” is not an IPv4 address; " },
  { SP_FAMILY_INET, "010.0.0.1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “010.0.0.1” is not an IPv4 address; " },
  { SP_FAMILY_INET, "127.0.0.1.", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “127.0.0.1.” is not an IPv4 address; " },
  { SP_FAMILY_INET, "::1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “::1” is an IPv6 address, but this is an IPv4 (inet) socket; " },
  { SP_FAMILY_INET, "[::1]", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “[::1]” is an IPv6 address, but this is an IPv4 (inet) socket; " },
  { SP_FAMILY_INET, "::ffff:127.0.0.1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “::ffff:127.0.0.1” is an IPv6 address, but " },
  { SP_FAMILY_INET, "example.com", NULL, SP_ENDPOINT_ERROR_NEEDS_RESOLVING,
    "address: “example.com” is a host name" },
  { SP_FAMILY_INET, "my-pc", NULL, SP_ENDPOINT_ERROR_NEEDS_RESOLVING,
    "address: “my-pc” is a host name" },
  { SP_FAMILY_INET, "0xcafe.example", NULL, SP_ENDPOINT_ERROR_NEEDS_RESOLVING,
    "address: “0xcafe.example” is a host name" },
  { SP_FAMILY_INET, "a b", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “a b” is neither an address nor a host name; " },
  { SP_FAMILY_INET, " 127.0.0.1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “ 127.0.0.1” is neither an address nor a host name; " },
  { SP_FAMILY_INET, "host..name", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “host..name” is neither an address nor a host name; " },

  { SP_FAMILY_INET6, "", "::", 0, NULL },
  { SP_FAMILY_INET6, "::", "::", 0, NULL },
  { SP_FAMILY_INET6, "::1", "::1", 0, NULL },
  { SP_FAMILY_INET6, "[::1]", "::1", 0, NULL },
  { SP_FAMILY_INET6, "localhost", "::1", 0, NULL },
  { SP_FAMILY_INET6, "2001:DB8::5", "2001:db8::5", 0, NULL },
  { SP_FAMILY_INET6, "127.0.0.1", "::ffff:127.0.0.1", 0, NULL },
  { SP_FAMILY_INET6, "0x7F000001", "::ffff:127.0.0.1", 0, NULL },
  { SP_FAMILY_INET6, "2130706433", "::ffff:127.0.0.1", 0, NULL },
  { SP_FAMILY_INET6, "<broadcast>", "::ffff:255.255.255.255", 0, NULL },
  { SP_FAMILY_INET6, "::ffff:7f00:1", "::ffff:127.0.0.1", 0, NULL },
  { SP_FAMILY_INET6, "::ffff:127.0.0.1", "::ffff:127.0.0.1", 0, NULL },
  { SP_FAMILY_INET6, "fe80::1%lo", "fe80::1", 0, NULL },
  { SP_FAMILY_INET6, "fe80::1%1", "fe80::1", 0, NULL },
  { SP_FAMILY_INET6, "fe80::1%no-such-if0", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: the zone “no-such-if0” in “fe80::1%no-such-if0” is not a network interface" },
  { SP_FAMILY_INET6, "1::2::3", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “1::2::3” is not an IPv6 address; " },
  { SP_FAMILY_INET6, "[::1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “[::1” is not an IPv6 address; " },
  { SP_FAMILY_INET6, "[127.0.0.1]", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “[127.0.0.1]” is not an IPv6 address; " },
  { SP_FAMILY_INET6, "::g", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “::g” is not an IPv6 address; " },
  { SP_FAMILY_INET6, "256.0.0.1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: “256.0.0.1” is not an IPv4 address; " },
  { SP_FAMILY_INET6, "ip6-localhost", NULL, SP_ENDPOINT_ERROR_NEEDS_RESOLVING,
    "address: “ip6-localhost” is a host name" },

  { SP_FAMILY_UNIX, "127.0.0.1", NULL, SP_ENDPOINT_ERROR_INVALID,
    "address: a UNIX socket has no IP address" },
};

static void
test_parse_inet_address (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (inet_cases); i++)
    {
      const InetCase *c = &inet_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GInetAddress) address = NULL;

      address = sp_endpoint_parse_inet_address (c->family, c->text, "address", &error);

      if (c->expected != NULL)
        {
          g_autofree char *text = NULL;
          GSocketFamily family = c->family == SP_FAMILY_INET ? G_SOCKET_FAMILY_IPV4
                                                             : G_SOCKET_FAMILY_IPV6;

          if (error != NULL)
            g_error ("“%s”: unexpected error “%s”", c->text, error->message);
          g_assert_nonnull (address);
          g_assert_cmpint (g_inet_address_get_family (address), ==, family);
          text = g_inet_address_to_string (address);
          g_assert_cmpstr (text, ==, c->expected);
        }
      else
        {
          if (address != NULL)
            g_error ("“%s”: expected an error", c->text);
          assert_error_prefix (error, c->code, c->message);
        }
    }
}

/* Every failure names the field it was given, first. */
static void
test_errors_name_field (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (inet_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GInetAddress) address = NULL;

      if (inet_cases[i].expected != NULL)
        continue;

      address = sp_endpoint_parse_inet_address (inet_cases[i].family, inet_cases[i].text,
                                                "steps[4].address", &error);
      g_assert_null (address);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "steps[4].address: "));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GSocketAddress) address = sp_endpoint_parse ((SpFamily) 42, "x", 0, &error);

    g_assert_null (address);
    g_assert_error (error, SP_ENDPOINT_ERROR, SP_ENDPOINT_ERROR_INVALID);
    g_assert_true (g_str_has_prefix (error->message, "family: "));
  }
}

static void
test_parse_unix (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path107 = g_strnfill (107, 'p');
  g_autofree char *path108 = g_strnfill (108, 'p');
  g_autofree char *path130 = g_strnfill (130, 'p');
  g_autofree char *abstract107 = NULL;
  g_autofree char *abstract108 = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  GUnixSocketAddress *unix_address;

  path107[0] = path108[0] = path130[0] = '/';

  address = sp_endpoint_parse_unix ("/tmp/sock", "path", &error);
  g_assert_no_error (error);
  unix_address = G_UNIX_SOCKET_ADDRESS (address);
  g_assert_cmpint (g_unix_socket_address_get_address_type (unix_address), ==,
                   G_UNIX_SOCKET_ADDRESS_PATH);
  g_assert_cmpstr (g_unix_socket_address_get_path (unix_address), ==, "/tmp/sock");
  g_clear_object (&address);

  address = sp_endpoint_parse_unix (path107, "path", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_unix_socket_address_get_path_len (G_UNIX_SOCKET_ADDRESS (address)), ==, 107);
  g_clear_object (&address);

  address = sp_endpoint_parse_unix (path108, "path", &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID,
                       "path: 108 bytes is too long for a UNIX socket path (at most 107)");
  g_clear_error (&error);

  address = sp_endpoint_parse_unix (path130, "path", &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID,
                       "path: 130 bytes is too long for a UNIX socket path (at most 107)");
  g_clear_error (&error);

  /* Abstract names are the plain kind, not padded to the whole sun_path. */
  address = sp_endpoint_parse_unix ("@playground", "path", &error);
  g_assert_no_error (error);
  unix_address = G_UNIX_SOCKET_ADDRESS (address);
  g_assert_cmpint (g_unix_socket_address_get_address_type (unix_address), ==,
                   G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  g_assert_cmpuint (g_unix_socket_address_get_path_len (unix_address), ==, 10);
  g_assert_cmpmem (g_unix_socket_address_get_path (unix_address), 10, "playground", 10);
  g_clear_object (&address);

  abstract107 = g_strconcat ("@", path107, NULL);
  address = sp_endpoint_parse_unix (abstract107, "path", &error);
  g_assert_no_error (error);
  g_clear_object (&address);

  abstract108 = g_strconcat ("@", path108, NULL);
  address = sp_endpoint_parse_unix (abstract108, "path", &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID,
                       "path: 108 bytes is too long for an abstract UNIX socket name "
                       "(at most 107)");
  g_clear_error (&error);

  address = sp_endpoint_parse_unix ("@", "sockets[1].address", &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, "sockets[1].address: “@” needs a name");
  g_clear_error (&error);

  /* "" lets the kernel pick a name, as Python's bind('') does. */
  address = sp_endpoint_parse_unix ("", "path", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unix_socket_address_get_address_type (G_UNIX_SOCKET_ADDRESS (address)), ==,
                   G_UNIX_SOCKET_ADDRESS_ANONYMOUS);
}

/* The limit is the kernel's: a 107-byte path binds, and an abstract name
 * comes back from getsockname as the same unpadded name. */
static void
test_unix_bind_real (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sp-endpoint-XXXXXX", &error);
  g_autoptr(GString) path = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *name = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *python = NULL;
  g_autofree char *expected_python = NULL;

  g_assert_no_error (error);
  path = g_string_new (dir);
  g_string_append (path, "/s");
  while (path->len < 107)
    g_string_append_c (path, 'x');

  address = sp_endpoint_parse_unix (path->str, "path", &error);
  g_assert_no_error (error);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);

  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  formatted = sp_endpoint_format (local);
  g_assert_cmpstr (formatted, ==, path->str);
  g_clear_pointer (&formatted, g_free);
  g_clear_object (&local);
  g_clear_object (&socket);
  g_clear_object (&address);
  g_unlink (path->str);
  g_rmdir (dir);

  name = g_strdup_printf ("@sp-test-%d", (int) getpid ());
  address = sp_endpoint_parse_unix (name, "path", &error);
  g_assert_no_error (error);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);

  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unix_socket_address_get_address_type (G_UNIX_SOCKET_ADDRESS (local)), ==,
                   G_UNIX_SOCKET_ADDRESS_ABSTRACT);
  formatted = sp_endpoint_format (local);
  g_assert_cmpstr (formatted, ==, name);
  python = sp_endpoint_format_python (local);
  expected_python = g_strdup_printf ("b'\\x00%s'", name + 1);
  g_assert_cmpstr (python, ==, expected_python);
}

typedef struct
{
  SpFamily    family;
  const char *address;
  guint16     port;
  const char *text;
  const char *python;
} FormatCase;

static void
test_format (void)
{
  static const FormatCase cases[] = {
    { SP_FAMILY_INET, "127.0.0.1", 5000, "127.0.0.1:5000", "('127.0.0.1', 5000)" },
    { SP_FAMILY_INET, "", 0, "0.0.0.0:0", "('0.0.0.0', 0)" },
    { SP_FAMILY_INET, "0x7F000001", 65432, "127.0.0.1:65432", "('127.0.0.1', 65432)" },
    { SP_FAMILY_INET6, "::1", 5000, "[::1]:5000", "('::1', 5000, 0, 0)" },
    { SP_FAMILY_INET6, "", 80, "[::]:80", "('::', 80, 0, 0)" },
    { SP_FAMILY_INET6, "127.0.0.1", 5000, "[::ffff:127.0.0.1]:5000",
      "('::ffff:127.0.0.1', 5000, 0, 0)" },
    { SP_FAMILY_INET6, "fe80::1%1", 7, "[fe80::1%1]:7", "('fe80::1', 7, 0, 1)" },
    { SP_FAMILY_UNIX, "/tmp/sock", 0, "/tmp/sock", "'/tmp/sock'" },
    { SP_FAMILY_UNIX, "/tmp/it's", 0, "/tmp/it's", "\"/tmp/it's\"" },
    { SP_FAMILY_UNIX, "@name", 0, "@name", "b'\\x00name'" },
    { SP_FAMILY_UNIX, "", 0, "(unnamed)", "''" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = NULL;
      g_autofree char *text = NULL;
      g_autofree char *python = NULL;

      address = sp_endpoint_parse (cases[i].family, cases[i].address, cases[i].port, &error);
      g_assert_no_error (error);
      text = sp_endpoint_format (address);
      python = sp_endpoint_format_python (address);
      g_assert_cmpstr (text, ==, cases[i].text);
      g_assert_cmpstr (python, ==, cases[i].python);
    }
}

/* What Python itself prints for the same addresses. */
static void
test_format_python_matches_python (void)
{
  static const struct {
    SpFamily family;
    const char *address;
    guint16 port;
  } cases[] = {
    { SP_FAMILY_INET, "127.0.0.1", 5000 },
    { SP_FAMILY_INET, "10.1.2.3", 65535 },
    { SP_FAMILY_INET6, "::1", 5000 },
    { SP_FAMILY_INET6, "2001:db8::1", 0 },
    { SP_FAMILY_INET6, "::ffff:127.0.0.1", 9 },
    { SP_FAMILY_UNIX, "/tmp/sock", 0 },
    { SP_FAMILY_UNIX, "/tmp/it's here", 0 },
    { SP_FAMILY_UNIX, "/tmp/wörld", 0 },
    { SP_FAMILY_UNIX, "@abstract name", 0 },
  };
  const char *script =
    "import socket, sys\n"
    "a = sys.argv[1:]\n"
    "for fam, host, port in zip(a[0::3], a[1::3], a[2::3]):\n"
    "  if fam == 'unix':\n"
    "    print(repr(host.encode().replace(b'@', b'\\0', 1) if host[0] == '@' else host))\n"
    "  else:\n"
    "    f = socket.AF_INET if fam == 'inet' else socket.AF_INET6\n"
    "    print(repr(socket.getaddrinfo(host, int(port), f, socket.SOCK_STREAM)[0][4]))\n";
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_ptr_array_add (args, g_strdup (sp_family_to_string (cases[i].family)));
      g_ptr_array_add (args, g_strdup (cases[i].address));
      g_ptr_array_add (args, g_strdup_printf ("%u", cases[i].port));
    }

  out = sp_test_run_python (script, args);
  if (out == NULL)
    return;

  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (cases) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSocketAddress) address = NULL;
      g_autofree char *text = NULL;

      address = sp_endpoint_parse (cases[i].family, cases[i].address, cases[i].port, &error);
      g_assert_no_error (error);
      text = sp_endpoint_format_python (address);
      g_assert_cmpstr (text, ==, lines[i]);
    }
}

static void
test_parse_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *path130 = g_strnfill (130, 'p');

  address = sp_endpoint_parse (SP_FAMILY_INET, "example.com", 80, &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_NEEDS_RESOLVING, "address: “example.com”");
  g_clear_error (&error);

  address = sp_endpoint_parse (SP_FAMILY_INET, "::1", 80, &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, "address: “::1” is an IPv6 address");
  g_clear_error (&error);

  address = sp_endpoint_parse (SP_FAMILY_UNIX, path130, 0, &error);
  g_assert_null (address);
  assert_error_prefix (error, SP_ENDPOINT_ERROR_INVALID, "address: 130 bytes is too long");
  g_clear_error (&error);

  /* The port of a UNIX address is ignored. */
  address = sp_endpoint_parse (SP_FAMILY_UNIX, "/tmp/x", 80, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_UNIX_SOCKET_ADDRESS (address));
}

static void
test_inet_forms (void)
{
  static const struct {
    const char *address;
    const char *dotted;
    const char *hex32;
    const char *mapped;
  } cases[] = {
    { "127.0.0.1", "127.0.0.1", "0x7F000001", "::ffff:127.0.0.1" },
    { "10.0.0.255", "10.0.0.255", "0x0A0000FF", "::ffff:10.0.0.255" },
    { "0.0.0.0", "0.0.0.0", "0x00000000", "::ffff:0.0.0.0" },
    { "255.255.255.255", "255.255.255.255", "0xFFFFFFFF", "::ffff:255.255.255.255" },
    { "::ffff:7f00:1", "127.0.0.1", "0x7F000001", "::ffff:127.0.0.1" },
    { "::1", "::1", NULL, NULL },
    { "2001:db8::abcd", "2001:db8::abcd", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (cases[i].address);
      g_autofree char *dotted = NULL;
      g_autofree char *hex32 = NULL;
      g_autofree char *mapped = NULL;
      g_autofree char *only = NULL;

      sp_endpoint_inet_forms (address, &dotted, &hex32, &mapped);
      g_assert_cmpstr (dotted, ==, cases[i].dotted);
      g_assert_cmpstr (hex32, ==, cases[i].hex32);
      g_assert_cmpstr (mapped, ==, cases[i].mapped);

      sp_endpoint_inet_forms (address, NULL, &only, NULL);
      g_assert_cmpstr (only, ==, cases[i].hex32);
    }

  /* The forms read back as the same address. */
  {
    g_autoptr(GInetAddress) address = g_inet_address_new_from_string ("192.0.2.33");
    g_autofree char *dotted = NULL;
    g_autofree char *hex32 = NULL;
    g_autofree char *mapped = NULL;
    g_autoptr(GInetAddress) a = NULL;
    g_autoptr(GInetAddress) b = NULL;
    g_autoptr(GInetAddress) c = NULL;

    sp_endpoint_inet_forms (address, &dotted, &hex32, &mapped);
    a = sp_endpoint_parse_inet_address (SP_FAMILY_INET, dotted, "address", NULL);
    b = sp_endpoint_parse_inet_address (SP_FAMILY_INET, hex32, "address", NULL);
    c = sp_endpoint_parse_inet_address (SP_FAMILY_INET6, mapped, "address", NULL);
    g_assert_true (g_inet_address_equal (a, address));
    g_assert_true (g_inet_address_equal (b, address));
    g_assert_nonnull (c);
  }
}

static gboolean
check (SpFamily      family,
       const char   *text,
       gboolean    (*predicate) (GSocketAddress *))
{
  g_autoptr(GSocketAddress) address = sp_endpoint_parse (family, text, 1, NULL);

  g_assert_nonnull (address);
  return predicate (address);
}

static void
test_loopback_wildcard (void)
{
  g_assert_true (check (SP_FAMILY_INET, "127.0.0.1", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_INET, "127.255.3.4", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_INET, "localhost", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_INET6, "::1", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_INET6, "::ffff:127.0.0.1", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_INET6, "127.9.9.9", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_UNIX, "/tmp/x", sp_endpoint_is_loopback));
  g_assert_true (check (SP_FAMILY_UNIX, "@x", sp_endpoint_is_loopback));
  g_assert_false (check (SP_FAMILY_INET, "10.0.0.1", sp_endpoint_is_loopback));
  g_assert_false (check (SP_FAMILY_INET, "128.0.0.1", sp_endpoint_is_loopback));
  g_assert_false (check (SP_FAMILY_INET, "", sp_endpoint_is_loopback));
  g_assert_false (check (SP_FAMILY_INET6, "::", sp_endpoint_is_loopback));
  g_assert_false (check (SP_FAMILY_INET6, "::ffff:10.0.0.1", sp_endpoint_is_loopback));
  g_assert_false (check (SP_FAMILY_INET6, "::2", sp_endpoint_is_loopback));

  g_assert_true (check (SP_FAMILY_INET, "", sp_endpoint_is_wildcard));
  g_assert_true (check (SP_FAMILY_INET, "0.0.0.0", sp_endpoint_is_wildcard));
  g_assert_true (check (SP_FAMILY_INET6, "", sp_endpoint_is_wildcard));
  g_assert_true (check (SP_FAMILY_INET6, "::", sp_endpoint_is_wildcard));
  g_assert_false (check (SP_FAMILY_INET, "127.0.0.1", sp_endpoint_is_wildcard));
  g_assert_false (check (SP_FAMILY_INET, "<broadcast>", sp_endpoint_is_wildcard));
  g_assert_false (check (SP_FAMILY_INET6, "::1", sp_endpoint_is_wildcard));
  g_assert_false (check (SP_FAMILY_UNIX, "/tmp/x", sp_endpoint_is_wildcard));
}

/* A parsed address is one the kernel takes: bind to it for real. */
static void
test_bind_parsed (void)
{
  static const struct {
    SpFamily family;
    const char *address;
  } cases[] = {
    { SP_FAMILY_INET, "127.0.0.1" },
    { SP_FAMILY_INET, "0x7F000001" },
    { SP_FAMILY_INET, "" },
    { SP_FAMILY_INET6, "::1" },
    { SP_FAMILY_INET6, "127.0.0.1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) address = NULL;
      g_autoptr(GSocketAddress) local = NULL;
      g_autoptr(GSocket) socket = NULL;
      g_autofree char *text = NULL;
      g_autofree char *suffix = NULL;
      guint port;

      address = sp_endpoint_parse (cases[i].family, cases[i].address, 0, &error);
      g_assert_no_error (error);

      socket = g_socket_new (sp_family_to_gsocket_family (cases[i].family),
                             G_SOCKET_TYPE_DATAGRAM, 0, &error);
      if (socket == NULL && cases[i].family == SP_FAMILY_INET6)
        {
          /* No IPv6 here; the other cases still count. */
          g_clear_error (&error);
          continue;
        }
      g_assert_no_error (error);
      if (!g_socket_bind (socket, address, FALSE, &error))
        {
          /* ::1 may be missing where IPv6 is turned off. */
          if (cases[i].family == SP_FAMILY_INET6)
            continue;
          g_error ("bind %s: %s", cases[i].address, error->message);
        }

      local = g_socket_get_local_address (socket, &error);
      g_assert_no_error (error);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
      g_assert_cmpuint (port, >, 0);
      text = sp_endpoint_format (local);
      suffix = g_strdup_printf (":%u", port);
      g_assert_true (g_str_has_suffix (text, suffix));
    }
}

static void
test_family (void)
{
  g_assert_cmpint (sp_family_to_gsocket_family (SP_FAMILY_INET), ==, G_SOCKET_FAMILY_IPV4);
  g_assert_cmpint (sp_family_to_gsocket_family (SP_FAMILY_INET6), ==, G_SOCKET_FAMILY_IPV6);
  g_assert_cmpint (sp_family_to_gsocket_family (SP_FAMILY_UNIX), ==, G_SOCKET_FAMILY_UNIX);
  g_assert_cmpint (sp_family_to_gsocket_family ((SpFamily) 7), ==, G_SOCKET_FAMILY_INVALID);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Endpoint/parse-port", test_parse_port);
  g_test_add_func ("/Sp/Endpoint/check-port", test_check_port);
  g_test_add_func ("/Sp/Endpoint/parse-inet-address", test_parse_inet_address);
  g_test_add_func ("/Sp/Endpoint/errors-name-field", test_errors_name_field);
  g_test_add_func ("/Sp/Endpoint/parse-unix", test_parse_unix);
  g_test_add_func ("/Sp/Endpoint/unix-bind-real", test_unix_bind_real);
  g_test_add_func ("/Sp/Endpoint/format", test_format);
  g_test_add_func ("/Sp/Endpoint/format-python-matches-python", test_format_python_matches_python);
  g_test_add_func ("/Sp/Endpoint/parse-errors", test_parse_errors);
  g_test_add_func ("/Sp/Endpoint/inet-forms", test_inet_forms);
  g_test_add_func ("/Sp/Endpoint/loopback-wildcard", test_loopback_wildcard);
  g_test_add_func ("/Sp/Endpoint/bind-parsed", test_bind_parsed);
  g_test_add_func ("/Sp/Endpoint/family", test_family);

  return g_test_run ();
}
