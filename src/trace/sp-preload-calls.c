/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-preload-names.h"
#include "sp-preload-python.h"
#include "sp-preload-real.h"
#include "sp-preload-report.h"

/* The calls that make, name, connect and end sockets; data calls are in
 * sp-preload-io.c. Each wrapper makes the real call first, keeps its
 * errno, reports, and gives the program the result and errno as the call
 * left them. */

#define ARGS_MAX 1024

SP_DEFINE_REAL (socket);
SP_DEFINE_REAL (socketpair);
SP_DEFINE_REAL (bind);
SP_DEFINE_REAL (listen);
SP_DEFINE_REAL (accept);
SP_DEFINE_REAL (accept4);
SP_DEFINE_REAL (connect);
SP_DEFINE_REAL (shutdown);
SP_DEFINE_REAL (close);
SP_DEFINE_REAL (setsockopt);
SP_DEFINE_REAL (getaddrinfo);
SP_DEFINE_REAL (dup2);
SP_DEFINE_REAL (dup3);
SP_DEFINE_REAL (close_range);
SP_DEFINE_REAL (closefrom);
SP_DEFINE_REAL (fclose);

static void
append_type (SpBuf *buf,
             int    type)
{
  sp_names_type (buf, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
  if (type & SOCK_NONBLOCK)
    sp_buf_text (buf, " | SOCK_NONBLOCK");
  if (type & SOCK_CLOEXEC)
    sp_buf_text (buf, " | SOCK_CLOEXEC");
}

SP_EXPORT int
socket (int domain,
        int type,
        int protocol)
{
  int fd = SP_REAL (socket) (domain, type, protocol);
  int saved_errno = errno;

  sp_preload_check_new (fd);
  /* One that getaddrinfo makes for itself may be closed inside libc,
   * unseen: its number is left to be asked about when next used. */
  if (sp_preload_quiet == 0)
    sp_fds_learn (fd, domain, type);
  else
    sp_fds_forget (fd);

  if (sp_preload_reporting () && sp_fds_family_name (domain) != NULL)
    {
      SpFdInfo info = { domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC) };
      SpReport report = SP_REPORT_INIT;
      char args[ARGS_MAX];
      SpBuf buf;

      sp_buf_init (&buf, args, sizeof args - 1);
      sp_names_family (&buf, domain);
      sp_buf_text (&buf, ", ");
      append_type (&buf, type);
      if (protocol != 0)
        {
          sp_buf_text (&buf, ", ");
          sp_buf_int (&buf, protocol);
        }
      args[buf.len] = '\0';

      report.fd = fd;
      report.call = "socket";
      report.ok = fd >= 0;
      report.error = saved_errno;
      report.info = &info;
      report.args = args;
      sp_report_send (&report);
    }

  errno = saved_errno;
  return fd;
}

/* Not a call the report format names, but its descriptors are sockets
 * whose numbers may have been files before. */
SP_EXPORT int
socketpair (int domain,
            int type,
            int protocol,
            int sv[2])
{
  int r = SP_REAL (socketpair) (domain, type, protocol, sv);
  int saved_errno = errno;

  if (r == 0)
    {
      sp_preload_check_new (sv[0]);
      sp_preload_check_new (sv[1]);
      sp_fds_learn (sv[0], domain, type);
      sp_fds_learn (sv[1], domain, type);
    }

  errno = saved_errno;
  return r;
}

/* bind and connect: the address as Python writes it, the socket's own
 * address after the call. */
static void
report_address_call (const char            *call,
                     int                    fd,
                     const SpFdInfo        *info,
                     int                    r,
                     int                    error,
                     const struct sockaddr *address,
                     socklen_t              len,
                     int                    remote)
{
  SpReport report = SP_REPORT_INIT;
  char args[ARGS_MAX];
  SpBuf buf;

  sp_buf_init (&buf, args, sizeof args - 1);
  if (address != NULL)
    sp_python_address (&buf, address, len);
  args[buf.len] = '\0';

  report.fd = fd;
  report.call = call;
  report.ok = r == 0;
  report.error = error;
  report.info = info;
  report.args = buf.overflow ? NULL : args;
  report.result = r == 0 ? "None" : NULL;
  /* A failed call leaves an address that says nothing (0.0.0.0:0); a
   * connect under way has its local address already. */
  if (r == 0 || error == EINPROGRESS)
    report.local_fd = fd;
  if (remote && address != NULL)
    {
      report.remote = address;
      report.remote_len = len;
    }
  sp_report_send (&report);
}

