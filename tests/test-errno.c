/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-errno.h"
#include "sp-test-util.h"

/* The errno values socket calls produce, which must all have names. */
static const struct {
  int code;
  const char *name;
  const char *exception;
} socket_errnos[] = {
  { EACCES, "EACCES", "PermissionError" },
  { EADDRINUSE, "EADDRINUSE", "OSError" },
  { EADDRNOTAVAIL, "EADDRNOTAVAIL", "OSError" },
  { EAFNOSUPPORT, "EAFNOSUPPORT", "OSError" },
  { EAGAIN, "EAGAIN", "BlockingIOError" },
  { EALREADY, "EALREADY", "BlockingIOError" },
  { EBADF, "EBADF", "OSError" },
  { ECONNABORTED, "ECONNABORTED", "ConnectionAbortedError" },
  { ECONNREFUSED, "ECONNREFUSED", "ConnectionRefusedError" },
  { ECONNRESET, "ECONNRESET", "ConnectionResetError" },
  { EDESTADDRREQ, "EDESTADDRREQ", "OSError" },
  { EHOSTUNREACH, "EHOSTUNREACH", "OSError" },
  { EINPROGRESS, "EINPROGRESS", "BlockingIOError" },
  { EINVAL, "EINVAL", "OSError" },
  { EISCONN, "EISCONN", "OSError" },
  { EMFILE, "EMFILE", "OSError" },
  { ENFILE, "ENFILE", "OSError" },
  { EMSGSIZE, "EMSGSIZE", "OSError" },
  { ENETUNREACH, "ENETUNREACH", "OSError" },
  { ENOBUFS, "ENOBUFS", "OSError" },
  { ENOENT, "ENOENT", "FileNotFoundError" },
  { ENOPROTOOPT, "ENOPROTOOPT", "OSError" },
  { ENOTCONN, "ENOTCONN", "OSError" },
  { ENOTSOCK, "ENOTSOCK", "OSError" },
  { EOPNOTSUPP, "EOPNOTSUPP", "OSError" },
  { EPERM, "EPERM", "PermissionError" },
  { EPIPE, "EPIPE", "BrokenPipeError" },
  { EPROTONOSUPPORT, "EPROTONOSUPPORT", "OSError" },
  { EPROTOTYPE, "EPROTOTYPE", "OSError" },
  { ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "OSError" },
  { ETIMEDOUT, "ETIMEDOUT", "TimeoutError" },
  { EISDIR, "EISDIR", "IsADirectoryError" },
  { ENAMETOOLONG, "ENAMETOOLONG", "OSError" },
  { ENOTDIR, "ENOTDIR", "NotADirectoryError" },
  { EROFS, "EROFS", "OSError" },
  { EEXIST, "EEXIST", "FileExistsError" },
  { ENOSPC, "ENOSPC", "OSError" },
  { EINTR, "EINTR", "InterruptedError" },
};

static void
test_names (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (socket_errnos); i++)
    {
      g_assert_cmpstr (sp_errno_name (socket_errnos[i].code), ==, socket_errnos[i].name);
      g_assert_cmpint (sp_errno_from_name (socket_errnos[i].name), ==, socket_errnos[i].code);
      g_assert_cmpstr (sp_errno_python_exception (socket_errnos[i].code), ==,
                       socket_errnos[i].exception);
    }

  /* Aliases read, the usual name is written. */
  g_assert_cmpint (sp_errno_from_name ("EWOULDBLOCK"), ==, EAGAIN);
  g_assert_cmpint (sp_errno_from_name ("ENOTSUP"), ==, EOPNOTSUPP);
  g_assert_cmpstr (sp_errno_name (EWOULDBLOCK), ==, "EAGAIN");

  g_assert_null (sp_errno_name (0));
  g_assert_null (sp_errno_name (-1000));
  g_assert_null (sp_errno_name (100000));
  g_assert_cmpint (sp_errno_from_name ("ENOSUCHTHING"), ==, 0);
  g_assert_cmpint (sp_errno_from_name ("econnrefused"), ==, 0);
  g_assert_cmpint (sp_errno_from_name (""), ==, 0);
  g_assert_cmpint (sp_errno_from_name (NULL), ==, 0);
  g_assert_cmpstr (sp_errno_python_exception (0), ==, "OSError");
  g_assert_cmpstr (sp_errno_python_exception (100000), ==, "OSError");
}

