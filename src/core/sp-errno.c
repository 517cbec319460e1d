/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <netdb.h>

#include "sp-errno.h"

G_DEFINE_QUARK (sp-errno-error-quark, sp_errno_error)

typedef struct
{
  int         code;
  const char *name;
} SpErrnoName;

#define E(name) { name, #name }

/* Every errno Linux defines. Where two names share a value the one socket
 * code uses comes first, so it is the one shown. */
static const SpErrnoName errno_names[] = {
  E (EPERM), E (ENOENT), E (ESRCH), E (EINTR), E (EIO), E (ENXIO), E (E2BIG), E (ENOEXEC),
  E (EBADF), E (ECHILD), E (EAGAIN), E (EWOULDBLOCK), E (ENOMEM), E (EACCES), E (EFAULT),
  E (ENOTBLK), E (EBUSY), E (EEXIST), E (EXDEV), E (ENODEV), E (ENOTDIR), E (EISDIR), E (EINVAL),
  E (ENFILE), E (EMFILE), E (ENOTTY), E (ETXTBSY), E (EFBIG), E (ENOSPC), E (ESPIPE), E (EROFS),
  E (EMLINK), E (EPIPE), E (EDOM), E (ERANGE), E (EDEADLK), E (EDEADLOCK), E (ENAMETOOLONG),
  E (ENOLCK), E (ENOSYS), E (ENOTEMPTY), E (ELOOP), E (ENOMSG), E (EIDRM), E (ECHRNG),
  E (EL2NSYNC), E (EL3HLT), E (EL3RST), E (ELNRNG), E (EUNATCH), E (ENOCSI), E (EL2HLT),
  E (EBADE), E (EBADR), E (EXFULL), E (ENOANO), E (EBADRQC), E (EBADSLT), E (EBFONT), E (ENOSTR),
  E (ENODATA), E (ETIME), E (ENOSR), E (ENONET), E (ENOPKG), E (EREMOTE), E (ENOLINK), E (EADV),
  E (ESRMNT), E (ECOMM), E (EPROTO), E (EMULTIHOP), E (EDOTDOT), E (EBADMSG), E (EOVERFLOW),
  E (ENOTUNIQ), E (EBADFD), E (EREMCHG), E (ELIBACC), E (ELIBBAD), E (ELIBSCN), E (ELIBMAX),
  E (ELIBEXEC), E (EILSEQ), E (ERESTART), E (ESTRPIPE), E (EUSERS), E (ENOTSOCK),
  E (EDESTADDRREQ), E (EMSGSIZE), E (EPROTOTYPE), E (ENOPROTOOPT), E (EPROTONOSUPPORT),
  E (ESOCKTNOSUPPORT), E (EOPNOTSUPP), E (ENOTSUP), E (EPFNOSUPPORT), E (EAFNOSUPPORT),
  E (EADDRINUSE), E (EADDRNOTAVAIL), E (ENETDOWN), E (ENETUNREACH), E (ENETRESET),
  E (ECONNABORTED), E (ECONNRESET), E (ENOBUFS), E (EISCONN), E (ENOTCONN), E (ESHUTDOWN),
  E (ETOOMANYREFS), E (ETIMEDOUT), E (ECONNREFUSED), E (EHOSTDOWN), E (EHOSTUNREACH),
  E (EALREADY), E (EINPROGRESS), E (ESTALE), E (EUCLEAN), E (ENOTNAM), E (ENAVAIL), E (EISNAM),
  E (EREMOTEIO), E (EDQUOT), E (ENOMEDIUM), E (EMEDIUMTYPE), E (ECANCELED), E (ENOKEY),
  E (EKEYEXPIRED), E (EKEYREVOKED), E (EKEYREJECTED), E (EOWNERDEAD), E (ENOTRECOVERABLE),
  E (ERFKILL), E (EHWPOISON),
  /* getaddrinfo's codes, which are negative: Python's socket.gaierror
   * carries them as its errno. */
  E (EAI_NONAME), E (EAI_AGAIN), E (EAI_FAIL), E (EAI_NODATA), E (EAI_ADDRFAMILY),
  E (EAI_FAMILY), E (EAI_SOCKTYPE), E (EAI_SERVICE), E (EAI_BADFLAGS), E (EAI_MEMORY),
  E (EAI_SYSTEM), E (EAI_OVERFLOW),
};

#undef E

typedef struct
{
  int         code;
  const char *exception;
} SpErrnoException;

