/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-lifecycle.h"

#define N_TYPES 4

static const SpSocketType all_types[N_TYPES] = {
  SP_SOCKET_TYPE_STREAM, SP_SOCKET_TYPE_DGRAM, SP_SOCKET_TYPE_RAW, SP_SOCKET_TYPE_SEQPACKET,
};

static void
test_table (void)
{
  guint n = 0;
  const SpTransition *rows = sp_lifecycle_get_transitions (&n);

  g_assert_nonnull (rows);
  g_assert_cmpuint (n, >, 20);

  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (rows[i].call, <, SP_N_CALLS);
      g_assert_cmpint (rows[i].from, <, SP_N_STATES);
      g_assert_cmpint (rows[i].to, <, SP_N_STATES);
      g_assert_cmpuint (rows[i].types, !=, 0);
      g_assert_cmpuint (rows[i].types & ~0xfu, ==, 0);
      /* Global calls need no rows, and nothing leaves CLOSED. */
      g_assert_false (sp_call_is_global (rows[i].call));
      g_assert_cmpint (rows[i].from, !=, SP_STATE_CLOSED);
      g_assert_cmpint (rows[i].to, !=, SP_STATE_UNCREATED);

      /* One row at most for each (call, state, type): the table is a function. */
      for (guint j = i + 1; j < n; j++)
        {
          if (rows[j].call == rows[i].call && rows[j].from == rows[i].from)
            g_assert_cmpuint (rows[i].types & rows[j].types, ==, 0);
        }
    }

  /* Every type is covered: it can be created, bound and closed. */
  for (guint t = 0; t < N_TYPES; t++)
    {
      g_assert_true (sp_lifecycle_is_legal (all_types[t], SP_STATE_UNCREATED, SP_CALL_SOCKET));
      g_assert_true (sp_lifecycle_is_legal (all_types[t], SP_STATE_CREATED, SP_CALL_BIND));
      g_assert_true (sp_lifecycle_is_legal (all_types[t], SP_STATE_CREATED, SP_CALL_CLOSE));
    }
}

typedef struct
{
  SpCall  call;
  SpState after;
} Step;

static void
walk (SpSocketType  type,
      const Step   *steps,
      guint         n_steps)
{
  SpState state = SP_STATE_UNCREATED;

  for (guint i = 0; i < n_steps; i++)
    {
      if (!sp_lifecycle_is_legal (type, state, steps[i].call))
        g_error ("%s on a %s socket in state %s should be legal",
                 sp_call_to_string (steps[i].call), sp_socket_type_to_string (type),
                 sp_state_to_string (state));

      state = sp_lifecycle_next_state (type, state, steps[i].call);
      g_assert_cmpstr (sp_state_to_string (state), ==, sp_state_to_string (steps[i].after));
    }
}

