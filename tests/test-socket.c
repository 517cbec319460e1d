/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sp-endpoint.h"
#include "sp-errno.h"
#include "sp-socket.h"
#include "sp-test-util.h"

/* After a test's calls have all returned, nothing may be left on the
 * context that still fires (an I/O source on a closed descriptor would). */
static void
assert_context_quiet (SpTrafficLog *log)
{
  GMainContext *context = g_main_context_get_thread_default ();

  for (guint i = 0; i < 5; i++)
    while (g_main_context_iteration (context, FALSE))
      ;
  /* The log's batched items-changed is the one timer allowed to remain. */
  sp_traffic_log_flush (log);
  g_usleep (20 * G_TIME_SPAN_MILLISECOND);
  g_assert_false (g_main_context_iteration (context, FALSE));
}

/* Sockets */

/* A client connected to `listener` and the connection accepted from it. */
static void
make_pair (SpTestFixture  *fixture,
           SpSocket       *listener,
           SpSocket      **client,
           SpSocket      **conn)
{
  g_autoptr(GError) error = NULL;

  *client = sp_test_created_socket (fixture, "client", sp_socket_get_family (listener),
                                    SP_SOCKET_TYPE_STREAM);
  g_assert_true (sp_test_connect_and_wait (*client, sp_socket_get_local_address (listener),
                                           FALSE, &error));
  g_assert_no_error (error);
  *conn = sp_test_accept_and_wait (listener, "conn", 5000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*conn);
}

/* The log */

static guint
count_events (SpTrafficLog *log,
              const char   *socket_id,
              SpEventKind   kind,
              SpCall        call)
{
  guint n = 0;

  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) == 0 &&
          sp_event_get_kind (event) == kind &&
          sp_event_get_call (event) == call)
        n++;
    }

  return n;
}

static char *
format_address (GSocketAddress *address)
{
  g_assert_nonnull (address);
  return sp_endpoint_format (address);
}

/* Tests */

typedef struct
{
  SpFamily     family;
  SpSocketType type;
  int          protocol;
} Kind;

static int
native_domain (SpFamily family)
{
  return family == SP_FAMILY_INET6 ? AF_INET6 : family == SP_FAMILY_UNIX ? AF_UNIX : AF_INET;
}

static int
native_type (SpSocketType type)
{
  switch (type)
    {
    case SP_SOCKET_TYPE_DGRAM:
      return SOCK_DGRAM;
    case SP_SOCKET_TYPE_RAW:
      return SOCK_RAW;
    case SP_SOCKET_TYPE_SEQPACKET:
      return SOCK_SEQPACKET;
    case SP_SOCKET_TYPE_STREAM:
    default:
      return SOCK_STREAM;
    }
}

/* What socket(2) itself answers for this kind: 0 or its errno. */
static int
kernel_answer (const Kind *kind)
{
  int fd = socket (native_domain (kind->family), native_type (kind->type), kind->protocol);

  if (fd < 0)
    return errno;
  close (fd);
  return 0;
}

/* Creates one socket and checks the result, the state and the event
 * against `expected_errno` (0: success). */
static void
check_create (SpTestFixture *fixture,
              const Kind    *kind,
              int            expected_errno)
{
  g_autoptr(SpSocket) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *id = NULL;
  gboolean ok;

  id = g_strdup_printf ("%s-%s-%d", sp_family_to_string (kind->family),
                        sp_socket_type_to_string (kind->type), kind->protocol);
  g_test_message ("creating %s, expecting %s", id,
                  expected_errno == 0 ? "success" : sp_errno_name (expected_errno));

  self = sp_socket_new (id, kind->family, kind->type, kind->protocol, fixture->log);
  g_assert_cmpint (sp_socket_get_state (self), ==, SP_STATE_UNCREATED);
  g_assert_cmpint (sp_socket_get_fd (self), ==, -1);

  ok = sp_socket_create (self, &error);
  event = sp_test_find_event (fixture->log, id, SP_EVENT_CALL, SP_CALL_SOCKET);
  g_assert_nonnull (event);
  g_assert_cmpuint (sp_socket_get_n_calls (self), ==, 1);

  if (expected_errno == 0)
    {
      g_autofree char *detail = NULL;

      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (sp_socket_get_state (self), ==, SP_STATE_CREATED);
      g_assert_cmpint (sp_socket_get_fd (self), >=, 0);
      g_assert_nonnull (sp_socket_get_gsocket (self));
      g_assert_true (sp_event_get_ok (event));
      detail = g_strdup_printf ("fd %d", sp_socket_get_fd (self));
      g_assert_cmpstr (sp_event_get_detail (event), ==, detail);

      /* The descriptor really is of the family and type asked for. */
      {
        int value = -1;
        socklen_t length = sizeof value;

        g_assert_cmpint (getsockopt (sp_socket_get_fd (self), SOL_SOCKET, SO_DOMAIN,
                                     &value, &length), ==, 0);
        g_assert_cmpint (value, ==, native_domain (kind->family));
      }
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, SP_ERRNO_ERROR, expected_errno);
      g_assert_cmpint (sp_socket_get_state (self), ==, SP_STATE_UNCREATED);
      g_assert_cmpint (sp_socket_get_fd (self), ==, -1);
      g_assert_false (sp_event_get_ok (event));
      g_assert_cmpint (sp_event_get_error_code (event), ==, expected_errno);
    }

  g_assert_true (g_str_has_prefix (sp_event_get_args (event),
                                   kind->family == SP_FAMILY_INET6 ? "socket.AF_INET6, " :
                                   kind->family == SP_FAMILY_UNIX ? "socket.AF_UNIX, " :
                                   "socket.AF_INET, "));

  g_assert_finalize_object (g_steal_pointer (&self));
}

static void
test_create (SpTestFixture *fixture,
             gconstpointer  data)
{
  static const SpFamily families[] = { SP_FAMILY_INET, SP_FAMILY_INET6, SP_FAMILY_UNIX };
  static const SpSocketType types[] = {
    SP_SOCKET_TYPE_STREAM, SP_SOCKET_TYPE_DGRAM, SP_SOCKET_TYPE_SEQPACKET,
  };
  Kind raw_icmp = { SP_FAMILY_INET, SP_SOCKET_TYPE_RAW, IPPROTO_ICMP };
  Kind raw_icmpv6 = { SP_FAMILY_INET6, SP_SOCKET_TYPE_RAW, IPPROTO_ICMPV6 };
  Kind raw_unspecified = { SP_FAMILY_INET, SP_SOCKET_TYPE_RAW, 0 };
  int raw_errno = geteuid () == 0 ? 0 : EPERM;

  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    for (guint t = 0; t < G_N_ELEMENTS (types); t++)
      {
        Kind kind = { families[f], types[t], 0 };
        int expected = 0;

        /* Linux has SOCK_SEQPACKET for IP only through SCTP, which may or
         * may not be loaded: the kernel's own answer is what to show. */
        if (kind.family != SP_FAMILY_UNIX && kind.type == SP_SOCKET_TYPE_SEQPACKET)
          expected = kernel_answer (&kind);

        check_create (fixture, &kind, expected);
      }

  /* Raw sockets need CAP_NET_RAW: root has it, others get EPERM. */
  check_create (fixture, &raw_icmp, raw_errno);
  check_create (fixture, &raw_icmpv6, raw_errno);
  /* Protocol 0 is no protocol for an IP raw socket, privileged or not. */
  check_create (fixture, &raw_unspecified, kernel_answer (&raw_unspecified));
  g_assert_cmpint (kernel_answer (&raw_unspecified), !=, 0);

  {
    g_autoptr(SpSocket) twice = sp_test_created_socket (fixture, "twice", SP_FAMILY_INET,
                                                        SP_SOCKET_TYPE_STREAM);
    g_autoptr(GError) error = NULL;
    int fd = sp_socket_get_fd (twice);

    /* A second socket() on a live socket must not leak the first one. */
    g_assert_false (sp_socket_create (twice, &error));
    g_assert_error (error, SP_ERRNO_ERROR, EISCONN);
    g_assert_cmpint (sp_socket_get_fd (twice), ==, fd);
    g_assert_cmpint (sp_socket_get_state (twice), ==, SP_STATE_CREATED);
    g_assert_finalize_object (g_steal_pointer (&twice));
  }
}

static int
read_option (SpSocket *self,
             int       level,
             int       option)
{
  int value = -1;
  socklen_t length = sizeof value;

  g_assert_cmpint (getsockopt (sp_socket_get_fd (self), level, option, &value, &length), ==, 0);
  return value;
}