/* The OSError subclasses Python 3 raises for these codes (PEP 3151). */
static const SpErrnoException python_exceptions[] = {
  { EAGAIN, "BlockingIOError" },
  { EWOULDBLOCK, "BlockingIOError" },
  { EALREADY, "BlockingIOError" },
  { EINPROGRESS, "BlockingIOError" },
  { EPIPE, "BrokenPipeError" },
  { ESHUTDOWN, "BrokenPipeError" },
  { ECHILD, "ChildProcessError" },
  { ECONNABORTED, "ConnectionAbortedError" },
  { ECONNREFUSED, "ConnectionRefusedError" },
  { ECONNRESET, "ConnectionResetError" },
  { EEXIST, "FileExistsError" },
  { ENOENT, "FileNotFoundError" },
  { EISDIR, "IsADirectoryError" },
  { ENOTDIR, "NotADirectoryError" },
  { EINTR, "InterruptedError" },
  { EACCES, "PermissionError" },
  { EPERM, "PermissionError" },
  { ESRCH, "ProcessLookupError" },
  { ETIMEDOUT, "TimeoutError" },
};

typedef struct
{
  GIOErrorEnum code;
  int          errno_code;
} SpIOErrorErrno;

/* The errno most likely behind a GIOError code when the message does not
 * say (G_IO_ERROR_CONNECTION_CLOSED is the same code as BROKEN_PIPE). */
static const SpIOErrorErrno io_error_errnos[] = {
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
  { G_IO_ERROR_EXISTS, EEXIST },
  { G_IO_ERROR_IS_DIRECTORY, EISDIR },
  { G_IO_ERROR_NOT_DIRECTORY, ENOTDIR },
  { G_IO_ERROR_FILENAME_TOO_LONG, ENAMETOOLONG },
  { G_IO_ERROR_READ_ONLY, EROFS },
  { G_IO_ERROR_NO_SPACE, ENOSPC },
  { G_IO_ERROR_INVALID_ARGUMENT, EINVAL },
  { G_IO_ERROR_TOO_MANY_OPEN_FILES, EMFILE },
  { G_IO_ERROR_MESSAGE_TOO_LARGE, EMSGSIZE },
  { G_IO_ERROR_BUSY, EBUSY },
  { G_IO_ERROR_NO_SUCH_DEVICE, ENODEV },
};

GError *
sp_errno_error_new (int code)
{
  return g_error_new (SP_ERRNO_ERROR, code, _("[Errno %d] %s"), code, sp_errno_message (code));
}

gboolean
sp_errno_is_lookup (int code)
{
  return code < 0;
}

const char *
sp_errno_name (int code)
{
  for (guint i = 0; i < G_N_ELEMENTS (errno_names); i++)
    {
      if (errno_names[i].code == code)
        return errno_names[i].name;
    }

  return NULL;
}

int
sp_errno_from_name (const char *name)
{
  if (name == NULL)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (errno_names); i++)
    {
      if (g_str_equal (errno_names[i].name, name))
        return errno_names[i].code;
    }

  return 0;
}

const char *
sp_errno_python_exception (int code)
{
  if (sp_errno_is_lookup (code))
    return "gaierror";

  for (guint i = 0; i < G_N_ELEMENTS (python_exceptions); i++)
    {
      if (python_exceptions[i].code == code)
        return python_exceptions[i].exception;
    }

  return "OSError";
}

/* As Python shows them: gai_strerror() for a lookup, strerror() else. */
const char *
sp_errno_message (int code)
{
  if (sp_errno_is_lookup (code))
    return gai_strerror (code);
  return g_strerror (code);
}

static gboolean
call_is (const char *call,
         const char *name)
{
  return g_strcmp0 (call, name) == 0;
}

static gboolean
call_is_send (const char *call)
{
  return call_is (call, "send") || call_is (call, "sendall") || call_is (call, "sendto");
}

static gboolean
call_is_recv (const char *call)
{
  return call_is (call, "recv") || call_is (call, "recvfrom") || call_is (call, "recv_into") ||
         call_is (call, "recvfrom_into");
}

static gboolean
call_is_connect (const char *call)
{
  return call_is (call, "connect") || call_is (call, "connect_ex");
}


/* The port at the end of "127.0.0.1:80" or "[::1]:80", -1 if none. */
static gint64
address_port (const char *address)
{
  const char *colon;
  guint64 port;

  if (address == NULL || (colon = strrchr (address, ':')) == NULL)
    return -1;
  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, G_MAXUINT16, &port, NULL))
    return -1;

  return (gint64) port;
}

