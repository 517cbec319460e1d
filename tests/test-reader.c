/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sp-reader.h"
#include "sp-test-util.h"

#define GUARD_MS 10000

/* Everything the reader delivered, and where and when. */
typedef struct
{
  GPtrArray  *payloads;   /* GBytes per reading, NULL for a failed call */
  GArray     *codes;      /* int per reading */
  GArray     *senders;    /* guint16 port per reading, 0 if none */
  guint       n_batches;
  guint       n_finished;
  gboolean    timed_out;
  gboolean    off_main_thread;
  GThread    *main_thread;
  gint64      finished_us;
} Delivered;

static void
delivered_init (Delivered *delivered)
{
  *delivered = (Delivered) {
    .payloads = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
    .codes = g_array_new (FALSE, FALSE, sizeof (int)),
    .senders = g_array_new (FALSE, FALSE, sizeof (guint16)),
    .main_thread = g_thread_self (),
  };
}

static void
delivered_clear (Delivered *delivered)
{
  g_ptr_array_unref (delivered->payloads);
  g_array_unref (delivered->codes);
  g_array_unref (delivered->senders);
}

static void
on_batch (const SpReadingBatch *batch,
          gpointer              user_data)
{
  Delivered *delivered = user_data;

  if (g_thread_self () != delivered->main_thread)
    delivered->off_main_thread = TRUE;

  for (guint i = 0; i < batch->readings->len; i++)
    {
      const SpReading *reading = &g_array_index (batch->readings, SpReading, i);
      guint16 port = 0;

      if (reading->sender != G_MAXUINT)
        {
          const SpReadingSender *sender = &g_array_index (batch->senders, SpReadingSender,
                                                          reading->sender);

          if (sender->address.ss_family == AF_INET)
            port = ntohs (((const struct sockaddr_in *) &sender->address)->sin_port);
        }
      g_ptr_array_add (delivered->payloads,
                       reading->size < 0 ? NULL
                                         : g_bytes_new (batch->payload->data + reading->offset,
                                                        reading->size));
      g_array_append_val (delivered->codes, reading->error_code);
      g_array_append_val (delivered->senders, port);
    }

  delivered->n_batches++;
  if (batch->finished)
    {
      delivered->n_finished++;
      delivered->timed_out = batch->timed_out;
      delivered->finished_us = g_get_monotonic_time ();
    }
}

static gboolean
has_finished (gpointer data)
{
  return ((Delivered *) data)->n_finished > 0;
}

static int
udp_socket_on_loopback (guint16 *port)
{
  struct sockaddr_in address = {
    .sin_family = AF_INET,
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  socklen_t length = sizeof address;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  g_assert_no_errno (fd);
  g_assert_no_errno (bind (fd, (struct sockaddr *) &address, sizeof address));
  g_assert_no_errno (getsockname (fd, (struct sockaddr *) &address, &length));
  *port = ntohs (address.sin_port);
  return fd;
}

static void
send_to_port (int         fd,
              guint16     port,
              const char *text)
{
  struct sockaddr_in address = {
    .sin_family = AF_INET,
    .sin_port = htons (port),
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };

  g_assert_cmpint (sendto (fd, text, strlen (text), 0, (struct sockaddr *) &address,
                           sizeof address), ==, (gssize) strlen (text));
}

static int
bytes_waiting (int fd)
{
  int n = 0;

  g_assert_no_errno (ioctl (fd, FIONREAD, &n));
  return n;
}

/* A receiver and a sender on loopback, and what a reader of the receiver
 * delivered. */
typedef struct
{
  int       receiver;
  int       sender;
  guint16   receiver_port;
  guint16   sender_port;
  Delivered delivered;
} Datagrams;

static void
datagrams_set_up (Datagrams     *fixture,
                  gconstpointer  data)
{
  fixture->receiver = udp_socket_on_loopback (&fixture->receiver_port);
  fixture->sender = udp_socket_on_loopback (&fixture->sender_port);
  delivered_init (&fixture->delivered);
}

static void
datagrams_tear_down (Datagrams     *fixture,
                     gconstpointer  data)
{
  delivered_clear (&fixture->delivered);
  close (fixture->sender);
  close (fixture->receiver);
}

static void
send_datagram (Datagrams  *fixture,
               const char *text)
{
  send_to_port (fixture->sender, fixture->receiver_port, text);
}

/* Thousands of datagrams arrive whole, in the order they were sent, with
 * their sender, delivered on the thread that started the reader. */
static void
test_datagrams_in_order (Datagrams     *fixture,
                         gconstpointer  data)
{
  const guint n = 5000;
  int rcvbuf = 4 * 1024 * 1024;
  SpReader *reader;

  /* No datagram may be lost here: this test is about order, not speed. */
  g_assert_no_errno (setsockopt (fixture->receiver, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
                                 sizeof rcvbuf));
  reader = sp_reader_start (fixture->receiver, 64, n, FALSE, 5000, on_batch, &fixture->delivered);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("datagram %05u", i);

      send_datagram (fixture, text);
    }

  g_assert_true (sp_test_iterate_until (has_finished, &fixture->delivered, GUARD_MS));
  g_assert_false (fixture->delivered.timed_out);
  g_assert_false (fixture->delivered.off_main_thread);
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("datagram %05u", i);

      sp_test_assert_bytes_equal (g_ptr_array_index (fixture->delivered.payloads, i), text);
      g_assert_cmpuint (g_array_index (fixture->delivered.senders, guint16, i), ==,
                        fixture->sender_port);
    }
  /* In batches: not one delivery per datagram. */
  g_assert_cmpuint (fixture->delivered.n_batches, <, n / 4);

  sp_reader_free (reader);
}

