/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/* Repeated receive calls on a socket, made on the I/O thread
 * (sp_io_thread_get_context) as fast as data comes, and handed to the
 * context that started them in batches, at most one delivery a frame.
 * Only the calls run there: what they read is recorded where it is
 * delivered, so nothing else of a socket is touched by two threads. */

typedef struct
{
  gint64   monotonic_us;  /* when the call returned */
  gssize   size;          /* bytes read, or -1 with error_code */
  int      error_code;
  gsize    offset;        /* of its bytes in the batch's payload */
  guint    sender;        /* index into the batch's senders, G_MAXUINT if none */
} SpReading;

typedef struct
{
  struct sockaddr_storage address;
  socklen_t               length;
} SpReadingSender;

typedef struct
{
  GArray     *readings;   /* SpReading, in the order the calls were made */
  GByteArray *payload;
  GArray     *senders;    /* SpReadingSender; a burst has one sender */
  /* The reader stopped after this batch: the calls asked for were made,
   * a stream ended, a call failed, or nothing came in time. */
  gboolean    finished;
  gboolean    timed_out;
} SpReadingBatch;

typedef struct _SpReader SpReader;

typedef void (*SpReaderFunc) (const SpReadingBatch *batch,
                              gpointer              user_data);

/* Calls recvfrom(fd, bufsize) up to max_calls times (G_MAXUINT: until a
 * stream's end of file), each waiting at most timeout_ms (0: for ever)
 * for data. `deliver` is called in the thread-default context of the
 * caller. */
SpReader *sp_reader_start (int          fd,
                           gsize        bufsize,
                           guint        max_calls,
                           gboolean     stream,
                           guint        timeout_ms,
                           SpReaderFunc deliver,
                           gpointer     user_data);
/* Makes no call after it returns, and delivers at once what was read and
 * not yet delivered: before its descriptor closes. */
void      sp_reader_halt  (SpReader    *self);
/* Whether calls made wait to be delivered: a stream faster than its
 * consumer leaves a backlog, which deliveries take at their pace. */
gboolean  sp_reader_has_undelivered (SpReader *self);
/* Makes no call and no delivery after it returns. */
void      sp_reader_free  (SpReader    *self);

G_END_DECLS
