/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "sp-pcapng.h"
#include "sp-player.h"
#include "sp-presets.h"
#include "sp-test-util.h"

/* The captures are read back by the real tshark: the specification of
 * "Wireshark dissects it" is Wireshark. Checksums are verified (tshark
 * does not by default) and the ports of the session are decoded as plain
 * data, so an ephemeral port that happens to be some protocol's cannot
 * make "Hello World" look malformed. */

typedef struct
{
  char      *path;
  GPtrArray *ports;   /* "tcp.port==N,data" decode-as rules */
} Capture;

static void
capture_clear (Capture *capture)
{
  if (capture->path != NULL)
    g_unlink (capture->path);
  g_clear_pointer (&capture->path, g_free);
  g_clear_pointer (&capture->ports, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Capture, capture_clear)

static gboolean
have_tshark (void)
{
  g_autofree char *tshark = g_find_program_in_path ("tshark");

  if (tshark == NULL)
    g_test_skip ("tshark is not installed (Debian package tshark)");
  return tshark != NULL;
}

static void
add_port_rule (GPtrArray  *ports,
               const char *endpoint)
{
  const char *colon = endpoint != NULL ? strrchr (endpoint, ':') : NULL;

  if (colon == NULL)
    return;
  g_ptr_array_add (ports, g_strdup_printf ("tcp.port==%s,data", colon + 1));
  g_ptr_array_add (ports, g_strdup_printf ("udp.port==%s,data", colon + 1));
}

static void
write_capture (SpTrafficLog *log,
               Capture      *capture)
{
  g_autoptr(GBytes) bytes = sp_pcapng_from_log (log);
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  int fd = g_file_open_tmp ("sp-test-XXXXXX.pcapng", &capture->path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (capture->path, data, size, &error);
  g_assert_no_error (error);

  capture->ports = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < sp_traffic_log_get_n_appended (log); i++)
    {
      g_autoptr(SpEvent) event = sp_traffic_log_get_event (log, i);

      add_port_rule (capture->ports, sp_event_get_local (event));
      add_port_rule (capture->ports, sp_event_get_remote (event));
    }
}

/* tshark -r CAPTURE (checksums on, ports as data) EXTRA…; its stdout. */
static char *
tshark (Capture    *capture,
        const char *first,
        ...)
{
  static const char *checks[] = {
    "ip.check_checksum:TRUE", "tcp.check_checksum:TRUE", "udp.check_checksum:TRUE",
  };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) "tshark");
  g_ptr_array_add (argv, (char *) "-r");
  g_ptr_array_add (argv, capture->path);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_ptr_array_add (argv, (char *) "-o");
      g_ptr_array_add (argv, (char *) checks[i]);
    }
  for (guint i = 0; i < capture->ports->len; i++)
    {
      g_ptr_array_add (argv, (char *) "-d");
      g_ptr_array_add (argv, capture->ports->pdata[i]);
    }
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("tshark failed: %s\n%s", error->message, err);

  return g_steal_pointer (&out);
}

/* Frames as "number<TAB>flags-or-udp<TAB>src port<TAB>payload hex" lines. */
static GStrv
frames (Capture *capture)
{
  g_autofree char *out = tshark (capture, "-T", "fields", "-e", "frame.number",
                                 "-e", "tcp.flags.str", "-e", "tcp.srcport",
                                 "-e", "udp.srcport", "-e", "tcp.payload",
                                 "-e", "udp.payload", NULL);

  /* Only the last line break: trailing empty fields are tabs. */
  if (g_str_has_suffix (out, "\n"))
    out[strlen (out) - 1] = '\0';
  return g_strsplit (out, "\n", -1);
}

/* No malformed packet, no TCP analysis finding (previous segment not
 * captured, ACKed unseen segment, retransmission, window full…), no
 * expert warning or error (bad checksums are errors) but the "Connection
 * reset (RST)" warning of each of the `resets` RSTs the log asks for. */
