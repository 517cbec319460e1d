/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sp-pcapng.h"

#include "sp-endpoint.h"

/* pcapng block types and options (draft-ietf-opsawg-pcapng). */
#define BLOCK_SHB        0x0A0D0D0Au
#define BLOCK_IDB        0x00000001u
#define BLOCK_EPB        0x00000006u
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define OPT_END          0
#define OPT_COMMENT      1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME      2
#define OPT_IF_TSRESOL   9
#define LINKTYPE_ETHERNET 1

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define PROTO_TCP      6
#define PROTO_UDP      17

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

/* The largest TCP payload that fits an IPv4 packet's 16-bit total length
 * (65535 − 20 − 20); also within IPv6's payload length. */
#define TCP_SEGMENT_MAX 65495
#define UDP_PAYLOAD_MAX 65507

typedef struct
{
  gboolean v6;
  guint8   addr[16];  /* 4 bytes used for IPv4 */
  guint16  port;
} Endpoint;

typedef enum
{
  KIND_UNKNOWN,
  KIND_TCP,
  KIND_UDP,
  KIND_UNIX,
  KIND_OTHER,    /* raw, seqpacket: nothing Wireshark could follow */
} SocketKind;

/* One TCP connection; side 0 is the client (it sent the SYN). */
typedef struct
{
  Endpoint ends[2];
  guint32  next_seq[2];
  guint64  sent[2];        /* payload bytes each side sent */
  guint64  received[2];    /* payload bytes each side's socket read */
  guint    fin : 2;        /* bit per side */
  guint    reset : 1;
} Connection;

typedef struct
{
  GByteArray *out;           /* where the event being written goes */
  GHashTable *kinds;         /* socket id → SocketKind */
  GHashTable *learnt_kinds;  /* the same, for sp_pcapng_writer_learn */
  GHashTable *connections;   /* key → Connection */
  GHashTable *logged;        /* endpoint key of a socket in the log → itself */
  guint16     ip_id;
  guint       left_out_unix;
  guint       left_out_other;
  /* The event being written. */
  SpEvent    *event;
  gint64      time_us;
} Export;

/* Bytes */

static void
put_le16 (GByteArray *out,
          guint16     value)
{
  guint8 bytes[2] = { value & 0xff, value >> 8 };

  g_byte_array_append (out, bytes, 2);
}

static void
put_le32 (GByteArray *out,
          guint32     value)
{
  put_le16 (out, value & 0xffff);
  put_le16 (out, value >> 16);
}

static void
put_be16 (GByteArray *out,
          guint16     value)
{
  guint8 bytes[2] = { value >> 8, value & 0xff };

  g_byte_array_append (out, bytes, 2);
}

static void
put_be32 (GByteArray *out,
          guint32     value)
{
  put_be16 (out, value >> 16);
  put_be16 (out, value & 0xffff);
}

static void
pad32 (GByteArray *out)
{
  static const guint8 zeros[3] = { 0 };

  g_byte_array_append (out, zeros, (4 - out->len % 4) % 4);
}

static void
set_be16 (guint8  *at,
          guint16  value)
{
  at[0] = value >> 8;
  at[1] = value & 0xff;
}

/* The Internet checksum's running one's-complement sum (RFC 1071). */
static guint32
sum16 (guint32       sum,
       const guint8 *data,
       gsize         length)
{
  for (gsize i = 0; i + 1 < length; i += 2)
    sum += (data[i] << 8) | data[i + 1];
  if (length % 2 == 1)
    sum += data[length - 1] << 8;
  return sum;
}