/* Names, exceptions and messages against Python for every errno 1–150. */
static void
test_matches_python (void)
{
  const char *script =
    "import errno, os\n"
    "names = {}\n"
    "for n in dir(errno):\n"
    "  if n.startswith('E'): names.setdefault(getattr(errno, n), []).append(n)\n"
    "for code in range(1, 151):\n"
    "  print('%d|%s|%s|%s' % (code, ','.join(names.get(code, [])),\n"
    "        type(OSError(code, 'x')).__name__, OSError(code, os.strerror(code))))\n";
  g_autofree char *out = sp_test_run_python (script, NULL);
  g_auto(GStrv) lines = NULL;
  guint n_named = 0;

  if (out == NULL)
    return;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "|", 4);
      int code = atoi (fields[0]);
      g_auto(GStrv) names = g_strsplit (fields[1], ",", -1);
      g_autoptr(GError) ours = sp_errno_error_new (code);

      g_assert_cmpuint (g_strv_length (fields), ==, 4);

      if (*fields[1] != '\0')
        {
          /* Every name Python knows reads back; ours is one of them. */
          for (guint j = 0; names[j] != NULL; j++)
            g_assert_cmpint (sp_errno_from_name (names[j]), ==, code);
          g_assert_nonnull (sp_errno_name (code));
          g_assert_true (g_strv_contains ((const char * const *) names, sp_errno_name (code)));
          n_named++;
        }
      else if (code != EHWPOISON)
        {
          /* Python 3.11 lacks only EHWPOISON of the names Linux has. */
          g_assert_null (sp_errno_name (code));
        }

      g_assert_cmpstr (sp_errno_python_exception (code), ==, fields[2]);

      /* With Python's own message, the text is the same. */
      g_assert_error (ours, SP_ERRNO_ERROR, code);
      if (g_str_equal (sp_errno_message (code), strerror (code)))
        g_assert_cmpstr (ours->message, ==, fields[3]);
    }

  g_assert_cmpuint (n_named, >, 120);
}

/* A failed name lookup is Python's socket.gaierror: getaddrinfo's negative
 * code as its errno, the EAI_ name, gai_strerror()'s text. Checked against
 * the names and numbers Python's socket module has. */
static void
test_lookup_codes (void)
{
  const char *script =
    "import socket\n"
    "for n in sorted(dir(socket)):\n"
    "  if n.startswith('EAI_'): print('%d|%s' % (getattr(socket, n), n))\n";
  g_autofree char *out = sp_test_run_python (script, NULL);
  g_autoptr(GError) error = sp_errno_error_new (EAI_NONAME);
  g_autofree char *explained = sp_errno_explain (EAI_NONAME, "gethostbyname", NULL);
  g_autofree char *again = sp_errno_explain (EAI_AGAIN, "connect", "no-such-host.invalid");
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_cmpint (EAI_NONAME, ==, -2);
  g_assert_cmpstr (sp_errno_name (-2), ==, "EAI_NONAME");
  g_assert_cmpint (sp_errno_from_name ("EAI_NONAME"), ==, -2);
  g_assert_cmpint (sp_errno_from_name ("EAI_AGAIN"), ==, EAI_AGAIN);
  g_assert_true (sp_errno_is_lookup (EAI_NONAME));
  g_assert_false (sp_errno_is_lookup (ECONNREFUSED));
  g_assert_cmpstr (sp_errno_python_exception (EAI_NONAME), ==, "gaierror");
  g_assert_cmpstr (sp_errno_message (EAI_NONAME), ==, gai_strerror (EAI_NONAME));
  g_assert_error (error, SP_ERRNO_ERROR, EAI_NONAME);
  if (g_str_equal (gai_strerror (EAI_NONAME), "Name or service not known"))
    g_assert_cmpstr (error->message, ==, "[Errno -2] Name or service not known");
  g_assert_cmpint (sp_errno_from_gerror (error), ==, EAI_NONAME);
  g_assert_nonnull (strstr (explained, "/etc/hosts and then a DNS server"));
  g_assert_nonnull (strstr (explained, "none of them had that name"));
  g_assert_nonnull (strstr (again, "no DNS server answered"));

  if (out == NULL)
    return;

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], "|", 2);
      int code = atoi (fields[0]);

      g_assert_cmpint (sp_errno_from_name (fields[1]), ==, code);
      g_assert_cmpstr (sp_errno_name (code), ==, fields[1]);
      g_assert_cmpstr (sp_errno_python_exception (code), ==, "gaierror");
      g_assert_cmpstr (sp_errno_message (code), ==, gai_strerror (code));
      n++;
    }
  g_assert_cmpuint (n, >=, 10);
}