/* A datagram longer than the buffer is cut to it, as recvfrom cuts it. */
static void
test_datagram_cut_to_bufsize (Datagrams     *fixture,
                              gconstpointer  data)
{
  SpReader *reader;

  reader = sp_reader_start (fixture->receiver, 5, 2, FALSE, 5000, on_batch, &fixture->delivered);
  send_datagram (fixture, "hello, world");
  send_datagram (fixture, "hi");

  g_assert_true (sp_test_iterate_until (has_finished, &fixture->delivered, GUARD_MS));
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 2);
  sp_test_assert_bytes_equal (g_ptr_array_index (fixture->delivered.payloads, 0), "hello");
  sp_test_assert_bytes_equal (g_ptr_array_index (fixture->delivered.payloads, 1), "hi");

  sp_reader_free (reader);
}

/* Nothing comes: the reader ends after its timeout, with no call result. */
static void
test_timeout (Datagrams     *fixture,
              gconstpointer  data)
{
  gint64 started = g_get_monotonic_time ();
  SpReader *reader;

  reader = sp_reader_start (fixture->receiver, 64, 10, FALSE, 100, on_batch,
                            &fixture->delivered);

  g_assert_true (sp_test_iterate_until (has_finished, &fixture->delivered, GUARD_MS));
  g_assert_true (fixture->delivered.timed_out);
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 0);
  g_assert_cmpint (fixture->delivered.finished_us - started, >=, 100 * 1000);

  sp_reader_free (reader);
}

/* Every call waits its own timeout: data now and then keeps it going. */
static void
test_timeout_is_per_call (Datagrams     *fixture,
                          gconstpointer  data)
{
  SpReader *reader;

  reader = sp_reader_start (fixture->receiver, 64, 4, FALSE, 300, on_batch, &fixture->delivered);
  for (guint i = 0; i < 3; i++)
    {
      sp_test_iterate_for (150);
      send_datagram (fixture, "tick");
    }

  g_assert_true (sp_test_iterate_until (has_finished, &fixture->delivered, GUARD_MS));
  g_assert_true (fixture->delivered.timed_out);
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 3);

  sp_reader_free (reader);
}

