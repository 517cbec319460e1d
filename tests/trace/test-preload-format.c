/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The preload library's hand-written formatting (src/trace/): it cannot use
 * GLib or printf, so it is held here against them and against inet_ntop. */
#include <arpa/inet.h>
#include <glib.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <sys/un.h>

#include "sp-preload-buf.h"
#include "sp-preload-python.h"

static char *
format_int (long long value)
{
  char text[32];
  SpBuf buf;

  sp_buf_init (&buf, text, sizeof text);
  sp_buf_int (&buf, value);
  return g_strndup (text, buf.len);
}

static void
test_int (void)
{
  const long long values[] = { 0, 7, -1, 1000, LLONG_MAX, LLONG_MIN };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *got = format_int (values[i]);
      g_autofree char *want = g_strdup_printf ("%lld", values[i]);

      g_assert_cmpstr (got, ==, want);
    }
}

/* Every length up to 40, cut into iovecs at every pair of places. */
static void
test_base64 (void)
{
  guint8 data[40];

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = (guint8) g_test_rand_int ();

  for (gsize len = 0; len <= sizeof data; len++)
    for (gsize a = 0; a <= len; a++)
      for (gsize b = a; b <= len; b++)
        {
          struct iovec iov[3] = { { data, a }, { data + a, b - a }, { data + b, len - b } };
          g_autofree char *want = g_base64_encode (data, len);
          char text[64];
          SpBuf buf;

          sp_buf_init (&buf, text, sizeof text);
          sp_buf_base64_iov (&buf, iov, 3, len);
          g_assert_false (buf.overflow);
          g_assert_cmpuint (buf.len, ==, sp_buf_base64_length (len));
          g_assert_cmpmem (text, buf.len, want, strlen (want));
        }
}

static void
test_base64_overflow (void)
{
  struct iovec iov = { "abcdef", 6 };
  char text[7];
  SpBuf buf;

  sp_buf_init (&buf, text, sizeof text);
  sp_buf_base64_iov (&buf, &iov, 1, 6);
  g_assert_true (buf.overflow);
  g_assert_cmpuint (buf.len, ==, 0);
}

static void
check_json (const char *input,
            gsize       len,
            const char *want)
{
  char text[256];
  SpBuf buf;

  sp_buf_init (&buf, text, sizeof text);
  sp_buf_json_string (&buf, input, len);
  g_assert_cmpmem (text, buf.len, want, strlen (want));
  /* Whatever the input, the output is valid UTF-8. */
  g_assert_true (g_utf8_validate (text, (gssize) buf.len, NULL));
}

