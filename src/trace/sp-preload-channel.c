/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sp-preload-channel.h"
#include "sp-preload-real.h"
#include "sp-trace-report.h"

/* Set in the environment by the first program the library is loaded into,
 * so that a program it execs knows it is one and reports under its own
 * name (sp-trace-report.h, SP_TRACE_PROGRAM). */
#define ENV_EXECED "SP_TRACE_PRELOAD_EXECED"

#define PROGRAM_MAX 512

static int channel_fd = -1;
static int active;
static long long data_limit = -1;
static size_t report_max = SP_TRACE_REPORT_MAX;
static char program[PROGRAM_MAX];
static size_t program_len;

int
sp_channel_active (void)
{
  return __atomic_load_n (&active, __ATOMIC_RELAXED);
}

int
sp_channel_fd (void)
{
  return channel_fd;
}

void
sp_channel_stop (void)
{
  __atomic_store_n (&active, 0, __ATOMIC_RELAXED);
}

/* Called by the Python tracer (data/trace/sp_trace.py) when it takes over
 * in a Python that a traced program started: it reports the same calls at
 * the level of Python's API, and the library would report them again at
 * the level of libc. A program Python itself execs loads the library
 * afresh and reports. */
SP_EXPORT void
sp_trace_preload_stand_down (void)
{
  sp_channel_stop ();
}

long long
sp_channel_data_limit (void)
{
  return data_limit;
}

size_t
sp_channel_report_max (void)
{
  return report_max;
}

const char *
sp_channel_program (size_t *len)
{
  *len = program_len;
  return program;
}

/* The descriptor is the channel only if it is what the parent makes: an
 * AF_UNIX SOCK_SEQPACKET socket. Anything else (a stale number, a file)
 * must not receive reports. */
static int
parse_channel (const char *text)
{
  char *end;
  long fd;
  int value;
  socklen_t len;

  if (text == NULL || *text == '\0')
    return -1;

  errno = 0;
  fd = strtol (text, &end, 10);
  if (errno != 0 || *end != '\0' || fd < 0 || fd > 0x7fffffff)
    return -1;

  len = sizeof value;
  if (getsockopt ((int) fd, SOL_SOCKET, SO_DOMAIN, &value, &len) != 0 || value != AF_UNIX)
    return -1;
  len = sizeof value;
  if (getsockopt ((int) fd, SOL_SOCKET, SO_TYPE, &value, &len) != 0 || value != SOCK_SEQPACKET)
    return -1;

  return (int) fd;
}

/* A datagram larger than the socket's send buffer is refused whole
 * (EMSGSIZE), and the default buffer (net.core.wmem_default, 208 KiB) is
 * smaller than the largest report: ask for a larger one, which the kernel
 * doubles within net.core.wmem_max, and keep reports below what it gave. */
static size_t
fit_send_buffer (int fd)
{
  int size = 0;
  socklen_t len = sizeof size;

  if (getsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, &len) == 0 &&
      size < SP_TRACE_REPORT_MAX + 1024)
    {
      int want = SP_TRACE_REPORT_MAX + 1024;

      setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want);
      len = sizeof size;
      getsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, &len);
    }

  /* The kernel keeps a little of the buffer for its own accounting. */
  if (size <= 1024)
    return 0;
  if ((size_t) size - 1024 < SP_TRACE_REPORT_MAX)
    return (size_t) size - 1024;
  return SP_TRACE_REPORT_MAX;
}

static void
set_program (const char *name)
{
  SpBuf buf;

  sp_buf_init (&buf, program, sizeof program);
  /* As many bytes as fit however they are escaped (\uXXXX: six each). */
  sp_buf_json_string (&buf, name, strnlen (name, (PROGRAM_MAX - 2) / 6));
  program_len = buf.overflow ? 0 : buf.len;
  if (program_len == 0)
    {
      memcpy (program, "\"\"", 2);
      program_len = 2;
    }
}

__attribute__((constructor))
static void
sp_channel_init (void)
{
  int saved_errno = errno;
  const char *limit;
  int fd;

  fd = parse_channel (getenv (SP_TRACE_ENV_FD));
  if (fd < 0)
    goto out;

  /* Children that exec are followed only if the channel survives exec. */
  fcntl (fd, F_SETFD, fcntl (fd, F_GETFD) & ~FD_CLOEXEC);
  report_max = fit_send_buffer (fd);

  limit = getenv (SP_TRACE_ENV_DATA_LIMIT);
  if (limit != NULL && *limit != '\0')
    {
      char *end;
      long long value = strtoll (limit, &end, 10);

      if (*end == '\0' && value >= -1)
        data_limit = value;
    }

  if (getenv (ENV_EXECED) == NULL && getenv (SP_TRACE_ENV_PROGRAM) != NULL)
    set_program (getenv (SP_TRACE_ENV_PROGRAM));
  else
    set_program (program_invocation_short_name);
  /* Before main, with one thread: the only time setenv is safe here. */
  setenv (ENV_EXECED, "1", 1);

  channel_fd = fd;
  __atomic_store_n (&active, 1, __ATOMIC_RELEASE);

out:
  errno = saved_errno;
}

/* A raw system call: the library's own `send` is the wrapper, and another
 * preloaded library's must not see the reports either. */
static int
send_message (const char *data,
              size_t      len)
{
  for (;;)
    {
      if (syscall (SYS_sendto, channel_fd, data, len, MSG_NOSIGNAL, NULL, 0) >= 0)
        return 0;
      if (errno != EINTR)
        return errno;
    }
}

void
sp_channel_send (SpBuf  *report,
                 size_t  data_start)
{
  int error;

  if (report->overflow)
    return;

  error = send_message (report->data, report->len);
  if (error == EMSGSIZE && data_start > 0)
    {
      /* The channel's buffer is smaller than SP_TRACE_REPORT_MAX: the
       * report goes without its data rather than not at all. */
      report->len = data_start;
      sp_buf_char (report, '}');
      error = send_message (report->data, report->len);
    }

  switch (error)
    {
    case 0:
    case EAGAIN:
    case ENOBUFS:
    case ENOMEM:
    case EMSGSIZE:
      /* This report is lost; the next may go. */
      break;

    default:
      /* EPIPE, EBADF, ENOTSOCK, ECONNRESET…: the channel is gone. */
      sp_channel_stop ();
      break;
    }
}