static guint16
fold (guint32 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

/* pcapng blocks */

static void
put_option (GByteArray   *out,
            guint16       code,
            const void   *data,
            gsize         length)
{
  put_le16 (out, code);
  put_le16 (out, length);
  g_byte_array_append (out, data, length);
  pad32 (out);
}

static void
put_string_option (GByteArray *out,
                   guint16     code,
                   const char *text)
{
  put_option (out, code, text, strlen (text));
}

/* Blocks carry their length at both ends; it is known once the body is
 * written. */
static guint
begin_block (GByteArray *out,
             guint32     type)
{
  guint start = out->len;

  put_le32 (out, type);
  put_le32 (out, 0);
  return start;
}

static void
end_block (GByteArray *out,
           guint       start)
{
  guint32 length = out->len - start + 4;

  put_le32 (out, length);
  for (guint i = 0; i < 4; i++)
    out->data[start + 4 + i] = (length >> (8 * i)) & 0xff;
}

static void
write_section_header (GByteArray *out,
                      const char *comment)
{
  guint start = begin_block (out, BLOCK_SHB);

  put_le32 (out, BYTE_ORDER_MAGIC);
  put_le16 (out, 1);
  put_le16 (out, 0);
  /* Section length unknown. */
  put_le32 (out, 0xffffffffu);
  put_le32 (out, 0xffffffffu);
  if (comment != NULL)
    put_string_option (out, OPT_COMMENT, comment);
  put_string_option (out, OPT_SHB_USERAPPL, "Socket Playground " PACKAGE_VERSION);
  put_option (out, OPT_END, NULL, 0);
  end_block (out, start);
}

static void
write_interface (GByteArray *out)
{
  guint start = begin_block (out, BLOCK_IDB);
  guint8 microseconds = 6;

  put_le16 (out, LINKTYPE_ETHERNET);
  put_le16 (out, 0);
  put_le32 (out, 0);  /* no snapshot length limit */
  put_string_option (out, OPT_IF_NAME, "synthesized from the traffic log");
  put_option (out, OPT_IF_TSRESOL, &microseconds, 1);
  put_option (out, OPT_END, NULL, 0);
  end_block (out, start);
}

static void
write_packet (Export       *export,
              const guint8 *frame,
              guint         captured,
              guint         original)
{
  GByteArray *out = export->out;
  guint start = begin_block (out, BLOCK_EPB);
  guint64 time = export->time_us;
  g_autofree char *comment = NULL;

  put_le32 (out, 0);
  put_le32 (out, time >> 32);
  put_le32 (out, time & 0xffffffffu);
  put_le32 (out, captured);
  put_le32 (out, original);
  g_byte_array_append (out, frame, captured);
  pad32 (out);

  comment = g_strdup_printf ("event %u: %s %s", sp_event_get_seq (export->event),
                             sp_event_get_socket_id (export->event) != NULL
                             ? sp_event_get_socket_id (export->event) : "-",
                             sp_call_to_string (sp_event_get_call (export->event)));
  put_string_option (out, OPT_COMMENT, comment);
  put_option (out, OPT_END, NULL, 0);
  end_block (out, start);
}

/* Packets */

static guint
address_length (const Endpoint *end)
{
  return end->v6 ? 16 : 4;
}

static void
put_ethernet (GByteArray     *frame,
              const Endpoint *src)
{
  static const guint8 zero_macs[12] = { 0 };

  g_byte_array_append (frame, zero_macs, sizeof zero_macs);
  put_be16 (frame, src->v6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4);
}

static void
put_ip (Export         *export,
        GByteArray     *frame,
        const Endpoint *src,
        const Endpoint *dst,
        guint8          protocol,
        gsize           l4_length)
{
  guint start = frame->len;

  if (src->v6)
    {
      put_be32 (frame, 0x60000000u);
      put_be16 (frame, l4_length);
      g_byte_array_append (frame, &protocol, 1);
      g_byte_array_append (frame, (const guint8 *) "\x40", 1);  /* hop limit 64 */
    }
  else
    {
      static const guint8 ttl = 64;

      put_be16 (frame, 0x4500);
      put_be16 (frame, 20 + l4_length);
      put_be16 (frame, export->ip_id++);
      put_be16 (frame, 0x4000);  /* don't fragment */
      g_byte_array_append (frame, &ttl, 1);
      g_byte_array_append (frame, &protocol, 1);
      put_be16 (frame, 0);
    }

  g_byte_array_append (frame, src->addr, address_length (src));
  g_byte_array_append (frame, dst->addr, address_length (dst));

  if (!src->v6)
    set_be16 (frame->data + start + 10, fold (sum16 (0, frame->data + start, 20)));
}

/* The sum of the pseudo-header that TCP and UDP checksums cover. */
static guint32
pseudo_header_sum (const Endpoint *src,
                   const Endpoint *dst,
                   guint8          protocol,
                   gsize           l4_length)
{
  guint32 sum = 0;

  sum = sum16 (sum, src->addr, address_length (src));
  sum = sum16 (sum, dst->addr, address_length (dst));
  sum += protocol;
  sum += l4_length & 0xffff;
  sum += l4_length >> 16;
  return sum;
}

/* Ethernet + IP + the L4 header in `l4` (checksum field at
 * `checksum_offset`, zero) + payload. A NULL payload of `length` bytes
 * was dropped by the log cap: only the headers are captured. */
static void
emit (Export         *export,
      const Endpoint *src,
      const Endpoint *dst,
      guint8          protocol,
      GByteArray     *l4,
      guint           checksum_offset,
      const guint8   *payload,
      gsize           length)
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  gsize l4_length = l4->len + length;
  guint32 sum;
  guint16 checksum;
  guint captured;

  sum = pseudo_header_sum (src, dst, protocol, l4_length);
  sum = sum16 (sum, l4->data, l4->len);
  /* An odd-length header never happens (TCP and UDP headers are even), so
   * the payload's sum continues on a 16-bit boundary. */
  if (payload != NULL)
    sum = sum16 (sum, payload, length);
  checksum = fold (sum);
  /* UDP sends a computed 0 as 0xffff: 0 means "no checksum". */
  if (protocol == PROTO_UDP && checksum == 0)
    checksum = 0xffff;
  set_be16 (l4->data + checksum_offset, checksum);

  put_ethernet (frame, src);
  put_ip (export, frame, src, dst, protocol, l4_length);
  g_byte_array_append (frame, l4->data, l4->len);
  captured = frame->len;
  if (payload != NULL)
    {
      g_byte_array_append (frame, payload, length);
      captured = frame->len;
    }

  write_packet (export, frame->data, captured, frame->len + (payload != NULL ? 0 : length));
}