static void
assert_clean (Capture *capture,
              guint    resets)
{
  g_autofree char *flagged = tshark (capture, "-Y",
                                     "_ws.malformed || tcp.analysis.flags || "
                                     "(_ws.expert.severity >= \"Warning\" && "
                                     "tcp.flags.reset == 0)", NULL);
  g_autofree char *expert = tshark (capture, "-q", "-z", "expert,warn", NULL);
  g_autofree char *expected = NULL;

  g_assert_cmpstr (g_strstrip (flagged), ==, "");
  if (resets == 0)
    {
      g_assert_cmpstr (g_strstrip (expert), ==, "");
      return;
    }

  expected = g_strdup_printf ("Warns (%u)", resets);
  g_assert_nonnull (strstr (expert, expected));
  g_assert_nonnull (strstr (expert, "Connection reset (RST)"));
  g_assert_null (strstr (expert, "Errors"));
}

static char *
port_of (SpTrafficLog *log,
         const char   *socket_id,
         SpEventKind   kind,
         SpCall        call)
{
  g_autoptr(SpEvent) event = sp_test_find_event (log, socket_id, kind, call);

  g_assert_nonnull (event);
  return g_strdup (strrchr (sp_event_get_local (event), ':') + 1);
}

/* One line of frames(): `flags` as tshark writes them (NULL for UDP), the
 * source port and the payload hex ("" for none). */
static void
assert_frame (const char *line,
              const char *flags,
              const char *port,
              const char *payload)
{
  g_auto(GStrv) fields = g_strsplit (line, "\t", -1);

  g_assert_cmpuint (g_strv_length (fields), ==, 6);
  if (flags != NULL)
    g_assert_cmpstr (fields[1], ==, flags);
  else
    g_assert_cmpstr (fields[1], ==, "");
  g_assert_cmpstr (*fields[2] != '\0' ? fields[2] : fields[3], ==, port);
  g_assert_cmpstr (*fields[4] != '\0' ? fields[4] : fields[5], ==, payload);
}

#define HELLO_WORLD "48656c6c6f20576f726c64"
/* tcp.flags.str: Reserved, Nonce, CWR, ECN-Echo, Urgent, Acknowledgment,
 * Push, Reset, Syn, Fin. */
#define SYN     "··········S·"
#define SYN_ACK "·······A··S·"
#define ACK     "·······A····"
#define PSH_ACK "·······AP···"
#define FIN_ACK "·······A···F"
#define RST_ACK "·······A·R··"

/* tcp-echo: the handshake, "Hello World" each way, each acknowledged, and
 * a FIN from each side, acknowledged: 3 + 4 + 4 frames. The bytes are in
 * the log twice (sent and received) and in the capture once each way. */
static void
test_tcp_echo (SpTestFixture *fixture,
               gconstpointer  data)
{
  g_autoptr(SpPlayer) player = NULL;
  g_auto(Capture) capture = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *client = NULL;
  g_autofree char *server = NULL;

  if (!have_tshark ())
    return;

  player = sp_test_run_preset (fixture, "tcp-echo");
  write_capture (fixture->log, &capture);
  client = port_of (fixture->log, "client", SP_EVENT_SENT, SP_CALL_SENDALL);
  server = port_of (fixture->log, "conn", SP_EVENT_SENT, SP_CALL_SENDALL);

  lines = frames (&capture);
  g_assert_cmpuint (g_strv_length (lines), ==, 11);
  assert_frame (lines[0], SYN, client, "");
  assert_frame (lines[1], SYN_ACK, server, "");
  assert_frame (lines[2], ACK, client, "");
  assert_frame (lines[3], PSH_ACK, client, HELLO_WORLD);
  assert_frame (lines[4], ACK, server, "");
  assert_frame (lines[5], PSH_ACK, server, HELLO_WORLD);
  assert_frame (lines[6], ACK, client, "");
  assert_frame (lines[7], FIN_ACK, client, "");
  assert_frame (lines[8], ACK, server, "");
  assert_frame (lines[9], FIN_ACK, server, "");
  assert_frame (lines[10], ACK, client, "");
  assert_clean (&capture, 0);
}