static void
test_error_new (void)
{
  g_autoptr(GError) error = sp_errno_error_new (ECONNREFUSED);
  g_autofree char *expected = g_strdup_printf ("[Errno %d] %s", ECONNREFUSED,
                                               g_strerror (ECONNREFUSED));

  g_assert_error (error, SP_ERRNO_ERROR, ECONNREFUSED);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpstr (sp_errno_message (ECONNREFUSED), ==, g_strerror (ECONNREFUSED));
  g_assert_cmpstr (g_quark_to_string (SP_ERRNO_ERROR), ==, "sp-errno-error-quark");
  if (ECONNREFUSED == 111 && g_str_equal (g_strerror (111), "Connection refused"))
    g_assert_cmpstr (error->message, ==, "[Errno 111] Connection refused");
}

static void
test_explain (void)
{
  char *text;

  text = sp_errno_explain (ECONNREFUSED, "connect", "127.0.0.1:9");
  g_assert_cmpstr (text, ==,
                   "Nothing is listening on 127.0.0.1:9, so the kernel refused the connection.");
  g_free (text);

  text = sp_errno_explain (ECONNREFUSED, "connect_ex", NULL);
  g_assert_cmpstr (text, ==,
                   "Nothing is listening on that address, so the kernel refused the connection.");
  g_free (text);

  text = sp_errno_explain (EADDRINUSE, "bind", "127.0.0.1:5000");
  g_assert_cmpstr (text, ==,
                   "Another socket is already bound to 127.0.0.1:5000; wait for it to close, "
                   "pick another port, or set SO_REUSEADDR.");
  g_free (text);

  /* Bound to the IPv6 wildcard, a socket also takes its port over IPv4:
   * beside an IPv4 socket on that port the answer is IPV6_V6ONLY, which
   * SO_REUSEADDR does not replace. */
  text = sp_errno_explain (EADDRINUSE, "bind", "[::]:5000");
  g_assert_nonnull (strstr (text, "IPV6_V6ONLY"));
  g_assert_nonnull (strstr (text, "[::]:5000"));
  g_assert_null (strstr (text, "SO_REUSEADDR"));
  g_free (text);

  /* The other way round, the IPv6 socket came first. */
  text = sp_errno_explain (EADDRINUSE, "bind", "0.0.0.0:5000");
  g_assert_nonnull (strstr (text, "IPV6_V6ONLY"));
  g_assert_nonnull (strstr (text, "0.0.0.0:5000"));
  g_free (text);

  text = sp_errno_explain (EADDRINUSE, "bind", "[::1]:5000");
  g_assert_null (strstr (text, "IPV6_V6ONLY"));
  g_assert_nonnull (strstr (text, "SO_REUSEADDR"));
  g_free (text);

  text = sp_errno_explain (EACCES, "bind", "0.0.0.0:80");
  g_assert_nonnull (strstr (text, "below 1024"));
  g_assert_nonnull (strstr (text, "0.0.0.0:80"));
  g_free (text);

  /* A port that needs no privilege gets no talk of privileged ports. */
  text = sp_errno_explain (EACCES, "bind", "0.0.0.0:8080");
  g_assert_null (strstr (text, "1024"));
  g_free (text);

  text = sp_errno_explain (EACCES, "sendto", "255.255.255.255:9");
  g_assert_nonnull (strstr (text, "SO_BROADCAST"));
  g_free (text);

  text = sp_errno_explain (EACCES, "bind", "/root/sock");
  g_assert_nonnull (strstr (text, "/root/sock"));
  g_assert_null (strstr (text, "1024"));
  g_free (text);

  text = sp_errno_explain (EPERM, "socket", NULL);
  g_assert_nonnull (strstr (text, "Raw sockets need privileges"));
  g_assert_nonnull (strstr (text, "CAP_NET_RAW"));
  g_free (text);

  text = sp_errno_explain (ENOTCONN, "send", NULL);
  g_assert_cmpstr (text, ==,
                   "The socket is not connected: connect first, or use sendto for datagrams.");
  g_free (text);

  text = sp_errno_explain (EPIPE, "sendall", "127.0.0.1:5000");
  g_assert_nonnull (strstr (text, "peer closed the connection"));
  g_free (text);

  text = sp_errno_explain (ETIMEDOUT, "connect", "10.255.255.1:80");
  g_assert_nonnull (strstr (text, "10.255.255.1:80"));
  g_assert_nonnull (strstr (text, "timed out"));
  g_free (text);

  text = sp_errno_explain (EMFILE, "socket", NULL);
  g_assert_nonnull (strstr (text, "too many open files"));
  g_free (text);

  text = sp_errno_explain (EADDRNOTAVAIL, "bind", "10.9.8.7:5000");
  g_assert_nonnull (strstr (text, "10.9.8.7:5000 is not an address of this machine"));
  g_free (text);

  text = sp_errno_explain (ENOENT, "connect", "/tmp/nothing");
  g_assert_nonnull (strstr (text, "/tmp/nothing does not exist"));
  g_free (text);

  /* The fallback names the call and gives the C library's message. */
  text = sp_errno_explain (EXDEV, "bind", NULL);
  g_assert_true (g_str_has_prefix (text, "bind failed: "));
  g_assert_nonnull (strstr (text, g_strerror (EXDEV)));
  g_free (text);

  text = sp_errno_explain (EXDEV, NULL, NULL);
  g_assert_nonnull (strstr (text, g_strerror (EXDEV)));
  g_free (text);
}