static void
emit_udp (Export         *export,
          const Endpoint *src,
          const Endpoint *dst,
          const guint8   *payload,
          gsize           length)
{
  g_autoptr(GByteArray) header = g_byte_array_new ();

  if (length > UDP_PAYLOAD_MAX)
    return;

  put_be16 (header, src->port);
  put_be16 (header, dst->port);
  put_be16 (header, 8 + length);
  put_be16 (header, 0);
  emit (export, src, dst, PROTO_UDP, header, 6, payload, length);
}

/* A segment from `side` with the next sequence number and, with ACK,
 * everything the other side sent so far acknowledged. */
static void
emit_tcp (Export       *export,
          Connection   *connection,
          int           side,
          guint8        flags,
          const guint8 *payload,
          gsize         length)
{
  g_autoptr(GByteArray) header = g_byte_array_new ();
  const Endpoint *src = &connection->ends[side];
  const Endpoint *dst = &connection->ends[!side];

  put_be16 (header, src->port);
  put_be16 (header, dst->port);
  put_be32 (header, connection->next_seq[side]);
  put_be32 (header, (flags & TCP_ACK) ? connection->next_seq[!side] : 0);
  put_be16 (header, (5 << 12) | flags);
  put_be16 (header, 65535);  /* window */
  put_be16 (header, 0);
  put_be16 (header, 0);
  emit (export, src, dst, PROTO_TCP, header, 16, payload, length);

  connection->next_seq[side] += length + ((flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
}

/* Endpoints */

static gboolean
is_v4_mapped (const guint8 *addr)
{
  static const guint8 prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  return memcmp (addr, prefix, 12) == 0;
}

/* "127.0.0.1:5000" or "[::1]:5000", as sp_endpoint_format writes them;
 * IPv4-mapped IPv6 becomes IPv4, as it is on the wire. */
static gboolean
endpoint_parse (const char *text,
                Endpoint   *end)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *host = NULL;
  const guint8 *bytes;
  int port;

  if (!sp_endpoint_split_text (text, &host, &port) ||
      (address = g_inet_address_new_from_string (host)) == NULL)
    return FALSE;
  end->port = (guint16) port;

  memset (end->addr, 0, sizeof end->addr);
  bytes = g_inet_address_to_bytes (address);
  end->v6 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6;
  if (end->v6 && is_v4_mapped (bytes))
    {
      end->v6 = FALSE;
      bytes += 12;
    }
  memcpy (end->addr, bytes, address_length (end));
  return TRUE;
}

static gboolean
endpoint_is_wildcard (const Endpoint *end)
{
  static const guint8 zeros[16] = { 0 };

  return memcmp (end->addr, zeros, address_length (end)) == 0;
}

static gboolean
endpoint_is_loopback (const Endpoint *end)
{
  static const guint8 v6_loopback[16] = { [15] = 1 };

  if (end->v6)
    return memcmp (end->addr, v6_loopback, 16) == 0;
  return end->addr[0] == 127;
}

/* A socket bound to the wildcard sends from the address the route to the
 * peer gives it: on loopback that is 127.0.0.1 or ::1. */
static void
endpoint_resolve_wildcard (Endpoint       *local,
                           const Endpoint *remote)
{
  if (!endpoint_is_wildcard (local) || !endpoint_is_loopback (remote))
    return;

  local->v6 = remote->v6;
  memset (local->addr, 0, sizeof local->addr);
  if (local->v6)
    local->addr[15] = 1;
  else
    {
      local->addr[0] = 127;
      local->addr[3] = 1;
    }
}

static gboolean
endpoint_equal (const Endpoint *a,
                const Endpoint *b)
{
  return a->v6 == b->v6 && a->port == b->port &&
         memcmp (a->addr, b->addr, address_length (a)) == 0;
}

static char *
endpoint_key (const char     *protocol,
              const Endpoint *end,
              gboolean        any_address)
{
  GString *key = g_string_new (protocol);

  g_string_append_printf (key, ":%c:", end->v6 ? '6' : '4');
  for (guint i = 0; !any_address && i < address_length (end); i++)
    g_string_append_printf (key, "%02x", end->addr[i]);
  g_string_append_printf (key, ":%u", end->port);
  return g_string_free (key, FALSE);
}

/* The event's two endpoints, the local one resolved from the wildcard. */
static gboolean
event_endpoints (SpEvent  *event,
                 Endpoint *local,
                 Endpoint *remote)
{
  if (!endpoint_parse (sp_event_get_local (event), local) ||
      !endpoint_parse (sp_event_get_remote (event), remote))
    return FALSE;

  endpoint_resolve_wildcard (local, remote);
  return local->v6 == remote->v6;
}

/* Sockets */

static const char *
kind_protocol (SocketKind kind)
{
  return kind == KIND_TCP ? "tcp" : "udp";
}

static SocketKind
kind_from_socket_args (const char *args)
{
  if (args == NULL)
    return KIND_UNKNOWN;
  if (strstr (args, "AF_UNIX") != NULL)
    return KIND_UNIX;
  if (strstr (args, "SOCK_STREAM") != NULL)
    return KIND_TCP;
  if (strstr (args, "SOCK_DGRAM") != NULL)
    return KIND_UDP;
  return KIND_OTHER;
}

/* accept's result reads "(conn, ('127.0.0.1', 5000))": the new socket's
 * id comes first. */
static char *
accepted_id (SpEvent *event)
{
  const char *detail = sp_event_get_detail (event);
  const char *comma;

  if (detail == NULL || detail[0] != '(' || (comma = strstr (detail, ", ")) == NULL)
    return NULL;
  return g_strndup (detail + 1, comma - detail - 1);
}

/* What the socket() and accept() events say about each socket id; read as
 * the events come, since a restarted session may reuse an id. */
static void
learn_kind (GHashTable *kinds,
            SpEvent    *event)
{
  const char *id = sp_event_get_socket_id (event);

  if (id == NULL || sp_event_get_kind (event) != SP_EVENT_CALL || !sp_event_get_ok (event))
    return;

  if (sp_event_get_call (event) == SP_CALL_SOCKET)
    g_hash_table_insert (kinds, g_strdup (id),
                         GUINT_TO_POINTER (kind_from_socket_args (sp_event_get_args (event))));
  else if (sp_event_get_call (event) == SP_CALL_ACCEPT)
    {
      char *accepted = accepted_id (event);

      if (accepted != NULL)
        g_hash_table_insert (kinds, accepted, g_hash_table_lookup (kinds, id));
    }
}

static SocketKind
socket_kind (Export  *export,
             SpEvent *event)
{
  const char *id = sp_event_get_socket_id (event);

  if (id == NULL)
    return KIND_UNKNOWN;
  return GPOINTER_TO_UINT (g_hash_table_lookup (export->kinds, id));
}

static void
add_logged (GHashTable *logged,
            const char *protocol,
            const char *text)
{
  Endpoint end;

  if (!endpoint_parse (text, &end))
    return;

  g_hash_table_add (logged, endpoint_key (protocol, &end, endpoint_is_wildcard (&end)));
}

/* Which endpoints belong to sockets in the log: their SENT events are the
 * truth for what they sent, and the peer's RECEIVED events are not used. */
static void
learn_logged_endpoint (Export  *export,
                       SpEvent *event)
{
  const char *id = sp_event_get_socket_id (event);
  SocketKind kind;

  learn_kind (export->learnt_kinds, event);
  if (id == NULL)
    return;
  kind = GPOINTER_TO_UINT (g_hash_table_lookup (export->learnt_kinds, id));
  if (kind == KIND_TCP || kind == KIND_UDP)
    add_logged (export->logged, kind_protocol (kind), sp_event_get_local (event));
}

static gboolean
sender_is_logged (Export         *export,
                  SocketKind      kind,
                  const Endpoint *sender)
{
  g_autofree char *exact = endpoint_key (kind_protocol (kind), sender, FALSE);
  g_autofree char *any = endpoint_key (kind_protocol (kind), sender, TRUE);

  return g_hash_table_contains (export->logged, exact) ||
         g_hash_table_contains (export->logged, any);
}

/* TCP */

static char *
connection_key (const Endpoint *a,
                const Endpoint *b)
{
  g_autofree char *key_a = endpoint_key ("tcp", a, FALSE);
  g_autofree char *key_b = endpoint_key ("tcp", b, FALSE);

  /* The same key from either end. */
  if (strcmp (key_a, key_b) < 0)
    return g_strconcat (key_a, " ", key_b, NULL);
  return g_strconcat (key_b, " ", key_a, NULL);
}

static Connection *
lookup_connection (Export         *export,
                   const Endpoint *local,
                   const Endpoint *remote,
                   int            *side)
{
  g_autofree char *key = connection_key (local, remote);
  Connection *connection = g_hash_table_lookup (export->connections, key);

  if (connection == NULL)
    return NULL;

  *side = endpoint_equal (&connection->ends[0], local) ? 0 : 1;
  return connection;
}

/* Initial sequence numbers differ per connection and side, and the same
 * log always gives the same file. */
static guint32
initial_sequence (const Endpoint *end)
{
  guint32 hash = end->port * 2654435761u;

  for (guint i = 0; i < address_length (end); i++)
    hash = hash * 31 + end->addr[i];
  return hash;
}

static Connection *
open_connection (Export         *export,
                 const Endpoint *client,
                 const Endpoint *server)
{
  Connection *connection = g_new0 (Connection, 1);

  connection->ends[0] = *client;
  connection->ends[1] = *server;
  for (int side = 0; side < 2; side++)
    connection->next_seq[side] = initial_sequence (&connection->ends[side]);
  g_hash_table_replace (export->connections, connection_key (client, server), connection);

  emit_tcp (export, connection, 0, TCP_SYN, NULL, 0);
  emit_tcp (export, connection, 1, TCP_SYN | TCP_ACK, NULL, 0);
  emit_tcp (export, connection, 0, TCP_ACK, NULL, 0);
  return connection;
}

static gboolean
connection_is_over (Connection *connection)
{
  return connection->reset || connection->fin == 3;
}

/* The connection the event belongs to, opened now if the log has not
 * shown its start (a peer outside the session connected): the event's
 * socket is then the server. */
static Connection *
event_connection (Export   *export,
                  Endpoint *local,
                  Endpoint *remote,
                  int      *side)
{
  Connection *connection;

  if (!event_endpoints (export->event, local, remote))
    return NULL;

  connection = lookup_connection (export, local, remote, side);
  if (connection == NULL)
    {
      connection = open_connection (export, remote, local);
      *side = 1;
    }
  return connection;
}

static void
tcp_data (Export       *export,
          Connection   *connection,
          int           side,
          const guint8 *payload,
          gsize         length)
{
  for (gsize offset = 0; offset < length; offset += TCP_SEGMENT_MAX)
    {
      gsize chunk = MIN (length - offset, TCP_SEGMENT_MAX);

      emit_tcp (export, connection, side, TCP_PSH | TCP_ACK,
                payload != NULL ? payload + offset : NULL, chunk);
      emit_tcp (export, connection, !side, TCP_ACK, NULL, 0);
    }
  connection->sent[side] += length;
}

static void
tcp_fin (Export     *export,
         Connection *connection,
         int         side)
{
  if (connection->reset || (connection->fin & (1 << side)))
    return;

  emit_tcp (export, connection, side, TCP_FIN | TCP_ACK, NULL, 0);
  emit_tcp (export, connection, !side, TCP_ACK, NULL, 0);
  connection->fin |= 1 << side;
}

static void
tcp_reset (Export     *export,
           Connection *connection,
           int         side)
{
  if (connection->reset)
    return;

  emit_tcp (export, connection, side, TCP_RST | TCP_ACK, NULL, 0);
  connection->reset = TRUE;
}

static void
tcp_refused (Export *export)
{
  Endpoint local;
  Endpoint remote;
  Connection connection = { 0 };

  if (!event_endpoints (export->event, &local, &remote))
    return;

  connection.ends[0] = local;
  connection.ends[1] = remote;
  connection.next_seq[0] = initial_sequence (&local);
  emit_tcp (export, &connection, 0, TCP_SYN, NULL, 0);
  emit_tcp (export, &connection, 1, TCP_RST | TCP_ACK, NULL, 0);
}

static void
tcp_connected (Export   *export,
               gboolean  client)
{
  Endpoint local;
  Endpoint remote;
  Connection *connection;
  int side;

  /* A listener bound to the wildcard names no local address in accept:
   * the accepted socket's first event opens the connection instead. */
  if (!event_endpoints (export->event, &local, &remote) || endpoint_is_wildcard (&local))
    return;

  connection = lookup_connection (export, &local, &remote, &side);
  if (connection != NULL && !connection_is_over (connection))
    return;

  if (client)
    open_connection (export, &local, &remote);
  else
    open_connection (export, &remote, &local);
}

static void
tcp_closed (Export *export)
{
  Endpoint local;
  Endpoint remote;
  Connection *connection;
  int side;

  if (!event_endpoints (export->event, &local, &remote))
    return;
  connection = lookup_connection (export, &local, &remote, &side);
  if (connection == NULL)
    return;

  /* Linux answers a close() with unread data by a reset. */
  if (connection->received[side] < connection->sent[!side])
    tcp_reset (export, connection, side);
  else
    tcp_fin (export, connection, side);
}

static void
tcp_call (Export *export)
{
  SpEvent *event = export->event;
  SpCall call = sp_event_get_call (event);
  const char *args = sp_event_get_args (event);
  Endpoint local;
  Endpoint remote;
  Connection *connection;
  int side;

  if (!sp_event_get_ok (event))
    {
      if ((call == SP_CALL_CONNECT || call == SP_CALL_CONNECT_EX) &&
          sp_event_get_error_code (event) == ECONNREFUSED)
        tcp_refused (export);
      else if (sp_event_get_error_code (event) == ECONNRESET &&
               event_endpoints (event, &local, &remote) &&
               (connection = lookup_connection (export, &local, &remote, &side)) != NULL)
        tcp_reset (export, connection, !side);
      return;
    }

  switch (call)
    {
    case SP_CALL_CONNECT:
    case SP_CALL_CONNECT_EX:
      tcp_connected (export, TRUE);
      break;

    case SP_CALL_ACCEPT:
      tcp_connected (export, FALSE);
      break;

    case SP_CALL_SHUTDOWN:
      if (args != NULL && g_str_has_suffix (args, "SHUT_RD"))
        break;
      if ((connection = event_connection (export, &local, &remote, &side)) != NULL)
        tcp_fin (export, connection, side);
      break;

    case SP_CALL_CLOSE:
      tcp_closed (export);
      break;

    case SP_CALL_SOCKET:
    case SP_CALL_SETSOCKOPT:
    case SP_CALL_BIND:
    case SP_CALL_LISTEN:
    case SP_CALL_SEND:
    case SP_CALL_SENDALL:
    case SP_CALL_SENDTO:
    case SP_CALL_RECV:
    case SP_CALL_RECVFROM:
    case SP_CALL_RECV_INTO:
    case SP_CALL_RECVFROM_INTO:
    case SP_CALL_GETSOCKNAME:
    case SP_CALL_GETPEERNAME:
    case SP_CALL_GETHOSTNAME:
    case SP_CALL_GETHOSTBYNAME:
    case SP_CALL_GETADDRINFO:
    case SP_CALL_SERVE:
    case SP_CALL_SLEEP:
    case SP_CALL_NOTE:
    case SP_N_CALLS:
    default:
      break;
    }
}

static void
tcp_transfer (Export       *export,
              const guint8 *payload,
              gsize         length)
{
  SpEvent *event = export->event;
  gboolean sent = sp_event_get_kind (event) == SP_EVENT_SENT;
  Endpoint local;
  Endpoint remote;
  Connection *connection;
  int side;

  connection = event_connection (export, &local, &remote, &side);
  if (connection == NULL || connection_is_over (connection))
    return;

  if (sent)
    {
      if (length > 0)
        tcp_data (export, connection, side, payload, length);
      return;
    }

  connection->received[side] += length;
  if (sender_is_logged (export, KIND_TCP, &remote))
    return;
  if (length > 0)
    tcp_data (export, connection, !side, payload, length);
  else
    tcp_fin (export, connection, !side);
}

/* UDP */

static void
udp_transfer (Export       *export,
              const guint8 *payload,
              gsize         length)
{
  Endpoint local;
  Endpoint remote;

  if (!event_endpoints (export->event, &local, &remote))
    return;

  if (sp_event_get_kind (export->event) == SP_EVENT_SENT)
    emit_udp (export, &local, &remote, payload, length);
  else if (!sender_is_logged (export, KIND_UDP, &remote))
    emit_udp (export, &remote, &local, payload, length);
}

/* Events */

static void
export_transfer (Export     *export,
                 SocketKind  kind,
                 GBytes     *payload)
{
  SpEvent *event = export->event;
  gsize length = sp_event_get_bytes (event);
  const guint8 *data = NULL;

  /* The byte count is the event's, the payload what the log kept: one
   * shorter than the count is written as dropped, never read past its end. */
  if (payload != NULL && g_bytes_get_size (payload) >= length)
    data = g_bytes_get_data (payload, NULL);

  /* A datagram an impairment dropped or kept back never was on the wire
   * at the time of its call; a late one is, at the time it left. A stream's
   * sendall that failed part way put the bytes it counts on the wire. */
  if (!(sp_event_get_ok (event) ||
        (kind == KIND_TCP && sp_event_get_kind (event) == SP_EVENT_SENT && length > 0)) ||
      !sp_impaired_is_on_wire (sp_event_get_impaired (event)))
    return;

  switch (kind)
    {
    case KIND_TCP:
      tcp_transfer (export, data, length);
      break;
    case KIND_UDP:
      udp_transfer (export, data, length);
      break;
    case KIND_UNIX:
      export->left_out_unix++;
      break;
    case KIND_OTHER:
      export->left_out_other++;
      break;
    case KIND_UNKNOWN:
    default:
      break;
    }
}

static void
export_event (Export *export,
              GBytes *payload)
{
  SpEvent *event = export->event;
  SocketKind kind;

  learn_kind (export->kinds, event);
  kind = socket_kind (export, event);
  /* A writer fed as the log grows knows a socket from its first events;
   * one given the whole log has learnt every socket beforehand. */
  if (kind == KIND_TCP || kind == KIND_UDP)
    add_logged (export->logged, kind_protocol (kind), sp_event_get_local (event));

  switch (sp_event_get_kind (event))
    {
    case SP_EVENT_CALL:
      if (kind == KIND_TCP)
        tcp_call (export);
      break;

    case SP_EVENT_SENT:
    case SP_EVENT_RECEIVED:
      export_transfer (export, kind, payload);
      break;

    case SP_EVENT_NOTE:
    case SP_EVENT_DROPPED:
    default:
      break;
    }
}

static char *
left_out_comment (Export *export)
{
  GString *comment;

  if (export->left_out_unix == 0 && export->left_out_other == 0)
    return NULL;

  comment = g_string_new ("Socket Playground left out of this capture ");
  if (export->left_out_unix > 0)
    g_string_append_printf (comment, "%u data events on UNIX-domain sockets "
                            "(there is no link type for them)", export->left_out_unix);
  if (export->left_out_unix > 0 && export->left_out_other > 0)
    g_string_append (comment, " and ");
  if (export->left_out_other > 0)
    g_string_append_printf (comment, "%u data events on raw or seqpacket sockets "
                            "(only TCP and UDP are synthesized)", export->left_out_other);
  g_string_append_c (comment, '.');
  return g_string_free (comment, FALSE);
}

/* The writer */

struct _SpPcapngWriter
{
  Export export;
};

SpPcapngWriter *
sp_pcapng_writer_new (void)
{
  SpPcapngWriter *self = g_new0 (SpPcapngWriter, 1);

  self->export.kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->export.learnt_kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->export.connections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->export.logged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
sp_pcapng_writer_free (SpPcapngWriter *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->export.kinds);
  g_hash_table_unref (self->export.learnt_kinds);
  g_hash_table_unref (self->export.connections);
  g_hash_table_unref (self->export.logged);
  g_free (self);
}

void
sp_pcapng_writer_learn (SpPcapngWriter *self,
                        SpEvent        *event)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (SP_IS_EVENT (event));

  learn_logged_endpoint (&self->export, event);
}