static void
test_udp (SpTestFixture *fixture,
          gconstpointer  data)
{
  g_autoptr(SpPlayer) player = NULL;
  g_auto(Capture) capture = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *client = NULL;
  g_autofree char *server = NULL;

  if (!have_tshark ())
    return;

  player = sp_test_run_preset (fixture, "udp");
  write_capture (fixture->log, &capture);
  client = port_of (fixture->log, "client", SP_EVENT_SENT, SP_CALL_SENDTO);
  server = port_of (fixture->log, "server", SP_EVENT_SENT, SP_CALL_SENDTO);

  lines = frames (&capture);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  assert_frame (lines[0], NULL, client, "48656c6c6f206f76657220554450");
  assert_frame (lines[1], NULL, server, "676f74206974");
  assert_clean (&capture, 0);
}

static void
append (SpTrafficLog *log,
        SpEventKind   kind,
        SpCall        call,
        const char   *socket_id,
        const char   *local,
        const char   *remote,
        const char   *payload,
        const char   *args,
        const char   *detail)
{
  gsize length = payload != NULL ? strlen (payload) : 0;
  SpEventInfo info = {
    .kind = kind,
    .call = call,
    .ok = TRUE,
    .state = SP_STATE_CONNECTED,
    .step = -1,
    .socket_id = socket_id,
    .local = local,
    .remote = remote,
    .bytes = length,
    .payload = (const guint8 *) payload,
    .payload_len = length,
    .detail = detail,
    .args = args,
  };

  sp_traffic_log_append (log, &info);
}

/* A server bound to the wildcard, its peer outside the session (no events
 * of its own): the peer's data comes from the RECEIVED events, its FIN
 * from the EOF. A second connection, from a client in the log (its
 * SENT events are the truth, IPv4-mapped addresses are IPv4 on the
 * wire), is closed with a byte unread, which Linux answers with a reset.
 * UNIX-domain data is left out, and said so. */
/* An impaired client: only what went on the wire, in the order it went,
 * the late datagrams and the copy included and the dropped one left out. */
static void
test_udp_impaired (SpTestFixture *fixture,
                   gconstpointer  data)
{
  static const char * const arrivals[] = { "1", "1", "2", "5", "3", "6" };
  g_autoptr(SpPlayer) player = NULL;
  g_auto(Capture) capture = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *client = NULL;

  if (!have_tshark ())
    return;

  player = sp_test_run_preset (fixture, "udp-bad-network");
  write_capture (fixture->log, &capture);
  client = port_of (fixture->log, "client", SP_EVENT_SENT, SP_CALL_SENDTO);

  lines = frames (&capture);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (arrivals));
  for (guint i = 0; i < G_N_ELEMENTS (arrivals); i++)
    {
      /* "datagram N" */
      g_autofree char *hex = g_strdup_printf ("646174616772616d20%02x", arrivals[i][0]);

      assert_frame (lines[i], NULL, client, hex);
    }
  assert_clean (&capture, 0);
}