/* The programs the lecture notes teach, call by call. */
static void
test_lecture_paths (void)
{
  static const Step server[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_SETSOCKOPT, SP_STATE_CREATED },
    { SP_CALL_BIND, SP_STATE_BOUND },
    { SP_CALL_LISTEN, SP_STATE_LISTENING },
    { SP_CALL_ACCEPT, SP_STATE_LISTENING },
    { SP_CALL_ACCEPT, SP_STATE_LISTENING },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step client[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_CONNECT, SP_STATE_CONNECTED },
    { SP_CALL_SENDALL, SP_STATE_CONNECTED },
    { SP_CALL_RECV, SP_STATE_CONNECTED },
    { SP_CALL_GETSOCKNAME, SP_STATE_CONNECTED },
    { SP_CALL_GETPEERNAME, SP_STATE_CONNECTED },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step scan[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_CONNECT_EX, SP_STATE_CONNECTED },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step half_close[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_CONNECT, SP_STATE_CONNECTED },
    { SP_CALL_SEND, SP_STATE_CONNECTED },
    { SP_CALL_SHUTDOWN, SP_STATE_SHUT_BOTH },
    { SP_CALL_GETPEERNAME, SP_STATE_SHUT_BOTH },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step udp_server[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_BIND, SP_STATE_BOUND },
    { SP_CALL_RECVFROM, SP_STATE_BOUND },
    { SP_CALL_SENDTO, SP_STATE_BOUND },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step udp_client[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_SENDTO, SP_STATE_BOUND },
    { SP_CALL_RECVFROM, SP_STATE_BOUND },
    { SP_CALL_RECVFROM_INTO, SP_STATE_BOUND },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step udp_connected[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_CONNECT, SP_STATE_CONNECTED },
    { SP_CALL_SEND, SP_STATE_CONNECTED },
    { SP_CALL_RECV, SP_STATE_CONNECTED },
    { SP_CALL_CONNECT, SP_STATE_CONNECTED },
    { SP_CALL_SENDTO, SP_STATE_CONNECTED },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };
  static const Step serve[] = {
    { SP_CALL_SOCKET, SP_STATE_CREATED },
    { SP_CALL_BIND, SP_STATE_BOUND },
    { SP_CALL_LISTEN, SP_STATE_LISTENING },
    { SP_CALL_SERVE, SP_STATE_LISTENING },
    { SP_CALL_CLOSE, SP_STATE_CLOSED },
  };

  walk (SP_SOCKET_TYPE_STREAM, server, G_N_ELEMENTS (server));
  walk (SP_SOCKET_TYPE_SEQPACKET, server, G_N_ELEMENTS (server));
  walk (SP_SOCKET_TYPE_STREAM, client, G_N_ELEMENTS (client));
  walk (SP_SOCKET_TYPE_SEQPACKET, client, G_N_ELEMENTS (client));
  walk (SP_SOCKET_TYPE_STREAM, scan, G_N_ELEMENTS (scan));
  walk (SP_SOCKET_TYPE_STREAM, half_close, G_N_ELEMENTS (half_close));
  walk (SP_SOCKET_TYPE_STREAM, serve, G_N_ELEMENTS (serve));
  walk (SP_SOCKET_TYPE_DGRAM, udp_server, G_N_ELEMENTS (udp_server));
  walk (SP_SOCKET_TYPE_DGRAM, udp_client, G_N_ELEMENTS (udp_client));
  walk (SP_SOCKET_TYPE_DGRAM, udp_connected, G_N_ELEMENTS (udp_connected));
  walk (SP_SOCKET_TYPE_RAW, udp_server, G_N_ELEMENTS (udp_server));
  walk (SP_SOCKET_TYPE_RAW, udp_client, G_N_ELEMENTS (udp_client));
}

/* The accepted connection starts CONNECTED (the player puts it there). */
static void
test_accepted_connection (void)
{
  SpState state = SP_STATE_CONNECTED;

  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, state, SP_CALL_RECV));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, state, SP_CALL_SENDALL));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, state, SP_CALL_GETPEERNAME));
  state = sp_lifecycle_next_state (SP_SOCKET_TYPE_STREAM, state, SP_CALL_CLOSE);
  g_assert_cmpint (state, ==, SP_STATE_CLOSED);
}

typedef struct
{
  SpSocketType type;
  SpState      state;
  SpCall       call;
} Illegal;