/* A stream is read until its end of file, which is the last call. */
static void
test_stream_to_end_of_file (void)
{
  g_autoptr(GString) whole = g_string_new (NULL);
  Delivered delivered;
  SpReader *reader;
  int fds[2];
  guint last;

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  delivered_init (&delivered);
  reader = sp_reader_start (fds[0], 3, G_MAXUINT, TRUE, 5000, on_batch, &delivered);
  g_assert_cmpint (write (fds[1], "abcdefgh", 8), ==, 8);
  g_assert_no_errno (shutdown (fds[1], SHUT_WR));

  g_assert_true (sp_test_iterate_until (has_finished, &delivered, GUARD_MS));
  g_assert_false (delivered.timed_out);
  last = delivered.payloads->len - 1;
  for (guint i = 0; i < last; i++)
    {
      GBytes *bytes = g_ptr_array_index (delivered.payloads, i);

      g_assert_cmpuint (g_bytes_get_size (bytes), <=, 3);
      g_string_append_len (whole, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  g_assert_cmpstr (whole->str, ==, "abcdefgh");
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (delivered.payloads, last)), ==, 0);

  sp_reader_free (reader);
  delivered_clear (&delivered);
  close (fds[0]);
  close (fds[1]);
}

/* A call that fails is the last, with its errno: a datagram socket
 * connected to a port nobody has learns ECONNREFUSED. */
static void
test_failed_call (void)
{
  guint16 port;
  int fd = udp_socket_on_loopback (&port);
  struct sockaddr_in nobody = {
    .sin_family = AF_INET,
    .sin_port = htons (sp_test_closed_port (AF_INET)),
    .sin_addr.s_addr = htonl (INADDR_LOOPBACK),
  };
  Delivered delivered;
  SpReader *reader;

  g_assert_no_errno (connect (fd, (struct sockaddr *) &nobody, sizeof nobody));
  delivered_init (&delivered);
  reader = sp_reader_start (fd, 64, 5, FALSE, 5000, on_batch, &delivered);
  g_assert_cmpint (send (fd, "anyone?", 7, 0), ==, 7);

  g_assert_true (sp_test_iterate_until (has_finished, &delivered, GUARD_MS));
  g_assert_cmpuint (delivered.payloads->len, ==, 1);
  g_assert_null (g_ptr_array_index (delivered.payloads, 0));
  g_assert_cmpint (g_array_index (delivered.codes, int, 0), ==, ECONNREFUSED);

  sp_reader_free (reader);
  delivered_clear (&delivered);
  close (fd);
}

/* Waits, without turning this thread's loop, until the I/O thread has
 * taken every datagram waiting on `fd`. */
static void
wait_until_taken (int fd)
{
  gint64 deadline = g_get_monotonic_time () + GUARD_MS * (gint64) 1000;

  while (bytes_waiting (fd) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
}

/* Halting delivers at once what was read, and then reads no more: what
 * comes after stays in the socket for whoever reads it next. */
static void
test_halt (Datagrams     *fixture,
           gconstpointer  data)
{
  SpReader *reader;

  reader = sp_reader_start (fixture->receiver, 64, 100, FALSE, 5000, on_batch, &fixture->delivered);
  send_datagram (fixture, "one");
  send_datagram (fixture, "two");
  /* The I/O thread takes them; this thread's loop does not turn, so
   * nothing has been delivered yet. */
  wait_until_taken (fixture->receiver);
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 0);

  sp_reader_halt (reader);
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 2);
  sp_test_assert_bytes_equal (g_ptr_array_index (fixture->delivered.payloads, 1), "two");
  g_assert_cmpuint (fixture->delivered.n_finished, ==, 0);

  send_datagram (fixture, "three");
  sp_test_iterate_for (200);
  g_assert_cmpint (bytes_waiting (fixture->receiver), ==, 5);
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 2);

  sp_reader_free (reader);
}

