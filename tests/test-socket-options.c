/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-data.h"
#include "sp-session.h"
#include "sp-socket-options.h"
#include "sp-test-util.h"

/* The chooser's order: the switches, then the sizes. */
static void
test_table (void)
{
  static const char * const expected[] = {
    "SO_REUSEADDR", "SO_REUSEPORT", "SO_BROADCAST", "SO_KEEPALIVE", "TCP_NODELAY",
    "IPV6_V6ONLY", "SO_RCVBUF", "SO_SNDBUF",
  };
  const char * const *names = sp_socket_option_names ();
  gboolean sizes_started = FALSE;

  g_assert_cmpuint (sp_socket_option_get_count (), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (g_strv_length ((char **) names), ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < sp_socket_option_get_count (); i++)
    {
      const SpSocketOptionInfo *info = sp_socket_option_get_nth (i);

      g_assert_cmpstr (info->name, ==, expected[i]);
      g_assert_cmpstr (names[i], ==, expected[i]);
      g_assert_true (sp_socket_option_lookup (expected[i]) == info);
      g_assert_true (g_str_has_prefix (info->python_level, "socket."));
      g_assert_nonnull (info->summary);
      g_assert_cmpuint (strlen (info->summary), >, 0);

      if (!info->is_bool)
        sizes_started = TRUE;
      else
        g_assert_false (sizes_started);
    }

  g_assert_false (sp_socket_option_get_nth (6)->is_bool);
  g_assert_false (sp_socket_option_get_nth (7)->is_bool);
  g_assert_null (sp_socket_option_lookup ("SO_LINGER"));
  g_assert_null (sp_socket_option_lookup ("so_reuseaddr"));
  g_assert_null (sp_socket_option_lookup (""));
  g_assert_null (sp_socket_option_lookup (NULL));
}

/* Python's own constants have the table's numbers, so the exported
 * setsockopt() asks for what the playground asked for. */
static void
test_python_constants (void)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = NULL;
  g_autofree char *output = NULL;
  guint n = sp_socket_option_get_count ();

  for (guint i = 0; i < n; i++)
    {
      const SpSocketOptionInfo *info = sp_socket_option_get_nth (i);

      g_ptr_array_add (args, g_strdup (info->python_level + strlen ("socket.")));
      g_ptr_array_add (args, g_strdup (info->name));
    }

  output = sp_test_run_python ("import socket, sys\n"
                               "a = sys.argv[1:]\n"
                               "for level, name in zip(a[::2], a[1::2]):\n"
                               "    print(getattr(socket, level), getattr(socket, name))\n",
                               args);
  if (output == NULL)
    return;

  lines = g_strsplit (output, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, n + 1);
  for (guint i = 0; i < n; i++)
    {
      const SpSocketOptionInfo *info = sp_socket_option_get_nth (i);
      g_autofree char *mine = g_strdup_printf ("%d %d", info->level, info->optname);

      g_assert_cmpstr (lines[i], ==, mine);
    }
}

typedef struct
{
  SpFamily     family;
  SpSocketType type;
  int          domain;
  int          native_type;
  int          protocol;
} Kind;

static const Kind kinds[] = {
  { SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, AF_INET, SOCK_STREAM, 0 },
  { SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM, AF_INET, SOCK_DGRAM, 0 },
  { SP_FAMILY_INET, SP_SOCKET_TYPE_RAW, AF_INET, SOCK_RAW, IPPROTO_ICMP },
  { SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM, AF_INET6, SOCK_STREAM, 0 },
  { SP_FAMILY_INET6, SP_SOCKET_TYPE_DGRAM, AF_INET6, SOCK_DGRAM, 0 },
  { SP_FAMILY_INET6, SP_SOCKET_TYPE_RAW, AF_INET6, SOCK_RAW, IPPROTO_ICMPV6 },
  { SP_FAMILY_UNIX, SP_SOCKET_TYPE_STREAM, AF_UNIX, SOCK_STREAM, 0 },
  { SP_FAMILY_UNIX, SP_SOCKET_TYPE_DGRAM, AF_UNIX, SOCK_DGRAM, 0 },
  { SP_FAMILY_UNIX, SP_SOCKET_TYPE_SEQPACKET, AF_UNIX, SOCK_SEQPACKET, 0 },
};

