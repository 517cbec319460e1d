/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "sp-preload-channel.h"
#include "sp-preload-python.h"
#include "sp-preload-report.h"
#include "sp-trace-report.h"

/* Room for everything but "data": the program's name, the arguments and
 * two addresses, escaped. A report that does not fit is dropped whole. */
#define HEAD_MAX   4096
/* Reports with this much data or less are built on the stack; larger
 * ones in mapped memory, as malloc is not async-signal-safe. */
#define STACK_DATA 1536
/* Enough for any report: sp_report_data_length keeps below it. */
#define LARGE_SIZE (HEAD_MAX + SP_TRACE_REPORT_MAX)

/* One mapping is kept for the next large report, so that a program that
 * sends much data does not map, fault in and unmap a quarter of a megabyte
 * on each call. It is taken and given back with atomic exchanges: threads
 * and signal handlers need no lock, and a report made while another holds
 * it maps its own. */
static void *spare;

size_t
sp_report_data_length (size_t moved)
{
  long long limit = sp_channel_data_limit ();
  size_t report_max = sp_channel_report_max ();
  size_t most = report_max > HEAD_MAX ? (report_max - HEAD_MAX) / 4 * 3 : 0;

  if (limit >= 0 && (unsigned long long) limit < most)
    most = (size_t) limit;

  return moved < most ? moved : most;
}

/* sp_report_set_start's time, for the next report this thread builds. */
static __thread long long next_start_us __attribute__ ((tls_model ("initial-exec")));

static void
append_address (SpBuf                 *buf,
                const char            *key,
                const struct sockaddr *address,
                socklen_t              len)
{
  char text[1024];
  SpBuf endpoint;

  sp_buf_init (&endpoint, text, sizeof text);
  sp_endpoint_address (&endpoint, address, len);
  if (endpoint.len == 0 || endpoint.overflow)
    return;

  sp_buf_json_key (buf, key);
  sp_buf_json_string (buf, endpoint.data, endpoint.len);
}

static void
append_socket_address (SpBuf      *buf,
                       const char *key,
                       int         fd,
                       int         peer)
{
  struct sockaddr_storage address;
  socklen_t len = sizeof address;
  int r;

  r = peer ? getpeername (fd, (struct sockaddr *) &address, &len)
           : getsockname (fd, (struct sockaddr *) &address, &len);
  if (r == 0)
    append_address (buf, key, (struct sockaddr *) &address, len);
}

static void
append_string (SpBuf      *buf,
               const char *key,
               const char *value)
{
  sp_buf_json_key (buf, key);
  sp_buf_json_string (buf, value, strlen (value));
}

static void
append_int (SpBuf      *buf,
            const char *key,
            long long   value)
{
  sp_buf_json_key (buf, key);
  sp_buf_int (buf, value);
}

static void
build (SpBuf          *buf,
       const SpReport *report,
       size_t          data_len,
       size_t         *data_start)
{
  struct timespec now;
  const char *program;
  size_t program_len;

  clock_gettime (CLOCK_REALTIME, &now);

  sp_buf_char (buf, '{');
  append_int (buf, "pid", getpid ());
  sp_buf_json_key (buf, "program");
  program = sp_channel_program (&program_len);
  sp_buf_append (buf, program, program_len);
  append_int (buf, "fd", report->fd);
  append_string (buf, "call", report->call);
  sp_buf_json_key (buf, "ok");
  sp_buf_text (buf, report->ok ? "true" : "false");
  append_int (buf, "errno", report->ok ? 0 : report->error);

  if (report->info != NULL)
    {
      const char *family = sp_fds_family_name (report->info->family);
      const char *type = sp_fds_type_name (report->info->type);

      if (family != NULL)
        append_string (buf, "family", family);
      if (type != NULL)
        append_string (buf, "type", type);
    }

  if (report->args != NULL)
    append_string (buf, "args", report->args);
  if (report->result != NULL)
    append_string (buf, "result", report->result);
  if (report->has_bytes)
    append_int (buf, "bytes", report->bytes);
  if (report->new_fd >= 0)
    append_int (buf, "new_fd", report->new_fd);
  if (report->local_fd >= 0)
    append_socket_address (buf, "local", report->local_fd, 0);
  if (report->remote != NULL)
    append_address (buf, "remote", report->remote, report->remote_len);
  else if (report->peer_fd >= 0)
    append_socket_address (buf, "remote", report->peer_fd, 1);
  append_int (buf, "time_us", (long long) now.tv_sec * 1000000 + now.tv_nsec / 1000);
  if (next_start_us != 0)
    append_int (buf, "start_us", next_start_us);
  next_start_us = 0;

  /* Last, so that the report can be sent without it (sp_channel_send). */
  *data_start = 0;
  if (data_len > 0)
    {
      *data_start = buf->len;
      sp_buf_json_key (buf, "data");
      sp_buf_char (buf, '"');
      sp_buf_base64_iov (buf, report->iov, report->iovcnt, data_len);
      sp_buf_char (buf, '"');
    }
  sp_buf_char (buf, '}');
}

long long
sp_report_clock_us (void)
{
  struct timespec now;

  clock_gettime (CLOCK_REALTIME, &now);
  return (long long) now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

void
sp_report_set_start (long long start_us)
{
  next_start_us = start_us;
}

void
sp_report_send (const SpReport *report)
{
  size_t data_len = report->iov != NULL ? sp_report_data_length (report->moved) : 0;
  size_t data_start;
  SpBuf buf;

  if (data_len <= STACK_DATA)
    {
      char stack[HEAD_MAX + (STACK_DATA + 2) / 3 * 4];

      sp_buf_init (&buf, stack, sizeof stack);
      build (&buf, report, data_len, &data_start);
      sp_channel_send (&buf, data_start);
    }
  else
    {
      void *memory = __atomic_exchange_n (&spare, NULL, __ATOMIC_ACQUIRE);
      void *none = NULL;

      if (memory == NULL)
        {
          memory = mmap (NULL, LARGE_SIZE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
          if (memory == MAP_FAILED)
            return;
        }

      sp_buf_init (&buf, memory, LARGE_SIZE);
      build (&buf, report, data_len, &data_start);
      sp_channel_send (&buf, data_start);

      if (!__atomic_compare_exchange_n (&spare, &none, memory, 0,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        munmap (memory, LARGE_SIZE);
    }
}