SP_EXPORT int
bind (int                    fd,
      const struct sockaddr *address,
      socklen_t              len)
{
  int r = SP_REAL (bind) (fd, address, len);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    report_address_call ("bind", fd, &info, r, saved_errno, address, len, 0);

  errno = saved_errno;
  return r;
}

SP_EXPORT int
connect (int                    fd,
         const struct sockaddr *address,
         socklen_t              len)
{
  long long start_us = sp_report_clock_us ();
  int r = SP_REAL (connect) (fd, address, len);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      sp_report_set_start (start_us);
      report_address_call ("connect", fd, &info, r, saved_errno, address, len, 1);
    }

  errno = saved_errno;
  return r;
}

/* A call that returns 0 and that Python's socket returns None for. */
static void
report_none_call (const char     *call,
                  int             fd,
                  const SpFdInfo *info,
                  int             r,
                  int             error,
                  const char     *args,
                  int             local_fd)
{
  SpReport report = SP_REPORT_INIT;

  report.fd = fd;
  report.call = call;
  report.ok = r == 0;
  report.error = error;
  report.info = info;
  report.args = args;
  report.result = r == 0 ? "None" : NULL;
  report.local_fd = local_fd;
  sp_report_send (&report);
}

SP_EXPORT int
listen (int fd,
        int backlog)
{
  int r = SP_REAL (listen) (fd, backlog);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      char args[32];
      SpBuf buf;

      sp_buf_init (&buf, args, sizeof args - 1);
      sp_buf_int (&buf, backlog);
      args[buf.len] = '\0';
      report_none_call ("listen", fd, &info, r, saved_errno, args, fd);
    }

  errno = saved_errno;
  return r;
}

static void
after_accept (int fd,
              int new_fd,
              int error)
{
  SpFdInfo info;

  sp_preload_check_new (new_fd);
  /* Forgotten first: the number may have been a file's. */
  sp_fds_forget (new_fd);

  if (sp_preload_watched (fd, &info))
    {
      SpReport report = SP_REPORT_INIT;
      char result[ARGS_MAX];
      SpBuf buf;

      if (new_fd >= 0)
        {
          struct sockaddr_storage peer;
          socklen_t len = sizeof peer;

          sp_fds_learn (new_fd, info.family, info.type);

          sp_buf_init (&buf, result, sizeof result - 1);
          sp_buf_text (&buf, "(<socket fd ");
          sp_buf_int (&buf, new_fd);
          sp_buf_text (&buf, ">, ");
          if (getpeername (new_fd, (struct sockaddr *) &peer, &len) == 0)
            sp_python_address (&buf, (struct sockaddr *) &peer, len);
          else
            sp_buf_text (&buf, "None");
          sp_buf_char (&buf, ')');
          result[buf.len] = '\0';
          if (!buf.overflow)
            report.result = result;

          report.new_fd = new_fd;
          report.local_fd = new_fd;
          report.peer_fd = new_fd;
        }

      report.fd = fd;
      report.call = "accept";
      report.ok = new_fd >= 0;
      report.error = error;
      report.info = &info;
      report.args = "";
      sp_report_send (&report);
    }
}

SP_EXPORT int
accept (int              fd,
        struct sockaddr *address,
        socklen_t       *len)
{
  int new_fd = SP_REAL (accept) (fd, address, len);
  int saved_errno = errno;

  after_accept (fd, new_fd, saved_errno);

  errno = saved_errno;
  return new_fd;
}