void
sp_pcapng_writer_add_event (SpPcapngWriter *self,
                            SpEvent        *event,
                            GBytes         *payload,
                            GByteArray     *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (SP_IS_EVENT (event));
  g_return_if_fail (out != NULL);

  self->export.out = out;
  self->export.event = event;
  self->export.time_us = sp_event_get_wall_time_us (event);
  export_event (&self->export, payload);
  self->export.event = NULL;
  self->export.out = NULL;
}

void
sp_pcapng_writer_write_header (SpPcapngWriter *self,
                               GByteArray     *out)
{
  g_autofree char *comment = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  comment = left_out_comment (&self->export);
  write_section_header (out, comment);
  write_interface (out);
}

GBytes *
sp_pcapng_from_log (SpTrafficLog *log)
{
  g_autoptr(SpPcapngWriter) writer = NULL;
  g_autoptr(GByteArray) packets = g_byte_array_new ();
  g_autoptr(GByteArray) file = g_byte_array_new ();
  guint n;

  g_return_val_if_fail (SP_IS_TRAFFIC_LOG (log), NULL);

  writer = sp_pcapng_writer_new ();
  n = sp_traffic_log_get_n_appended (log);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      sp_pcapng_writer_learn (writer, event);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);
      g_autoptr(GBytes) payload = sp_event_get_payload (event);

      sp_pcapng_writer_add_event (writer, event, payload, packets);
    }

  /* The section header comes first but says what was left out. */
  sp_pcapng_writer_write_header (writer, file);
  g_byte_array_append (file, packets->data, packets->len);

  return g_byte_array_free_to_bytes (g_steal_pointer (&file));
}