static void
test_setsockopt (SpTestFixture *fixture,
                 gconstpointer  data)
{
  static const struct
  {
    const char *name;
    SpFamily    family;
    SpSocketType type;
    int         level;
    int         option;
    gint64      value;
  } cases[] = {
    { "SO_REUSEADDR", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SOL_SOCKET, SO_REUSEADDR, 1 },
    { "SO_REUSEPORT", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SOL_SOCKET, SO_REUSEPORT, 1 },
    { "SO_BROADCAST", SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM, SOL_SOCKET, SO_BROADCAST, 1 },
    { "SO_KEEPALIVE", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SOL_SOCKET, SO_KEEPALIVE, 1 },
    { "SO_RCVBUF", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SOL_SOCKET, SO_RCVBUF, 65536 },
    { "SO_SNDBUF", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, SOL_SOCKET, SO_SNDBUF, 65536 },
    { "TCP_NODELAY", SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM, IPPROTO_TCP, TCP_NODELAY, 1 },
    { "IPV6_V6ONLY", SP_FAMILY_INET6, SP_SOCKET_TYPE_STREAM, IPPROTO_IPV6, IPV6_V6ONLY, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SpSocket) self = sp_test_created_socket (fixture, cases[i].name, cases[i].family,
                                                         cases[i].type);
      g_autoptr(GError) error = NULL;
      g_autoptr(SpEvent) event = NULL;
      int value;

      g_test_message ("setsockopt %s", cases[i].name);
      g_assert_true (sp_socket_setsockopt (self, cases[i].name, cases[i].value, &error));
      g_assert_no_error (error);

      value = read_option (self, cases[i].level, cases[i].option);
      if (cases[i].option == SO_RCVBUF || cases[i].option == SO_SNDBUF)
        /* Linux doubles buffer sizes for its bookkeeping. */
        g_assert_cmpint (value, >=, cases[i].value);
      else
        g_assert_cmpint (value, ==, cases[i].value);

      event = sp_test_find_event (fixture->log, cases[i].name, SP_EVENT_CALL, SP_CALL_SETSOCKOPT);
      g_assert_nonnull (event);
      g_assert_true (sp_event_get_ok (event));
      g_assert_nonnull (strstr (sp_event_get_args (event), cases[i].name));

      /* Turning a flag off is as real as turning it on. */
      if (cases[i].value == 1)
        {
          g_assert_true (sp_socket_setsockopt (self, cases[i].name, 0, &error));
          g_assert_cmpint (read_option (self, cases[i].level, cases[i].option), ==, 0);
        }

      g_assert_finalize_object (g_steal_pointer (&self));
    }

  {
    g_autoptr(SpSocket) self = sp_test_created_socket (fixture, "odd", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_STREAM);
    g_autoptr(SpSocket) uncreated = sp_socket_new ("uncreated", SP_FAMILY_INET,
                                                   SP_SOCKET_TYPE_STREAM, 0, fixture->log);
    g_autoptr(GError) error = NULL;
    g_autoptr(SpEvent) event = NULL;

    g_assert_false (sp_socket_setsockopt (self, "SO_NO_SUCH_OPTION", 1, &error));
    g_assert_error (error, SP_ERRNO_ERROR, ENOPROTOOPT);
    g_clear_error (&error);
    event = sp_test_find_event (fixture->log, "odd", SP_EVENT_CALL, SP_CALL_SETSOCKOPT);
    g_assert_nonnull (event);
    g_assert_false (sp_event_get_ok (event));
    g_assert_cmpint (sp_event_get_error_code (event), ==, ENOPROTOOPT);

    /* An IPv6 option on an IPv4 socket: the kernel's own refusal. */
    g_assert_false (sp_socket_setsockopt (self, "IPV6_V6ONLY", 1, &error));
    g_assert_error (error, SP_ERRNO_ERROR, ENOPROTOOPT);
    g_clear_error (&error);

    /* A value that does not fit the C int is not silently truncated. */
    g_assert_false (sp_socket_setsockopt (self, "SO_RCVBUF", G_GINT64_CONSTANT (1) << 40, &error));
    g_assert_error (error, SP_ERRNO_ERROR, EINVAL);
    g_clear_error (&error);

    /* Before socket() there is no descriptor to set anything on. */
    g_assert_false (sp_socket_setsockopt (uncreated, "SO_REUSEADDR", 1, &error));
    g_assert_error (error, SP_ERRNO_ERROR, EBADF);

    g_assert_cmpuint (sp_socket_get_n_calls (self), ==, 4);
    g_assert_finalize_object (g_steal_pointer (&self));
    g_assert_finalize_object (g_steal_pointer (&uncreated));
  }
}

static void
test_round_trip (SpTestFixture *fixture,
                 gconstpointer  data)
{
  SpFamily family = GPOINTER_TO_INT (data);
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, family, 1);
  g_autoptr(SpSocket) client = sp_test_created_socket (fixture, "client", family,
                                                       SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) sent = NULL;
  g_autoptr(SpEvent) received = NULL;
  g_autoptr(SpEvent) accepted = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autofree char *server_text = format_address (sp_socket_get_local_address (listener));
  g_autofree char *client_local = NULL;
  g_autofree char *client_remote = NULL;
  g_autofree char *conn_local = NULL;
  g_autofree char *conn_remote = NULL;
  SpState state_after_connect;
  SpState state_after_shutdown;

  g_assert_null (sp_socket_get_remote_address (client));

  g_assert_true (sp_test_connect_and_wait (client, sp_socket_get_local_address (listener), FALSE,
                                           &error));
  g_assert_no_error (error);
  /* Checked last, so that a wrong state does not hide the rest. */
  state_after_connect = sp_socket_get_state (client);

  conn = sp_test_accept_and_wait (listener, "conn", 5000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conn);
  g_assert_cmpstr (sp_socket_get_id (conn), ==, "conn");
  g_assert_true (sp_socket_get_listener (conn) == listener);
  g_assert_cmpint (sp_socket_get_state (conn), ==, SP_STATE_CONNECTED);
  g_assert_cmpint (sp_socket_get_family (conn), ==, family);
  g_assert_cmpint (sp_socket_get_state (listener), ==, SP_STATE_LISTENING);

  /* The 5-tuple seen from both ends agrees. */
  client_remote = format_address (sp_socket_get_remote_address (client));
  conn_local = format_address (sp_socket_get_local_address (conn));
  g_assert_cmpstr (client_remote, ==, server_text);
  g_assert_cmpstr (conn_local, ==, server_text);
  if (family != SP_FAMILY_UNIX)
    {
      GInetSocketAddress *local = G_INET_SOCKET_ADDRESS (sp_socket_get_local_address (client));

      /* The kernel picked an ephemeral port at connect. */
      g_assert_cmpuint (g_inet_socket_address_get_port (local), !=, 0);
      client_local = format_address (sp_socket_get_local_address (client));
      conn_remote = format_address (sp_socket_get_remote_address (conn));
      g_assert_cmpstr (client_local, ==, conn_remote);
    }

  accepted = sp_test_find_event (fixture->log, "server", SP_EVENT_CALL, SP_CALL_ACCEPT);
  g_assert_nonnull (accepted);
  g_assert_true (sp_event_get_ok (accepted));
  g_assert_true (g_str_has_prefix (sp_event_get_detail (accepted), "(conn, "));

  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "Hello World", NULL, &error), ==,
                   11);
  g_assert_no_error (error);
  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
  g_assert_no_error (error);
  sp_test_assert_bytes_equal (bytes, "Hello World");
  g_clear_pointer (&bytes, g_bytes_unref);

  g_assert_cmpint (sp_test_send_and_wait (conn, SP_CALL_SEND, "HELLO BACK", NULL, &error), ==, 10);
  g_assert_no_error (error);
  bytes = sp_test_receive_and_wait (client, SP_CALL_RECV_INTO, 1024, 5000, NULL, &error);
  g_assert_no_error (error);
  sp_test_assert_bytes_equal (bytes, "HELLO BACK");
  g_clear_pointer (&bytes, g_bytes_unref);

  /* The log holds the bytes themselves, on the right socket. */
  sent = sp_test_find_event (fixture->log, "client", SP_EVENT_SENT, SP_CALL_SENDALL);
  g_assert_nonnull (sent);
  g_assert_cmpuint (sp_event_get_bytes (sent), ==, 11);
  payload = sp_event_get_payload (sent);
  g_assert_nonnull (payload);
  sp_test_assert_bytes_equal (payload, "Hello World");
  g_clear_pointer (&payload, g_bytes_unref);
  received = sp_test_find_event (fixture->log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV);
  g_assert_nonnull (received);
  g_assert_cmpuint (sp_event_get_bytes (received), ==, 11);
  g_assert_cmpstr (sp_event_get_args (received), ==, "1024");
  payload = sp_event_get_payload (received);
  sp_test_assert_bytes_equal (payload, "Hello World");

  /* shutdown(SHUT_WR) is an end of file for the other side. */
  g_assert_true (sp_socket_shutdown (client, SP_SHUTDOWN_WRITE, &error));
  g_assert_no_error (error);
  state_after_shutdown = sp_socket_get_state (client);
  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);

  /* Counters: every call counts, the bytes each way. */
  g_assert_cmpuint (sp_socket_get_bytes_sent (client), ==, 11);
  g_assert_cmpuint (sp_socket_get_bytes_received (client), ==, 10);
  g_assert_cmpuint (sp_socket_get_bytes_sent (conn), ==, 10);
  g_assert_cmpuint (sp_socket_get_bytes_received (conn), ==, 11);
  /* socket, connect, sendall, recv_into, shutdown */
  g_assert_cmpuint (sp_socket_get_n_calls (client), ==, 5);
  /* send, recv, recv */
  g_assert_cmpuint (sp_socket_get_n_calls (conn), ==, 3);
  /* socket, bind, listen, accept */
  g_assert_cmpuint (sp_socket_get_n_calls (listener), ==, 4);

  g_assert_true (sp_socket_close (client, &error));
  g_assert_true (sp_socket_close (conn, &error));
  g_assert_true (sp_socket_close (listener, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sp_socket_get_state (client), ==, SP_STATE_CLOSED);
  g_assert_cmpint (sp_socket_get_fd (client), ==, -1);

  /* close() twice is EBADF, as in C. */
  g_assert_false (sp_socket_close (client, &error));
  g_assert_error (error, SP_ERRNO_ERROR, EBADF);

  assert_context_quiet (fixture->log);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));

  /* BUG (src/core/sp-socket.c, connect_succeeded): a TCP connect that went
   * through EINPROGRESS stays CONNECTING, because the next state is looked
   * up from CONNECTING and the lifecycle table has no CONNECTING row for
   * connect. Left failing: the window would show a connected socket as
   * still connecting and disable send/recv on it. */
  if (state_after_connect != SP_STATE_CONNECTED || state_after_shutdown != SP_STATE_SHUT_WRITE)
    g_test_fail_printf ("state after connect: %s, after shutdown(SHUT_WR): %s",
                        sp_state_to_string (state_after_connect),
                        sp_state_to_string (state_after_shutdown));
}