/* One full sentence for every errno, with or without call and address. */
static void
test_explain_all (void)
{
  static const char *calls[] = { NULL, "socket", "bind", "listen", "accept", "connect",
                                 "send", "sendto", "recv", "getpeername", "close" };
  static const char *addresses[] = { NULL, "", "127.0.0.1:5000", "[::1]:80", "/tmp/s" };

  for (int code = 1; code < 134; code++)
    for (guint c = 0; c < G_N_ELEMENTS (calls); c++)
      for (guint a = 0; a < G_N_ELEMENTS (addresses); a++)
        {
          g_autofree char *text = sp_errno_explain (code, calls[c], addresses[a]);

          g_assert_nonnull (text);
          g_assert_true (g_utf8_validate (text, -1, NULL));
          g_assert_cmpuint (strlen (text), >, 10);
          g_assert_true (g_str_has_suffix (text, ".") || g_str_has_suffix (text, "?"));
          g_assert_null (strstr (text, "(null)"));
          g_assert_null (strstr (text, "%"));
          g_assert_null (strstr (text, "  "));
        }
}

static void
test_from_gerror_codes (void)
{
  static const struct {
    GIOErrorEnum code;
    int errno_code;
  } io_errors[] = {
    { G_IO_ERROR_TIMED_OUT, ETIMEDOUT },
    { G_IO_ERROR_CONNECTION_REFUSED, ECONNREFUSED },
    { G_IO_ERROR_ADDRESS_IN_USE, EADDRINUSE },
    { G_IO_ERROR_PERMISSION_DENIED, EACCES },
    { G_IO_ERROR_NOT_CONNECTED, ENOTCONN },
    { G_IO_ERROR_BROKEN_PIPE, EPIPE },
    { G_IO_ERROR_HOST_UNREACHABLE, EHOSTUNREACH },
    { G_IO_ERROR_NETWORK_UNREACHABLE, ENETUNREACH },
    { G_IO_ERROR_WOULD_BLOCK, EAGAIN },
    { G_IO_ERROR_NOT_SUPPORTED, EOPNOTSUPP },
    { G_IO_ERROR_NOT_FOUND, ENOENT },
    { G_IO_ERROR_CANCELLED, 0 },
    { G_IO_ERROR_FAILED, 0 },
    { G_IO_ERROR_PROXY_FAILED, 0 },
  };

  g_assert_cmpint (sp_errno_from_gerror (NULL), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (io_errors); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, io_errors[i].code, "Oops");

      g_assert_cmpint (sp_errno_from_gerror (error), ==, io_errors[i].errno_code);
    }

  for (guint i = 0; i < G_N_ELEMENTS (socket_errnos); i++)
    {
      g_autoptr(GError) error = sp_errno_error_new (socket_errnos[i].code);

      g_assert_cmpint (sp_errno_from_gerror (error), ==, socket_errnos[i].code);
    }

  {
    g_autoptr(GError) other = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_NOENT, "x");
    g_autofree char *reset_text = g_strdup_printf ("Error receiving data: %s",
                                                   g_strerror (ECONNRESET));
    g_autofree char *pipe_text = g_strdup_printf ("Error sending data: %s", g_strerror (EPIPE));
    g_autofree char *unavailable = g_strdup_printf ("Error binding to address: %s",
                                                    g_strerror (EADDRNOTAVAIL));
    /* CONNECTION_CLOSED and BROKEN_PIPE are one code; the message tells them apart. */
    g_autoptr(GError) reset = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                                   reset_text);
    g_autoptr(GError) broken = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                                                    pipe_text);
    g_autoptr(GError) failed = g_error_new_literal (G_IO_ERROR,
                                                    g_io_error_from_errno (EADDRNOTAVAIL),
                                                    unavailable);

    g_assert_cmpint (sp_errno_from_gerror (other), ==, 0);
    g_assert_cmpint (sp_errno_from_gerror (reset), ==, ECONNRESET);
    g_assert_cmpint (sp_errno_from_gerror (broken), ==, EPIPE);
    g_assert_cmpint (sp_errno_from_gerror (failed), ==, EADDRNOTAVAIL);
  }
}