/* 255.255.255.255 or a x.y.z.255 subnet broadcast, with its port. */
static gboolean
is_broadcast (const char *address)
{
  g_autofree char *host = NULL;
  const char *colon;

  if (address == NULL || (colon = strrchr (address, ':')) == NULL)
    return FALSE;

  host = g_strndup (address, colon - address);
  return g_str_has_suffix (host, ".255");
}

/* "[::]:P", the IPv6 wildcard as sp_endpoint_format writes it. */
static gboolean
is_inet6_any (const char *address)
{
  return address != NULL && g_str_has_prefix (address, "[::]:");
}

/* "0.0.0.0:P", the IPv4 wildcard. */
static gboolean
is_inet_any (const char *address)
{
  return address != NULL && g_str_has_prefix (address, "0.0.0.0:");
}

/* An address as sp_endpoint_format writes it that is not "host:port". */
static gboolean
is_unix_path (const char *address)
{
  if (address == NULL || *address == '\0')
    return FALSE;

  return address[0] == '/' || address[0] == '@' || address_port (address) < 0;
}

/* The sentence naming the address when there is one. Both are literal
 * formats so the compiler checks them. */
#define WITH_ADDRESS(with, without) \
  (has_address ? g_strdup_printf (with, address) : g_strdup (without))