static void
test_connect_refused (SpTestFixture *fixture,
                      gconstpointer  data)
{
  SpFamily family = GPOINTER_TO_INT (data);
  guint16 port = sp_test_closed_port (native_domain (family));
  g_autoptr(GSocketAddress) address = sp_test_loopback_address (family, port);
  g_autoptr(SpSocket) client = sp_test_created_socket (fixture, "client", family,
                                                       SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) scanner = sp_test_created_socket (fixture, "scanner", family,
                                                        SP_SOCKET_TYPE_STREAM);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *args = NULL;
  g_autofree char *remote = NULL;

  if (family == SP_FAMILY_INET6)
    {
      args = g_strdup_printf ("('::1', %u, 0, 0)", port);
      remote = g_strdup_printf ("[::1]:%u", port);
    }
  else
    {
      args = g_strdup_printf ("('127.0.0.1', %u)", port);
      remote = g_strdup_printf ("127.0.0.1:%u", port);
    }

  g_assert_false (sp_test_connect_and_wait (client, address, FALSE, &error));
  g_assert_error (error, SP_ERRNO_ERROR, ECONNREFUSED);
  g_clear_error (&error);
  /* A refused connect leaves a socket that may try again. */
  g_assert_cmpint (sp_socket_get_state (client), ==, SP_STATE_CREATED);

  event = sp_test_find_event (fixture->log, "client", SP_EVENT_CALL, SP_CALL_CONNECT);
  g_assert_nonnull (event);
  g_assert_false (sp_event_get_ok (event));
  g_assert_cmpint (sp_event_get_error_code (event), ==, ECONNREFUSED);
  g_assert_cmpstr (sp_event_get_args (event), ==, args);
  g_assert_cmpstr (sp_event_get_remote (event), ==, remote);
  g_clear_object (&event);

  /* connect_ex: the same errno, recorded on its own call. */
  g_assert_false (sp_test_connect_and_wait (scanner, address, TRUE, &error));
  g_assert_error (error, SP_ERRNO_ERROR, ECONNREFUSED);
  event = sp_test_find_event (fixture->log, "scanner", SP_EVENT_CALL, SP_CALL_CONNECT_EX);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, ECONNREFUSED);
  g_assert_cmpstr (sp_event_get_args (event), ==, args);

  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&scanner));
}

static void
test_address_in_use (SpTestFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) second = sp_test_created_socket (fixture, "second", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_STREAM);
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;

  /* SO_REUSEADDR does not let two sockets share a listening port. */
  g_assert_true (sp_socket_setsockopt (second, "SO_REUSEADDR", 1, &error));
  g_assert_false (sp_socket_bind (second, sp_socket_get_local_address (listener), &error));
  g_assert_error (error, SP_ERRNO_ERROR, EADDRINUSE);
  g_assert_cmpint (sp_socket_get_state (second), ==, SP_STATE_CREATED);
  g_assert_null (sp_socket_get_local_address (second));

  event = sp_test_find_event (fixture->log, "second", SP_EVENT_CALL, SP_CALL_BIND);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, EADDRINUSE);
  g_assert_false (sp_event_get_ok (event));

  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static gboolean
bytes_waiting_is (gpointer data)
{
  gpointer *pair = data;

  return sp_socket_get_bytes_waiting (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static void
wait_bytes_waiting (SpSocket *self,
                    int       n)
{
  gpointer pair[2] = { self, GINT_TO_POINTER (n) };

  sp_test_poll_until (bytes_waiting_is, pair, 2000);
  g_assert_cmpint (sp_socket_get_bytes_waiting (self), ==, n);
}

static void
test_partial_recv (SpTestFixture *fixture,
                   gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  const char *forty = "0123456789abcdefghijABCDEFGHIJ0123456789";

  make_pair (fixture, listener, &client, &conn);
  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, forty, NULL, &error), ==, 40);
  wait_bytes_waiting (conn, 40);

  /* recv(10) takes 10 of the 40 bytes and leaves the rest queued. */
  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 10, 5000, NULL, &error);
  g_assert_no_error (error);
  sp_test_assert_bytes_equal (bytes, "0123456789");
  g_assert_cmpint (sp_socket_get_bytes_waiting (conn), ==, 30);

  event = sp_test_find_event (fixture->log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV);
  g_assert_cmpuint (sp_event_get_bytes (event), ==, 10);
  g_assert_cmpstr (sp_event_get_args (event), ==, "10");
  g_clear_pointer (&bytes, g_bytes_unref);

  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
  sp_test_assert_bytes_equal (bytes, "abcdefghijABCDEFGHIJ0123456789");
  g_assert_cmpuint (sp_socket_get_bytes_received (conn), ==, 40);

  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_recv_eof (SpTestFixture *fixture,
               gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;

  make_pair (fixture, listener, &client, &conn);
  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "bye", NULL, &error), ==, 3);
  g_assert_true (sp_socket_close (client, &error));

  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
  sp_test_assert_bytes_equal (bytes, "bye");
  g_clear_pointer (&bytes, g_bytes_unref);

  /* End of file is an empty GBytes, not an error, and stays so. */
  for (guint i = 0; i < 2; i++)
    {
      bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (bytes);
      g_assert_cmpuint (g_bytes_get_size (bytes), ==, 0);
      g_clear_pointer (&bytes, g_bytes_unref);
    }

  event = sp_test_find_event (fixture->log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV);
  g_assert_true (sp_event_get_ok (event));
  g_assert_cmpuint (sp_event_get_bytes (event), ==, 0);
  g_assert_nonnull (sp_event_get_detail (event));
  g_assert_cmpuint (count_events (fixture->log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV), ==, 3);

  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_datagrams (SpTestFixture *fixture,
                gconstpointer  data)
{
  SpFamily family = GPOINTER_TO_INT (data);
  g_autoptr(SpSocket) receiver = sp_test_created_socket (fixture, "receiver", family,
                                                         SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpSocket) sender = sp_test_created_socket (fixture, "sender", family,
                                                       SP_SOCKET_TYPE_DGRAM);
  g_autoptr(GSocketAddress) address = sp_test_loopback_address (family, 0);
  g_autoptr(GSocketAddress) from = NULL;
  g_autoptr(GSocketAddress) name = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  g_autofree char *sender_text = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *name_text = NULL;
  g_autofree char *receiver_text = NULL;
  GSocketAddress *sender_local;

  g_assert_true (sp_socket_bind (receiver, address, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sp_socket_get_state (receiver), ==, SP_STATE_BOUND);
  receiver_text = format_address (sp_socket_get_local_address (receiver));

  /* sendto on an unbound socket binds it implicitly. */
  g_assert_cmpint (sp_socket_get_state (sender), ==, SP_STATE_CREATED);
  g_assert_null (sp_socket_get_local_address (sender));
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "ping",
                                          sp_socket_get_local_address (receiver), &error), ==, 4);
  g_assert_no_error (error);
  sender_local = sp_socket_get_local_address (sender);
  g_assert_nonnull (sender_local);
  g_assert_cmpint (sp_socket_get_state (sender), ==, SP_STATE_BOUND);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sender_local)), !=, 0);
  sender_text = format_address (sender_local);
  name = sp_socket_getsockname (sender, &error);
  g_assert_no_error (error);
  name_text = format_address (name);
  g_assert_cmpstr (name_text, ==, sender_text);

  event = sp_test_find_event (fixture->log, "sender", SP_EVENT_SENT, SP_CALL_SENDTO);
  g_assert_nonnull (event);
  g_assert_cmpstr (sp_event_get_remote (event), ==, receiver_text);
  g_clear_object (&event);

  /* recvfrom names the sender. */
  bytes = sp_test_receive_and_wait (receiver, SP_CALL_RECVFROM, 1024, 5000, &from, &error);
  g_assert_no_error (error);
  sp_test_assert_bytes_equal (bytes, "ping");
  g_clear_pointer (&bytes, g_bytes_unref);
  g_assert_nonnull (from);
  /* The implicit bind is to the wildcard address and an ephemeral port;
   * the datagram arrives from loopback and that port. */
  g_assert_true (sp_endpoint_is_wildcard (sender_local));
  g_assert_true (sp_endpoint_is_loopback (from));
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)), ==,
                    g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sender_local)));
  from_text = format_address (from);
  event = sp_test_find_event (fixture->log, "receiver", SP_EVENT_RECEIVED, SP_CALL_RECVFROM);
  g_assert_nonnull (event);
  g_assert_cmpstr (sp_event_get_remote (event), ==, from_text);
  g_clear_object (&event);

  /* Each datagram is its own message, whatever the buffer size. */
  g_assert_cmpint (sp_test_send_and_wait (receiver, SP_CALL_SENDTO, "one", from, &error), ==, 3);
  g_assert_cmpint (sp_test_send_and_wait (receiver, SP_CALL_SENDTO, "two", from, &error), ==, 3);
  g_assert_no_error (error);
  bytes = sp_test_receive_and_wait (sender, SP_CALL_RECV, 1024, 5000, NULL, &error);
  sp_test_assert_bytes_equal (bytes, "one");
  g_clear_pointer (&bytes, g_bytes_unref);
  bytes = sp_test_receive_and_wait (sender, SP_CALL_RECV, 1024, 5000, NULL, &error);
  sp_test_assert_bytes_equal (bytes, "two");
  g_clear_pointer (&bytes, g_bytes_unref);

  assert_context_quiet (fixture->log);
  g_clear_object (&from);
  g_assert_finalize_object (g_steal_pointer (&sender));
  g_assert_finalize_object (g_steal_pointer (&receiver));
}

