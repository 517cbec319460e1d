/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "sp-io-thread.h"
#include "sp-reader.h"

/* At most one delivery in this many microseconds: a frame at 60 Hz. */
#define DELIVERY_INTERVAL_US (16 * 1000)
/* How long one delivery may go on: the rest waits for the next, and the
 * frame in between is drawn. */
#define DELIVERY_BUDGET_US   (8 * 1000)
/* Calls a batch holds at most, so that a delivery can stop between two. */
#define BATCH_READINGS       1024
/* Calls one wake-up of the I/O thread makes at most while data waits:
 * bounds how long sp_reader_halt waits for the lock. */
#define CALLS_PER_WAKE       256
/* After a wake-up that found data, the thread sleeps this long before it
 * calls again, rather than waiting to be woken by the next datagram: one
 * wake-up for a few dozen datagrams of a burst instead of one each, which
 * leaves the CPU to the main thread and to the sender, and a thread that
 * wakes rarely is one the scheduler runs at once. Well inside the time a
 * default receive buffer takes to fill (about 2 ms at 100,000 datagrams a
 * second). */
#define COALESCE_US          200
/* recvmmsg's batch: datagrams, and the bytes of their buffers */
#define MAX_DATAGRAMS_PER_CALL 32
#define DATAGRAM_BUFFER_BYTES  ((gsize) 256 * 1024)
/* Read and not yet delivered, at most: past either the calls pause until
 * the home thread catches up (a fast stream would otherwise fill memory
 * faster than the log takes it). */
#define MAX_QUEUED_READINGS  (256 * 1024)
#define MAX_QUEUED_BYTES     ((gsize) 64 * 1024 * 1024)

typedef struct
{
  GSource   source;
  SpReader *reader;
  gpointer  tag;
} WatchSource;

struct _SpReader
{
  gatomicrefcount  ref_count;
  GMutex           lock;

  /* Set at the start, read by both threads. */
  int              fd;
  gsize            bufsize;
  guint            max_calls;
  gboolean         stream;
  guint            timeout_ms;
  GMainContext    *home;
  SpReaderFunc     deliver;
  gpointer         user_data;

  /* The I/O thread's. */
  guint8          *buffer;
  guint            n_calls;
  SpReadingBatch  *filling;

  /* Under the lock. */
  gboolean         stopped;    /* no more calls */
  GSource         *watch;      /* in the I/O context, while calls go on */
  GQueue           batches;    /* read, not yet delivered */
  guint            queued_readings;
  gsize            queued_bytes;
  gboolean         paused;     /* until the queue is under its limits */
  GSource         *delivery;   /* in the home context, when one is due */
  gint64           last_delivery_us;

  /* The home thread's: the consumer let go, deliver no more. */
  gboolean         freed;
};

static SpReadingBatch *
batch_new (void)
{
  SpReadingBatch *batch = g_new0 (SpReadingBatch, 1);

  batch->readings = g_array_new (FALSE, FALSE, sizeof (SpReading));
  batch->payload = g_byte_array_new ();
  batch->senders = g_array_new (FALSE, FALSE, sizeof (SpReadingSender));
  return batch;
}

static void
batch_free (SpReadingBatch *batch)
{
  g_array_unref (batch->readings);
  g_byte_array_unref (batch->payload);
  g_array_unref (batch->senders);
  g_free (batch);
}