SP_EXPORT int
accept4 (int              fd,
         struct sockaddr *address,
         socklen_t       *len,
         int              flags)
{
  int new_fd = SP_REAL (accept4) (fd, address, len, flags);
  int saved_errno = errno;

  after_accept (fd, new_fd, saved_errno);

  errno = saved_errno;
  return new_fd;
}

SP_EXPORT int
shutdown (int fd,
          int how)
{
  long long start_us = sp_report_clock_us ();
  int r = SP_REAL (shutdown) (fd, how);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      char args[32];
      SpBuf buf;

      sp_buf_init (&buf, args, sizeof args - 1);
      sp_names_shutdown (&buf, how);
      args[buf.len] = '\0';
      sp_report_set_start (start_us);
      report_none_call ("shutdown", fd, &info, r, saved_errno, args, -1);
    }

  errno = saved_errno;
  return r;
}

SP_EXPORT int
close (int fd)
{
  SpFdInfo info;
  int watched, r, saved_errno;
  long long start_us;

  if (fd >= 0 && fd == sp_channel_fd ())
    {
      /* The program ends the reports; its close is its own. */
      sp_channel_stop ();
      return SP_REAL (close) (fd);
    }

  /* Asked before the descriptor is gone. */
  watched = sp_preload_watched (fd, &info);
  start_us = sp_report_clock_us ();
  r = SP_REAL (close) (fd);
  saved_errno = errno;
  sp_fds_forget (fd);

  if (watched)
    {
      sp_report_set_start (start_us);
      report_none_call ("close", fd, &info, r, saved_errno, "", -1);
    }

  errno = saved_errno;
  return r;
}

SP_EXPORT int
setsockopt (int         fd,
            int         level,
            int         name,
            const void *value,
            socklen_t   len)
{
  int r = SP_REAL (setsockopt) (fd, level, name, value, len);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      char args[ARGS_MAX];
      SpBuf buf;

      sp_buf_init (&buf, args, sizeof args - 1);
      sp_names_sockopt (&buf, level, name);
      sp_buf_text (&buf, ", ");
      /* Python passes an int as an int and anything else as bytes. */
      if (value != NULL && len == sizeof (int))
        {
          int number;

          memcpy (&number, value, sizeof number);
          sp_buf_int (&buf, number);
        }
      else if (value != NULL && len <= 64)
        {
          struct iovec iov = { (void *) value, len };

          sp_python_bytes (&buf, &iov, 1, len);
        }
      else
        {
          sp_buf_text (&buf, "None, ");
          sp_buf_int (&buf, len);
        }
      args[buf.len] = '\0';
      report_none_call ("setsockopt", fd, &info, r, saved_errno, buf.overflow ? NULL : args, -1);
    }

  errno = saved_errno;
  return r;
}

/* A service that is a number is written as one, as Python takes a port. */
static void
append_service (SpBuf      *buf,
                const char *service)
{
  char *end;

  if (service == NULL)
    sp_buf_text (buf, "None");
  else if (*service != '\0' && (strtol (service, &end, 10), *end == '\0'))
    sp_buf_text (buf, service);
  else
    sp_python_str (buf, service, strlen (service));
}

static void
append_addrinfo (SpBuf                 *buf,
                 const struct addrinfo *info)
{
  sp_buf_char (buf, '[');
  for (const struct addrinfo *i = info; i != NULL; i = i->ai_next)
    {
      if (i != info)
        sp_buf_text (buf, ", ");
      sp_buf_char (buf, '(');
      sp_names_family (buf, i->ai_family);
      sp_buf_text (buf, ", ");
      sp_names_type (buf, i->ai_socktype);
      sp_buf_text (buf, ", ");
      sp_buf_int (buf, i->ai_protocol);
      sp_buf_text (buf, ", ");
      if (i->ai_canonname != NULL)
        sp_python_str (buf, i->ai_canonname, strlen (i->ai_canonname));
      else
        sp_buf_text (buf, "''");
      sp_buf_text (buf, ", ");
      if (i->ai_addr != NULL)
        sp_python_address (buf, i->ai_addr, i->ai_addrlen);
      else
        sp_buf_text (buf, "None");
      sp_buf_char (buf, ')');
    }
  sp_buf_char (buf, ']');
}