static gboolean
receive_many_and_wait (SpSocket        *self,
                       SpCall           call,
                       gsize            bufsize,
                       guint            max_calls,
                       GByteArray      *collect,
                       SpReceiveTally  *tally,
                       GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  sp_socket_receive_many_async (self, call, bufsize, max_calls, 5000, collect,
                                NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  return sp_socket_receive_many_finish (self, result, tally, error);
}

/* A burst is read in batches: as many calls as there are datagrams waiting,
 * up to the limit, each one an event of its own; an empty datagram is one
 * of them, not an end. */
static void
test_receive_many_datagrams (SpTestFixture *fixture,
                             gconstpointer  data)
{
  static const char *const texts[] = { "one", "", "three", "four", "five" };
  g_autoptr(SpSocket) receiver = sp_test_created_socket (fixture, "receiver", SP_FAMILY_INET,
                                                         SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpSocket) sender = sp_test_created_socket (fixture, "sender", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_DGRAM);
  g_autoptr(GSocketAddress) address = sp_test_loopback_address (SP_FAMILY_INET, 0);
  g_autoptr(GByteArray) collected = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *sender_text = NULL;
  SpReceiveTally tally;
  guint n_received = 0;

  g_assert_true (sp_socket_bind (receiver, address, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, texts[i],
                                              sp_socket_get_local_address (receiver), &error),
                       ==, strlen (texts[i]));
      g_assert_no_error (error);
    }
  /* sendto bound the sender to the wildcard address; it sends from loopback */
  sender_text = g_strdup_printf ("127.0.0.1:%u", g_inet_socket_address_get_port (
                                   G_INET_SOCKET_ADDRESS (sp_socket_get_local_address (sender))));

  g_assert_true (receive_many_and_wait (receiver, SP_CALL_RECVFROM, 64, 3, collected,
                                        &tally, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally.n_calls, ==, 3);
  g_assert_cmpuint (tally.n_bytes, ==, 8);
  g_assert_false (tally.end_of_file);

  /* The rest, and no more: the batch ends when nothing is waiting. */
  g_assert_true (receive_many_and_wait (receiver, SP_CALL_RECVFROM, 64, 64, collected,
                                        &tally, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally.n_calls, ==, 2);
  g_assert_cmpuint (tally.n_bytes, ==, 8);
  g_assert_cmpmem (collected->data, collected->len, "onethreefourfive", 16);
  g_assert_cmpuint (sp_socket_get_bytes_received (receiver), ==, 16);

  for (guint i = 0; i < sp_traffic_log_get_n_appended (fixture->log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (fixture->log, i);

      if (sp_event_get_kind (event) != SP_EVENT_RECEIVED)
        continue;
      g_assert_cmpuint (sp_event_get_bytes (event), ==, strlen (texts[n_received]));
      g_assert_cmpstr (sp_event_get_remote (event), ==, sender_text);
      n_received++;
    }
  g_assert_cmpuint (n_received, ==, G_N_ELEMENTS (texts));
}

/* On a stream, end of file ends the batch. */
static void
test_receive_many_eof (SpTestFixture *fixture,
                       gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GError) error = NULL;
  SpReceiveTally tally;

  make_pair (fixture, listener, &client, &conn);
  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "abcde", NULL, &error), ==, 5);
  g_assert_no_error (error);
  g_assert_true (sp_socket_close (client, &error));
  g_assert_no_error (error);

  g_assert_true (receive_many_and_wait (conn, SP_CALL_RECV, 2, 10, NULL, &tally, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (tally.n_calls, ==, 4);
  g_assert_cmpuint (tally.n_bytes, ==, 5);
  g_assert_true (tally.end_of_file);
  g_assert_cmpuint (count_events (fixture->log, "conn", SP_EVENT_RECEIVED, SP_CALL_RECV), ==, 4);
}

static void
test_accept_timeout (SpTestFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  gint64 begin;
  gint64 elapsed_ms;

  begin = g_get_monotonic_time ();
  conn = sp_test_accept_and_wait (listener, "conn", 100, &error);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;
  g_assert_null (conn);
  g_assert_error (error, SP_ERRNO_ERROR, ETIMEDOUT);
  g_clear_error (&error);
  g_assert_cmpint (elapsed_ms, >=, 100);
  g_assert_cmpint (elapsed_ms, <, 3000);

  event = sp_test_find_event (fixture->log, "server", SP_EVENT_CALL, SP_CALL_ACCEPT);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, ETIMEDOUT);

  /* The listener is unharmed by a wait that ended. */
  g_assert_cmpint (sp_socket_get_state (listener), ==, SP_STATE_LISTENING);
  make_pair (fixture, listener, &client, &conn);

  /* recv has its time limit too. */
  {
    g_autoptr(GBytes) bytes = NULL;

    begin = g_get_monotonic_time ();
    bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 100, NULL, &error);
    elapsed_ms = (g_get_monotonic_time () - begin) / 1000;
    g_assert_null (bytes);
    g_assert_error (error, SP_ERRNO_ERROR, ETIMEDOUT);
    g_assert_cmpint (elapsed_ms, >=, 100);
  }

  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* try_accept takes only a connection already waiting: none is neither an
 * event nor a call. send_now ends at once, with the one event of a
 * sendall. */
static void
test_without_waiting (SpTestFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = sp_test_created_socket (fixture, "client", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GBytes) hello = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  guint n_events = sp_traffic_log_get_n_appended (fixture->log);
  guint n_calls = sp_socket_get_n_calls (listener);
  gssize sent = 0;

  g_assert_null (sp_socket_try_accept (listener, "conn", &error));
  g_assert_error (error, SP_ERRNO_ERROR, EAGAIN);
  g_clear_error (&error);
  g_assert_cmpuint (sp_traffic_log_get_n_appended (fixture->log), ==, n_events);
  g_assert_cmpuint (sp_socket_get_n_calls (listener), ==, n_calls);

  g_assert_true (sp_test_connect_and_wait (client, sp_socket_get_local_address (listener), FALSE,
                                           &error));
  g_assert_no_error (error);
  /* On loopback the handshake is over when connect returns; the wait is
   * only for a slow machine. */
  for (guint i = 0; i < 1000 && conn == NULL; i++)
    {
      g_clear_error (&error);
      conn = sp_socket_try_accept (listener, "conn", &error);
      if (conn == NULL)
        g_usleep (G_TIME_SPAN_MILLISECOND);
    }
  g_assert_no_error (error);
  g_assert_nonnull (conn);
  g_assert_cmpuint (sp_socket_get_n_calls (listener), ==, n_calls + 1);
  g_assert_cmpuint (count_events (fixture->log, "server", SP_EVENT_CALL, SP_CALL_ACCEPT), ==, 1);
  g_assert_nonnull (sp_socket_get_remote_address (conn));

  g_assert_true (sp_socket_send_now (conn, SP_CALL_SENDALL, hello, 5000, NULL, NULL, &sent,
                                     &error));
  g_assert_no_error (error);
  g_assert_cmpint (sent, ==, 5);
  g_assert_cmpuint (count_events (fixture->log, "conn", SP_EVENT_SENT, SP_CALL_SENDALL), ==, 1);
  bytes = sp_test_receive_and_wait (client, SP_CALL_RECV, 1024, 5000, NULL, &error);
  g_assert_no_error (error);
  sp_test_assert_bytes_equal (bytes, "hello");

  /* An accepted socket makes its GSocket when asked for it. */
  g_assert_nonnull (sp_socket_get_gsocket (conn));

  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_close_while_waiting (SpTestFixture *fixture,
                          gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) accept_result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  GAsyncResult *slot = NULL;
  GAsyncResult *accept_slot = NULL;

  make_pair (fixture, listener, &client, &conn);

  /* A recv with no time limit, waiting for data that never comes. */
  sp_socket_receive_async (conn, SP_CALL_RECV, 1024, 0, NULL, sp_test_on_result, &slot);
  sp_socket_accept_async (listener, "never", 0, NULL, sp_test_on_result, &accept_slot);
  sp_test_poll_for (50);
  g_assert_null (slot);
  g_assert_null (accept_slot);

  g_assert_true (sp_socket_close (conn, &error));
  g_assert_true (sp_socket_close (listener, &error));
  g_assert_no_error (error);

  result = sp_test_wait_result (&slot);
  bytes = sp_socket_receive_finish (conn, result, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, SP_ERRNO_ERROR, EBADF);
  g_clear_error (&error);

  accept_result = sp_test_wait_result (&accept_slot);
  g_assert_null (sp_socket_accept_finish (listener, accept_result, &error));
  g_assert_error (error, SP_ERRNO_ERROR, EBADF);

  g_assert_cmpint (sp_socket_get_state (conn), ==, SP_STATE_CLOSED);
  assert_context_quiet (fixture->log);

  /* The log shows how the waiting recv ended, as it shows every call. */
  event = sp_test_find_event (fixture->log, "conn", SP_EVENT_CALL, SP_CALL_RECV);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, EBADF);

  g_clear_object (&result);
  g_clear_object (&accept_result);
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_connect_timeout (SpTestFixture *fixture,
                      gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 0);
  g_autoptr(SpSocket) first = sp_test_created_socket (fixture, "first", SP_FAMILY_INET,
                                                      SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) late = sp_test_created_socket (fixture, "late", SP_FAMILY_INET,
                                                     SP_SOCKET_TYPE_STREAM);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;
  GAsyncResult *slot = NULL;
  gint64 begin;
  gint64 elapsed_ms;

  /* With backlog 0 Linux queues one connection and drops further SYNs:
   * the next connect gets no answer at all. */
  g_assert_true (sp_test_connect_and_wait (first, sp_socket_get_local_address (listener), FALSE,
                                           &error));
  g_assert_no_error (error);

  begin = g_get_monotonic_time ();
  sp_socket_connect_async (late, sp_socket_get_local_address (listener), FALSE, 200, NULL,
                           sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;
  g_assert_false (sp_socket_connect_finish (late, result, &error));
  g_assert_error (error, SP_ERRNO_ERROR, ETIMEDOUT);
  g_assert_cmpint (elapsed_ms, >=, 200);
  g_assert_cmpint (elapsed_ms, <, 3000);

  event = sp_test_find_event (fixture->log, "late", SP_EVENT_CALL, SP_CALL_CONNECT);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, ETIMEDOUT);

  g_clear_object (&result);
  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&late));
  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_not_connected (SpTestFixture *fixture,
                    gconstpointer  data)
{
  g_autoptr(SpSocket) self = sp_test_created_socket (fixture, "lonely", SP_FAMILY_INET,
                                                     SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) uncreated = sp_socket_new ("uncreated", SP_FAMILY_INET,
                                                 SP_SOCKET_TYPE_STREAM, 0, fixture->log);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SpEvent) event = NULL;

  /* What the kernel answers a stream socket that never connected. */
  bytes = sp_test_receive_and_wait (self, SP_CALL_RECV, 10, 1000, NULL, &error);
  g_assert_null (bytes);
  g_assert_error (error, SP_ERRNO_ERROR, ENOTCONN);
  g_clear_error (&error);
  event = sp_test_find_event (fixture->log, "lonely", SP_EVENT_CALL, SP_CALL_RECV);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, ENOTCONN);

  g_assert_null (sp_socket_getpeername (self, &error));
  g_assert_error (error, SP_ERRNO_ERROR, ENOTCONN);
  g_clear_error (&error);

  g_assert_false (sp_socket_shutdown (self, SP_SHUTDOWN_BOTH, &error));
  g_assert_error (error, SP_ERRNO_ERROR, ENOTCONN);
  g_clear_error (&error);

  /* Linux answers send() on an unconnected TCP socket with EPIPE. */
  g_assert_cmpint (sp_test_send_and_wait (self, SP_CALL_SEND, "x", NULL, &error), <, 0);
  g_assert_error (error, SP_ERRNO_ERROR, EPIPE);
  g_clear_error (&error);

  /* Calls on a socket that has no descriptor fail, with an event. */
  bytes = sp_test_receive_and_wait (uncreated, SP_CALL_RECV, 10, 1000, NULL, &error);
  g_assert_error (error, SP_ERRNO_ERROR, EBADF);
  g_clear_error (&error);
  g_assert_false (sp_socket_listen (uncreated, 1, &error));
  g_assert_error (error, SP_ERRNO_ERROR, EBADF);
  g_assert_cmpuint (sp_socket_get_n_calls (uncreated), ==, 2);
  g_clear_object (&event);
  event = sp_test_find_event (fixture->log, "uncreated", SP_EVENT_CALL, SP_CALL_LISTEN);
  g_assert_nonnull (event);
  g_assert_cmpint (sp_event_get_error_code (event), ==, EBADF);

  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&self));
  g_assert_finalize_object (g_steal_pointer (&uncreated));
}

