/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-preload-names.h"
#include "sp-preload-python.h"
#include "sp-preload-real.h"
#include "sp-preload-report.h"

/* The calls that move data, named as sp-trace-report.h maps them: write
 * is send, read is recv, sendmsg is sendto (send when it names no
 * address), recvmsg is recvfrom (and either, given no address buffer, is
 * recv). read and write are reported only on sockets: a file's read costs
 * one look at a byte (sp-preload-fds.h). */

#define ARGS_MAX      1024

SP_DEFINE_REAL (send);
SP_DEFINE_REAL (sendto);
SP_DEFINE_REAL (sendmsg);
SP_DEFINE_REAL (write);
SP_DEFINE_REAL (recv);
SP_DEFINE_REAL (recvfrom);
SP_DEFINE_REAL (recvmsg);
SP_DEFINE_REAL (read);
SP_DEFINE_REAL (__recv_chk);
SP_DEFINE_REAL (__recvfrom_chk);
SP_DEFINE_REAL (__read_chk);

/* What _FORTIFY_SOURCE turns recv, recvfrom and read into; libc declares
 * them only when it is on. */
ssize_t __recv_chk     (int fd, void *buf, size_t len, size_t buflen, int flags);
ssize_t __recvfrom_chk (int fd, void *buf, size_t len, size_t buflen, int flags,
                        struct sockaddr *address, socklen_t *address_len);
ssize_t __read_chk     (int fd, void *buf, size_t len, size_t buflen);