SP_EXPORT int
getaddrinfo (const char             *node,
             const char             *service,
             const struct addrinfo  *hints,
             struct addrinfo       **res)
{
  int r, saved_errno;

  sp_preload_quiet++;
  r = SP_REAL (getaddrinfo) (node, service, hints, res);
  sp_preload_quiet--;
  saved_errno = errno;

  if (sp_preload_reporting ())
    {
      SpReport report = SP_REPORT_INIT;
      char args[ARGS_MAX];
      char result[ARGS_MAX * 2];
      SpBuf buf;

      sp_buf_init (&buf, args, sizeof args - 1);
      if (node != NULL)
        sp_python_str (&buf, node, strlen (node));
      else
        sp_buf_text (&buf, "None");
      sp_buf_text (&buf, ", ");
      append_service (&buf, service);
      if (hints != NULL && (hints->ai_family != 0 || hints->ai_socktype != 0))
        {
          sp_buf_text (&buf, ", ");
          sp_names_family (&buf, hints->ai_family);
          if (hints->ai_socktype != 0)
            {
              sp_buf_text (&buf, ", ");
              sp_names_type (&buf, hints->ai_socktype);
            }
        }
      args[buf.len] = '\0';
      report.args = buf.overflow ? NULL : args;

      if (r == 0)
        {
          sp_buf_init (&buf, result, sizeof result - 1);
          append_addrinfo (&buf, *res);
          result[buf.len] = '\0';
          report.result = buf.overflow ? NULL : result;
        }

      report.fd = -1;
      report.call = "getaddrinfo";
      report.ok = r == 0;
      /* As Python's socket.gaierror has it: the EAI_ code, or errno for
       * EAI_SYSTEM. */
      report.error = r == EAI_SYSTEM ? saved_errno : r;
      sp_report_send (&report);
    }

  errno = saved_errno;
  return r;
}

/* The calls below are not reported: they keep what the library knows of
 * descriptors true, and notice the program replacing the channel. */

static void
replaced (int fd)
{
  if (fd >= 0 && fd == sp_channel_fd ())
    sp_channel_stop ();
  sp_fds_forget (fd);
}

SP_EXPORT int
dup2 (int fd,
      int new_fd)
{
  int r = SP_REAL (dup2) (fd, new_fd);
  int saved_errno = errno;

  if (r >= 0 && fd != new_fd)
    replaced (new_fd);

  errno = saved_errno;
  return r;
}

SP_EXPORT int
dup3 (int fd,
      int new_fd,
      int flags)
{
  int r = SP_REAL (dup3) (fd, new_fd, flags);
  int saved_errno = errno;

  if (r >= 0)
    replaced (new_fd);

  errno = saved_errno;
  return r;
}

static void
closed_range (unsigned int first,
              unsigned int last)
{
  int channel = sp_channel_fd ();

  if (channel >= 0 && (unsigned int) channel >= first && (unsigned int) channel <= last)
    sp_channel_stop ();
  sp_fds_forget_from (first, last);
}

SP_EXPORT int
close_range (unsigned int first,
             unsigned int last,
             int          flags)
{
  int r = SP_REAL (close_range) (first, last, flags);
  int saved_errno = errno;

  if (r == 0 && !(flags & CLOSE_RANGE_CLOEXEC))
    closed_range (first, last);

  errno = saved_errno;
  return r;
}

SP_EXPORT void
closefrom (int first)
{
  int saved_errno;

  SP_REAL (closefrom) (first);
  saved_errno = errno;
  if (first >= 0)
    closed_range ((unsigned int) first, ~0U);
  errno = saved_errno;
}

/* stdio closes its descriptor inside libc, where close is not seen. */
SP_EXPORT int
fclose (FILE *stream)
{
  int fd = stream != NULL ? fileno (stream) : -1;
  int r = SP_REAL (fclose) (stream);
  int saved_errno = errno;

  if (fd >= 0)
    replaced (fd);

  errno = saved_errno;
  return r;
}