/* A closed socket made again is a new socket: nothing of its previous
 * life may show (DESIGN: "a `socket` step on a closed socket makes a
 * fresh one"). */
static void
test_recreate (SpTestFixture *fixture,
               gconstpointer  data)
{
  g_autoptr(SpSocket) receiver = sp_test_created_socket (fixture, "receiver", SP_FAMILY_INET,
                                                         SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpSocket) sender = sp_test_created_socket (fixture, "sender", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_DGRAM);
  g_autoptr(GSocketAddress) address = sp_test_loopback_address (SP_FAMILY_INET, 0);
  g_autoptr(GSocketAddress) name = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *kernel_name = NULL;
  g_autofree char *shown_name = NULL;

  g_assert_true (sp_socket_bind (receiver, address, &error));
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "first life",
                                          sp_socket_get_local_address (receiver), &error), ==, 10);
  g_assert_no_error (error);
  g_assert_nonnull (sp_socket_get_local_address (sender));

  g_assert_true (sp_socket_close (sender, &error));
  g_assert_true (sp_socket_create (sender, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sp_socket_get_state (sender), ==, SP_STATE_CREATED);

  /* The second life binds implicitly again, to a port of its own. */
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "second life",
                                          sp_socket_get_local_address (receiver), &error), ==, 11);
  name = sp_socket_getsockname (sender, &error);
  g_assert_no_error (error);
  kernel_name = format_address (name);
  shown_name = format_address (sp_socket_get_local_address (sender));

  /* A socket made again must not show the address of its previous life. */
  g_assert_cmpstr (kernel_name, ==, shown_name);
  g_assert_cmpint (sp_socket_get_state (sender), ==, SP_STATE_BOUND);

  g_assert_finalize_object (g_steal_pointer (&sender));
  g_assert_finalize_object (g_steal_pointer (&receiver));
}

static gboolean
tcp_state_is (gpointer data)
{
  gpointer *pair = data;

  return g_strcmp0 (sp_socket_get_tcp_state (pair[0]), pair[1]) == 0;
}

static gboolean
accept_queue_is (gpointer data)
{
  gpointer *pair = data;

  return sp_socket_get_accept_queue (pair[0]) == GPOINTER_TO_INT (pair[1]);
}

static void
test_facts (SpTestFixture *fixture,
            gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpSocket) first = sp_test_created_socket (fixture, "first", SP_FAMILY_INET,
                                                      SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) second = sp_test_created_socket (fixture, "second", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) udp = sp_test_created_socket (fixture, "udp", SP_FAMILY_INET,
                                                    SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpSocket) local = sp_test_created_socket (fixture, "local", SP_FAMILY_UNIX,
                                                      SP_SOCKET_TYPE_STREAM);
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(SpSocket) conn2 = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gpointer queue_two[2] = { listener, GINT_TO_POINTER (2) };
  gpointer close_wait[2] = { NULL, (gpointer) "CLOSE_WAIT" };

  g_assert_cmpstr (sp_socket_get_tcp_state (listener), ==, "LISTEN");
  g_assert_cmpint (sp_socket_get_accept_queue (listener), ==, 0);

  /* Two connections the kernel completed, nobody accepted yet. */
  g_assert_true (sp_test_connect_and_wait (first, sp_socket_get_local_address (listener), FALSE,
                                           &error));
  g_assert_true (sp_test_connect_and_wait (second, sp_socket_get_local_address (listener), FALSE,
                                           &error));
  g_assert_no_error (error);
  sp_test_poll_until (accept_queue_is, queue_two, 2000);
  g_assert_cmpint (sp_socket_get_accept_queue (listener), ==, 2);

  conn = sp_test_accept_and_wait (listener, "conn", 5000, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sp_socket_get_accept_queue (listener), ==, 1);
  conn2 = sp_test_accept_and_wait (listener, "conn2", 5000, &error);
  g_assert_cmpint (sp_socket_get_accept_queue (listener), ==, 0);

  g_assert_cmpstr (sp_socket_get_tcp_state (conn), ==, "ESTABLISHED");
  g_assert_cmpstr (sp_socket_get_tcp_state (first), ==, "ESTABLISHED");

  /* FIONREAD: what the peer sent and nobody has read yet. */
  g_assert_cmpint (sp_socket_get_bytes_waiting (conn), ==, 0);
  g_assert_cmpint (sp_test_send_and_wait (first, SP_CALL_SENDALL, "seventeen bytes!!", NULL,
                                          &error), ==, 17);
  wait_bytes_waiting (conn, 17);
  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
  g_assert_cmpuint (g_bytes_get_size (bytes), ==, 17);
  g_assert_cmpint (sp_socket_get_bytes_waiting (conn), ==, 0);

  /* The peer closed: our side is in CLOSE_WAIT until we close too. */
  g_assert_true (sp_socket_close (first, &error));
  close_wait[0] = conn;
  sp_test_poll_until (tcp_state_is, close_wait, 2000);
  g_assert_cmpstr (sp_socket_get_tcp_state (conn), ==, "CLOSE_WAIT");

  /* Facts that do not apply are said to be unknown. */
  g_assert_cmpint (sp_socket_get_bytes_waiting (listener), ==, -1);
  g_assert_cmpint (sp_socket_get_accept_queue (conn), ==, -1);
  g_assert_null (sp_socket_get_tcp_state (udp));
  g_assert_null (sp_socket_get_tcp_state (local));
  g_assert_cmpint (sp_socket_get_bytes_waiting (first), ==, -1);
  g_assert_null (sp_socket_get_tcp_state (first));

  g_assert_finalize_object (g_steal_pointer (&first));
  g_assert_finalize_object (g_steal_pointer (&second));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&conn2));
  g_assert_finalize_object (g_steal_pointer (&udp));
  g_assert_finalize_object (g_steal_pointer (&local));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* Who chose the local port: the kernel for port 0 and for the implicit
 * bind of connect; the user for an explicit port; nobody for accept. */
static void
test_kernel_port (SpTestFixture *fixture,
                  gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 4);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(SpSocket) fixed = sp_test_created_socket (fixture, "fixed", SP_FAMILY_INET,
                                                      SP_SOCKET_TYPE_DGRAM);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port = sp_test_closed_port (AF_INET);

  g_assert_false (sp_socket_get_port_chosen_by_kernel (fixed));
  address = sp_test_loopback_address (SP_FAMILY_INET, port);
  g_assert_true (sp_socket_bind (fixed, address, &error));
  g_assert_no_error (error);
  g_assert_false (sp_socket_get_port_chosen_by_kernel (fixed));

  /* sp_test_make_listener binds port 0. */
  g_assert_true (sp_socket_get_port_chosen_by_kernel (listener));

  make_pair (fixture, listener, &client, &conn);
  g_assert_true (sp_socket_get_port_chosen_by_kernel (client));
  g_assert_false (sp_socket_get_port_chosen_by_kernel (conn));

  /* A fresh socket() forgets it. */
  g_assert_true (sp_socket_close (client, &error));
  g_assert_true (sp_socket_create (client, &error));
  g_assert_no_error (error);
  g_assert_false (sp_socket_get_port_chosen_by_kernel (client));

  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&fixed));
  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* Sends 64 KiB at a time until the kernel refuses; returns the errno. */