static void
test_json_string (void)
{
  check_json ("plain", 5, "\"plain\"");
  check_json ("q\"b\\n\n\t\r\x01\x7f", 10, "\"q\\\"b\\\\n\\n\\t\\r\\u0001\\u007f\"");
  check_json ("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14,
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  /* A stray byte, a cut sequence, an overlong form, a surrogate. */
  check_json ("a\xff" "b", 3, "\"a\\ufffdb\"");
  check_json ("\xe2\x82", 2, "\"\\ufffd\\ufffd\"");
  check_json ("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");
  check_json ("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\"");
  check_json ("a\0b", 3, "\"a\\u0000b\"");
}

static void
check_bytes (const char *input,
             gsize       len,
             const char *want)
{
  struct iovec iov = { (void *) input, len };
  char text[256];
  SpBuf buf;

  sp_buf_init (&buf, text, sizeof text);
  sp_python_bytes (&buf, &iov, 1, len);
  g_assert_cmpmem (text, buf.len, want, strlen (want));
}

/* As Python's repr(bytes) writes them. */
static void
test_python_bytes (void)
{
  check_bytes ("Hello", 5, "b'Hello'");
  check_bytes ("it's", 4, "b\"it's\"");
  check_bytes ("'\"", 2, "b'\\'\"'");
  check_bytes ("\n\r\t\\\0\xff", 6, "b'\\n\\r\\t\\\\\\x00\\xff'");
}

static char *
endpoint (const struct sockaddr *address,
          socklen_t              len,
          gboolean               python)
{
  char text[512];
  SpBuf buf;

  sp_buf_init (&buf, text, sizeof text);
  if (python)
    sp_python_address (&buf, address, len);
  else
    sp_endpoint_address (&buf, address, len);
  g_assert_false (buf.overflow);
  return g_strndup (text, buf.len);
}

static void
test_inet (void)
{
  for (int k = 0; k < 200000; k++)
    {
      struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons (5000) };
      struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons (80) };
      char ip[INET6_ADDRSTRLEN];
      g_autofree char *got4 = NULL, *got6 = NULL, *want4 = NULL, *want6 = NULL;

      in.sin_addr.s_addr = g_test_rand_int ();
      /* Mostly zero groups, so that runs of them are common. */
      for (int i = 0; i < 16; i++)
        in6.sin6_addr.s6_addr[i] = g_test_rand_int_range (0, 3) == 0
                                   ? (guint8) g_test_rand_int () : 0;
      if (k % 5 == 0)
        {
          memset (in6.sin6_addr.s6_addr, 0, 10);
          memset (in6.sin6_addr.s6_addr + 10, 0xff, 2);
        }

      inet_ntop (AF_INET, &in.sin_addr, ip, sizeof ip);
      want4 = g_strdup_printf ("%s:5000", ip);
      inet_ntop (AF_INET6, &in6.sin6_addr, ip, sizeof ip);
      want6 = g_strdup_printf ("[%s]:80", ip);
      got4 = endpoint ((struct sockaddr *) &in, sizeof in, FALSE);
      got6 = endpoint ((struct sockaddr *) &in6, sizeof in6, FALSE);
      g_assert_cmpstr (got4, ==, want4);
      g_assert_cmpstr (got6, ==, want6);
    }
}

static void
test_named (void)
{
  struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons (5000),
                              .sin6_addr = IN6ADDR_LOOPBACK_INIT, .sin6_scope_id = 2 };
  struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/tmp/a\\b\x01" };
  struct sockaddr_un abstract = { .sun_family = AF_UNIX, .sun_path = "\0name" };
  socklen_t abstract_len = offsetof (struct sockaddr_un, sun_path) + 5;
  g_autofree char *a = endpoint ((struct sockaddr *) &in6, sizeof in6, FALSE);
  g_autofree char *b = endpoint ((struct sockaddr *) &in6, sizeof in6, TRUE);
  g_autofree char *c = endpoint ((struct sockaddr *) &un, sizeof un, FALSE);
  g_autofree char *d = endpoint ((struct sockaddr *) &un, sizeof un, TRUE);
  g_autofree char *e = endpoint ((struct sockaddr *) &abstract, abstract_len, FALSE);
  g_autofree char *f = endpoint ((struct sockaddr *) &abstract, abstract_len, TRUE);
  /* An unnamed socket: the family alone. */
  g_autofree char *g = endpoint ((struct sockaddr *) &un, sizeof (sa_family_t), FALSE);
  g_autofree char *h = endpoint ((struct sockaddr *) &un, sizeof (sa_family_t), TRUE);

  g_assert_cmpstr (a, ==, "[::1%2]:5000");
  g_assert_cmpstr (b, ==, "('::1', 5000, 0, 2)");
  g_assert_cmpstr (c, ==, "/tmp/a\\\\b\\x01");
  g_assert_cmpstr (d, ==, "'/tmp/a\\\\b\\x01'");
  g_assert_cmpstr (e, ==, "@name");
  g_assert_cmpstr (f, ==, "b'\\x00name'");
  g_assert_cmpstr (g, ==, "(unnamed)");
  g_assert_cmpstr (h, ==, "''");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/TracePreload/int", test_int);
  g_test_add_func ("/Sp/TracePreload/base64", test_base64);
  g_test_add_func ("/Sp/TracePreload/base64-overflow", test_base64_overflow);
  g_test_add_func ("/Sp/TracePreload/json-string", test_json_string);
  g_test_add_func ("/Sp/TracePreload/python-bytes", test_python_bytes);
  g_test_add_func ("/Sp/TracePreload/inet", test_inet);
  g_test_add_func ("/Sp/TracePreload/named", test_named);

  return g_test_run ();
}