/* The kernel is the judge: where the table says an option applies, a real
 * socket of that kind takes it (and reads it back); where it says why
 * not, the kernel refuses it. */
static void
test_kernel_agrees (void)
{
  guint applied[G_N_ELEMENTS (kinds)] = { 0 };
  guint tried = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const Kind *kind = &kinds[k];
      int fd = socket (kind->domain, kind->native_type, kind->protocol);

      if (fd < 0)
        {
          /* Raw sockets need privileges; IPv6 may be switched off. */
          g_test_message ("no %s %s socket here: %s", sp_family_to_string (kind->family),
                          sp_socket_type_to_string (kind->type), g_strerror (errno));
          g_assert_true (kind->type == SP_SOCKET_TYPE_RAW || kind->family == SP_FAMILY_INET6);
          continue;
        }
      tried++;

      for (guint i = 0; i < sp_socket_option_get_count (); i++)
        {
          const SpSocketOptionInfo *info = sp_socket_option_get_nth (i);
          const char *why_not = sp_socket_option_why_not (info, kind->family, kind->type);
          int value = info->is_bool ? 1 : 8192;
          int read_back = 0;
          socklen_t length = sizeof read_back;
          int result;
          int code;

          result = setsockopt (fd, info->level, info->optname, &value, sizeof value);
          code = errno;

          if (why_not == NULL)
            {
              if (result != 0)
                g_error ("%s on a socket of family %s, type %s: %s", info->name,
                         sp_family_to_string (kind->family),
                         sp_socket_type_to_string (kind->type), g_strerror (code));

              g_assert_cmpint (getsockopt (fd, info->level, info->optname,
                                           &read_back, &length), ==, 0);
              /* Linux doubles a buffer size for its own bookkeeping. */
              if (info->is_bool)
                g_assert_cmpint (read_back, !=, 0);
              else
                g_assert_cmpint (read_back, >=, value);
              applied[i]++;
            }
          else
            {
              if (result == 0)
                g_error ("%s on a socket of family %s, type %s: the kernel took it, "
                         "but the table says “%s”",
                         info->name, sp_family_to_string (kind->family),
                         sp_socket_type_to_string (kind->type), why_not);
              g_assert_true (code == ENOPROTOOPT || code == EOPNOTSUPP || code == EINVAL);
              g_assert_true (g_str_has_prefix (why_not, info->name));
            }
        }

      close (fd);
    }

  /* At least the IPv4 and UNIX stream and datagram sockets were there. */
  g_assert_cmpuint (tried, >=, 5);
  for (guint i = 0; i < sp_socket_option_get_count (); i++)
    g_assert_cmpuint (applied[i], >, 0);
}

static void
test_why_not (void)
{
  const SpSocketOptionInfo *nodelay = sp_socket_option_lookup ("TCP_NODELAY");
  const SpSocketOptionInfo *v6only = sp_socket_option_lookup ("IPV6_V6ONLY");
  const SpSocketOptionInfo *reuseport = sp_socket_option_lookup ("SO_REUSEPORT");
  const SpSocketOptionInfo *rcvbuf = sp_socket_option_lookup ("SO_RCVBUF");

  g_assert_null (sp_socket_option_why_not (nodelay, SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM));
  g_assert_null (sp_socket_option_why_not (nodelay, SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM));
  g_assert_cmpstr (sp_socket_option_why_not (nodelay, SP_FAMILY_UNIX, SP_SOCKET_TYPE_STREAM),
                   ==, "TCP_NODELAY is an option of TCP sockets");
  g_assert_cmpstr (sp_socket_option_why_not (nodelay, SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM),
                   ==, "TCP_NODELAY is an option of TCP sockets");

  g_assert_null (sp_socket_option_why_not (v6only, SP_FAMILY_INET6, SP_SOCKET_TYPE_DGRAM));
  g_assert_cmpstr (sp_socket_option_why_not (v6only, SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM),
                   ==, "IPV6_V6ONLY is an option of IPv6 sockets");
  g_assert_cmpstr (sp_socket_option_why_not (v6only, SP_FAMILY_INET6, SP_SOCKET_TYPE_RAW),
                   ==, "IPV6_V6ONLY is an option of IPv6 stream and datagram sockets");

  g_assert_nonnull (sp_socket_option_why_not (reuseport, SP_FAMILY_UNIX,
                                              SP_SOCKET_TYPE_STREAM));
  g_assert_null (sp_socket_option_why_not (reuseport, SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM));

  for (SpFamily family = SP_FAMILY_INET; family <= SP_FAMILY_UNIX; family++)
    for (SpSocketType type = SP_SOCKET_TYPE_STREAM; type <= SP_SOCKET_TYPE_SEQPACKET; type++)
      g_assert_null (sp_socket_option_why_not (rcvbuf, family, type));
}