static int
send_until_error (SpSocket *self)
{
  g_autofree char *block = g_malloc (64 * 1024 + 1);
  g_autoptr(GError) error = NULL;

  memset (block, 'z', 64 * 1024);
  block[64 * 1024] = '\0';

  for (guint i = 0; i < 200; i++)
    {
      if (sp_test_send_and_wait (self, SP_CALL_SENDALL, block, NULL, &error) < 0)
        return sp_errno_from_gerror (error);
      sp_test_poll_for (2);
    }

  return 0;
}

static void
assert_broken_pipe (int code)
{
  if (code != EPIPE && code != ECONNRESET)
    g_error ("expected EPIPE or ECONNRESET, got %d (%s)", code, sp_errno_name (code));
}

/* Runs in a child: with SIGPIPE at its default, a send() without
 * MSG_NOSIGNAL to a vanished peer would kill the process. */
static void
peer_vanishes_child (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  SpTestFixture fixture = { context, log };
  g_autoptr(SpSocket) listener = NULL;
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(SpSocket) client2 = NULL;
  g_autoptr(SpSocket) conn2 = NULL;
  g_autoptr(GError) error = NULL;
  struct sigaction action = { 0 };
  struct sigaction current = { 0 };
  struct linger linger = { 1, 0 };

  g_main_context_push_thread_default (context);

  /* GSocket's class_init ignores SIGPIPE for the whole process; the first
   * socket has been made by now, so put the default back and check. */
  listener = sp_test_make_listener (&fixture, SP_FAMILY_INET, 4);
  action.sa_handler = SIG_DFL;
  sigemptyset (&action.sa_mask);
  g_assert_cmpint (sigaction (SIGPIPE, &action, NULL), ==, 0);
  g_assert_cmpint (sigaction (SIGPIPE, NULL, &current), ==, 0);
  g_assert_true (current.sa_handler == SIG_DFL);

  /* Our own shutdown: the next send is EPIPE at once. */
  make_pair (&fixture, listener, &client, &conn);
  g_assert_true (sp_socket_shutdown (client, SP_SHUTDOWN_WRITE, &error));
  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SEND, "too late", NULL, &error), <, 0);
  g_assert_error (error, SP_ERRNO_ERROR, EPIPE);
  g_clear_error (&error);
  g_clear_object (&client);
  g_clear_object (&conn);

  /* The peer resets the connection (SO_LINGER 0, then close). */
  make_pair (&fixture, listener, &client, &conn);
  g_assert_cmpint (setsockopt (sp_socket_get_fd (conn), SOL_SOCKET, SO_LINGER,
                               &linger, sizeof linger), ==, 0);
  g_assert_true (sp_socket_close (conn, &error));
  assert_broken_pipe (send_until_error (client));
  g_assert_cmpint (sp_socket_get_fd (client), >=, 0);

  /* The peer just closes; the sends go on until the kernel says no. */
  make_pair (&fixture, listener, &client2, &conn2);
  g_assert_true (sp_socket_close (conn2, &error));
  assert_broken_pipe (send_until_error (client2));

  g_main_context_pop_thread_default (context);
}

static void
test_peer_vanishes (void)
{
  if (g_test_subprocess ())
    {
      peer_vanishes_child ();
      return;
    }

  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* Impairments */

/* The receiving end: a plain socket of the test's own, so what arrives is
 * the kernel's word, not the playground's. */
typedef struct
{
  int             fd;
  GSocketAddress *address;
  GPtrArray      *received;  /* of char *, in the order they arrived */
} Receiver;

static void
receiver_open (Receiver *receiver,
               SpFamily  family)
{
  g_autoptr(GSocketAddress) loopback = sp_test_loopback_address (family, 0);
  struct sockaddr_storage storage;
  socklen_t length = sizeof storage;

  receiver->fd = socket (native_domain (family), SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  g_assert_cmpint (receiver->fd, >=, 0);
  g_assert_true (g_socket_address_to_native (loopback, &storage, sizeof storage, NULL));
  g_assert_cmpint (bind (receiver->fd, (struct sockaddr *) &storage,
                         g_socket_address_get_native_size (loopback)), ==, 0);
  g_assert_cmpint (getsockname (receiver->fd, (struct sockaddr *) &storage, &length), ==, 0);
  receiver->address = g_socket_address_new_from_native (&storage, length);
  receiver->received = g_ptr_array_new_with_free_func (g_free);
}

static void
receiver_close (Receiver *receiver)
{
  close (receiver->fd);
  g_clear_object (&receiver->address);
  g_clear_pointer (&receiver->received, g_ptr_array_unref);
}

static void
receiver_drain (Receiver *receiver)
{
  char buffer[256];
  gssize size;

  while ((size = recv (receiver->fd, buffer, sizeof buffer, MSG_DONTWAIT)) >= 0)
    g_ptr_array_add (receiver->received, g_strndup (buffer, size));
  g_assert_cmpint (errno, ==, EAGAIN);
}

typedef struct
{
  Receiver *receiver;
  guint     n;
} Awaited;

static gboolean
receiver_has (gpointer data)
{
  Awaited *awaited = data;

  receiver_drain (awaited->receiver);
  return awaited->receiver->received->len >= awaited->n;
}

/* What the log says `socket_id` put on the wire, in order, and the marks
 * on its send calls: "-" none, "D" dropped, "U" duplicated, "H" held back,
 * "L" delayed. */
static void
read_wire (SpTrafficLog *log,
           const char   *socket_id,
           GPtrArray    *wire,
           GString      *marks)
{
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      SpImpaired impaired = sp_event_get_impaired (event);

      if (g_strcmp0 (sp_event_get_socket_id (event), socket_id) != 0 ||
          sp_event_get_kind (event) != SP_EVENT_SENT)
        continue;

      switch (impaired)
        {
        case SP_IMPAIRED_NONE:
          g_string_append_c (marks, '-');
          break;
        case SP_IMPAIRED_DROPPED:
          g_string_append_c (marks, 'D');
          break;
        case SP_IMPAIRED_DUPLICATED:
          g_string_append_c (marks, 'U');
          break;
        case SP_IMPAIRED_HELD:
          g_string_append_c (marks, 'H');
          break;
        case SP_IMPAIRED_DELAYED:
          g_string_append_c (marks, 'L');
          break;
        case SP_IMPAIRED_COPY:
        case SP_IMPAIRED_RELEASED:
        case SP_N_IMPAIRED:
        default:
          break;
        }

      if (sp_event_get_ok (event) && sp_impaired_is_on_wire (impaired))
        {
          g_autoptr(GBytes) payload = sp_event_get_payload (event);

          g_assert_nonnull (payload);
          g_ptr_array_add (wire, g_strndup (g_bytes_get_data (payload, NULL),
                                            g_bytes_get_size (payload)));
        }
    }
}

static guint
count_char (const char *text,
            char        c)
{
  guint n = 0;

  for (const char *p = text; *p != '\0'; p++)
    n += *p == c;
  return n;
}

static void
assert_same_strings (GPtrArray *a,
                     GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a, i), ==, g_ptr_array_index (b, i));
}

typedef struct
{
  GPtrArray *received;
  GString   *marks;
  guint      n_sent;
} Burst;

static void
on_burst_sent (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;

  /* The call hands every byte over, whatever became of the datagram. */
  g_assert_cmpint (sp_socket_send_finish (SP_SOCKET (object), result, &error), ==,
                   strlen ("datagram 0000"));
  g_assert_no_error (error);
  burst->n_sent++;
}

#define BURST_SIZE 1000

/* BURST_SIZE datagrams through a socket that drops 30 %, duplicates 10 %
 * and holds back 10 %; the receiver must have got exactly what the log
 * says went on the wire. */
static void
run_burst (guint32  seed,
           Burst   *burst)
{
  const SpImpairmentSettings settings = { 30, 10, 10, 0, seed };
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(SpSocket) sender = sp_socket_new ("sender", SP_FAMILY_INET, SP_SOCKET_TYPE_DGRAM, 0,
                                              log);
  g_autoptr(GPtrArray) wire = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Receiver receiver;

  burst->received = NULL;
  burst->marks = g_string_new (NULL);
  burst->n_sent = 0;

  receiver_open (&receiver, SP_FAMILY_INET);
  g_assert_true (sp_socket_create (sender, &error));
  g_assert_no_error (error);
  sp_socket_set_impairment (sender, &settings);
  g_assert_true (sp_impairment_settings_equal (sp_socket_get_impairment (sender), &settings));

  /* One burst with the main loop never running in between, so that only
   * the datagrams decide when a held one leaves (its hold never runs out
   * halfway) and every run is the same. Reading after each call leaves the
   * kernel no reason to drop any for want of room. */
  for (guint i = 0; i < BURST_SIZE; i++)
    {
      g_autofree char *text = g_strdup_printf ("datagram %04u", i);
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      sp_socket_send_async (sender, SP_CALL_SENDTO, bytes, receiver.address, 5000, NULL,
                            on_burst_sent, burst);
      receiver_drain (&receiver);
    }

  g_assert_true (sp_test_iterate_until (sp_test_count_reached,
                                        &(SpTestCount) { &burst->n_sent, BURST_SIZE },
                                        SP_TEST_GUARD_MS));
  /* Closing lets one still held back go. */
  g_assert_true (sp_socket_close (sender, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sp_socket_get_n_impaired_waiting (sender), ==, 0);

  read_wire (log, "sender", wire, burst->marks);
  g_assert_cmpuint (burst->marks->len, ==, BURST_SIZE);
  g_assert_true (sp_test_poll_until (receiver_has, &(Awaited) { &receiver, wire->len },
                                     SP_TEST_GUARD_MS));
  assert_same_strings (receiver.received, wire);

  burst->received = g_ptr_array_ref (receiver.received);
  receiver_close (&receiver);
  g_assert_finalize_object (g_steal_pointer (&sender));
}

static void
test_impaired_burst (SpTestFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) times = g_hash_table_new (g_str_hash, g_str_equal);
  Burst first;
  Burst again;
  guint dropped = 0;
  guint copies = 0;
  guint out_of_order = 0;
  guint held;

  run_burst (7, &first);
  run_burst (7, &again);

  /* The same seed: the same fates, the same arrivals. */
  g_assert_cmpstr (first.marks->str, ==, again.marks->str);
  assert_same_strings (first.received, again.received);

  for (guint i = 0; i < first.received->len; i++)
    {
      const char *text = g_ptr_array_index (first.received, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (times, text));

      g_hash_table_insert (times, (gpointer) text, GUINT_TO_POINTER (n + 1));
      if (n > 0)
        copies++;
      if (i > 0 && strcmp (text, g_ptr_array_index (first.received, i - 1)) < 0)
        out_of_order++;
    }

  /* Each datagram arrived as often as its mark says: never when dropped. */
  for (guint i = 0; i < BURST_SIZE; i++)
    {
      g_autofree char *text = g_strdup_printf ("datagram %04u", i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (times, text));
      char mark = first.marks->str[i];

      if (mark == 'D')
        {
          g_assert_cmpuint (n, ==, 0);
          dropped++;
        }
      else if (mark == 'U')
        g_assert_cmpuint (n, ==, 2);
      else
        g_assert_cmpuint (n, >=, 1);
    }

  held = count_char (first.marks->str, 'H');
  g_test_message ("of %u datagrams with drop 30 %%, duplicate 10 %%, reorder 10 %% and seed 7: "
                  "%u dropped, %u copies, %u held back, %u arrived after a later one; "
                  "%u arrivals in all",
                  BURST_SIZE, dropped, copies, held, out_of_order, first.received->len);
  g_assert_cmpuint (first.received->len, ==, BURST_SIZE - dropped + copies);
  g_assert_cmpuint (dropped, >=, 250);
  g_assert_cmpuint (dropped, <=, 350);
  g_assert_cmpuint (copies, >, 0);
  g_assert_cmpuint (held, >, 0);
  g_assert_cmpuint (out_of_order, >, 0);

  g_ptr_array_unref (first.received);
  g_ptr_array_unref (again.received);
  g_string_free (first.marks, TRUE);
  g_string_free (again.marks, TRUE);
}