/* What was read and not yet delivered is known, until it is delivered. */
static void
test_undelivered (Datagrams     *fixture,
                  gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + GUARD_MS * (gint64) 1000;
  SpReader *reader;

  reader = sp_reader_start (fixture->receiver, 64, 100, FALSE, 5000, on_batch, &fixture->delivered);
  g_assert_false (sp_reader_has_undelivered (reader));
  send_datagram (fixture, "one");
  send_datagram (fixture, "two");
  /* This thread's loop does not turn: the I/O thread's batch waits. */
  while (!sp_reader_has_undelivered (reader))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_cmpuint (fixture->delivered.payloads->len, ==, 0);

  while (fixture->delivered.payloads->len < 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_false (sp_reader_has_undelivered (reader));

  sp_reader_free (reader);
}

/* Freed, a reader delivers nothing more, not even what it had read. */
static void
test_free_delivers_nothing (Datagrams     *fixture,
                            gconstpointer  data)
{
  SpReader *reader;

  reader = sp_reader_start (fixture->receiver, 64, 100, FALSE, 5000, on_batch, &fixture->delivered);
  send_datagram (fixture, "unseen");
  wait_until_taken (fixture->receiver);

  sp_reader_free (reader);
  sp_test_iterate_for (100);
  g_assert_cmpuint (fixture->delivered.n_batches, ==, 0);

}

typedef struct
{
  int      fd;
  gsize    total;
  gboolean done;   /* atomic */
} Writer;

static gpointer
write_all (gpointer data)
{
  Writer *writer = data;
  g_autofree guint8 *chunk = g_malloc0 (1024 * 1024);
  gsize written = 0;

  while (written < writer->total)
    {
      gssize n = write (writer->fd, chunk, MIN (writer->total - written, 1024 * 1024));

      g_assert_cmpint (n, >, 0);
      written += n;
    }
  shutdown (writer->fd, SHUT_WR);
  g_atomic_int_set (&writer->done, TRUE);
  return NULL;
}

/* A stream faster than its deliveries: the reader stops calling once 64 MiB
 * wait for delivery, so memory stays bounded and the sender waits, and it
 * goes on when they have been delivered. */
static void
test_pauses_when_deliveries_lag (void)
{
  Writer writer = { .total = (gsize) 80 * 1024 * 1024 };
  Delivered delivered;
  SpReader *reader;
  GThread *thread;
  gsize received = 0;
  int fds[2];

  g_assert_no_errno (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
  writer.fd = fds[1];
  delivered_init (&delivered);
  reader = sp_reader_start (fds[0], 64 * 1024, G_MAXUINT, TRUE, 10000, on_batch, &delivered);
  thread = g_thread_new ("writer", write_all, &writer);

  /* This thread's loop stands still: nothing is delivered, and the writer
   * cannot finish. */
  g_usleep (500 * 1000);
  g_assert_false (g_atomic_int_get (&writer.done));
  g_assert_cmpuint (delivered.n_batches, ==, 0);

  g_assert_true (sp_test_iterate_until (has_finished, &delivered, GUARD_MS * 3));
  g_thread_join (thread);
  for (guint i = 0; i < delivered.payloads->len; i++)
    received += g_bytes_get_size (g_ptr_array_index (delivered.payloads, i));
  g_assert_cmpuint (received, ==, writer.total);

  sp_reader_free (reader);
  delivered_clear (&delivered);
  close (fds[0]);
  close (fds[1]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD_DATAGRAMS_TEST(path, func) \
  g_test_add (path, Datagrams, NULL, datagrams_set_up, func, datagrams_tear_down)

  ADD_DATAGRAMS_TEST ("/Sp/Reader/datagrams-in-order", test_datagrams_in_order);
  ADD_DATAGRAMS_TEST ("/Sp/Reader/datagram-cut-to-bufsize", test_datagram_cut_to_bufsize);
  ADD_DATAGRAMS_TEST ("/Sp/Reader/timeout", test_timeout);
  ADD_DATAGRAMS_TEST ("/Sp/Reader/timeout-is-per-call", test_timeout_is_per_call);
  g_test_add_func ("/Sp/Reader/stream-to-end-of-file", test_stream_to_end_of_file);
  g_test_add_func ("/Sp/Reader/failed-call", test_failed_call);
  g_test_add_func ("/Sp/Reader/pauses-when-deliveries-lag", test_pauses_when_deliveries_lag);
  ADD_DATAGRAMS_TEST ("/Sp/Reader/halt", test_halt);
  ADD_DATAGRAMS_TEST ("/Sp/Reader/undelivered", test_undelivered);
  ADD_DATAGRAMS_TEST ("/Sp/Reader/free-delivers-nothing", test_free_delivers_nothing);

  return g_test_run ();
}