static void
test_illegal (void)
{
  static const Illegal illegal[] = {
    /* listen on a datagram socket: EOPNOTSUPP. */
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_LISTEN },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_BOUND, SP_CALL_LISTEN },
    { SP_SOCKET_TYPE_RAW, SP_STATE_BOUND, SP_CALL_LISTEN },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_BOUND, SP_CALL_ACCEPT },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_BOUND, SP_CALL_SERVE },
    /* accept before listen: EINVAL. */
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_ACCEPT },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_BOUND, SP_CALL_ACCEPT },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTED, SP_CALL_ACCEPT },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_BOUND, SP_CALL_SERVE },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_SERVE },
    /* send on an unconnected stream: EPIPE / ENOTCONN. */
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_SEND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_BOUND, SP_CALL_SENDALL },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_LISTENING, SP_CALL_SEND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_RECV },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_LISTENING, SP_CALL_RECV },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_BOUND, SP_CALL_GETPEERNAME },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_SHUTDOWN },
    /* Datagram send without a peer: EDESTADDRREQ. */
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_SEND },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_BOUND, SP_CALL_SENDALL },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_BOUND, SP_CALL_GETPEERNAME },
    /* An unbound UDP socket would wait for ever: nothing can reach it. */
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_RECVFROM },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_RECVFROM_INTO },
    /* Twice: EINVAL, EISCONN. */
    { SP_SOCKET_TYPE_STREAM, SP_STATE_BOUND, SP_CALL_BIND },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_BOUND, SP_CALL_BIND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTED, SP_CALL_BIND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTED, SP_CALL_CONNECT },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_LISTENING, SP_CALL_CONNECT },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTED, SP_CALL_LISTEN },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTING, SP_CALL_CONNECT },
    /* Half-closed directions. */
    { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_WRITE, SP_CALL_SEND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_WRITE, SP_CALL_SENDALL },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_RECV },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_BOTH, SP_CALL_SEND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_BOTH, SP_CALL_RECV },
    /* Before socket() and after close() nothing works. */
    { SP_SOCKET_TYPE_STREAM, SP_STATE_UNCREATED, SP_CALL_BIND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_UNCREATED, SP_CALL_CLOSE },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CLOSED, SP_CALL_SEND },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CLOSED, SP_CALL_CLOSE },
    { SP_SOCKET_TYPE_DGRAM, SP_STATE_CLOSED, SP_CALL_SENDTO },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_SOCKET },
    { SP_SOCKET_TYPE_STREAM, SP_STATE_CLOSED, SP_CALL_SOCKET },
  };

  for (guint i = 0; i < G_N_ELEMENTS (illegal); i++)
    {
      const Illegal *c = &illegal[i];

      if (sp_lifecycle_is_legal (c->type, c->state, c->call))
        g_error ("%s on a %s socket in state %s should be illegal",
                 sp_call_to_string (c->call), sp_socket_type_to_string (c->type),
                 sp_state_to_string (c->state));
      /* An illegal call leaves the state alone. */
      g_assert_cmpint (sp_lifecycle_next_state (c->type, c->state, c->call), ==, c->state);
    }

  /* Out-of-range types are never legal. */
  g_assert_false (sp_lifecycle_is_legal ((SpSocketType) 9, SP_STATE_CREATED, SP_CALL_BIND));
}

static void
test_half_closed (void)
{
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_SEND));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ,
                                        SP_CALL_SENDALL));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_WRITE, SP_CALL_RECV));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_WRITE,
                                        SP_CALL_RECVFROM));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_WRITE,
                                        SP_CALL_SHUTDOWN));
  g_assert_true (sp_lifecycle_is_legal (SP_SOCKET_TYPE_SEQPACKET, SP_STATE_SHUT_BOTH,
                                        SP_CALL_CLOSE));
}