static void
test_impaired_delay (SpTestFixture *fixture,
                     gconstpointer  data)
{
  const SpImpairmentSettings settings = { 0, 0, 0, 100, 1 };
  g_autoptr(SpSocket) sender = sp_test_created_socket (fixture, "sender", SP_FAMILY_INET6,
                                                       SP_SOCKET_TYPE_DGRAM);
  g_autoptr(GPtrArray) wire = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) marks = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  Receiver receiver;
  gint64 handed_over;

  receiver_open (&receiver, SP_FAMILY_INET6);
  sp_socket_set_impairment (sender, &settings);

  handed_over = g_get_monotonic_time ();
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "one", receiver.address,
                                          &error), ==, 3);
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "two", receiver.address,
                                          &error), ==, 3);
  g_assert_no_error (error);
  /* Kept back, the socket is bound as sendto binds it. */
  g_assert_cmpint (sp_socket_get_state (sender), ==, SP_STATE_BOUND);
  g_assert_cmpuint (g_inet_socket_address_get_port (
                      G_INET_SOCKET_ADDRESS (sp_socket_get_local_address (sender))), !=, 0);

  g_assert_true (sp_test_iterate_until (receiver_has, &(Awaited) { &receiver, 2 },
                                        SP_TEST_GUARD_MS));
  g_assert_cmpint (g_get_monotonic_time () - handed_over, >=, 100 * 1000);
  g_assert_cmpstr (g_ptr_array_index (receiver.received, 0), ==, "one");
  g_assert_cmpstr (g_ptr_array_index (receiver.received, 1), ==, "two");
  g_assert_cmpuint (sp_socket_get_n_impaired_waiting (sender), ==, 0);

  read_wire (fixture->log, "sender", wire, marks);
  g_assert_cmpstr (marks->str, ==, "LL");
  assert_same_strings (receiver.received, wire);

  receiver_close (&receiver);
  g_assert_true (sp_socket_close (sender, &error));
  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&sender));
}

/* A dropped datagram is gone, but its sendto binds the socket as a real
 * one would; a datagram kept back still leaves when its socket closes. */
static void
test_impaired_drop_and_close (SpTestFixture *fixture,
                              gconstpointer  data)
{
  const SpImpairmentSettings drop_all = { 100, 0, 0, 0, 1 };
  const SpImpairmentSettings delay_long = { 0, 0, 0, SP_IMPAIRMENT_MAX_DELAY_MS, 1 };
  g_autoptr(SpSocket) sender = sp_test_created_socket (fixture, "sender", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_DGRAM);
  g_autoptr(GPtrArray) wire = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) marks = g_string_new (NULL);
  g_autoptr(GSocketAddress) name = NULL;
  g_autoptr(GError) error = NULL;
  Receiver receiver;

  receiver_open (&receiver, SP_FAMILY_INET);
  sp_socket_set_impairment (sender, &drop_all);

  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "lost", receiver.address,
                                          &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (sp_socket_get_state (sender), ==, SP_STATE_BOUND);
  name = sp_socket_getsockname (sender, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (name)), !=, 0);
  g_assert_cmpuint (sp_socket_get_n_impaired_waiting (sender), ==, 0);

  /* New settings, new decisions. */
  sp_socket_set_impairment (sender, &delay_long);
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "late 1", receiver.address,
                                          &error), ==, 6);
  g_assert_cmpint (sp_test_send_and_wait (sender, SP_CALL_SENDTO, "late 2", receiver.address,
                                          &error), ==, 6);
  g_assert_cmpuint (sp_socket_get_n_impaired_waiting (sender), ==, 2);
  receiver_drain (&receiver);
  g_assert_cmpuint (receiver.received->len, ==, 0);

  g_assert_true (sp_socket_close (sender, &error));
  g_assert_no_error (error);
  g_assert_true (sp_test_poll_until (receiver_has, &(Awaited) { &receiver, 2 },
                                     SP_TEST_GUARD_MS));

  read_wire (fixture->log, "sender", wire, marks);
  g_assert_cmpstr (marks->str, ==, "DLL");
  assert_same_strings (receiver.received, wire);
  g_assert_cmpstr (g_ptr_array_index (wire, 0), ==, "late 1");

  receiver_close (&receiver);
  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&sender));
}

/* Only datagrams with somewhere to go are impaired: send on a socket that
 * never connected fails as it always does, and a stream is left alone. */
static void
test_impaired_only_datagrams (SpTestFixture *fixture,
                              gconstpointer  data)
{
  const SpImpairmentSettings drop_all = { 100, 0, 0, 0, 1 };
  g_autoptr(SpSocket) lonely = sp_test_created_socket (fixture, "lonely", SP_FAMILY_INET,
                                                       SP_SOCKET_TYPE_DGRAM);
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  sp_socket_set_impairment (lonely, &drop_all);
  g_assert_cmpint (sp_test_send_and_wait (lonely, SP_CALL_SEND, "nowhere", NULL, &error), ==, -1);
  g_assert_error (error, SP_ERRNO_ERROR, EDESTADDRREQ);
  g_clear_error (&error);

  make_pair (fixture, listener, &client, &conn);
  sp_socket_set_impairment (client, &drop_all);
  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "kept", NULL, &error), ==, 4);
  bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL, &error);
  g_assert_no_error (error);
  sp_test_assert_bytes_equal (bytes, "kept");

  for (guint i = 0; i < sp_traffic_log_get_n_appended (fixture->log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (fixture->log, i);

      g_assert_cmpint (sp_event_get_impaired (event), ==, SP_IMPAIRED_NONE);
    }

  g_assert_true (sp_socket_close (client, &error));
  g_assert_true (sp_socket_close (conn, &error));
  g_assert_true (sp_socket_close (listener, &error));
  g_assert_true (sp_socket_close (lonely, &error));
  assert_context_quiet (fixture->log);
  g_assert_finalize_object (g_steal_pointer (&client));
  g_assert_finalize_object (g_steal_pointer (&conn));
  g_assert_finalize_object (g_steal_pointer (&listener));
  g_assert_finalize_object (g_steal_pointer (&lonely));
}

static void
test_cancel (SpTestFixture *fixture,
             gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  gint64 begin;
  gint64 elapsed_ms;

  begin = g_get_monotonic_time ();
  sp_socket_accept_async (listener, "conn", 1500, cancellable, sp_test_on_result, &slot);
  sp_test_poll_for (50);
  g_cancellable_cancel (cancellable);
  result = sp_test_wait_result (&slot);
  elapsed_ms = (g_get_monotonic_time () - begin) / 1000;

  g_assert_null (sp_socket_accept_finish (listener, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_object (&result);

  /* Cancelling ends the wait at once, well before its timeout. */
  g_assert_cmpint (elapsed_ms, <, 1000);

  g_assert_finalize_object (g_steal_pointer (&listener));
}

/* Peers nobody here wrote */

/* Reads one line of the peer's stdout, without blocking the context. */
static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  char *line;

  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, sp_test_on_result,
                                       &slot);
  result = sp_test_wait_result (&slot);
  line = g_data_input_stream_read_line_finish_utf8 (stream, result, NULL, &error);
  g_assert_no_error (error);
  return line;
}

static void
wait_exit_ok (GSubprocess *process)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  g_subprocess_wait_check_async (process, NULL, sp_test_on_result, &slot);
  result = sp_test_wait_result (&slot);
  g_subprocess_wait_check_finish (process, result, &error);
  g_assert_no_error (error);
}