static size_t
iov_total (const struct iovec *iov,
           size_t              iovcnt)
{
  size_t total = 0;

  for (size_t i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;

  return total;
}

static void
report_send (const char            *call,
             int                    fd,
             const SpFdInfo        *info,
             ssize_t                n,
             int                    error,
             const struct iovec    *iov,
             size_t                 iovcnt,
             int                    flags,
             const struct sockaddr *address,
             socklen_t              address_len)
{
  SpReport report = SP_REPORT_INIT;
  char args[ARGS_MAX];
  char result[24];
  SpBuf buf;

  /* The arguments after the data, as the session format's own send
   * events have them: the data is the event's payload, shown beside. */
  sp_buf_init (&buf, args, sizeof args - 1);
  if (flags != 0)
    sp_names_flags (&buf, flags);
  if (address != NULL)
    {
      if (flags != 0)
        sp_buf_text (&buf, ", ");
      sp_python_address (&buf, address, address_len);
    }
  args[buf.len] = '\0';

  report.fd = fd;
  report.call = call;
  report.ok = n >= 0;
  report.error = error;
  report.info = info;
  report.args = buf.overflow || buf.len == 0 ? NULL : args;
  if (n >= 0)
    {
      sp_buf_init (&buf, result, sizeof result - 1);
      sp_buf_int (&buf, n);
      result[buf.len] = '\0';
      report.result = result;
      report.bytes = n;
      report.has_bytes = 1;
      report.iov = iov;
      report.iovcnt = iovcnt;
      report.moved = (size_t) n;
    }
  if (address != NULL)
    {
      report.remote = address;
      report.remote_len = address_len;
    }
  sp_report_send (&report);
}

static void
report_recv (const char            *call,
             int                    fd,
             const SpFdInfo        *info,
             ssize_t                n,
             int                    error,
             const struct iovec    *iov,
             size_t                 iovcnt,
             int                    flags,
             const struct sockaddr *address,
             socklen_t              address_len)
{
  SpReport report = SP_REPORT_INIT;
  char args[ARGS_MAX];
  SpBuf buf;

  sp_buf_init (&buf, args, sizeof args - 1);
  sp_buf_int (&buf, (long long) iov_total (iov, iovcnt));
  if (flags != 0)
    {
      sp_buf_text (&buf, ", ");
      sp_names_flags (&buf, flags);
    }
  args[buf.len] = '\0';

  report.fd = fd;
  report.call = call;
  report.ok = n >= 0;
  report.error = error;
  report.info = info;
  report.args = args;
  if (n >= 0)
    {
      report.bytes = n;
      report.has_bytes = 1;
      report.iov = iov;
      report.iovcnt = iovcnt;
      report.moved = (size_t) n;
      /* A stream socket leaves the address alone and its length 0. */
      if (address != NULL && address_len > sizeof (sa_family_t))
        {
          report.remote = address;
          report.remote_len = address_len;
        }
    }
  sp_report_send (&report);
}

SP_EXPORT ssize_t
send (int         fd,
      const void *data,
      size_t      len,
      int         flags)
{
  long long start_us = sp_report_clock_us ();
  ssize_t n = SP_REAL (send) (fd, data, len, flags);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      struct iovec iov = { (void *) data, len };

      sp_report_set_start (start_us);
      report_send ("send", fd, &info, n, saved_errno, &iov, 1, flags, NULL, 0);
    }

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
sendto (int                    fd,
        const void            *data,
        size_t                 len,
        int                    flags,
        const struct sockaddr *address,
        socklen_t              address_len)
{
  long long start_us = sp_report_clock_us ();
  ssize_t n = SP_REAL (sendto) (fd, data, len, flags, address, address_len);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      struct iovec iov = { (void *) data, len };

      sp_report_set_start (start_us);
      report_send (address != NULL ? "sendto" : "send", fd, &info, n, saved_errno,
                   &iov, 1, flags, address, address_len);
    }

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
sendmsg (int                  fd,
         const struct msghdr *message,
         int                  flags)
{
  long long start_us = sp_report_clock_us ();
  ssize_t n = SP_REAL (sendmsg) (fd, message, flags);
  int saved_errno = errno;
  SpFdInfo info;

  if (message != NULL && sp_preload_watched (fd, &info))
    {
      const struct sockaddr *address = message->msg_name;

      sp_report_set_start (start_us);
      report_send (address != NULL ? "sendto" : "send", fd, &info, n, saved_errno,
                   message->msg_iov, message->msg_iovlen, flags,
                   address, message->msg_namelen);
    }

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
write (int         fd,
       const void *data,
       size_t      len)
{
  long long start_us = sp_report_clock_us ();
  ssize_t n = SP_REAL (write) (fd, data, len);
  int saved_errno = errno;
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      struct iovec iov = { (void *) data, len };

      sp_report_set_start (start_us);
      report_send ("send", fd, &info, n, saved_errno, &iov, 1, 0, NULL, 0);
    }

  errno = saved_errno;
  return n;
}

static void
after_recv (int              fd,
            ssize_t          n,
            int              error,
            void            *data,
            size_t           len,
            int              flags,
            struct sockaddr *address,
            socklen_t       *address_len,
            socklen_t        room)
{
  SpFdInfo info;

  if (sp_preload_watched (fd, &info))
    {
      struct iovec iov = { data, len };
      socklen_t known = 0;

      /* The kernel gives the address's full length even when it was cut
       * to the room the caller gave. */
      if (address != NULL && address_len != NULL)
        known = *address_len < room ? *address_len : room;
      report_recv (address != NULL ? "recvfrom" : "recv", fd, &info, n, error,
                   &iov, 1, flags, address, known);
    }
}

SP_EXPORT ssize_t
recv (int     fd,
      void   *data,
      size_t  len,
      int     flags)
{
  ssize_t n = SP_REAL (recv) (fd, data, len, flags);
  int saved_errno = errno;

  after_recv (fd, n, saved_errno, data, len, flags, NULL, NULL, 0);

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
__recv_chk (int     fd,
            void   *data,
            size_t  len,
            size_t  buflen,
            int     flags)
{
  ssize_t n = SP_REAL (__recv_chk) (fd, data, len, buflen, flags);
  int saved_errno = errno;

  after_recv (fd, n, saved_errno, data, len, flags, NULL, NULL, 0);

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
recvfrom (int              fd,
          void            *data,
          size_t           len,
          int              flags,
          struct sockaddr *address,
          socklen_t       *address_len)
{
  socklen_t room = address_len != NULL ? *address_len : 0;
  ssize_t n = SP_REAL (recvfrom) (fd, data, len, flags, address, address_len);
  int saved_errno = errno;

  after_recv (fd, n, saved_errno, data, len, flags, address, address_len, room);

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
__recvfrom_chk (int              fd,
                void            *data,
                size_t           len,
                size_t           buflen,
                int              flags,
                struct sockaddr *address,
                socklen_t       *address_len)
{
  socklen_t room = address_len != NULL ? *address_len : 0;
  ssize_t n = SP_REAL (__recvfrom_chk) (fd, data, len, buflen, flags, address, address_len);
  int saved_errno = errno;

  after_recv (fd, n, saved_errno, data, len, flags, address, address_len, room);

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
recvmsg (int            fd,
         struct msghdr *message,
         int            flags)
{
  socklen_t room = message != NULL ? message->msg_namelen : 0;
  ssize_t n = SP_REAL (recvmsg) (fd, message, flags);
  int saved_errno = errno;
  SpFdInfo info;

  if (message != NULL && sp_preload_watched (fd, &info))
    report_recv (message->msg_name != NULL ? "recvfrom" : "recv", fd, &info, n, saved_errno,
                 message->msg_iov, message->msg_iovlen, flags, message->msg_name,
                 message->msg_namelen < room ? message->msg_namelen : room);

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
read (int     fd,
      void   *data,
      size_t  len)
{
  ssize_t n = SP_REAL (read) (fd, data, len);
  int saved_errno = errno;

  after_recv (fd, n, saved_errno, data, len, 0, NULL, NULL, 0);

  errno = saved_errno;
  return n;
}

SP_EXPORT ssize_t
__read_chk (int     fd,
            void   *data,
            size_t  len,
            size_t  buflen)
{
  ssize_t n = SP_REAL (__read_chk) (fd, data, len, buflen);
  int saved_errno = errno;

  after_recv (fd, n, saved_errno, data, len, 0, NULL, NULL, 0);

  errno = saved_errno;
  return n;
}