static SpReader *
reader_ref (SpReader *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static void
reader_unref (SpReader *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_queue_clear_full (&self->batches, (GDestroyNotify) batch_free);
  g_clear_pointer (&self->filling, batch_free);
  g_free (self->buffer);
  g_main_context_unref (self->home);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* --- the home thread -------------------------------------------------- */

static void schedule_delivery_locked (SpReader *self);
static gboolean resume_watch (gpointer user_data);

static gboolean
over_limits_locked (SpReader *self)
{
  return self->queued_readings >= MAX_QUEUED_READINGS || self->queued_bytes >= MAX_QUEUED_BYTES;
}

/* A batch leaves the queue: a paused reader goes on once the queue is
 * under its limits again. */
static void
unqueue_locked (SpReader       *self,
                SpReadingBatch *batch)
{
  self->queued_readings -= batch->readings->len;
  self->queued_bytes -= batch->payload->len;
  if (self->paused && !over_limits_locked (self) && !self->stopped)
    {
      self->paused = FALSE;
      g_main_context_invoke_full (sp_io_thread_get_context (), G_PRIORITY_DEFAULT,
                                  resume_watch, reader_ref (self),
                                  (GDestroyNotify) reader_unref);
    }
}

static void
deliver_batch (SpReader       *self,
               SpReadingBatch *batch)
{
  if (!self->freed)
    self->deliver (batch, self->user_data);
  batch_free (batch);
}

static gboolean
on_delivery_due (gpointer user_data)
{
  SpReader *self = reader_ref (user_data);
  gint64 started = g_get_monotonic_time ();

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->delivery, g_source_unref);
  self->last_delivery_us = started;
  g_mutex_unlock (&self->lock);

  while (!self->freed && g_get_monotonic_time () - started < DELIVERY_BUDGET_US)
    {
      SpReadingBatch *batch;

      g_mutex_lock (&self->lock);
      batch = g_queue_pop_head (&self->batches);
      if (batch != NULL)
        unqueue_locked (self, batch);
      g_mutex_unlock (&self->lock);
      if (batch == NULL)
        break;
      deliver_batch (self, batch);
    }

  /* What the budget left waits for the next frame. */
  g_mutex_lock (&self->lock);
  if (!self->freed)
    schedule_delivery_locked (self);
  g_mutex_unlock (&self->lock);

  reader_unref (self);
  return G_SOURCE_REMOVE;
}

/* From either thread. */
static void
schedule_delivery_locked (SpReader *self)
{
  gint64 wait_us;

  if (self->delivery != NULL || g_queue_is_empty (&self->batches))
    return;

  wait_us = self->last_delivery_us + DELIVERY_INTERVAL_US - g_get_monotonic_time ();
  if (wait_us > 0)
    self->delivery = g_timeout_source_new ((guint) ((wait_us + 999) / 1000));
  else
    self->delivery = g_idle_source_new ();
  /* Above the redraw, which the budget leaves its time. */
  g_source_set_priority (self->delivery, G_PRIORITY_DEFAULT);
  g_source_set_callback (self->delivery, on_delivery_due, reader_ref (self),
                         (GDestroyNotify) reader_unref);
  g_source_set_static_name (self->delivery, "[sp] reader delivery");
  g_source_attach (self->delivery, self->home);
}

/* --- the I/O thread --------------------------------------------------- */

static void
push_filling_locked (SpReader *self)
{
  if (self->filling == NULL)
    return;

  g_queue_push_tail (&self->batches, g_steal_pointer (&self->filling));
  schedule_delivery_locked (self);
}

static SpReadingBatch *
filling (SpReader *self)
{
  if (self->filling != NULL && self->filling->readings->len >= BATCH_READINGS)
    g_queue_push_tail (&self->batches, g_steal_pointer (&self->filling));
  if (self->filling == NULL)
    self->filling = batch_new ();
  return self->filling;
}

static guint
sender_index (SpReadingBatch                *batch,
              const struct sockaddr_storage *address,
              socklen_t                      length)
{
  SpReadingSender *last;
  SpReadingSender sender = { .length = length };

  if (length == 0)
    return G_MAXUINT;

  if (batch->senders->len > 0)
    {
      last = &g_array_index (batch->senders, SpReadingSender, batch->senders->len - 1);
      if (last->length == length && memcmp (&last->address, address, length) == 0)
        return batch->senders->len - 1;
    }

  memcpy (&sender.address, address, MIN (length, sizeof sender.address));
  g_array_append_val (batch->senders, sender);
  return batch->senders->len - 1;
}

/* Adds a call's result to the batch being filled; returns TRUE when it was
 * the last call to make. */
static gboolean
add_reading_locked (SpReader                      *self,
                    gint64                         now,
                    gssize                         size,
                    int                            error_code,
                    const guint8                  *bytes,
                    const struct sockaddr_storage *address,
                    socklen_t                      length)
{
  SpReadingBatch *batch = filling (self);
  SpReading reading = {
    .monotonic_us = now,
    .size = size,
    .error_code = error_code,
    .sender = G_MAXUINT,
  };

  if (size >= 0)
    {
      reading.offset = batch->payload->len;
      g_byte_array_append (batch->payload, bytes, size);
      reading.sender = sender_index (batch, address, length);
    }
  g_array_append_val (batch->readings, reading);
  self->queued_readings++;
  self->queued_bytes += MAX (size, 0);
  self->n_calls++;

  return size < 0
         || (size == 0 && self->stream)
         || (self->max_calls != G_MAXUINT && self->n_calls >= self->max_calls);
}

/* Datagrams waiting are taken several to a system call (recvmmsg): each is
 * still one call of the program's, with the result recvfrom would give. */
static guint
datagrams_per_call (SpReader *self)
{
  guint n;

  if (self->stream)
    return 1;
  n = (guint) MIN ((gsize) MAX_DATAGRAMS_PER_CALL, DATAGRAM_BUFFER_BYTES / MAX (self->bufsize, 1));
  if (self->max_calls != G_MAXUINT)
    n = MIN (n, self->max_calls - self->n_calls);
  return MAX (n, 1);
}

/* Makes calls while data waits, at most `budget`; returns TRUE when the
 * last call has been made, FALSE with *waiting set when no data waits. */
static gboolean
call_locked (SpReader *self,
             guint     budget,
             gboolean *waiting)
{
  struct mmsghdr messages[MAX_DATAGRAMS_PER_CALL];
  struct iovec vectors[MAX_DATAGRAMS_PER_CALL];
  struct sockaddr_storage addresses[MAX_DATAGRAMS_PER_CALL];
  guint made = 0;

  while (made < budget)
    {
      guint n = MIN (datagrams_per_call (self), budget - made);
      gint64 now;
      int got;

      for (guint i = 0; i < n; i++)
        {
          vectors[i] = (struct iovec) {
            .iov_base = self->buffer + i * self->bufsize,
            .iov_len = self->bufsize,
          };
          messages[i] = (struct mmsghdr) {
            .msg_hdr = {
              .msg_name = &addresses[i],
              .msg_namelen = sizeof addresses[i],
              .msg_iov = &vectors[i],
              .msg_iovlen = 1,
            },
          };
        }

      if (n == 1)
        {
          gssize size = recvfrom (self->fd, self->buffer, self->bufsize, MSG_DONTWAIT,
                                  (struct sockaddr *) &addresses[0],
                                  &messages[0].msg_hdr.msg_namelen);

          got = size < 0 ? -1 : 1;
          messages[0].msg_len = size < 0 ? 0 : (unsigned int) size;
        }
      else
        {
          got = recvmmsg (self->fd, messages, n, MSG_DONTWAIT, NULL);
        }

      now = g_get_monotonic_time ();
      if (got < 0)
        {
          int code = errno;

          if (code == EAGAIN || code == EWOULDBLOCK || code == EINTR)
            {
              *waiting = TRUE;
              return FALSE;
            }
          return add_reading_locked (self, now, -1, code, NULL, NULL, 0);
        }

      for (int i = 0; i < got; i++)
        {
          if (add_reading_locked (self, now, messages[i].msg_len, 0, vectors[i].iov_base,
                                  &addresses[i], messages[i].msg_hdr.msg_namelen))
            return TRUE;
        }
      made += got;
    }

  return FALSE;
}

static void
finish_locked (SpReader *self,
               gboolean  timed_out)
{
  SpReadingBatch *batch = self->filling != NULL ? self->filling : filling (self);

  batch->finished = TRUE;
  batch->timed_out = timed_out;
  self->stopped = TRUE;
  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  push_filling_locked (self);
}

static gboolean
watch_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  WatchSource *watch = (WatchSource *) source;
  SpReader *self = watch->reader;
  GIOCondition condition = g_source_query_unix_fd (source, watch->tag);
  gboolean waiting = FALSE;

  g_mutex_lock (&self->lock);
  if (self->stopped)
    {
      g_mutex_unlock (&self->lock);
      return G_SOURCE_REMOVE;
    }

  if (condition == 0)
    {
      finish_locked (self, TRUE);
      g_mutex_unlock (&self->lock);
      return G_SOURCE_REMOVE;
    }

  /* Having caught up with a sender, call again after COALESCE_US; with
   * data still waiting after CALLS_PER_WAKE calls, let the context's other
   * sources have their turn first; with none come, wait to be woken. */
  for (;;)
    {
      guint before = self->n_calls;

      waiting = FALSE;
      if (call_locked (self, CALLS_PER_WAKE, &waiting))
        {
          finish_locked (self, FALSE);
          g_mutex_unlock (&self->lock);
          return G_SOURCE_REMOVE;
        }
      if (!waiting || self->n_calls == before || over_limits_locked (self))
        break;
      push_filling_locked (self);
      g_mutex_unlock (&self->lock);
      g_usleep (COALESCE_US);
      g_mutex_lock (&self->lock);
      if (self->stopped)
        {
          g_mutex_unlock (&self->lock);
          return G_SOURCE_REMOVE;
        }
    }

  if (over_limits_locked (self))
    {
      /* No call, and no timeout, until resume_watch. */
      self->paused = TRUE;
      g_source_modify_unix_fd (source, watch->tag, 0);
      g_source_set_ready_time (source, -1);
    }
  else if (self->timeout_ms > 0)
    {
      /* Every call waits its own timeout: from now. */
      g_source_set_ready_time (source, g_get_monotonic_time () + self->timeout_ms * (gint64) 1000);
    }
  push_filling_locked (self);
  g_mutex_unlock (&self->lock);
  return G_SOURCE_CONTINUE;
}