static void
test_python_echo_peer (SpTestFixture *fixture,
                       gconstpointer  data)
{
  SpFamily family = GPOINTER_TO_INT (data);
  g_autofree char *script = sp_test_peer_script ("peer-echo.py");
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) echoed = g_string_new (NULL);
  g_autofree char *line = NULL;
  const char *message = "Hello from SpSocket\n";
  guint64 port;

  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script,
                           family == SP_FAMILY_INET6 ? "::1" : "127.0.0.1", NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = read_line (output);
  g_assert_nonnull (line);
  g_assert_true (g_ascii_string_to_unsigned (line, 10, 1, G_MAXUINT16, &port, NULL));

  client = sp_test_created_socket (fixture, "client", family, SP_SOCKET_TYPE_STREAM);
  address = sp_test_loopback_address (family, port);
  g_assert_true (sp_test_connect_and_wait (client, address, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, message, NULL, &error), ==,
                   strlen (message));

  while (echoed->len < strlen (message))
    {
      bytes = sp_test_receive_and_wait (client, SP_CALL_RECV, 1024, 5000, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
      g_string_append_len (echoed, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_clear_pointer (&bytes, g_bytes_unref);
    }
  g_assert_cmpstr (echoed->str, ==, message);

  /* Our close ends the peer's loop; it exits 0. */
  g_assert_true (sp_socket_close (client, &error));
  wait_exit_ok (process);

  g_assert_finalize_object (g_steal_pointer (&client));
}

/* Accepts one connection, reads until end of file, answers, closes. */
static char *
serve_one (SpTestFixture *fixture,
           SpSocket      *listener,
           const char    *answer)
{
  g_autoptr(SpSocket) conn = NULL;
  g_autoptr(GError) error = NULL;
  GString *request = g_string_new (NULL);

  conn = sp_test_accept_and_wait (listener, "conn", 10000, &error);
  g_assert_no_error (error);

  for (;;)
    {
      g_autoptr(GBytes) bytes = sp_test_receive_and_wait (conn, SP_CALL_RECV, 1024, 5000, NULL,
                                                          &error);

      g_assert_no_error (error);
      if (g_bytes_get_size (bytes) == 0)
        break;
      g_string_append_len (request, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  g_assert_cmpint (sp_test_send_and_wait (conn, SP_CALL_SENDALL, answer, NULL, &error), ==,
                   strlen (answer));
  g_assert_true (sp_socket_close (conn, &error));
  g_assert_finalize_object (g_steal_pointer (&conn));
  return g_string_free (request, FALSE);
}

static void
test_python_client_peer (SpTestFixture *fixture,
                         gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autofree char *script = sp_test_peer_script ("peer-client.py");
  g_autofree char *port = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  SpTestConversation conversation = { 0 };

  port = g_strdup_printf ("%u", sp_test_listener_port (listener));
  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "python3", script, port,
                           "ünïcode and spaces", NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  sp_test_conversation_start (&conversation, process, NULL);

  request = serve_one (fixture, listener, "answer from SpSocket");
  g_assert_cmpstr (request, ==, "ünïcode and spaces");

  g_assert_true (sp_test_poll_until (sp_test_conversation_done, &conversation, SP_TEST_GUARD_MS));
  g_assert_cmpstr (conversation.output, ==, "answer from SpSocket");
  g_assert_true (g_subprocess_get_successful (process));
  g_free (conversation.output);

  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_socat_client (SpTestFixture *fixture,
                   gconstpointer  data)
{
  g_autoptr(SpSocket) listener = sp_test_make_listener (fixture, SP_FAMILY_INET, 1);
  g_autofree char *target = NULL;
  g_autofree char *request = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  SpTestConversation conversation = { 0 };

  target = g_strdup_printf ("TCP:127.0.0.1:%u", sp_test_listener_port (listener));
  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "socat", "-t", "5", "-", target, NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  /* socat sends its stdin, half-closes at its end, prints our answer. */
  sp_test_conversation_start (&conversation, process, "ping from socat\n");
  request = serve_one (fixture, listener, "pong from SpSocket\n");
  g_assert_cmpstr (request, ==, "ping from socat\n");

  g_assert_true (sp_test_poll_until (sp_test_conversation_done, &conversation, SP_TEST_GUARD_MS));
  g_assert_cmpstr (conversation.output, ==, "pong from SpSocket\n");
  g_assert_true (g_subprocess_get_successful (process));
  g_free (conversation.output);

  g_assert_finalize_object (g_steal_pointer (&listener));
}

static void
test_ncat_server (SpTestFixture *fixture,
                  gconstpointer  data)
{
  guint16 port = sp_test_closed_port (AF_INET);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autoptr(GSocketAddress) address = sp_test_loopback_address (SP_FAMILY_INET, port);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(SpSocket) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) received = g_string_new (NULL);
  SpTestConversation conversation = { 0 };

  process = sp_test_spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "ncat", "-l", "127.0.0.1", port_text, NULL);
  if (process == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  sp_test_conversation_start (&conversation, process, "hello from ncat\n");

  /* ncat needs a moment to listen: refused connects are retried. */
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autofree char *id = g_strdup_printf ("client%u", attempt);

      g_clear_object (&client);
      g_clear_error (&error);
      client = sp_test_created_socket (fixture, id, SP_FAMILY_INET, SP_SOCKET_TYPE_STREAM);
      if (sp_test_connect_and_wait (client, address, FALSE, &error))
        break;
      g_assert_error (error, SP_ERRNO_ERROR, ECONNREFUSED);
      sp_test_poll_for (50);
    }
  g_assert_no_error (error);

  /* ncat half-closes once its stdin is done: read to end of file. */
  for (;;)
    {
      g_autoptr(GBytes) bytes = sp_test_receive_and_wait (client, SP_CALL_RECV, 1024, 5000, NULL,
                                                          &error);

      g_assert_no_error (error);
      if (g_bytes_get_size (bytes) == 0)
        break;
      g_string_append_len (received, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  g_assert_cmpstr (received->str, ==, "hello from ncat\n");

  g_assert_cmpint (sp_test_send_and_wait (client, SP_CALL_SENDALL, "hello from SpSocket\n", NULL,
                                          &error), ==, 20);
  g_assert_true (sp_socket_close (client, &error));

  g_assert_true (sp_test_poll_until (sp_test_conversation_done, &conversation, SP_TEST_GUARD_MS));
  g_assert_cmpstr (conversation.output, ==, "hello from SpSocket\n");
  g_assert_true (g_subprocess_get_successful (process));
  g_free (conversation.output);

  g_assert_finalize_object (g_steal_pointer (&client));
}

int
main (int   argc,
      char *argv[])
{
  /* A test that fails on a known bug must not hide the results of the
   * tests after it. */
  g_autofree char **args = sp_test_init_keep_going (argc, argv);

#define ADD(path, func, data) \
  g_test_add (path, SpTestFixture, data, sp_test_fixture_set_up, func, \
              sp_test_fixture_tear_down)

  ADD ("/Sp/Socket/create", test_create, NULL);
  ADD ("/Sp/Socket/setsockopt", test_setsockopt, NULL);
  ADD ("/Sp/Socket/round-trip/inet", test_round_trip, GINT_TO_POINTER (SP_FAMILY_INET));
  ADD ("/Sp/Socket/round-trip/inet6", test_round_trip, GINT_TO_POINTER (SP_FAMILY_INET6));
  ADD ("/Sp/Socket/round-trip/unix", test_round_trip, GINT_TO_POINTER (SP_FAMILY_UNIX));
  ADD ("/Sp/Socket/connect-refused/inet", test_connect_refused, GINT_TO_POINTER (SP_FAMILY_INET));
  ADD ("/Sp/Socket/connect-refused/inet6", test_connect_refused,
       GINT_TO_POINTER (SP_FAMILY_INET6));
  ADD ("/Sp/Socket/address-in-use", test_address_in_use, NULL);
  ADD ("/Sp/Socket/partial-recv", test_partial_recv, NULL);
  ADD ("/Sp/Socket/recv-eof", test_recv_eof, NULL);
  ADD ("/Sp/Socket/datagrams/inet", test_datagrams, GINT_TO_POINTER (SP_FAMILY_INET));
  ADD ("/Sp/Socket/datagrams/inet6", test_datagrams, GINT_TO_POINTER (SP_FAMILY_INET6));
  ADD ("/Sp/Socket/receive-many/datagrams", test_receive_many_datagrams, NULL);
  ADD ("/Sp/Socket/receive-many/eof", test_receive_many_eof, NULL);
  ADD ("/Sp/Socket/accept-timeout", test_accept_timeout, NULL);
  ADD ("/Sp/Socket/without-waiting", test_without_waiting, NULL);
  ADD ("/Sp/Socket/connect-timeout", test_connect_timeout, NULL);
  ADD ("/Sp/Socket/not-connected", test_not_connected, NULL);
  ADD ("/Sp/Socket/recreate", test_recreate, NULL);
  ADD ("/Sp/Socket/close-while-waiting", test_close_while_waiting, NULL);
  ADD ("/Sp/Socket/facts", test_facts, NULL);
  ADD ("/Sp/Socket/kernel-port", test_kernel_port, NULL);
  ADD ("/Sp/Socket/cancel", test_cancel, NULL);
  ADD ("/Sp/Socket/impaired/burst", test_impaired_burst, NULL);
  ADD ("/Sp/Socket/impaired/delay", test_impaired_delay, NULL);
  ADD ("/Sp/Socket/impaired/drop-and-close", test_impaired_drop_and_close, NULL);
  ADD ("/Sp/Socket/impaired/only-datagrams", test_impaired_only_datagrams, NULL);
  ADD ("/Sp/Socket/python-echo-peer/inet", test_python_echo_peer,
       GINT_TO_POINTER (SP_FAMILY_INET));
  ADD ("/Sp/Socket/python-echo-peer/inet6", test_python_echo_peer,
       GINT_TO_POINTER (SP_FAMILY_INET6));
  ADD ("/Sp/Socket/python-client-peer", test_python_client_peer, NULL);
  ADD ("/Sp/Socket/socat-client", test_socat_client, NULL);
  ADD ("/Sp/Socket/ncat-server", test_ncat_server, NULL);
  g_test_add_func ("/Sp/Socket/peer-vanishes", test_peer_vanishes);

#undef ADD

  return g_test_run ();
}
