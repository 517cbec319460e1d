/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "sp-types.h"

/* The names are the session file's contract (DESIGN.md): spelled out here
 * so that renaming one in sp-types.c fails a test. */

static void
test_family (void)
{
  static const char *names[] = { "inet", "inet6", "unix" };
  SpFamily family = 99;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (sp_family_to_string ((SpFamily) i), ==, names[i]);
      g_assert_true (sp_family_from_string (names[i], &family));
      g_assert_cmpint (family, ==, i);
    }

  family = SP_FAMILY_UNIX;
  g_assert_false (sp_family_from_string ("INET", &family));
  g_assert_false (sp_family_from_string ("ipv4", &family));
  g_assert_false (sp_family_from_string ("", &family));
  g_assert_false (sp_family_from_string (NULL, &family));
  g_assert_cmpint (family, ==, SP_FAMILY_UNIX);
  g_assert_null (sp_family_to_string ((SpFamily) 3));
  g_assert_null (sp_family_to_string ((SpFamily) -1));
}

static void
test_socket_type (void)
{
  static const char *names[] = { "stream", "dgram", "raw", "seqpacket" };
  SpSocketType type = 99;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (sp_socket_type_to_string ((SpSocketType) i), ==, names[i]);
      g_assert_true (sp_socket_type_from_string (names[i], &type));
      g_assert_cmpint (type, ==, i);
    }

  g_assert_false (sp_socket_type_from_string ("SOCK_STREAM", &type));
  g_assert_false (sp_socket_type_from_string ("tcp", &type));
  g_assert_false (sp_socket_type_from_string ("stream ", &type));
  g_assert_null (sp_socket_type_to_string ((SpSocketType) 4));
}

static void
test_state (void)
{
  static const char *names[] = {
    "uncreated", "created", "bound", "listening", "connecting", "connected",
    "shut-read", "shut-write", "shut-both", "closed",
  };

  g_assert_cmpuint (G_N_ELEMENTS (names), ==, SP_N_STATES);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (sp_state_to_string ((SpState) i), ==, names[i]);

  g_assert_null (sp_state_to_string (SP_N_STATES));
}

static void
test_call (void)
{
  /* Python's socket API names, and the playground's own three. */
  static const char *names[] = {
    "socket", "setsockopt", "bind", "listen", "accept", "connect", "connect_ex",
    "send", "sendall", "sendto", "recv", "recvfrom", "recv_into", "recvfrom_into",
    "shutdown", "close", "getsockname", "getpeername", "gethostname", "gethostbyname",
    "getaddrinfo", "serve", "sleep", "note",
  };
  SpCall call = SP_CALL_NOTE;

  g_assert_cmpuint (G_N_ELEMENTS (names), ==, SP_N_CALLS);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (sp_call_to_string ((SpCall) i), ==, names[i]);
      g_assert_true (sp_call_from_string (names[i], &call));
      g_assert_cmpint (call, ==, i);
    }

  call = SP_CALL_BIND;
  g_assert_false (sp_call_from_string ("connect-ex", &call));
  g_assert_false (sp_call_from_string ("Bind", &call));
  g_assert_false (sp_call_from_string ("recv_from", &call));
  g_assert_cmpint (call, ==, SP_CALL_BIND);
  g_assert_null (sp_call_to_string (SP_N_CALLS));
}

static void
test_shutdown_how (void)
{
  static const char *names[] = { "read", "write", "both" };
  SpShutdownHow how = 99;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (sp_shutdown_how_to_string ((SpShutdownHow) i), ==, names[i]);
      g_assert_true (sp_shutdown_how_from_string (names[i], &how));
      g_assert_cmpint (how, ==, i);
    }

  g_assert_false (sp_shutdown_how_from_string ("SHUT_RDWR", &how));
  g_assert_false (sp_shutdown_how_from_string ("rdwr", &how));
  g_assert_null (sp_shutdown_how_to_string ((SpShutdownHow) 3));
}

static void
test_serve_mode (void)
{
  static const char *names[] = { "echo", "discard", "reply" };
  SpServeMode mode = 99;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_cmpstr (sp_serve_mode_to_string ((SpServeMode) i), ==, names[i]);
      g_assert_true (sp_serve_mode_from_string (names[i], &mode));
      g_assert_cmpint (mode, ==, i);
    }

  g_assert_false (sp_serve_mode_from_string ("Echo", &mode));
  g_assert_false (sp_serve_mode_from_string ("chargen", &mode));
  g_assert_null (sp_serve_mode_to_string ((SpServeMode) 3));
}