static void
watch_finalize (GSource *source)
{
  reader_unref (((WatchSource *) source)->reader);
}

static GSourceFuncs watch_funcs = {
  .dispatch = watch_dispatch,
  .finalize = watch_finalize,
};

static gboolean
start_watch (gpointer user_data)
{
  SpReader *self = user_data;
  WatchSource *watch;

  g_mutex_lock (&self->lock);
  if (!self->stopped)
    {
      watch = (WatchSource *) g_source_new (&watch_funcs, sizeof (WatchSource));
      watch->reader = reader_ref (self);
      watch->tag = g_source_add_unix_fd ((GSource *) watch, self->fd, G_IO_IN);
      if (self->timeout_ms > 0)
        g_source_set_ready_time ((GSource *) watch,
                                 g_get_monotonic_time () + self->timeout_ms * (gint64) 1000);
      g_source_set_static_name ((GSource *) watch, "[sp] reader");
      g_source_attach ((GSource *) watch, sp_io_thread_get_context ());
      self->watch = (GSource *) watch;
    }
  g_mutex_unlock (&self->lock);

  return G_SOURCE_REMOVE;
}

static gboolean
resume_watch (gpointer user_data)
{
  SpReader *self = user_data;

  g_mutex_lock (&self->lock);
  if (self->watch != NULL && !self->paused)
    {
      WatchSource *watch = (WatchSource *) self->watch;

      g_source_modify_unix_fd (self->watch, watch->tag, G_IO_IN);
      if (self->timeout_ms > 0)
        g_source_set_ready_time (self->watch,
                                 g_get_monotonic_time () + self->timeout_ms * (gint64) 1000);
    }
  g_mutex_unlock (&self->lock);

  return G_SOURCE_REMOVE;
}