static void
test_peer_outside (SpTestFixture *fixture,
                   gconstpointer  data)
{
  SpTrafficLog *log = fixture->log;
  g_auto(Capture) capture = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autofree char *comment = NULL;
  g_autoptr(GError) error = NULL;
  const char *any = "0.0.0.0:5000";
  const char *here = "127.0.0.1:5000";
  const char *peer = "127.0.0.1:40000";
  const char *peer2 = "[::ffff:127.0.0.1]:40001";
  const char *here_mapped = "[::ffff:127.0.0.1]:5000";

  if (!have_tshark ())
    return;

  append (log, SP_EVENT_CALL, SP_CALL_SOCKET, "server", NULL, NULL, NULL,
          "socket.AF_INET, socket.SOCK_STREAM", "fd 4");
  append (log, SP_EVENT_CALL, SP_CALL_ACCEPT, "server", any, peer, NULL, NULL,
          "(conn, ('127.0.0.1', 40000))");
  append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, "conn", here, peer, "ping", "1024", NULL);
  append (log, SP_EVENT_SENT, SP_CALL_SEND, "conn", here, peer, "pong", NULL, NULL);
  append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, "conn", here, peer, "", "1024", NULL);
  append (log, SP_EVENT_CALL, SP_CALL_CLOSE, "conn", here, peer, NULL, NULL, NULL);
  append (log, SP_EVENT_CALL, SP_CALL_SOCKET, "client", NULL, NULL, NULL,
          "socket.AF_INET, socket.SOCK_STREAM", "fd 6");
  append (log, SP_EVENT_CALL, SP_CALL_CONNECT, "client", peer2, here, NULL, NULL, NULL);
  append (log, SP_EVENT_CALL, SP_CALL_ACCEPT, "server", any, peer2, NULL, NULL,
          "(conn2, ('127.0.0.1', 40001))");
  append (log, SP_EVENT_SENT, SP_CALL_SEND, "client", peer2, here, "ab", NULL, NULL);
  append (log, SP_EVENT_RECEIVED, SP_CALL_RECV, "conn2", here_mapped, peer2, "a", "1", NULL);
  append (log, SP_EVENT_CALL, SP_CALL_CLOSE, "conn2", here_mapped, peer2, NULL, NULL, NULL);
  append (log, SP_EVENT_CALL, SP_CALL_SOCKET, "u", NULL, NULL, NULL,
          "socket.AF_UNIX, socket.SOCK_STREAM", "fd 5");
  append (log, SP_EVENT_SENT, SP_CALL_SEND, "u", "/tmp/u", "/tmp/v", "unix", NULL, NULL);
  write_capture (log, &capture);

  lines = frames (&capture);
  /* Handshake, ping + ACK, pong + ACK, the peer's FIN + ACK, ours + ACK;
   * handshake, "ab" + ACK, RST. */
  g_assert_cmpuint (g_strv_length (lines), ==, 11 + 6);
  assert_frame (lines[0], SYN, "40000", "");
  assert_frame (lines[3], PSH_ACK, "40000", "70696e67");
  assert_frame (lines[5], PSH_ACK, "5000", "706f6e67");
  assert_frame (lines[7], FIN_ACK, "40000", "");
  assert_frame (lines[9], FIN_ACK, "5000", "");
  assert_frame (lines[11], SYN, "40001", "");
  assert_frame (lines[14], PSH_ACK, "40001", "6162");
  assert_frame (lines[16], RST_ACK, "5000", "");
  assert_clean (&capture, 1);

  /* capinfos comes with tshark (wireshark-common) and shows the section
   * header's comment. */
  g_spawn_sync (NULL, (char *[]) { (char *) "capinfos", capture.path, NULL }, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &comment, NULL,
                NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (comment, "Capture comment:     Socket Playground left out of this "
                                     "capture 1 data events on UNIX-domain sockets"));
}

/* The checks above can fail: a flipped payload byte is a bad checksum,
 * which tshark must report. */
static void
test_damage_is_seen (SpTestFixture *fixture,
                     gconstpointer  data)
{
  g_autoptr(SpPlayer) player = NULL;
  g_auto(Capture) capture = { 0 };
  g_autofree char *contents = NULL;
  g_autofree char *expert = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;
  char *hello;

  if (!have_tshark ())
    return;

  player = sp_test_run_preset (fixture, "tcp-echo");
  write_capture (fixture->log, &capture);
  g_file_get_contents (capture.path, &contents, &length, &error);
  g_assert_no_error (error);
  hello = memmem (contents, length, "Hello World", 11);
  g_assert_nonnull (hello);
  hello[0] = 'J';
  g_file_set_contents (capture.path, contents, length, &error);
  g_assert_no_error (error);

  expert = tshark (&capture, "-q", "-z", "expert,warn", NULL);
  g_assert_nonnull (strstr (expert, "Errors"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/Sp/Pcapng/tcp-echo", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_tcp_echo, sp_test_fixture_tear_down);
  g_test_add ("/Sp/Pcapng/udp", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_udp, sp_test_fixture_tear_down);
  g_test_add ("/Sp/Pcapng/udp-impaired", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_udp_impaired, sp_test_fixture_tear_down);
  g_test_add ("/Sp/Pcapng/peer-outside", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_peer_outside, sp_test_fixture_tear_down);
  g_test_add ("/Sp/Pcapng/damage-is-seen", SpTestFixture, NULL,
              sp_test_fixture_set_up, test_damage_is_seen, sp_test_fixture_tear_down);

  return g_test_run ();
}