static void
test_after_shutdown (void)
{
  static const struct {
    SpState from;
    SpShutdownHow how;
    SpState to;
  } cases[] = {
    { SP_STATE_CONNECTED, SP_SHUTDOWN_READ, SP_STATE_SHUT_READ },
    { SP_STATE_CONNECTED, SP_SHUTDOWN_WRITE, SP_STATE_SHUT_WRITE },
    { SP_STATE_CONNECTED, SP_SHUTDOWN_BOTH, SP_STATE_SHUT_BOTH },
    { SP_STATE_SHUT_READ, SP_SHUTDOWN_READ, SP_STATE_SHUT_READ },
    { SP_STATE_SHUT_READ, SP_SHUTDOWN_WRITE, SP_STATE_SHUT_BOTH },
    { SP_STATE_SHUT_WRITE, SP_SHUTDOWN_READ, SP_STATE_SHUT_BOTH },
    { SP_STATE_SHUT_WRITE, SP_SHUTDOWN_WRITE, SP_STATE_SHUT_WRITE },
    { SP_STATE_SHUT_WRITE, SP_SHUTDOWN_BOTH, SP_STATE_SHUT_BOTH },
    { SP_STATE_SHUT_BOTH, SP_SHUTDOWN_READ, SP_STATE_SHUT_BOTH },
    /* Where shutdown is not legal, nothing changes. */
    { SP_STATE_BOUND, SP_SHUTDOWN_BOTH, SP_STATE_BOUND },
    { SP_STATE_CLOSED, SP_SHUTDOWN_WRITE, SP_STATE_CLOSED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpstr (sp_state_to_string (sp_lifecycle_after_shutdown (cases[i].from,
                                                                      cases[i].how)),
                     ==, sp_state_to_string (cases[i].to));

  g_assert_cmpint (sp_lifecycle_next_state (SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTED,
                                            SP_CALL_SHUTDOWN), ==, SP_STATE_SHUT_BOTH);
}

static void
test_global_calls (void)
{
  static const SpCall globals[] = {
    SP_CALL_GETHOSTNAME, SP_CALL_GETHOSTBYNAME, SP_CALL_GETADDRINFO, SP_CALL_SLEEP,
    SP_CALL_NOTE,
  };

  for (guint t = 0; t < N_TYPES; t++)
    for (SpState s = 0; s < SP_N_STATES; s++)
      for (guint g = 0; g < G_N_ELEMENTS (globals); g++)
        {
          g_assert_true (sp_lifecycle_is_legal (all_types[t], s, globals[g]));
          g_assert_cmpint (sp_lifecycle_next_state (all_types[t], s, globals[g]), ==, s);
        }
}

static void
test_legal_calls (void)
{
  for (guint t = 0; t < N_TYPES; t++)
    for (SpState s = 0; s < SP_N_STATES; s++)
      {
        g_autoptr(GArray) calls = sp_lifecycle_legal_calls (all_types[t], s);
        guint next = 0;

        for (SpCall c = 0; c < SP_N_CALLS; c++)
          {
            if (!sp_lifecycle_is_legal (all_types[t], s, c))
              continue;
            g_assert_cmpuint (next, <, calls->len);
            g_assert_cmpint (g_array_index (calls, SpCall, next), ==, c);
            next++;
          }
        g_assert_cmpuint (next, ==, calls->len);
      }

  {
    g_autoptr(GArray) calls = sp_lifecycle_legal_calls (SP_SOCKET_TYPE_STREAM,
                                                        SP_STATE_UNCREATED);
    g_autoptr(GArray) listening = sp_lifecycle_legal_calls (SP_SOCKET_TYPE_STREAM,
                                                            SP_STATE_LISTENING);
    gboolean has_accept = FALSE;

    /* Only socket() and the global calls before the socket exists. */
    g_assert_cmpuint (calls->len, ==, 6);
    g_assert_cmpint (g_array_index (calls, SpCall, 0), ==, SP_CALL_SOCKET);

    for (guint i = 0; i < listening->len; i++)
      {
        SpCall c = g_array_index (listening, SpCall, i);

        has_accept |= c == SP_CALL_ACCEPT;
        g_assert_cmpint (c, !=, SP_CALL_SEND);
        g_assert_cmpint (c, !=, SP_CALL_RECV);
        g_assert_cmpint (c, !=, SP_CALL_BIND);
      }
    g_assert_true (has_accept);
  }
}

/* The kernel itself as the reference: every call the table calls legal
 * succeeds (or would only wait) on a real socket in that state, and every
 * call it calls illegal fails, except the few the kernel tolerates that the
 * table leaves out on purpose. */

typedef struct
{
  int listener;                 /* a TCP listener to connect to */
  struct sockaddr_in tcp_peer;
  int udp_peer;                 /* a bound UDP socket to send to */
  struct sockaddr_in udp_addr;
} Peers;

static const Illegal kernel_tolerates[] = {
  /* listen() on an unbound TCP socket binds it to an ephemeral port. */
  { SP_SOCKET_TYPE_STREAM, SP_STATE_CREATED, SP_CALL_LISTEN },
  /* shutdown() on a listener stops it; the table keeps it for connections. */
  { SP_SOCKET_TYPE_STREAM, SP_STATE_LISTENING, SP_CALL_SHUTDOWN },
  /* TCP ignores the address of sendto() once connected. */
  { SP_SOCKET_TYPE_STREAM, SP_STATE_CONNECTED, SP_CALL_SENDTO },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_SENDTO },
  /* recv() after SHUT_RD just returns b''. */
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_RECV },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_RECVFROM },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_RECV_INTO },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_READ, SP_CALL_RECVFROM_INTO },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_BOTH, SP_CALL_RECV },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_BOTH, SP_CALL_RECVFROM },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_BOTH, SP_CALL_RECV_INTO },
  { SP_SOCKET_TYPE_STREAM, SP_STATE_SHUT_BOTH, SP_CALL_RECVFROM_INTO },
  /* An unbound UDP socket "receives", waiting for ever. */
  { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_RECV },
  { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_RECVFROM },
  { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_RECV_INTO },
  { SP_SOCKET_TYPE_DGRAM, SP_STATE_CREATED, SP_CALL_RECVFROM_INTO },
  /* shutdown() on a connected UDP socket; not part of what is taught. */
  { SP_SOCKET_TYPE_DGRAM, SP_STATE_CONNECTED, SP_CALL_SHUTDOWN },
};