/* --- the caller's ----------------------------------------------------- */

SpReader *
sp_reader_start (int          fd,
                 gsize        bufsize,
                 guint        max_calls,
                 gboolean     stream,
                 guint        timeout_ms,
                 SpReaderFunc deliver,
                 gpointer     user_data)
{
  SpReader *self = g_new0 (SpReader, 1);

  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (max_calls > 0, NULL);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  self->fd = fd;
  self->bufsize = bufsize;
  self->max_calls = max_calls;
  self->stream = stream;
  self->timeout_ms = timeout_ms;
  self->home = g_main_context_ref_thread_default ();
  self->deliver = deliver;
  self->user_data = user_data;
  self->buffer = g_malloc (MAX (bufsize, 1) * (stream ? 1 : datagrams_per_call (self)));

  g_main_context_invoke_full (sp_io_thread_get_context (), G_PRIORITY_DEFAULT,
                              start_watch, reader_ref (self), (GDestroyNotify) reader_unref);
  return self;
}

static GQueue
stop (SpReader *self)
{
  GQueue left;

  g_mutex_lock (&self->lock);
  self->stopped = TRUE;
  if (self->watch != NULL)
    {
      g_source_destroy (self->watch);
      g_clear_pointer (&self->watch, g_source_unref);
    }
  if (self->delivery != NULL)
    {
      g_source_destroy (self->delivery);
      g_clear_pointer (&self->delivery, g_source_unref);
    }
  if (self->filling != NULL)
    g_queue_push_tail (&self->batches, g_steal_pointer (&self->filling));
  left = self->batches;
  g_queue_init (&self->batches);
  g_mutex_unlock (&self->lock);

  return left;
}

void
sp_reader_halt (SpReader *self)
{
  GQueue left;

  g_return_if_fail (self != NULL);

  reader_ref (self);
  left = stop (self);
  while (!g_queue_is_empty (&left))
    deliver_batch (self, g_queue_pop_head (&left));
  reader_unref (self);
}

gboolean
sp_reader_has_undelivered (SpReader *self)
{
  gboolean waiting;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  waiting = !g_queue_is_empty (&self->batches);
  g_mutex_unlock (&self->lock);
  return waiting;
}

void
sp_reader_free (SpReader *self)
{
  GQueue left;

  if (self == NULL)
    return;

  self->freed = TRUE;
  left = stop (self);
  g_queue_clear_full (&left, (GDestroyNotify) batch_free);
  reader_unref (self);
}
