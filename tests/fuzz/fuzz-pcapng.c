/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>

#include "fuzz-common.h"
#include "sp-log-export.h"
#include "sp-pcapng.h"
#include "sp-traffic-log.h"

/* The pcapng writer's input is a traffic log: any sequence of events, in
 * any order, with any endpoints (a session file can make a log the writer
 * never saw in its tests). The input is a list of records:
 *
 *   kind call flags errno state socket local remote args detail len payload[len]
 *
 * one byte each but the payload; `local`, `remote`, `args` and `detail`
 * pick from strings the player really writes (the writer reads a socket's
 * type from socket()'s arguments, an accepted socket's id from accept()'s
 * result), or (high bit set) take a string from the input.
 * The first byte sets a small payload cap, so dropped payloads and the
 * marker event are exercised too. The same log also goes out as JSON
 * Lines and CSV. */

static const char * const endpoints[] = {
  NULL,
  "127.0.0.1:5000",
  "127.0.0.1:40000",
  "0.0.0.0:5000",
  "[::1]:5000",
  "[::1]:40001",
  "[::]:5000",
  "[::ffff:127.0.0.1]:5000",
  "[::ffff:127.0.0.1]:40001",
  "[fe80::1%lo]:9",
  "10.0.0.1:0",
  "255.255.255.255:9",
  "/tmp/sp.sock",
  "@playground",
  "(unnamed)",
  "",
};

static const char * const socket_ids[] = { NULL, "server", "client", "conn", "udp" };

static const char * const arguments[] = {
  NULL,
  "(socket.AF_INET, socket.SOCK_STREAM)",
  "(socket.AF_INET6, socket.SOCK_STREAM)",
  "(socket.AF_INET, socket.SOCK_DGRAM)",
  "(socket.AF_INET6, socket.SOCK_DGRAM)",
  "(socket.AF_UNIX, socket.SOCK_STREAM)",
  "(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)",
  "(socket.AF_INET, socket.SOCK_SEQPACKET)",
  "('127.0.0.1', 5000)",
  "socket.SHUT_RD",
  "socket.SHUT_WR",
  "socket.SHUT_RDWR",
  "1024",
};

static const char * const details[] = {
  NULL,
  "(conn, ('127.0.0.1', 40000))",
  "(conn, ('::1', 40001, 0, 0))",
  "(udp, ('127.0.0.1', 40000))",
  "(client, ('127.0.0.1', 5000))",
  "('127.0.0.1', 5000)",
  "b'Hello World'",
  "(",
  "(, ",
};

static const int error_codes[] = {
  0, ECONNREFUSED, ECONNRESET, EPIPE, EADDRINUSE, ETIMEDOUT, EAGAIN, EINVAL,
};

/* The log's strings are what the player formats: always UTF-8. */
static const char *
pick_string (SpFuzzInput        *input,
             const char * const *table,
             gsize               table_length,
             GPtrArray          *strings)
{
  guint8 choice = sp_fuzz_input_byte (input);
  g_autofree char *raw = NULL;
  char *text;

  if ((choice & 0x80) == 0)
    return table[choice % table_length];

  raw = sp_fuzz_input_string (input, choice & 0x3f, NULL);
  text = g_utf8_make_valid (raw, -1);
  g_ptr_array_add (strings, text);
  return text;
}

#define PICK(input, table, strings) pick_string (input, table, G_N_ELEMENTS (table), strings)

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  SpFuzzInput input = { data, size, 0 };
  g_autoptr(SpTrafficLog) log = sp_traffic_log_new ();
  g_autoptr(GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GBytes) pcapng = NULL;
  guint8 cap = sp_fuzz_input_byte (&input);

  if (cap != 0)
    sp_traffic_log_set_payload_cap (log, (guint64) cap * 16);

  while (input.pos < input.size)
    {
      SpEventInfo info = { 0 };
      guint8 flags;
      gsize length;
      char *payload;

      info.kind = sp_fuzz_input_byte (&input) % (SP_EVENT_DROPPED + 1);
      info.call = sp_fuzz_input_byte (&input) % SP_N_CALLS;
      flags = sp_fuzz_input_byte (&input);
      info.ok = (flags & 1) != 0;
      info.error_code = error_codes[sp_fuzz_input_byte (&input) % G_N_ELEMENTS (error_codes)];
      info.state = sp_fuzz_input_byte (&input) % SP_N_STATES;
      info.step = (flags & 2) != 0 ? (int) (flags >> 2) : -1;
      info.socket_id = socket_ids[sp_fuzz_input_byte (&input) % G_N_ELEMENTS (socket_ids)];
      info.local = PICK (&input, endpoints, strings);
      info.remote = PICK (&input, endpoints, strings);
      info.args = PICK (&input, arguments, strings);
      info.detail = PICK (&input, details, strings);

      payload = sp_fuzz_input_string (&input, sp_fuzz_input_byte (&input), &length);
      g_ptr_array_add (strings, payload);
      /* A send or recv reports its byte count; an EOF has no payload. */
      if (length > 0 || (flags & 4) != 0)
        {
          info.payload = (const guint8 *) payload;
          info.payload_len = length;
        }
      info.bytes = (flags & 8) != 0 ? length + (flags >> 4) : length;

      sp_traffic_log_append (log, &info);
    }

  pcapng = sp_pcapng_from_log (log);
  g_assert_nonnull (pcapng);

  for (SpLogFormat format = SP_LOG_FORMAT_JSONL; format <= SP_LOG_FORMAT_CSV; format++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = sp_log_export_to_bytes (log, format, &error);

      g_assert_no_error (error);
      g_assert_nonnull (bytes);
    }
  return 0;
}