static gboolean
tolerated (SpSocketType type,
           SpState      state,
           SpCall       call)
{
  for (guint i = 0; i < G_N_ELEMENTS (kernel_tolerates); i++)
    {
      if (kernel_tolerates[i].type == type && kernel_tolerates[i].state == state &&
          kernel_tolerates[i].call == call)
        return TRUE;
    }

  return FALSE;
}

static struct sockaddr_in
loopback_any_port (void)
{
  struct sockaddr_in sin = { 0 };

  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  return sin;
}

static void
drain_listener (Peers *peers)
{
  int fd;

  while ((fd = accept4 (peers->listener, NULL, NULL, SOCK_NONBLOCK)) >= 0)
    close (fd);
}

/* A socket brought into `state` with real calls, or -1. */
static int
make_socket (Peers        *peers,
             SpSocketType  type,
             SpState       state)
{
  int fd = socket (AF_INET, type == SP_SOCKET_TYPE_STREAM ? SOCK_STREAM : SOCK_DGRAM, 0);
  struct sockaddr_in any = loopback_any_port ();
  const struct sockaddr_in *peer = type == SP_SOCKET_TYPE_STREAM ? &peers->tcp_peer
                                                                 : &peers->udp_addr;
  int ok = 0;

  g_assert_cmpint (fd, >=, 0);

  switch (state)
    {
    case SP_STATE_CREATED:
      break;
    case SP_STATE_BOUND:
      ok = bind (fd, (struct sockaddr *) &any, sizeof any);
      break;
    case SP_STATE_LISTENING:
      ok = bind (fd, (struct sockaddr *) &any, sizeof any);
      if (ok == 0)
        ok = listen (fd, 4);
      break;
    case SP_STATE_CONNECTED:
    case SP_STATE_SHUT_READ:
    case SP_STATE_SHUT_WRITE:
    case SP_STATE_SHUT_BOTH:
      ok = connect (fd, (const struct sockaddr *) peer, sizeof *peer);
      if (ok == 0 && state == SP_STATE_SHUT_READ)
        ok = shutdown (fd, SHUT_RD);
      else if (ok == 0 && state == SP_STATE_SHUT_WRITE)
        ok = shutdown (fd, SHUT_WR);
      else if (ok == 0 && state == SP_STATE_SHUT_BOTH)
        ok = shutdown (fd, SHUT_RDWR);
      break;
    case SP_STATE_UNCREATED:
    case SP_STATE_CONNECTING:
    case SP_STATE_CLOSED:
    case SP_N_STATES:
    default:
      g_assert_not_reached ();
    }

  g_assert_cmpint (ok, ==, 0);
  /* Probes must not wait: accept and recv return EAGAIN instead. */
  g_assert_cmpint (fcntl (fd, F_SETFL, O_NONBLOCK), ==, 0);
  return fd;
}