static void
test_call_is_global (void)
{
  for (SpCall call = 0; call < SP_N_CALLS; call++)
    {
      gboolean expected = call == SP_CALL_GETHOSTNAME ||
                          call == SP_CALL_GETHOSTBYNAME ||
                          call == SP_CALL_GETADDRINFO ||
                          call == SP_CALL_SLEEP ||
                          call == SP_CALL_NOTE;

      if (sp_call_is_global (call) != expected)
        g_error ("%s: global should be %d", sp_call_to_string (call), expected);
    }
}

/* The constants Python's socket module names, as output and export show them. */
/* The names are the "impaired" member of --json; an event without an
 * impairment has none. */
static void
test_impaired (void)
{
  static const struct
  {
    SpImpaired  impaired;
    const char *name;
    gboolean    on_wire;
  } cases[] = {
    { SP_IMPAIRED_NONE, NULL, TRUE },
    { SP_IMPAIRED_DROPPED, "dropped", FALSE },
    { SP_IMPAIRED_DUPLICATED, "duplicated", TRUE },
    { SP_IMPAIRED_HELD, "held", FALSE },
    { SP_IMPAIRED_DELAYED, "delayed", FALSE },
    { SP_IMPAIRED_COPY, "copy", TRUE },
    { SP_IMPAIRED_RELEASED, "released", TRUE },
  };

  g_assert_cmpuint (G_N_ELEMENTS (cases), ==, SP_N_IMPAIRED);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (sp_impaired_to_string (cases[i].impaired), ==, cases[i].name);
      g_assert_cmpint (sp_impaired_is_on_wire (cases[i].impaired), ==, cases[i].on_wire);
    }
  g_assert_null (sp_impaired_to_string (SP_N_IMPAIRED));
}

static void
test_python_names (void)
{
  g_assert_cmpstr (sp_family_to_python (SP_FAMILY_INET), ==, "socket.AF_INET");
  g_assert_cmpstr (sp_family_to_python (SP_FAMILY_INET6), ==, "socket.AF_INET6");
  g_assert_cmpstr (sp_family_to_python (SP_FAMILY_UNIX), ==, "socket.AF_UNIX");
  g_assert_null (sp_family_to_python ((SpFamily) 3));

  g_assert_cmpstr (sp_socket_type_to_python (SP_SOCKET_TYPE_STREAM), ==, "socket.SOCK_STREAM");
  g_assert_cmpstr (sp_socket_type_to_python (SP_SOCKET_TYPE_DGRAM), ==, "socket.SOCK_DGRAM");
  g_assert_cmpstr (sp_socket_type_to_python (SP_SOCKET_TYPE_RAW), ==, "socket.SOCK_RAW");
  g_assert_cmpstr (sp_socket_type_to_python (SP_SOCKET_TYPE_SEQPACKET), ==,
                   "socket.SOCK_SEQPACKET");
  g_assert_null (sp_socket_type_to_python ((SpSocketType) 4));

  g_assert_cmpstr (sp_option_level_to_python ("SO_REUSEADDR"), ==, "socket.SOL_SOCKET");
  g_assert_cmpstr (sp_option_level_to_python ("TCP_NODELAY"), ==, "socket.IPPROTO_TCP");
  g_assert_cmpstr (sp_option_level_to_python ("IPV6_V6ONLY"), ==, "socket.IPPROTO_IPV6");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Types/family", test_family);
  g_test_add_func ("/Sp/Types/socket-type", test_socket_type);
  g_test_add_func ("/Sp/Types/state", test_state);
  g_test_add_func ("/Sp/Types/call", test_call);
  g_test_add_func ("/Sp/Types/shutdown-how", test_shutdown_how);
  g_test_add_func ("/Sp/Types/serve-mode", test_serve_mode);
  g_test_add_func ("/Sp/Types/call-is-global", test_call_is_global);
  g_test_add_func ("/Sp/Types/python-names", test_python_names);
  g_test_add_func ("/Sp/Types/impaired", test_impaired);

  return g_test_run ();
}