static void
test_protocol_parse (void)
{
  static const struct
  {
    const char *text;
    int         number;
    const char *name;
  } good[] = {
    { "", 0, NULL },
    { "tcp", IPPROTO_TCP, "tcp" },
    { "TCP", IPPROTO_TCP, "tcp" },
    { "Udp", IPPROTO_UDP, "udp" },
    { "icmp", IPPROTO_ICMP, "icmp" },
    { "ICMPv6", IPPROTO_ICMPV6, "icmpv6" },
    { "0", 0, NULL },
    { "6", IPPROTO_TCP, NULL },
    { "132", 132, NULL },
    { "255", 255, NULL },
  };
  static const char * const bad[] = {
    "256", "-1", "sctp", " 6", "6 ", "tcp ", "0x6", "6.0", "ip", "99999999999999999999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      const char *name = "unset";
      int number = -1;

      g_assert_true (sp_protocol_parse (good[i].text, "Protocol", &number, &name, &error));
      g_assert_no_error (error);
      g_assert_cmpint (number, ==, good[i].number);
      g_assert_cmpstr (name, ==, good[i].name);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      int number = -1;

      g_assert_false (sp_protocol_parse (bad[i], "Protocol", &number, NULL, &error));
      g_assert_error (error, SP_DATA_ERROR, SP_DATA_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==,
                       "Protocol: must be a number from 0 to 255 or one of tcp, udp, icmp, "
                       "icmpv6");
    }

  /* The field is the caller's, a JSON path as well as a label. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (sp_protocol_parse ("sctp", "sockets[2].protocol", NULL, NULL, &error));
    g_assert_true (g_str_has_prefix (error->message, "sockets[2].protocol: "));
  }

  g_assert_cmpstr (sp_protocol_get_name (IPPROTO_TCP), ==, "tcp");
  g_assert_cmpstr (sp_protocol_get_name (IPPROTO_UDP), ==, "udp");
  g_assert_cmpstr (sp_protocol_get_name (IPPROTO_ICMP), ==, "icmp");
  g_assert_cmpstr (sp_protocol_get_name (IPPROTO_ICMPV6), ==, "icmpv6");
  g_assert_null (sp_protocol_get_name (0));
  g_assert_null (sp_protocol_get_name (132));
  g_assert_cmpstr (sp_protocol_get_python (IPPROTO_ICMPV6), ==, "socket.IPPROTO_ICMPV6");
  g_assert_null (sp_protocol_get_python (0));
}

/* Every name the parser gives back is one a session file takes. */
static void
test_protocol_names_load (void)
{
  for (int number = 0; number <= 255; number++)
    {
      const char *name = sp_protocol_get_name (number);
      g_autoptr(GError) error = NULL;
      g_autoptr(SpSession) session = NULL;
      g_autofree char *json = NULL;
      SpSocketConfig *config;

      if (name == NULL)
        continue;

      json = g_strdup_printf ("{ \"format\": \"socket-playground-session\", \"version\": 1, "
                              "\"sockets\": [ { \"id\": \"s\", \"protocol\": \"%s\" } ] }",
                              name);
      session = sp_session_new_from_data (json, -1, "x", &error);
      g_assert_no_error (error);
      config = sp_session_find_socket (session, "s");
      g_assert_cmpint (config->protocol, ==, number);
      g_assert_cmpstr (config->protocol_name, ==, name);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/SocketOptions/table", test_table);
  g_test_add_func ("/Sp/SocketOptions/python-constants", test_python_constants);
  g_test_add_func ("/Sp/SocketOptions/kernel-agrees", test_kernel_agrees);
  g_test_add_func ("/Sp/SocketOptions/why-not", test_why_not);
  g_test_add_func ("/Sp/SocketOptions/protocol-parse", test_protocol_parse);
  g_test_add_func ("/Sp/SocketOptions/protocol-names-load", test_protocol_names_load);

  return g_test_run ();
}