static GSocket *
tcp_listener (guint16 *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) local = NULL;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_socket_listen (socket, &error));
  local = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  return g_steal_pointer (&socket);
}

static GSocketAddress *
loopback_address (guint16 port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);

  return g_inet_socket_address_new (loopback, port);
}

/* The errors GSocket really returns come back as the kernel's errno. */
static void
test_from_gerror_real (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocket) second = NULL;
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GSocket) conn = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  guint16 port;
  char buffer[16];
  int fds[2];

  /* EADDRINUSE: a second bind to a listening port. */
  listener = tcp_listener (&port);
  address = loopback_address (port);
  second = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_false (g_socket_bind (second, address, FALSE, &error));
  g_assert_cmpint (sp_errno_from_gerror (error), ==, EADDRINUSE);
  g_clear_error (&error);
  g_clear_object (&second);

  /* ECONNRESET: closing with unread data sends RST. */
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_connect (client, address, NULL, &error));
  g_assert_no_error (error);
  conn = g_socket_accept (listener, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_socket_send (client, "hello", 5, NULL, &error), ==, 5);
  g_assert_true (g_socket_condition_timed_wait (conn, G_IO_IN, G_USEC_PER_SEC * 5, NULL, &error));
  g_assert_true (g_socket_close (conn, &error));
  g_assert_true (g_socket_condition_timed_wait (client, G_IO_IN, G_USEC_PER_SEC * 5, NULL,
                                                &error));
  g_assert_cmpint (g_socket_receive (client, buffer, sizeof buffer, NULL, &error), ==, -1);
  g_assert_cmpint (sp_errno_from_gerror (error), ==, ECONNRESET);
  g_clear_error (&error);
  g_clear_object (&client);
  g_clear_object (&conn);

  /* ECONNREFUSED: nothing listens on the port any more. */
  g_clear_object (&listener);
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error (error);
  g_assert_false (g_socket_connect (client, address, NULL, &error));
  g_assert_cmpint (sp_errno_from_gerror (error), ==, ECONNREFUSED);
  g_clear_error (&error);
  g_clear_object (&client);

  /* EPIPE: sending after the peer is gone. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  client = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  close (fds[1]);
  g_assert_cmpint (g_socket_send (client, "x", 1, NULL, &error), ==, -1);
  g_assert_cmpint (sp_errno_from_gerror (error), ==, EPIPE);
  g_clear_error (&error);

  /* EAGAIN: a non-blocking receive with nothing there. */
  g_clear_object (&client);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  client = g_socket_new_from_fd (fds[0], &error);
  g_assert_no_error (error);
  g_socket_set_blocking (client, FALSE);
  g_assert_cmpint (g_socket_receive (client, buffer, sizeof buffer, NULL, &error), ==, -1);
  g_assert_cmpint (sp_errno_from_gerror (error), ==, EAGAIN);
  close (fds[1]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Errno/names", test_names);
  g_test_add_func ("/Sp/Errno/matches-python", test_matches_python);
  g_test_add_func ("/Sp/Errno/lookup-codes", test_lookup_codes);
  g_test_add_func ("/Sp/Errno/error-new", test_error_new);
  g_test_add_func ("/Sp/Errno/explain", test_explain);
  g_test_add_func ("/Sp/Errno/explain-all", test_explain_all);
  g_test_add_func ("/Sp/Errno/from-gerror-codes", test_from_gerror_codes);
  g_test_add_func ("/Sp/Errno/from-gerror-real", test_from_gerror_real);

  return g_test_run ();
}