char *
sp_errno_explain (int         code,
                  const char *call,
                  const char *address)
{
  gboolean has_address = address != NULL && *address != '\0';

  switch (code)
    {
    case ECONNREFUSED:
      if (call_is_connect (call) || call == NULL)
        return WITH_ADDRESS (_("Nothing is listening on %s, so the kernel refused the connection."),
                             _("Nothing is listening on that address, so the kernel refused the "
                               "connection."));
      return WITH_ADDRESS (_("Nothing is listening on %s: an earlier datagram sent there came "
                             "back as “port unreachable”."),
                           _("Nothing is listening at the other end: an earlier datagram came "
                             "back as “port unreachable”."));

    case EADDRINUSE:
      if (is_unix_path (address) && address[0] == '@')
        return g_strdup_printf (_("Another socket already has the abstract name %s; close it or "
                                  "pick another name."),
                                address);
      if (is_unix_path (address))
        return g_strdup_printf (_("The socket file %s already exists (left over from an earlier "
                                  "run?); remove it with os.unlink before binding."),
                                address);
      /* Linux binds [::] for IPv4 too unless IPV6_V6ONLY is set, so an IPv4
       * socket on the port is in the way, and SO_REUSEADDR does not help. */
      if (is_inet6_any (address))
        return g_strdup_printf (_("Another socket already has %s, or the same port over IPv4: "
                                  "bound to [::], an IPv6 socket takes its port over IPv4 too "
                                  "unless IPV6_V6ONLY is set before bind. Set IPV6_V6ONLY to "
                                  "leave IPv4 to the other socket, or pick another port."),
                                address);
      /* The same clash the other way round: [::] took the port first. */
      if (is_inet_any (address))
        return g_strdup_printf (_("Another socket is already bound to %s; wait for it to close, "
                                  "pick another port, or set SO_REUSEADDR. If it is an IPv6 "
                                  "socket bound to [::], it has the port over IPv4 too: set "
                                  "IPV6_V6ONLY on it before it binds."),
                                address);
      return WITH_ADDRESS (_("Another socket is already bound to %s; wait for it to close, pick "
                             "another port, or set SO_REUSEADDR."),
                           _("Another socket is already bound to that address; wait for it to "
                             "close, pick another port, or set SO_REUSEADDR."));

    case EADDRNOTAVAIL:
      if (call_is (call, "bind"))
        return WITH_ADDRESS (_("%s is not an address of this machine, so nothing can be bound to "
                               "it; use 127.0.0.1, 0.0.0.0 (or \"\") or one of this machine’s own "
                               "addresses."),
                             _("That is not an address of this machine, so nothing can be bound "
                               "to it; use 127.0.0.1, 0.0.0.0 (or \"\") or one of this machine’s "
                               "own addresses."));
      return WITH_ADDRESS (_("No local port was left free to reach %s from, or that address "
                             "cannot be used as a destination."),
                           _("No local port was left free, or that address cannot be used as a "
                             "destination."));

    case EACCES:
      if (is_unix_path (address))
        return g_strdup_printf (_("You may not use the socket file %s: its directory or the "
                                  "file itself does not allow it."), address);
      if (call_is (call, "bind") && address_port (address) < 1024)
        return WITH_ADDRESS (_("Ports below 1024 need privileges (root or CAP_NET_BIND_SERVICE), "
                               "so %s was refused; use a port of 1024 or above."),
                             _("Ports below 1024 need privileges (root or CAP_NET_BIND_SERVICE); "
                               "use a port of 1024 or above."));
      if ((call_is_send (call) || call_is_connect (call)) && is_broadcast (address))
        return g_strdup_printf (_("Sending to the broadcast address %s needs the SO_BROADCAST "
                                  "option on the socket."), address);
      return g_strdup (_("Permission denied: a privilege is missing, or a firewall rule blocked "
                         "it."));

    case EPERM:
      if (call_is (call, "socket"))
        return g_strdup (_("Raw sockets need privileges (root or CAP_NET_RAW), so the kernel did "
                           "not create this socket."));
      return g_strdup (_("The operation is not permitted: it needs privileges, or a firewall rule "
                         "blocked it."));

    case ENOTCONN:
      if (call_is (call, "getpeername"))
        return g_strdup (_("The socket is not connected, so it has no peer: connect (or accept) "
                           "first."));
      return g_strdup (_("The socket is not connected: connect first, or use sendto for "
                         "datagrams."));

    case EDESTADDRREQ:
      return g_strdup (_("The socket has no destination: connect first, or use sendto with an "
                         "address."));

    case EISCONN:
      return g_strdup (_("The socket is already connected: a socket connects once, and a "
                         "connected stream socket sends with send, not sendto."));

    case EPIPE:
      return g_strdup (_("The peer closed the connection (or this side shut down writing), so "
                         "there is nowhere left to send to."));

    case ECONNRESET:
      return WITH_ADDRESS (_("The connection to %s was reset: the peer closed it with data still "
                             "unread, or went away, and the kernel sent RST."),
                           _("The connection was reset: the peer closed it with data still "
                             "unread, or went away, and the kernel sent RST."));

    case ECONNABORTED:
      return g_strdup (_("The connection was aborted before it could be used, for example reset "
                         "while it waited to be accepted."));

    case ETIMEDOUT:
      return WITH_ADDRESS (_("No answer came back from %s in time, so the call timed out."),
                           _("No answer came back in time, so the call timed out."));

    case EHOSTUNREACH:
      return WITH_ADDRESS (_("There is no route to the host of %s: it is down or no network leads "
                             "there."),
                           _("There is no route to that host: it is down or no network leads "
                             "there."));

    case ENETUNREACH:
      return WITH_ADDRESS (_("The network of %s is unreachable: this machine has no route to it."),
                           _("The network is unreachable: this machine has no route to it."));

    case EMFILE:
      return g_strdup (_("This program has too many open files and sockets; close some before "
                         "making more."));

    case ENFILE:
      return g_strdup (_("The whole system has too many open files; close some before making "
                         "more."));

    case ENOBUFS:
    case ENOMEM:
      return g_strdup (_("The kernel has no buffer space left for this right now; try again later "
                         "or send less at once."));

    case EAGAIN:
      if (call_is (call, "accept"))
        return g_strdup (_("No connection is waiting to be accepted yet."));
      if (call_is_recv (call))
        return g_strdup (_("No data has arrived yet, and a non-blocking socket does not wait for "
                           "it."));
      if (call_is_send (call))
        return g_strdup (_("The send buffer is full, and a non-blocking socket does not wait for "
                           "it to drain."));
      return g_strdup (_("The call would have to wait, and a non-blocking socket does not wait."));

    case EINPROGRESS:
      return WITH_ADDRESS (_("The connection to %s has started but is not finished yet; it "
                             "completes when the socket becomes writable."),
                           _("The connection has started but is not finished yet; it completes "
                             "when the socket becomes writable."));

    case EALREADY:
      return g_strdup (_("A connection attempt is already in progress on this socket."));

    case EINVAL:
      if (call_is (call, "bind"))
        return g_strdup (_("The socket is already bound, or the address does not suit it; a "
                           "socket is bound only once."));
      if (call_is (call, "listen"))
        return g_strdup (_("This socket cannot listen now: bind it first, and do not connect it."));
      if (call_is (call, "accept"))
        return g_strdup (_("accept needs a listening socket: call listen first."));
      return g_strdup (_("An argument is not valid for this socket in its current state."));

    case EBADF:
      return g_strdup (_("The socket is closed, so its file descriptor is no longer valid."));

    case ENOTSOCK:
      return g_strdup (_("The file descriptor is not a socket."));

    case EMSGSIZE:
      return g_strdup (_("The message is too large to send in one datagram."));

    case EOPNOTSUPP:
      return g_strdup (_("This socket type does not support the call (for example listen or "
                         "accept on a datagram socket)."));

    case EPROTOTYPE:
      return g_strdup (_("The protocol does not fit this socket type (for example TCP on a "
                         "datagram socket)."));

    case EPROTONOSUPPORT:
    case ESOCKTNOSUPPORT:
      return g_strdup (_("This system does not support that protocol or socket type for this "
                         "family."));

    case EAFNOSUPPORT:
      return g_strdup (_("This address family is not supported here (is IPv6 turned off?), or the "
                         "address does not belong to the socket’s family."));

    case ENOPROTOOPT:
      return g_strdup (_("That socket option does not exist at this level or for this protocol."));

    case ENOENT:
      if (has_address && !is_unix_path (address))
        break;
      if (call_is (call, "bind"))
        return WITH_ADDRESS (_("%s cannot be created: its directory does not exist; create the "
                               "directory first or pick another path."),
                             _("The socket file cannot be created: its directory does not exist; "
                               "create the directory first or pick another path."));
      return WITH_ADDRESS (_("%s does not exist: is the server running, and bound to that path?"),
                           _("The socket file does not exist: is the server running, and bound to "
                             "that path?"));

    case EEXIST:
      if (has_address && !is_unix_path (address))
        break;
      return WITH_ADDRESS (_("The file %s already exists; remove it (os.unlink) before binding to "
                             "that path again."),
                           _("The socket file already exists; remove it (os.unlink) before "
                             "binding to that path again."));

    case EISDIR:
      if (has_address && !is_unix_path (address))
        break;
      return WITH_ADDRESS (_("%s is a directory; a UNIX socket needs the path of a file to "
                             "create."),
                           _("The path is a directory; a UNIX socket needs the path of a file to "
                             "create."));

    case ENOTDIR:
      return g_strdup (_("Part of the socket path is not a directory."));

    case ENAMETOOLONG:
      return g_strdup (_("The socket path is too long for a UNIX socket (at most 107 bytes)."));

    case EROFS:
      return g_strdup (_("The socket file would be on a read-only file system; use a path under "
                         "/tmp or the runtime directory."));

    case ENOSPC:
      return g_strdup (_("There is no space left on the device for the socket file."));

    case EINTR:
      return g_strdup (_("A signal interrupted the call before it finished; calling it again "
                         "usually works."));

    case EAI_NONAME:
    case EAI_NODATA:
      return g_strdup (_("A name is looked up by asking this machine’s /etc/hosts and then a "
                         "DNS server; “not known” means none of them had that name (a typo?), "
                         "so there is no address to go to."));

    case EAI_ADDRFAMILY:
      return g_strdup (_("The name is known, but has no address of the family asked for (an "
                         "IPv4 address for an IPv6 socket, or the other way round)."));

    case EAI_AGAIN:
      return g_strdup (_("A name is looked up by asking this machine’s /etc/hosts and then a "
                         "DNS server; no DNS server answered this time (no network, or it is "
                         "down), so trying again later may work."));

    case EAI_FAIL:
      return g_strdup (_("A name is looked up by asking this machine’s /etc/hosts and then a "
                         "DNS server; the DNS server failed to answer for this name."));

    default:
      break;
    }

  if (call != NULL && *call != '\0')
    return g_strdup_printf (_("%s failed: %s."), call, sp_errno_message (code));

  return g_strdup_printf (_("The call failed: %s."), sp_errno_message (code));
}

int
sp_errno_from_gerror (const GError *error)
{
  if (error == NULL)
    return 0;

  if (error->domain == SP_ERRNO_ERROR)
    return error->code;

  if (error->domain != G_IO_ERROR)
    return 0;

  /* GIO's socket messages end with strerror(); that names the errno even
   * where several share one GIOError code (EPIPE and ECONNRESET). */
  if (error->message != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (errno_names); i++)
        {
          int code = errno_names[i].code;

          if (code > 0 && (int) g_io_error_from_errno (code) == error->code &&
              g_str_has_suffix (error->message, g_strerror (code)))
            return code;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (io_error_errnos); i++)
    {
      if ((int) io_error_errnos[i].code == error->code)
        return io_error_errnos[i].errno_code;
    }

  return 0;
}