/* 0 if the kernel accepted the call (or it would only have to wait), the
 * errno if it refused. */
static int
kernel_call (Peers        *peers,
             SpSocketType  type,
             int           fd,
             SpCall        call)
{
  struct sockaddr_in any = loopback_any_port ();
  const struct sockaddr_in *peer = type == SP_SOCKET_TYPE_STREAM ? &peers->tcp_peer
                                                                 : &peers->udp_addr;
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char buffer[8];
  int one = 1;
  ssize_t r = 0;

  switch (call)
    {
    case SP_CALL_SETSOCKOPT:
      r = setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      break;
    case SP_CALL_GETSOCKNAME:
      r = getsockname (fd, (struct sockaddr *) &ss, &len);
      break;
    case SP_CALL_GETPEERNAME:
      r = getpeername (fd, (struct sockaddr *) &ss, &len);
      break;
    case SP_CALL_BIND:
      r = bind (fd, (struct sockaddr *) &any, sizeof any);
      break;
    case SP_CALL_LISTEN:
      r = listen (fd, 4);
      break;
    case SP_CALL_ACCEPT:
    case SP_CALL_SERVE:
      r = accept4 (fd, NULL, NULL, SOCK_NONBLOCK);
      if (r >= 0)
        close ((int) r);
      break;
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      r = connect (fd, (const struct sockaddr *) peer, sizeof *peer);
      break;
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
      r = send (fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL);
      break;
    case SP_CALL_SENDTO:
      r = sendto (fd, "x", 1, MSG_DONTWAIT | MSG_NOSIGNAL,
                  (const struct sockaddr *) &peers->udp_addr, sizeof peers->udp_addr);
      break;
    case SP_CALL_RECV:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECVFROM_INTO:
      r = recvfrom (fd, buffer, sizeof buffer, MSG_DONTWAIT, (struct sockaddr *) &ss, &len);
      break;
    case SP_CALL_SHUTDOWN:
      r = shutdown (fd, SHUT_RDWR);
      break;
    case SP_CALL_CLOSE:
      r = 0;
      break;
    case SP_CALL_SOCKET:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      g_assert_not_reached ();
    }

  if (r >= 0 || errno == EAGAIN || errno == EINPROGRESS)
    return 0;

  return errno;
}

static void
test_kernel_agrees (void)
{
  static const SpState tcp_states[] = {
    SP_STATE_CREATED, SP_STATE_BOUND, SP_STATE_LISTENING, SP_STATE_CONNECTED,
    SP_STATE_SHUT_READ, SP_STATE_SHUT_WRITE, SP_STATE_SHUT_BOTH,
  };
  static const SpState udp_states[] = {
    SP_STATE_CREATED, SP_STATE_BOUND, SP_STATE_CONNECTED,
  };
  static const SpCall calls[] = {
    SP_CALL_SETSOCKOPT, SP_CALL_BIND, SP_CALL_LISTEN, SP_CALL_ACCEPT, SP_CALL_CONNECT,
    SP_CALL_CONNECT_EX, SP_CALL_SEND, SP_CALL_SENDALL, SP_CALL_SENDTO, SP_CALL_RECV,
    SP_CALL_RECVFROM, SP_CALL_RECV_INTO, SP_CALL_RECVFROM_INTO, SP_CALL_SHUTDOWN, SP_CALL_CLOSE,
    SP_CALL_GETSOCKNAME, SP_CALL_GETPEERNAME, SP_CALL_SERVE,
  };
  Peers peers;
  socklen_t len;
  guint n_checked = 0;

  peers.tcp_peer = loopback_any_port ();
  peers.listener = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (bind (peers.listener, (struct sockaddr *) &peers.tcp_peer,
                         sizeof peers.tcp_peer), ==, 0);
  g_assert_cmpint (listen (peers.listener, 64), ==, 0);
  g_assert_cmpint (fcntl (peers.listener, F_SETFL, O_NONBLOCK), ==, 0);
  len = sizeof peers.tcp_peer;
  g_assert_cmpint (getsockname (peers.listener, (struct sockaddr *) &peers.tcp_peer, &len), ==, 0);

  peers.udp_addr = loopback_any_port ();
  peers.udp_peer = socket (AF_INET, SOCK_DGRAM, 0);
  g_assert_cmpint (bind (peers.udp_peer, (struct sockaddr *) &peers.udp_addr,
                         sizeof peers.udp_addr), ==, 0);
  len = sizeof peers.udp_addr;
  g_assert_cmpint (getsockname (peers.udp_peer, (struct sockaddr *) &peers.udp_addr, &len), ==, 0);

  for (guint t = 0; t < 2; t++)
    {
      SpSocketType type = t == 0 ? SP_SOCKET_TYPE_STREAM : SP_SOCKET_TYPE_DGRAM;
      const SpState *states = t == 0 ? tcp_states : udp_states;
      guint n_states = t == 0 ? G_N_ELEMENTS (tcp_states) : G_N_ELEMENTS (udp_states);

      for (guint s = 0; s < n_states; s++)
        for (guint c = 0; c < G_N_ELEMENTS (calls); c++)
          {
            int fd = make_socket (&peers, type, states[s]);
            int result = kernel_call (&peers, type, fd, calls[c]);
            gboolean legal = sp_lifecycle_is_legal (type, states[s], calls[c]);

            close (fd);
            drain_listener (&peers);

            if (legal && result != 0)
              g_error ("%s on a %s socket in state %s is legal in the table, but the kernel "
                       "says %s", sp_call_to_string (calls[c]), sp_socket_type_to_string (type),
                       sp_state_to_string (states[s]), g_strerror (result));
            if (!legal && result == 0 && !tolerated (type, states[s], calls[c]))
              g_error ("%s on a %s socket in state %s is illegal in the table, but the kernel "
                       "allows it", sp_call_to_string (calls[c]),
                       sp_socket_type_to_string (type), sp_state_to_string (states[s]));
            n_checked++;
          }
    }

  g_assert_cmpuint (n_checked, ==, G_N_ELEMENTS (calls) * 10);
  close (peers.listener);
  close (peers.udp_peer);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Sp/Lifecycle/table", test_table);
  g_test_add_func ("/Sp/Lifecycle/lecture-paths", test_lecture_paths);
  g_test_add_func ("/Sp/Lifecycle/accepted-connection", test_accepted_connection);
  g_test_add_func ("/Sp/Lifecycle/illegal", test_illegal);
  g_test_add_func ("/Sp/Lifecycle/half-closed", test_half_closed);
  g_test_add_func ("/Sp/Lifecycle/after-shutdown", test_after_shutdown);
  g_test_add_func ("/Sp/Lifecycle/global-calls", test_global_calls);
  g_test_add_func ("/Sp/Lifecycle/legal-calls", test_legal_calls);
  g_test_add_func ("/Sp/Lifecycle/kernel-agrees", test_kernel_agrees);

  return g_test_run ();
}
